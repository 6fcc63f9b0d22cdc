/*
 * Worker processes (see proc.h). A worker joins the run's process group and asks the kernel
 * to kill it when the main process dies, so no path leaves an orphan; the group is killed
 * and every worker reaped on every exit path, so none leaves a zombie.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc/proc.h"
#include "strategies/strategy.h"

volatile sig_atomic_t proc_stop_requested;

double proc_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int proc_alive(pid_t pid)
{
	char path[64], buf[256], *paren;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	/* the state follows the command name, which may itself hold ')' */
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X';
}

/* In the child, before it runs anything: its group, its parent's death, default signals. */
static void worker_child_setup(pid_t pgid, pid_t parent)
{
	setpgid(0, pgid);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);    /* the parent died before the request took hold */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
}

/* The parent sets the group too, so the worker is in it before fork returns here. */
static void worker_parent_setup(struct worker_group *g, struct worker *w, pid_t pid)
{
	if (!g->pgid)
		g->pgid = pid;
	setpgid(pid, g->pgid);
	w->pid = pid;
}

static int open_pipes(int cmd[2], int rep[2], char *err, size_t errlen)
{
	if (pipe2(cmd, O_CLOEXEC))
		goto fail;
	if (pipe2(rep, O_CLOEXEC)) {
		close(cmd[0]);
		close(cmd[1]);
		goto fail;
	}
	return 0;
fail:
	snprintf(err, errlen, "pipe: %s", strerror(errno));
	return -errno;
}

static void close_pair(int p[2])
{
	close(p[0]);
	close(p[1]);
}

/* What runs in the child: a function, or an exec'd program. */
struct child_job {
	worker_main_fn fn;
	void *ctx;
	char *const *argv;
};

/* The child of worker_start: never returns. */
static _Noreturn void worker_child(struct worker_group *g, pid_t parent, int cmd[2], int rep[2], int id,
			 const struct child_job *job)
{
	int i;

	worker_child_setup(g->pgid, parent);
	if (job->fn) {
		/* the other workers' pipes are not this worker's business */
		for (i = 0; i < g->n; i++)
			if (g->w[i].pid) {
				close(g->w[i].to_fd);
				close(g->w[i].from_fd);
			}
		close(cmd[1]);
		close(rep[0]);
		_exit(job->fn(job->ctx, cmd[0], rep[1], id));
	}
	/*
	 * Move both ends above 4 first so neither dup2 overwrites the other, then onto 3 and 4;
	 * dup2 clears close-on-exec, so only those two cross the exec.
	 */
	{
		int in = fcntl(cmd[0], F_DUPFD_CLOEXEC, 10), out = fcntl(rep[1], F_DUPFD_CLOEXEC, 10);

		if (in < 0 || out < 0 || dup2(in, 3) < 0 || dup2(out, 4) < 0)
			_exit(126);
	}
	execv(job->argv[0], job->argv);
	_exit(127);
}

static int worker_start(struct worker_group *g, int id, const struct child_job *job,
			char *err, size_t errlen)
{
	struct worker *w = &g->w[id];
	int cmd[2], rep[2], rc;
	pid_t parent = getpid(), pid;

	rc = open_pipes(cmd, rep, err, errlen);
	if (rc)
		return rc;
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		snprintf(err, errlen, "fork of worker %d: %s", id, strerror(errno));
		close_pair(cmd);
		close_pair(rep);
		return rc;
	}
	if (pid == 0)
		worker_child(g, parent, cmd, rep, id, job);
	worker_parent_setup(g, w, pid);
	close(cmd[0]);
	close(rep[1]);
	/* never block on a full pipe to a hung worker: writes wait with a deadline instead */
	fcntl(cmd[1], F_SETFL, fcntl(cmd[1], F_GETFL) | O_NONBLOCK);
	w->id = id;
	w->to_fd = cmd[1];
	w->from_fd = rep[0];
	return 0;
}

int worker_fork(struct worker_group *g, int id, worker_main_fn fn, void *ctx,
		char *err, size_t errlen)
{
	struct child_job job = { .fn = fn, .ctx = ctx };

	return worker_start(g, id, &job, err, errlen);
}

int worker_spawn(struct worker_group *g, int id, char *const argv[], char *err, size_t errlen)
{
	struct child_job job = { .argv = argv };

	return worker_start(g, id, &job, err, errlen);
}

int worker_reap(struct worker *w, double timeout_s)
{
	double deadline = proc_now_s() + timeout_s;
	useconds_t nap = 20;

	while (w->pid) {
		pid_t r = waitpid(w->pid, &w->status, WNOHANG);

		if (r == w->pid || (r < 0 && errno == ECHILD)) {
			w->pid = 0;
			return 0;
		}
		if (proc_now_s() > deadline)
			return -ETIMEDOUT;
		/* a worker told to exit is gone within microseconds: start with short naps */
		usleep(nap);
		if (nap < 1000)
			nap *= 2;
	}
	return 0;
}

void worker_group_stop(struct worker_group *g)
{
	int i;

	for (i = 0; i < g->n; i++) {
		if (g->w[i].to_fd > 0)
			close(g->w[i].to_fd);
		if (g->w[i].from_fd > 0)
			close(g->w[i].from_fd);
		g->w[i].to_fd = g->w[i].from_fd = -1;
	}
	if (g->pgid)
		kill(-g->pgid, SIGKILL);
	for (i = 0; i < g->n; i++)
		if (g->w[i].pid) {
			kill(g->w[i].pid, SIGKILL);
			/* SIGKILL cannot be ignored: a blocking wait ends promptly */
			while (waitpid(g->w[i].pid, &g->w[i].status, 0) < 0 && errno == EINTR)
				;
			g->w[i].pid = 0;
		}
}

void worker_describe_end(const struct worker *w, char *buf, size_t len)
{
	if (WIFSIGNALED(w->status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(w->status),
			 strsignal(WTERMSIG(w->status)));
	else if (WIFEXITED(w->status))
		snprintf(buf, len, "exited with code %d", WEXITSTATUS(w->status));
	else
		snprintf(buf, len, "ended with status 0x%x", w->status);
}

/* Wait until fd is ready for events or the deadline passes. */
static int wait_fd(int fd, short events, double deadline)
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = events };
		int ms = -1, r;

		if (proc_stop_requested)
			return -EINTR;
		if (deadline > 0) {
			double left = deadline - proc_now_s();

			if (left <= 0)
				return -ETIMEDOUT;
			ms = (int)(left * 1e3) + 1;
		}
		/* wake at least every 100 ms to notice a stop request */
		if (ms < 0 || ms > 100)
			ms = 100;
		r = poll(&pfd, 1, ms);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

int fd_write_full(int fd, const void *buf, size_t len, double deadline)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EPIPE)
			return -EPIPE;
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			return -errno;
		if (proc_stop_requested)
			return -EINTR;
		if (n < 0 && errno == EAGAIN) {
			int rc = wait_fd(fd, POLLOUT, deadline);

			if (rc)
				return rc;
		}
	}
	return 0;
}

int fd_read_full(int fd, void *buf, size_t len, double deadline)
{
	uint8_t *p = buf;

	while (len) {
		int rc = wait_fd(fd, POLLIN, deadline);
		ssize_t n;

		if (rc)
			return rc;
		n = read(fd, p, len);
		if (n == 0)
			return -EPIPE;
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Header and payload in one writev, so the reader wakes once for the whole message. */
int msg_send(int fd, uint32_t type, const void *payload, uint32_t len, double deadline)
{
	struct msg_header h = { .type = type, .len = len };
	struct iovec iov[2] = {
		{ .iov_base = &h, .iov_len = sizeof(h) },
		{ .iov_base = (void *)payload, .iov_len = len },
	};
	size_t head;
	ssize_t n;

	do
		n = writev(fd, iov, len ? 2 : 1);
	while (n < 0 && errno == EINTR && !proc_stop_requested);
	if (n < 0 && errno != EAGAIN)
		return errno == EPIPE ? -EPIPE : -errno;
	if (n < 0)
		n = 0;
	/* a short write (the pipe is full): the rest goes out with a deadline */
	head = (size_t)n < sizeof(h) ? (size_t)n : sizeof(h);
	if (head < sizeof(h)) {
		int rc = fd_write_full(fd, (uint8_t *)&h + head, sizeof(h) - head, deadline);

		if (rc)
			return rc;
	}
	if ((size_t)n >= sizeof(h) + len || !len)
		return 0;
	n -= (ssize_t)head;
	return fd_write_full(fd, (const uint8_t *)payload + n, len - (size_t)n, deadline);
}

int msg_recv(int fd, struct msg_header *h, uint8_t **buf, size_t *cap, size_t max_len,
	     double deadline)
{
	int rc = fd_read_full(fd, h, sizeof(*h), deadline);

	if (rc)
		return rc;
	if (h->len > max_len)
		return -EBADMSG;
	if (h->len > *cap) {
		uint8_t *nb = realloc(*buf, h->len);

		if (!nb)
			return -ENOMEM;
		*buf = nb;
		*cap = h->len;
	}
	return h->len ? fd_read_full(fd, *buf, h->len, deadline) : 0;
}

int fault_parse(const char *spec, struct fault *f, char *err, size_t errlen)
{
	static const char *const kinds[] = { "", "kill", "hang", "garbage" };
	char kind[16], phase[16];
	int i;

	memset(f, 0, sizeof(*f));
	if (!spec)
		return 0;
	if (sscanf(spec, "%15[a-z]:%d:%15[a-z]:%d", kind, &f->worker, phase, &f->gen) != 4)
		goto bad;
	for (i = 1; i < 4; i++)
		if (!strcmp(kind, kinds[i]))
			f->kind = i;
	f->phase = -1;
	for (i = 0; i < PHASE_COUNT; i++)
		if (!strcmp(phase, phase_names[i]))
			f->phase = i;
	if (f->kind && f->phase >= 0 && f->worker >= 0 && f->gen >= 0)
		return 0;
bad:
	snprintf(err, errlen, "--inject-fault: expected KIND:WORKER:PHASE:GEN with KIND one of "
		 "kill hang garbage and PHASE one of mutate prepare evaluate resample, got '%s'", spec);
	f->kind = FAULT_NONE;
	return -EINVAL;
}

int fault_strike(const struct fault *f, int worker, int phase, int gen)
{
	if (f->kind == FAULT_NONE || f->worker != worker || f->phase != phase || f->gen != gen)
		return FAULT_NONE;
	if (f->kind == FAULT_KILL)
		raise(SIGKILL);
	if (f->kind == FAULT_HANG)
		for (;;)
			pause();
	return f->kind;
}
