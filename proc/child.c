/*
 * Starting, waiting for and ending one child process (see child.h). Every path that forks
 * goes through child_start, so every child gets its group, death signal and streams the
 * same way, and every end is classified by the same words.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc/child.h"
#include "proc/clock.h"

void child_init(struct child *c)
{
	memset(c, 0, sizeof(*c));
	c->std_in = c->std_out = c->std_err = CHILD_INHERIT;
	c->fd3 = c->fd4 = -1;
	c->death_signal = SIGKILL;
}

/* Put fd (or /dev/null, or the file at path) on target; 0 or -1. */
static int child_stream(int target, int fd, const char *path, int append)
{
	int flags = target == STDIN_FILENO ? O_RDONLY : O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC);
	int opened = path || fd == CHILD_NULL;

	if (fd == CHILD_INHERIT && !path)
		return 0;
	if (opened)
		fd = open(path ? path : "/dev/null", flags, 0644);
	if (fd < 0 || dup2(fd, target) < 0)
		return -1;
	if (opened && fd != target)
		close(fd);
	return 0;
}

/* Move both ends above 4 first so neither dup2 overwrites the other, then onto 3 and 4;
   dup2 clears close-on-exec, so only those two of the extra descriptors cross the exec. */
static int child_channel(int fd3, int fd4)
{
	int a = fd3 >= 0 ? fcntl(fd3, F_DUPFD_CLOEXEC, 10) : -1;
	int b = fd4 >= 0 ? fcntl(fd4, F_DUPFD_CLOEXEC, 10) : -1;

	if ((fd3 >= 0 && (a < 0 || dup2(a, 3) < 0)) || (fd4 >= 0 && (b < 0 || dup2(b, 4) < 0)))
		return -1;
	return 0;
}

/* In the child: never returns. */
static _Noreturn void child_run(struct child *c, pid_t parent)
{
	if (c->pgid >= 0)
		setpgid(0, c->pgid);
	if (c->death_signal) {
		prctl(PR_SET_PDEATHSIG, c->death_signal);
		if (getppid() != parent)
			_exit(127);    /* the parent died before the request took hold */
	}
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	if (c->sigmask)
		sigprocmask(SIG_SETMASK, c->sigmask, NULL);
	if (c->in_child)
		c->in_child(c->ctx);
	if (child_stream(STDIN_FILENO, c->std_in, NULL, 0) ||
	    child_stream(STDOUT_FILENO, c->std_out, c->out_path, c->append) ||
	    child_stream(STDERR_FILENO, c->std_err, c->err_path, c->append))
		_exit(126);
	if (c->fn)
		_exit(c->fn(c->ctx));
	if (child_channel(c->fd3, c->fd4))
		_exit(126);
	if (c->exe)
		execv(c->exe, c->argv);
	else
		execvp(c->argv[0], c->argv);
	fprintf(stderr, "exec %s: %s\n", c->exe ? c->exe : c->argv[0], strerror(errno));
	_exit(127);
}

int child_start(struct child *c, char *err, size_t errlen)
{
	pid_t parent = getpid(), pid;

	if (!c->fn && (!c->argv || !c->argv[0])) {
		snprintf(err, errlen, "child: nothing to run");
		return -EINVAL;
	}
	pid = fork();
	if (pid < 0) {
		int rc = -errno;

		snprintf(err, errlen, "fork: %s", strerror(errno));
		return rc;
	}
	if (pid == 0)
		child_run(c, parent);
	/* the parent sets the group too, so the child is in it before fork returns here */
	if (c->pgid >= 0)
		setpgid(pid, c->pgid ? c->pgid : pid);
	c->pid = pid;
	c->status = 0;
	return 0;
}

/* A descriptor that turns readable the moment the child ends, or -1 where the kernel has none. */
static int child_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	return -1;
#endif
}

/*
 * Sleep until the child may have ended, at most left_s and 100 ms (so a stop request is
 * seen): on its pidfd, so whoever times the child learns of its end at once, else in naps.
 */
static void child_nap(int pidfd, double left_s, useconds_t *nap)
{
	if (pidfd >= 0) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };

		poll(&p, 1, left_s < 0 || left_s > 0.1 ? 100 : (int)(left_s * 1e3) + 1);
		return;
	}
	/* a child told to exit is gone within microseconds: start with short naps */
	usleep(*nap);
	if (*nap < 10000)
		*nap *= 2;
}

int child_wait(struct child *c, double timeout_s)
{
	double deadline = proc_now_s() + timeout_s;
	int pidfd = c->pid && timeout_s != 0 ? child_pidfd(c->pid) : -1, rc = 0;
	useconds_t nap = 20;

	while (c->pid) {
		pid_t r = wait4(c->pid, &c->status, WNOHANG, &c->ru);

		if (r == c->pid || (r < 0 && errno == ECHILD)) {
			c->pid = 0;
			break;
		}
		if (timeout_s >= 0 && proc_now_s() >= deadline) {
			rc = -ETIMEDOUT;
			break;
		}
		if (timeout_s < 0 && proc_stop_requested) {
			rc = -EINTR;
			break;
		}
		child_nap(pidfd, timeout_s < 0 ? -1 : deadline - proc_now_s(), &nap);
	}
	if (pidfd >= 0)
		close(pidfd);
	return rc;
}

void child_end(struct child *c, double grace_s)
{
	if (!c->pid)
		return;
	if (grace_s > 0) {
		kill(c->pid, SIGTERM);
		if (!child_wait(c, grace_s))
			return;
	}
	kill(c->pid, SIGKILL);
	/* SIGKILL cannot be ignored: a blocking wait ends promptly */
	while (wait4(c->pid, &c->status, 0, &c->ru) < 0 && errno == EINTR)
		;
	c->pid = 0;
}

int child_exit_code(const struct child *c)
{
	if (WIFSIGNALED(c->status))
		return 128 + WTERMSIG(c->status);
	return WIFEXITED(c->status) ? WEXITSTATUS(c->status) : 255;
}

int child_signal(const struct child *c)
{
	return WIFSIGNALED(c->status) ? WTERMSIG(c->status) : 0;
}

void child_describe_status(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else if (WIFEXITED(status))
		snprintf(buf, len, "exited with code %d", WEXITSTATUS(status));
	else
		snprintf(buf, len, "ended with status 0x%x", status);
}

void child_describe(const struct child *c, char *buf, size_t len)
{
	child_describe_status(c->status, buf, len);
}
