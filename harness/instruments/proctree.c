/*
 * The snapshot of proctree.h. Per thread two small reads (status: name, state, context
 * switches; schedstat: CPU and run-queue nanoseconds) and, for a sleeping thread only, its
 * system call (a futex wait). A sample's cost grows with the tree's threads, not the machine's.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness/instruments/proctree.h"
#include "harness/instruments/sampler.h"

#define STATUS_MAX 8192           /* /proc/PID/status; Cpus_allowed and Mems_allowed grow with the machine */

static const char *const pt_file_names[PT_FILES] = { "schedstat", "stat", "status" };

/* the file at path into buf (NUL-terminated): its length, or -errno */
static ssize_t read_small(const char *path, char *buf, size_t len)
{
	ssize_t got, at = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (at < (ssize_t)len - 1 && (got = read(fd, buf + at, len - 1 - (size_t)at)) > 0)
		at += got;
	close(fd);
	buf[at] = 0;
	return at;
}

/*
 * A thread's file k into buf through its descriptor kept open (opened at the first read, kept
 * unless descriptors ran out); a descriptor whose thread ended is closed and the path tried once.
 */
static ssize_t read_kept(struct pt_snapshot *s, struct pt_thread *t, const char *dir, int k,
			 char *buf, size_t len)
{
	char path[96];
	ssize_t got;

	if (t->fd[k] >= 0) {
		got = pread(t->fd[k], buf, len - 1, 0);
		if (got > 0) {
			buf[got] = 0;
			return got;
		}
		close(t->fd[k]);
		t->fd[k] = -1;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, pt_file_names[k]);
	if (s->no_fds)
		return read_small(path, buf, len);
	t->fd[k] = open(path, O_RDONLY | O_CLOEXEC);
	if (t->fd[k] < 0) {
		s->no_fds |= errno == EMFILE || errno == ENFILE;
		return s->no_fds ? read_small(path, buf, len) : -errno;
	}
	got = pread(t->fd[k], buf, len - 1, 0);
	buf[got > 0 ? got : 0] = 0;
	return got;
}

/* the number after "key:" in a status text, or dflt */
static long status_num(const char *text, const char *key, long dflt)
{
	const char *at = strstr(text, key);

	return at ? strtol(at + strlen(key), NULL, 10) : dflt;
}

static void status_name(const char *text, char *comm)
{
	const char *at = strstr(text, "Name:\t");
	size_t n;

	comm[0] = 0;
	if (!at)
		return;
	at += 6;
	n = strcspn(at, "\n");
	if (n >= PT_COMM)
		n = PT_COMM - 1;
	memcpy(comm, at, n);
	comm[n] = 0;
}

/* A sleeping thread in futex(2) waits on a lock or a condition; -1 where the kernel hides it. */
static int in_futex(const char *dir)
{
	char path[96], buf[160];
	long nr;

	snprintf(path, sizeof(path), "%s/syscall", dir);
	if (read_small(path, buf, sizeof(buf)) <= 0 || buf[0] < '0' || buf[0] > '9')
		return -1;            /* unreadable, or "running": nothing to say */
	nr = strtol(buf, NULL, 10);
#ifdef SYS_futex_waitv
	if (nr == SYS_futex_waitv)
		return 1;
#endif
	return nr == SYS_futex;
}

/* the state letter and CPU ticks from stat; 0 or -1 */
static int read_stat(struct pt_snapshot *s, struct pt_thread *t, const char *dir, char *state,
		     unsigned long *ticks)
{
	char buf[1024], *rparen;
	unsigned long ut, st;

	if (read_kept(s, t, dir, PT_STAT, buf, sizeof(buf)) <= 0 || !(rparen = strrchr(buf, ')')))
		return -1;
	/* after the name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
	if (sscanf(rparen + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", state, &ut, &st) != 3)
		return -1;
	*ticks = ut + st;
	return 0;
}

/* CPU and run-queue time from schedstat: 1; 0 where the kernel keeps none */
static int read_schedstat(struct pt_snapshot *s, struct pt_thread *t, const char *dir)
{
	char buf[256];
	unsigned long long wait_ns;

	if (read_kept(s, t, dir, PT_SCHEDSTAT, buf, sizeof(buf)) <= 0 ||
	    sscanf(buf, "%llu %llu %llu", &t->run_ns, &wait_ns, &t->slices) != 3)
		return 0;
	t->run_s = (double)t->run_ns * 1e-9;
	t->wait_s = (double)wait_ns * 1e-9;
	return 1;
}

static void *grow(void *arr, int *cap, int n, size_t elem)
{
	void *p;
	int want;

	if (n < *cap)
		return arr;
	want = *cap ? *cap * 2 : 64;
	if (want <= n)
		want = n + 64;
	p = realloc(arr, (size_t)want * elem);
	if (p)
		*cap = want;
	return p;
}

/* what the walk's callbacks share: the snapshot and what the main thread said of its process */
struct walk_ctx {
	struct pt_snapshot *s;
	int first;                /* the first thread of the process being listed */
	pid_t ppid;
	long rss_kb;
	char comm[PT_COMM];
};

/* name, state and switches anew from status; the process's parent and memory from its main thread */
static int read_status(struct walk_ctx *w, struct pt_thread *t, const char *dir, pid_t pid)
{
	char text[STATUS_MAX];
	const char *state;

	if (read_kept(w->s, t, dir, PT_STATUS, text, sizeof(text)) <= 0)
		return -1;
	status_name(text, t->comm);
	state = strstr(text, "\nState:\t");
	t->state = state ? state[8] : '?';
	t->vol = status_num(text, "\nvoluntary_ctxt_switches:", 0);
	t->invol = status_num(text, "\nnonvoluntary_ctxt_switches:", 0);
	if (t->tid == pid) {
		w->ppid = (pid_t)status_num(text, "\nPPid:", 0);
		w->rss_kb = status_num(text, "\nVmRSS:", 0);
		memcpy(w->comm, t->comm, sizeof(w->comm));
	}
	return 0;
}

/* the thread of the snapshot before, its files handed over to t */
static struct pt_thread *take_over(struct pt_snapshot *prev, struct pt_thread *t)
{
	struct pt_thread *old = prev ? (struct pt_thread *)proctree_find(prev, t->tid) : NULL;
	int k;

	for (k = 0; k < PT_FILES; k++) {
		t->fd[k] = old ? old->fd[k] : -1;
		if (old)
			old->fd[k] = -1;
	}
	return old;
}

static void close_files(struct pt_thread *t)
{
	int k;

	for (k = 0; k < PT_FILES; k++)
		if (t->fd[k] >= 0) {
			close(t->fd[k]);
			t->fd[k] = -1;
		}
}

/*
 * Read one thread. One that has not run since the snapshot before (the same CPU time and
 * time slices) has the same name, switches and system call: only its state can have changed.
 */
static int read_thread(struct walk_ctx *w, struct pt_thread *t, pid_t pid, const char *dir)
{
	struct pt_thread *old = take_over(w->s->prev, t);
	int timed = read_schedstat(w->s, t, dir), f;
	unsigned long ticks;
	char state;

	if (timed && old && t->tid != pid && t->slices == old->slices && t->run_ns == old->run_ns) {
		memcpy(t->comm, old->comm, sizeof(t->comm));
		t->vol = old->vol;
		t->invol = old->invol;
		t->futex_known = old->futex_known;
		if (read_stat(w->s, t, dir, &t->state, &ticks))
			return -1;
		if (t->state == 'S' && old->state == 'F')
			t->state = 'F';
		return 0;
	}
	if (read_status(w, t, dir, pid))
		return -1;
	if (!timed) {
		w->s->have_wait = 0;
		if (!read_stat(w->s, t, dir, &state, &ticks))
			t->run_s = (double)ticks / (double)sysconf(_SC_CLK_TCK);
	}
	if (t->state == 'S' && (f = in_futex(dir)) >= 0) {
		t->futex_known = 1;
		t->state = f ? 'F' : 'S';
	}
	return 0;
}

/* the thread callback: one thread of pid read into the snapshot (gone meanwhile: left out) */
static void take_thread(void *ctx, pid_t pid, pid_t tid)
{
	struct walk_ctx *w = ctx;
	struct pt_snapshot *s = w->s;
	struct pt_thread *t, *arr = grow(s->threads, &s->cap_threads, s->n_threads, sizeof(*arr));
	char dir[64];

	if (!arr) {
		s->oom = 1;
		return;
	}
	s->threads = arr;
	t = &arr[s->n_threads];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	snprintf(dir, sizeof(dir), "/proc/%d/task/%d", (int)pid, (int)tid);
	if (read_thread(w, t, pid, dir)) {
		close_files(t);       /* it ended while being read */
		return;
	}
	s->futex_visible |= t->futex_known;
	s->n_threads++;
}

/* the process callback: its threads were the last ones read */
static void take_process(void *ctx, pid_t pid, int threads)
{
	struct walk_ctx *w = ctx;
	struct pt_snapshot *s = w->s;
	struct pt_process *p, *arr = grow(s->procs, &s->cap_procs, s->n_procs, sizeof(*arr));

	(void)threads;            /* those listed; the ones read may be fewer (ended meanwhile) */
	if (!arr) {
		s->oom = 1;
		return;
	}
	s->procs = arr;
	p = &arr[s->n_procs++];
	p->pid = pid;
	p->ppid = w->ppid;
	p->rss_kb = w->rss_kb;
	memcpy(p->comm, w->comm, sizeof(p->comm));
	p->first = w->first;
	p->n = s->n_threads - w->first;
	w->first = s->n_threads;
	w->ppid = 0;
	w->rss_kb = 0;
	w->comm[0] = 0;
}

static int by_tid(const void *a, const void *b, void *ctx)
{
	const struct pt_thread *t = ctx;
	pid_t x = t[*(const int *)a].tid, y = t[*(const int *)b].tid;

	return (x > y) - (x < y);
}

const struct pt_thread *proctree_find(const struct pt_snapshot *s, pid_t tid)
{
	int lo = 0, hi = s->n_threads - 1;

	while (s->by_tid && lo <= hi) {
		int mid = (lo + hi) / 2;
		const struct pt_thread *t = &s->threads[s->by_tid[mid]];

		if (t->tid == tid)
			return t;
		if (t->tid < tid)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

/* the index by tid; 0 or -ENOMEM */
static int index_threads(struct pt_snapshot *s)
{
	int i, *o = grow(s->by_tid, &s->cap_by_tid, s->n_threads, sizeof(int));

	if (!o)
		return -ENOMEM;
	s->by_tid = o;
	for (i = 0; i < s->n_threads; i++)
		o[i] = i;
	qsort_r(o, (size_t)s->n_threads, sizeof(*o), by_tid, s->threads);
	return 0;
}

int proctree_snapshot(struct pt_snapshot *s, struct pt_snapshot *prev, pid_t root, pid_t skip_tid)
{
	struct walk_ctx w = { .s = s };
	struct tree_visitor v = { take_thread, take_process, &w };
	int rc, i;

	for (i = 0; i < s->n_threads; i++)
		close_files(&s->threads[i]);
	s->n_procs = 0;
	s->n_threads = 0;
	s->have_wait = 1;
	s->futex_visible = 0;
	s->oom = 0;
	s->prev = prev;
	rc = sampler_visit(root, skip_tid, &v);
	s->prev = NULL;
	if (!rc && s->oom)
		rc = -ENOMEM;
	if (!rc)
		rc = index_threads(s);
	for (i = 0; prev && i < prev->n_threads; i++)
		close_files(&prev->threads[i]);   /* threads gone since */
	if (rc) {
		for (i = 0; i < s->n_threads; i++)
			close_files(&s->threads[i]);
		s->n_threads = s->n_procs = 0;
	}
	return rc;
}

void proctree_release(struct pt_snapshot *s)
{
	int i;

	for (i = 0; i < s->n_threads; i++)
		close_files(&s->threads[i]);
	free(s->procs);
	free(s->threads);
	free(s->by_tid);
	memset(s, 0, sizeof(*s));
}

double proctree_machine_busy(struct pt_machine *m, int online_cores)
{
	unsigned long long v[8] = { 0 }, busy = 0, total = 0, d_total;
	char buf[512];
	double cores = -1;
	int i;

	if (read_small("/proc/stat", buf, sizeof(buf)) <= 0 ||
	    sscanf(buf, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &v[6], &v[7]) < 4)
		return -1;
	for (i = 0; i < 8; i++)
		total += v[i];
	busy = total - v[3] - v[4];   /* all but idle and iowait */
	d_total = total - m->total;
	if (m->total && d_total > 0)
		cores = (double)(busy - m->busy) / (double)d_total * online_cores;
	m->busy = busy;
	m->total = total;
	return cores;
}

double proctree_load_1m(void)
{
	char buf[128];
	double load;

	if (read_small("/proc/loadavg", buf, sizeof(buf)) <= 0 || sscanf(buf, "%lf", &load) != 1)
		return -1;
	return load;
}

void proctree_cores(pid_t pid, int *online, int *affinity)
{
	cpu_set_t set;

	*online = (int)sysconf(_SC_NPROCESSORS_ONLN);
	*affinity = sched_getaffinity(pid, sizeof(set), &set) ? -1 : CPU_COUNT(&set);
}

int proctree_thread_caps(pid_t pid, char *buf, size_t len)
{
	static const char *const caps[] = { "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS" };
	char path[48], env[32768];
	size_t at = 0, k;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	n = read_small(path, env, sizeof(env));
	buf[0] = 0;
	if (n < 0) {
		snprintf(buf, len, "its environment could not be read (%s)", strerror((int)-n));
		return (int)n;
	}
	for (k = 0; k < sizeof(caps) / sizeof(caps[0]) && at < len; k++) {
		size_t klen = strlen(caps[k]);
		const char *e = env, *val = NULL;

		for (; e < env + n; e += strlen(e) + 1)
			if (!strncmp(e, caps[k], klen) && e[klen] == '=')
				val = e + klen + 1;
		at += (size_t)snprintf(buf + at, len - at, "%s%s%s%s", k ? ", " : "", caps[k],
				       val ? "=" : " unset", val ? val : "");
	}
	return 0;
}
