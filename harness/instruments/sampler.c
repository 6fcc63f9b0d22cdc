/*
 * The sampler of sampler.h. The tree is walked down from the root through
 * /proc/PID/task/TID/children, so a sample costs in proportion to the run's own threads and
 * processes, not to every process on the machine as a scan of /proc/[0-9]* for ppids would.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness/instruments/sampler.h"

#define TREE_MAX 4096             /* processes one walk follows; a bound, not a limit we expect */

static double mono_s(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Push the pids listed in /proc/PID/task/TID/children (a space-separated list). */
static void push_children(pid_t pid, pid_t tid, pid_t *stack, int *top)
{
	char path[64], buf[1024];
	ssize_t got, i;
	long cur = -1;            /* the pid being parsed; it may straddle two reads */
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;               /* the thread has gone: it has no children to report */
	while ((got = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < got; i++) {
			if (buf[i] >= '0' && buf[i] <= '9') {
				cur = (cur < 0 ? 0 : cur * 10) + (buf[i] - '0');
				continue;
			}
			if (cur > 0 && *top < TREE_MAX)
				stack[(*top)++] = (pid_t)cur;
			cur = -1;
		}
	}
	if (cur > 0 && *top < TREE_MAX)
		stack[(*top)++] = (pid_t)cur;
	close(fd);
}

int sampler_each_thread(pid_t pid, pid_t skip_tid, void (*fn)(void *ctx, pid_t tid), void *ctx)
{
	char path[48], buf[2048];
	int fd, threads = 0;
	ssize_t got, off;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* getdents64 on a stack buffer: no DIR allocation in a thread that runs beside a fork */
	while ((got = getdents64(fd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < got;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			pid_t tid = (pid_t)atoi(d->d_name);

			off += d->d_reclen;
			if (tid <= 0 || tid == skip_tid)
				continue;
			threads++;
			fn(ctx, tid);
		}
	}
	close(fd);
	return threads;
}

struct walk {
	pid_t pid;
	pid_t *stack;
	int *top;
	const struct tree_visitor *v;
};

static void walk_thread(void *ctx, pid_t tid)
{
	struct walk *w = ctx;

	if (w->v && w->v->thread)
		w->v->thread(w->v->ctx, w->pid, tid);
	push_children(w->pid, tid, w->stack, w->top);
}

/* Threads of one process (skip_tid not counted), each shown to v, pushing the children of
 * each; -errno when gone. */
static int walk_process(pid_t pid, pid_t skip_tid, pid_t *stack, int *top,
			const struct tree_visitor *v)
{
	struct walk w = { .pid = pid, .stack = stack, .top = top, .v = v };

	return sampler_each_thread(pid, skip_tid, walk_thread, &w);
}

/* Resident kilobytes of one process (statm's second field); 0 when it has gone. */
static long process_rss_kb(pid_t pid)
{
	char path[48], buf[128];
	long size, pages = 0;
	ssize_t got;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/statm", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	got = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (got <= 0)
		return 0;
	buf[got] = 0;
	if (sscanf(buf, "%ld %ld", &size, &pages) != 2)
		return 0;
	return pages * (sysconf(_SC_PAGESIZE) / 1024);
}

/* The walk of sampler_walk and sampler_visit; with rss_kb, the tree's resident memory summed. */
static int tree_walk(pid_t root, pid_t skip_tid, const struct tree_visitor *v, int *threads,
		     int *processes, long *rss_kb)
{
	pid_t stack[TREE_MAX];
	int top = 0, n;

	*threads = 0;
	*processes = 0;
	if (rss_kb)
		*rss_kb = 0;
	stack[top++] = root;
	while (top > 0) {
		pid_t pid = stack[--top];

		n = walk_process(pid, skip_tid, stack, &top, v);
		if (n < 0) {
			if (pid == root)
				return n;
			continue;             /* a child that ended between two reads */
		}
		*threads += n;
		(*processes)++;
		if (v && v->process)
			v->process(v->ctx, pid, n);
		if (rss_kb)
			*rss_kb += process_rss_kb(pid);
	}
	return 0;
}

int sampler_walk(pid_t root, pid_t skip_tid, int *threads, int *processes)
{
	return tree_walk(root, skip_tid, NULL, threads, processes, NULL);
}

int sampler_visit(pid_t root, pid_t skip_tid, const struct tree_visitor *v)
{
	int threads, processes;

	return tree_walk(root, skip_tid, v, &threads, &processes, NULL);
}

/* Halve the timeline: each pair of points becomes one holding the pair's maxima. */
static void halve_points(struct sampler *s)
{
	int i;

	for (i = 0; i < s->n_points / 2; i++) {
		const struct sampler_point *a = &s->points[2 * i], *b = &s->points[2 * i + 1];

		s->points[i].t_s = a->t_s;
		s->points[i].threads = a->threads > b->threads ? a->threads : b->threads;
		s->points[i].processes = a->processes > b->processes ? a->processes : b->processes;
	}
	s->n_points /= 2;
	s->stride *= 2;
}

static void flush_point(struct sampler *s)
{
	if (!s->acc_n)
		return;
	if (s->n_points == SAMPLER_POINTS)
		halve_points(s);
	s->points[s->n_points++] = s->acc;
	s->acc_n = 0;
}

static void take_sample(struct sampler *s)
{
	int threads, processes;
	long rss_kb;
	double t = mono_s(CLOCK_MONOTONIC) - s->t0;

	if (tree_walk(s->root, s->tid, NULL, &threads, &processes, s->track_rss ? &rss_kb : NULL))
		return;
	s->samples++;
	if (s->track_rss && rss_kb > s->rss_kb_max)
		s->rss_kb_max = rss_kb;
	s->threads_sum += threads;
	if (threads > s->threads_max)
		s->threads_max = threads;
	if (processes > s->processes_max)
		s->processes_max = processes;
	if (!s->acc_n) {
		s->acc.t_s = (float)t;
		s->acc.threads = 0;
		s->acc.processes = 0;
	}
	if (threads > s->acc.threads)
		s->acc.threads = threads;
	if (processes > s->acc.processes)
		s->acc.processes = processes;
	if (++s->acc_n >= s->stride)
		flush_point(s);
}

static void add_seconds(struct timespec *ts, double s)
{
	long long ns = ts->tv_nsec + (long long)(s * 1e9);

	ts->tv_sec += ns / 1000000000LL;
	ts->tv_nsec = ns % 1000000000LL;
}

static void *sampler_main(void *arg)
{
	struct sampler *s = arg;
	struct timespec next, now;
	double cpu0 = mono_s(CLOCK_THREAD_CPUTIME_ID);

	s->tid = gettid();
	/* by name, so that a look at the process tells the instrument from the run's threads */
	pthread_setname_np(pthread_self(), "evopar-sampler");
	clock_gettime(CLOCK_MONOTONIC, &next);
	pthread_mutex_lock(&s->lock);
	while (!s->stop) {
		pthread_mutex_unlock(&s->lock);
		take_sample(s);
		add_seconds(&next, s->period_s);
		clock_gettime(CLOCK_MONOTONIC, &now);
		/* a late sample (an overloaded machine) skips ticks rather than bursting to catch up */
		if (now.tv_sec > next.tv_sec || (now.tv_sec == next.tv_sec && now.tv_nsec > next.tv_nsec)) {
			next = now;
			add_seconds(&next, s->period_s);
		}
		pthread_mutex_lock(&s->lock);
		while (!s->stop && pthread_cond_timedwait(&s->wake, &s->lock, &next) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&s->lock);
	take_sample(s);               /* the tree as it is at the end */
	flush_point(s);
	s->cpu_s = mono_s(CLOCK_THREAD_CPUTIME_ID) - cpu0;
	return NULL;
}

int sampler_start(struct sampler *s, pid_t root, double period_ms, char *err, size_t errlen)
{
	return sampler_start_tree(s, root, period_ms, 0, err, errlen);
}

int sampler_start_tree(struct sampler *s, pid_t root, double period_ms, int track_rss,
		       char *err, size_t errlen)
{
	pthread_condattr_t ca;
	sigset_t all, old;
	int rc;

	memset(s, 0, sizeof(*s));
	s->root = root;
	s->track_rss = track_rss;
	s->period_s = period_ms * 1e-3;
	s->stride = 1;
	s->points = calloc(SAMPLER_POINTS, sizeof(*s->points));
	if (!s->points) {
		snprintf(err, errlen, "sampler: out of memory");
		return -ENOMEM;
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->wake, &ca);
	pthread_condattr_destroy(&ca);
	/*
	 * No signal for the sampler: SIGINT must land on a thread of the run, whose blocking
	 * calls it interrupts; the mask is inherited by the new thread.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	s->t0 = mono_s(CLOCK_MONOTONIC);
	rc = pthread_create(&s->thread, NULL, sampler_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		snprintf(err, errlen, "sampler: pthread_create: %s", strerror(rc));
		goto destroy_sync;
	}
	s->started = 1;
	return 0;

destroy_sync:
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	free(s->points);
	s->points = NULL;
	return -rc;
}

void sampler_stop(struct sampler *s)
{
	if (!s->started || s->stop)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = 1;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	s->t1 = mono_s(CLOCK_MONOTONIC);
}

void sampler_release(struct sampler *s)
{
	if (!s->started)
		return;
	sampler_stop(s);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	free(s->points);
	s->points = NULL;
	s->started = 0;
}

static void write_timeline(const struct sampler *s, struct jw *w)
{
	int i;

	jw_obj_begin(w, "timeline");
	jw_int(w, "samples_per_point", s->stride);
	jw_arr_begin(w, "t_s");
	for (i = 0; i < s->n_points; i++)
		jw_num(w, NULL, s->points[i].t_s);
	jw_arr_end(w);
	jw_arr_begin(w, "threads");
	for (i = 0; i < s->n_points; i++)
		jw_int(w, NULL, s->points[i].threads);
	jw_arr_end(w);
	jw_arr_begin(w, "processes");
	for (i = 0; i < s->n_points; i++)
		jw_int(w, NULL, s->points[i].processes);
	jw_arr_end(w);
	jw_obj_end(w);
}

void sampler_write(const struct sampler *s, struct jw *w)
{
	double active_s = s->t1 - s->t0;

	if (!s->started || !s->samples) {
		jw_null(w, "threads_max");
		jw_null(w, "threads_mean");
		jw_null(w, "processes_max");
		jw_null(w, "sampler");
		return;
	}
	jw_int(w, "threads_max", s->threads_max);
	jw_num(w, "threads_mean", s->threads_sum / (double)s->samples);
	jw_int(w, "processes_max", s->processes_max);
	if (s->track_rss)
		jw_int(w, "rss_max_kb", s->rss_kb_max);
	jw_obj_begin(w, "sampler");
	jw_num(w, "period_ms", s->period_s * 1e3);
	jw_int(w, "samples", s->samples);
	jw_num(w, "cpu_s", s->cpu_s);
	jw_num(w, "cpu_per_sample_us", s->cpu_s / (double)s->samples * 1e6);
	/* the sampler's CPU time as a share of the time it ran: its cost to the run */
	jw_num(w, "cpu_share", active_s > 0 ? s->cpu_s / active_s : 0.0);
	write_timeline(s, w);
	jw_obj_end(w);
}
