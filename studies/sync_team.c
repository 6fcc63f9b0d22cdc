/*
 * The workers of the synchronisation study: n of them as threads or as processes (started by
 * proc/child.h, over an anonymous MAP_SHARED mapping made before the first start, so nothing
 * is left behind on any path), with the clock, hash and checksum every worker shares.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "proc/child.h"
#include "proc/clock.h"
#include "studies/sync.h"

void *sync_map(size_t bytes, char *err, size_t errlen)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		snprintf(err, errlen, "a shared mapping of %zu bytes: %s", bytes, strerror(errno));
		return NULL;
	}
	return p;
}

void sync_unmap(void *p, size_t bytes)
{
	if (p)
		munmap(p, bytes);
}

uint64_t sync_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int sync_pin(int cpu)
{
	cpu_set_t allowed, one;
	int i, k = 0, want;

	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return -errno;
	want = cpu % (CPU_COUNT(&allowed) > 0 ? CPU_COUNT(&allowed) : 1);
	for (i = 0; i < CPU_SETSIZE; i++) {
		if (!CPU_ISSET(i, &allowed) || k++ != want)
			continue;
		CPU_ZERO(&one);
		CPU_SET(i, &one);
		return sched_setaffinity(0, sizeof(one), &one) ? -errno : 0;
	}
	return -EINVAL;
}

static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t sync_hash(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
	return mix(mix(mix(seed + 0x9e3779b97f4a7c15ULL) ^ a) + b * 0x9e3779b97f4a7c15ULL) ^ mix(c + 1);
}

uint64_t sync_checksum(uint64_t h, const float *x, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		uint32_t v;

		memcpy(&v, &x[i], sizeof(v));
		h = (h ^ v) * 0x100000001b3ULL;   /* FNV-1a over 32-bit words */
	}
	return h;
}

/* --- the team ------------------------------------------------------------------------- */

struct member {
	int (*fn)(void *ctx, int id);
	void *ctx;
	int id;
	_Atomic int *abort;
	int rc;
	pthread_t th;
	struct child ch;
};

static int member_main(void *arg)
{
	struct member *m = arg;
	int rc = m->fn(m->ctx, m->id);

	if (rc && m->abort)
		atomic_store(m->abort, 1);
	return rc;
}

static void *member_thread(void *arg)
{
	struct member *m = arg;

	m->rc = member_main(m);
	return NULL;
}

static int start_member(struct member *m, int processes, char *err, size_t errlen)
{
	int rc;

	if (!processes) {
		rc = pthread_create(&m->th, NULL, member_thread, m);
		if (rc)
			snprintf(err, errlen, "worker %d: pthread_create: %s", m->id, strerror(rc));
		return rc ? -rc : 0;
	}
	child_init(&m->ch);
	m->ch.fn = member_main;
	m->ch.ctx = m;
	m->ch.pgid = -1;          /* stays in our group: a ^C reaches it with us */
	return child_start(&m->ch, err, errlen);
}

/* what ended the wait for a member before it ended by itself */
enum cut { CUT_NONE, CUT_TIMED_OUT, CUT_STOPPED };

/* whether a wait in slices goes on (CUT_NONE) or ends: the deadline passed, or a stop signal came */
static enum cut wait_cut(double deadline_s)
{
	if (proc_stop_requested)
		return CUT_STOPPED;
	return (double)sync_now_ns() * 1e-9 >= deadline_s ? CUT_TIMED_OUT : CUT_NONE;
}

/* reap one process worker within the deadline; its exit code, or -1 with *cut when it ran too
   long or a stop signal came first (it is ended either way) */
static int reap_member(struct member *m, double deadline_s, enum cut *cut)
{
	int rc;

	/* in slices: a stop signal is seen within one, whatever the deadline */
	do {
		double left = deadline_s - (double)sync_now_ns() * 1e-9;

		rc = child_wait(&m->ch, left < 0 ? 0 : left < 0.1 ? left : 0.1);
	} while (rc == -ETIMEDOUT && !(*cut = wait_cut(deadline_s)));
	if (rc == 0)
		return child_exit_code(&m->ch);
	if (!*cut)   /* the wait itself failed: the worker is ended as one past its time */
		*cut = proc_stop_requested ? CUT_STOPPED : CUT_TIMED_OUT;
	if (m->abort)
		atomic_store(m->abort, 1);
	child_end(&m->ch, 1.0);
	return -1;
}

/* join one thread worker within the deadline, in slices like reap_member; past it (or at a stop
   signal) the team is told to give up and the thread joined: the workers' loops and gate waits
   look at the abort flag at least every 100 ms. Its code, or -1 with *cut */
static int join_member(struct member *m, double deadline_s, enum cut *cut)
{
	struct timespec ts;
	int rc;

	do {
		clock_gettime(CLOCK_REALTIME, &ts);   /* the clock pthread_timedjoin_np reads */
		ts.tv_nsec += 100000000L;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		rc = pthread_timedjoin_np(m->th, NULL, &ts);
	} while (rc == ETIMEDOUT && !(*cut = wait_cut(deadline_s)));
	if (!rc)
		return m->rc;
	if (m->abort)
		atomic_store(m->abort, 1);
	pthread_join(m->th, NULL);
	return -1;
}

static void describe_failure(struct member *m, int processes, int code, enum cut cut, char *err,
			     size_t errlen)
{
	const char *kind = processes ? "" : " (a thread)";
	char how[128];

	if (cut == CUT_STOPPED)
		snprintf(err, errlen, "interrupted: worker %d%s ended", m->id, kind);
	else if (cut == CUT_TIMED_OUT)
		snprintf(err, errlen, "worker %d%s ran past its time-out; ended", m->id, kind);
	else if (!processes)
		snprintf(err, errlen, "worker %d (a thread) failed with code %d", m->id, code);
	else {
		child_describe(&m->ch, how, sizeof(how));
		snprintf(err, errlen, "worker %d %s", m->id, how);
	}
}

/* wait for the n started members; 0 when all ended well */
static int wait_members(struct member *ms, int n, int processes, double timeout_s, char *err,
			size_t errlen)
{
	double deadline = (double)sync_now_ns() * 1e-9 + timeout_s;
	int i, code, bad = 0;

	for (i = 0; i < n; i++) {
		enum cut cut = CUT_NONE;

		code = processes ? reap_member(&ms[i], deadline, &cut) : join_member(&ms[i], deadline, &cut);
		if (code && !cut && proc_stop_requested)
			cut = CUT_STOPPED;   /* it ended because the stop signal reached it too */
		if (code && !bad) {
			describe_failure(&ms[i], processes, code, cut, err, errlen);
			bad = 1;
		}
	}
	return bad ? -1 : 0;
}

int sync_team_run(int n, int processes, int (*fn)(void *ctx, int id), void *ctx,
		  _Atomic int *abort, double timeout_s, char *err, size_t errlen)
{
	struct member *ms = calloc((size_t)n, sizeof(*ms));
	int i, started, rc;

	if (!ms) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = 0;
	for (started = 0; started < n && !rc; started++) {
		ms[started] = (struct member){ .fn = fn, .ctx = ctx, .id = started, .abort = abort };
		rc = start_member(&ms[started], processes, err, errlen);
	}
	if (rc) {
		started--;            /* the one that failed to start */
		if (abort)
			atomic_store(abort, 1);
	}
	i = wait_members(ms, started, processes, timeout_s, rc ? NULL : err, rc ? 0 : errlen);
	free(ms);
	return rc || i ? -1 : 0;
}

void sync_name_failure(char *err, size_t errlen, const char *fmt, ...)
{
	char name[128], was[1024];
	va_list ap;

	if (!errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	snprintf(was, sizeof(was), "%s", err);
	snprintf(err, errlen, "%s: %s", name, was);
}
