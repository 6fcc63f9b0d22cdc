/*
 * Google Benchmark costs of moving work to a worker and back: this machine's floors (pipe
 * round trip, fork+wait, thread create+join, pinned pipe round trips) and the per-dispatch
 * overhead of each strategy's mechanism through its own code, as multiples of the floor;
 * after the library's table, a summary with the verdict on each of its goals.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "strategies/common/procpool.h"
#include "strategies/common/threadpool.h"
#include "gbench.h"
#include "workload.h"

#ifndef EVOPAR_BIN
#define EVOPAR_BIN "bin/evopar"
#endif

#define EVOLVE_GENS 100        /* as bench_engine: the size the pole task grows its networks to */
#define SHARD 100              /* networks of the realistic payload: a shard at 2 workers */
#define MUTATE_GEN 1000        /* a fixed generation: every mutate does the same work */
#define MAX_CALLS 256          /* calls of one benchmark function recorded for the summary */
#define CALIBRATE_RT 2000      /* round trips per batch when the floor was filtered out */
#define MAX_WORKERS 2          /* of the persistent benchmarks */

/* What the summary needs of a benchmark: its own wall clock per call. */
struct record {
	int64_t iters[MAX_CALLS];
	double us[MAX_CALLS];      /* wall microseconds per iteration */
	int calls;
};

enum pin { PIN_NONE, PIN_SAME, PIN_CROSS };
enum payload { PAY_EMPTY, PAY_MUTATE, PAY_HANDOFF };

struct dbench {
	const char *name;
	void (*fn)(struct gbench_state *st, struct dbench *b);
	int pin;                   /* enum pin: main on cpu_a, the other side on cpu_a or cpu_b */
	int workers;               /* persistent: workers the command goes to */
	int shm;                   /* persistent: --transport shm */
	int payload;               /* persistent and local: enum payload */
	int start;                 /* fork-pool: enum start_method */
	const char *skip;          /* why it cannot run here: not registered, said in the summary */
	struct record rec;
};

static struct workload wl;     /* the population the process benchmarks hand out */
static struct population sink; /* where replies are decoded, so wl.pop never changes */
static struct population there; /* bench_local: the worker's population, in this process */
static uint8_t *local_out, *local_back;  /* bench_local: the bytes each way */
static int wl_state;           /* 0: not made yet, 1: ready, -1: set-up failed */
static char evopar_bin[4096];
static cpu_set_t base_mask;    /* the process's CPUs at start, restored after pinning */
static int cpu_a = -1, cpu_b = -1;
static double floor_calibrated_us;

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec * 1e-3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	if (n <= 0)
		return 0;
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * The median over the calls the library reported. It calls a function with ever more
 * iterations until one lasts long enough, and reports that one; so a reported call is one
 * the next call of the same benchmark does not outgrow.
 */
static double record_median(const struct record *r)
{
	double v[MAX_CALLS];
	int i, n = 0;

	for (i = 0; i < r->calls; i++)
		if (i == r->calls - 1 || r->iters[i + 1] <= r->iters[i])
			v[n++] = r->us[i];
	return median(v, n);
}

/* --- the floor every overhead is divided by: a one-byte pipe round trip ------------- */

/* A child that echoes bytes until its pipe closes. */
struct echo {
	pid_t pid;
	int to, from;
};

static void echo_child(int in, int out, int cpu)
{
	cpu_set_t m;
	char c;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (cpu >= 0) {
		CPU_ZERO(&m);
		CPU_SET(cpu, &m);
		if (sched_setaffinity(0, sizeof(m), &m))
			_exit(3);
	}
	while (read(in, &c, 1) == 1)
		if (write(out, &c, 1) != 1)
			_exit(2);
	_exit(0);
}

static int echo_start(struct echo *e, int cpu)
{
	int a[2], b[2], rc;

	if (pipe2(a, O_CLOEXEC))
		return -errno;
	if (pipe2(b, O_CLOEXEC)) {
		close(a[0]);
		close(a[1]);
		return -errno;
	}
	e->pid = fork();
	rc = e->pid < 0 ? -errno : 0;
	if (e->pid == 0) {
		close(a[1]);
		close(b[0]);
		echo_child(a[0], b[1], cpu);
	}
	close(a[0]);
	close(b[1]);
	e->to = a[1];
	e->from = b[0];
	if (rc) {
		close(e->to);
		close(e->from);
	}
	return rc;
}

static int echo_once(struct echo *e)
{
	char c = 'x';

	errno = 0;
	if (write(e->to, &c, 1) != 1 || read(e->from, &c, 1) != 1)
		return errno ? -errno : -EPIPE;
	return 0;
}

/* Closing the pipe ends the child; it is reaped here on every path. */
static void echo_stop(struct echo *e)
{
	close(e->to);
	close(e->from);
	while (waitpid(e->pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* Only when floor/pipe_roundtrip was filtered out: a quick median of a few batches. */
static double floor_calibrate(void)
{
	struct echo e;
	double batch[5];
	int k, i;

	if (floor_calibrated_us > 0 || echo_start(&e, -1))
		return floor_calibrated_us;
	for (k = 0; k < 5; k++) {
		double t0 = now_us();

		for (i = 0; i < CALIBRATE_RT; i++)
			if (echo_once(&e))
				break;
		batch[k] = (now_us() - t0) / CALIBRATE_RT;
	}
	echo_stop(&e);
	floor_calibrated_us = median(batch, 5);
	return floor_calibrated_us;
}

/* the pipe round trip floors, by placement (enum pin); set up by register_all */
static struct record *floor_rec[3];

/* The floor of a placement; unpinned, measured on the spot if it was filtered out. */
static double floor_us(int pin)
{
	if (floor_rec[pin] && floor_rec[pin]->calls)
		return record_median(floor_rec[pin]);
	return pin == PIN_NONE ? floor_calibrate() : -1;
}

/* --- common to every benchmark -------------------------------------------------------- */

/*
 * Record one call, and report its multiple of the pipe round trip with the same placement:
 * unpinned, that floor depends on where the scheduler put the two ends (2.5 us on one core,
 * tens of us across two, from run to run); pinned, it does not.
 */
static void finish(struct gbench_state *st, struct dbench *b, double t0, int failed)
{
	double us = now_us() - t0, fl;
	int64_t n = gbench_iterations(st);
	struct record *r = &b->rec;

	if (failed || n <= 0)
		return;
	us /= (double)n;
	if (r->calls < MAX_CALLS) {
		r->iters[r->calls] = n;
		r->us[r->calls++] = us;
	}
	fl = floor_us(b->pin);
	if (r != floor_rec[b->pin] && fl > 0)
		gbench_set_counter(st, "x_floor", us / fl, GBENCH_COUNTER_PLAIN);
}

/*
 * How often each side went to sleep per iteration (voluntary context switches): a round
 * trip at its floor sleeps once on each side; more means a side woke before its message was
 * whole, and every extra wake-up is a scheduler round trip, across cores an expensive one.
 */
struct sleeps {
	long main;
	long worker;
	const pid_t *pid;          /* the other side's processes, or NULL */
	int n;
};

static long sleeps_of(pid_t pid)
{
	char path[64], line[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "voluntary_ctxt_switches: %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

static long sleeps_sum(const struct sleeps *z)
{
	long sum = 0, v;
	int i;

	for (i = 0; i < z->n; i++) {
		v = sleeps_of(z->pid[i]);
		if (v < 0)
			return -1;
		sum += v;
	}
	return sum;
}

static void sleeps_begin(struct sleeps *z, const pid_t *pid, int n)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	z->main = ru.ru_nvcsw;
	z->pid = pid;
	z->n = n;
	z->worker = sleeps_sum(z);
}

/* before the other side is stopped: its counts go with it */
static void sleeps_end(struct gbench_state *st, const struct sleeps *z)
{
	int64_t n = gbench_iterations(st);
	struct rusage ru;
	long w = sleeps_sum(z);

	if (n <= 0)
		return;
	getrusage(RUSAGE_THREAD, &ru);
	gbench_set_counter(st, "sleeps_main", (double)(ru.ru_nvcsw - z->main) / (double)n,
			   GBENCH_COUNTER_PLAIN);
	if (z->n && w >= 0 && z->worker >= 0)
		gbench_set_counter(st, "sleeps_worker", (double)(w - z->worker) / (double)n,
				   GBENCH_COUNTER_PLAIN);
}

static int fail(struct gbench_state *st, const char *what, int rc)
{
	char msg[STRATEGY_ERRLEN + 64];

	snprintf(msg, sizeof(msg), "%s: %s", what, strerror(-rc));
	gbench_skip_with_error(st, msg);
	return 1;
}

static int pin_self(int cpu)
{
	cpu_set_t m;

	CPU_ZERO(&m);
	CPU_SET(cpu, &m);
	return sched_setaffinity(0, sizeof(m), &m) ? -errno : 0;
}

/* --- floors ------------------------------------------------------------------------- */

static void bench_pipe_roundtrip(struct gbench_state *st, struct dbench *b)
{
	int child_cpu = b->pin == PIN_SAME ? cpu_a : b->pin == PIN_CROSS ? cpu_b : -1;
	struct echo e;
	struct sleeps z;
	int failed = 0, rc;
	double t0;
	char label[64];

	if (b->pin != PIN_NONE && (rc = pin_self(cpu_a))) {
		fail(st, "sched_setaffinity", rc);
		return;
	}
	rc = echo_start(&e, child_cpu);
	if (rc) {
		fail(st, "fork of the echo child", rc);
		goto unpin;
	}
	rc = echo_once(&e);        /* the child is running and pinned before the clock starts */
	sleeps_begin(&z, &e.pid, 1);
	t0 = now_us();
	while (gbench_keep_running(st))
		if (!failed && (rc || (rc = echo_once(&e))))
			failed = fail(st, "pipe round trip", rc);
	finish(st, b, t0, failed);
	sleeps_end(st, &z);
	echo_stop(&e);
	if (b->pin != PIN_NONE) {
		snprintf(label, sizeof(label), "main on cpu %d, child on cpu %d", cpu_a, child_cpu);
		gbench_set_label(st, label);
	}
unpin:
	if (b->pin != PIN_NONE)
		sched_setaffinity(0, sizeof(base_mask), &base_mask);
}

/* Fork of this process, as the fork-pool forks it (before the dispatch workload is made). */
static void bench_fork_wait(struct gbench_state *st, struct dbench *b)
{
	int failed = 0;
	double t0 = now_us();

	while (gbench_keep_running(st)) {
		pid_t pid;

		if (failed)
			continue;
		pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid < 0) {
			failed = fail(st, "fork", -errno);
			continue;
		}
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	finish(st, b, t0, failed);
}

static void *thread_noop(void *arg)
{
	return arg;
}

static void bench_thread_create_join(struct gbench_state *st, struct dbench *b)
{
	int failed = 0;
	double t0 = now_us();

	while (gbench_keep_running(st)) {
		pthread_t t;
		int rc;

		if (failed)
			continue;
		rc = pthread_create(&t, NULL, thread_noop, NULL);
		if (rc) {
			failed = fail(st, "pthread_create", -rc);
			continue;
		}
		pthread_join(t, NULL);
	}
	finish(st, b, t0, failed);
}

/* --- the process strategies' plumbing, with the real code ---------------------------- */

static int wl_get(struct gbench_state *st)
{
	struct evo_config cfg;
	char err[256];

	if (wl_state == 0) {
		workload_config(&cfg, MODE_DYNAMIC);
		wl_state = -1;
		if (workload_evolve(&wl, &cfg, EVOLVE_GENS) == 0 && wl.pop.n >= SHARD) {
			if (population_init(&sink, &wl.cfg, err, sizeof(err)) == 0)
				wl_state = 1;
			else
				snprintf(wl.err, sizeof(wl.err), "sink population: %.200s", err);
		}
		if (wl_state > 0)
			fprintf(stderr, "bench: dispatch workload: %d pole networks after %d "
				"generations; set-up %.1f s\n", wl.pop.n, wl.pop.gen, wl.setup_s);
	}
	if (wl_state < 0)
		gbench_skip_with_error(st, wl.err[0] ? wl.err : "workload set-up failed");
	return wl_state > 0;
}

/* A pool of workers, as the strategy named would start it. */
struct pool_run {
	struct strategy_config cfg;
	struct strategy s;
	struct proc_pool pp;
};

static int pool_up(struct pool_run *r, const char *strategy, int workers, int spawn, int shm)
{
	memset(&r->pp, 0, sizeof(r->pp));   /* so that proc_pool_stop is safe on every path */
	strategy_config_defaults(&r->cfg);
	r->cfg.evo = wl.cfg;
	r->cfg.self_exe = evopar_bin;
	r->s = (struct strategy){ .ops = strategy_find(strategy), .cfg = &r->cfg,
				  .fail_worker = -1 };
	if (!r->s.ops) {
		snprintf(r->s.err, sizeof(r->s.err), "no strategy %s", strategy);
		return -ENOENT;
	}
	return proc_pool_start(&r->pp, &r->s, &wl.pop, workers, spawn, shm);
}

static int bench_pool_fail(struct gbench_state *st, struct pool_run *r, int rc)
{
	char msg[STRATEGY_ERRLEN + 64];

	snprintf(msg, sizeof(msg), "%s", r->s.err[0] ? r->s.err : strerror(-rc));
	gbench_skip_with_error(st, msg);
	return 1;
}

/* Networks [lo, lo + count) as a net stream: the bytes both fork-pool and persistent send. */
static int32_t shard_idx[SHARD];

static int send_nets(struct pool_run *r, int w, uint32_t type, const struct cmd_hdr *h,
		     int lo, int count)
{
	size_t len;
	uint8_t *out;
	int i;

	for (i = 0; i < count; i++)
		shard_idx[i] = lo + i;
	len = net_stream_size(&wl.pop, shard_idx, count);
	out = proc_pool_begin(&r->pp, w, h, len);
	if (!out)
		return -ENOMEM;
	net_stream_write(&wl.pop, shard_idx, count, out);
	return proc_pool_send(&r->pp, &r->s, w, type, len, PHASE_MUTATE);
}

static int recv_nets(struct pool_run *r, int w, int count, size_t *back_len)
{
	const uint8_t *in;
	size_t len;
	int rc = proc_pool_recv(&r->pp, &r->s, w, &in, &len, PHASE_MUTATE);

	if (!rc && net_stream_read(&sink, in, len, count, r->s.err, sizeof(r->s.err)))
		rc = -EBADMSG;
	if (!rc && back_len)
		*back_len = len;
	return rc;
}

/* WM_OWN: the shard [lo, hi) is worker w's from now on; persistent's open sends this. */
static int own(struct pool_run *r, int w, int lo, int hi)
{
	struct cmd_hdr h = { .count = hi - lo, .lo = lo, .hi = hi };
	const uint8_t *in;
	size_t len;
	int rc = send_nets(r, w, WM_OWN, &h, lo, hi - lo);

	return rc ? rc : proc_pool_recv(&r->pp, &r->s, w, &in, &len, PHASE_MUTATE);
}

/* WM_GATHER: the shard back; persistent's sync sends this. */
static int gather(struct pool_run *r, int w, int count, size_t *back_len)
{
	struct cmd_hdr h = { .gen = wl.pop.gen };
	int rc;

	if (!proc_pool_begin(&r->pp, w, &h, 0))
		return -ENOMEM;
	rc = proc_pool_send(&r->pp, &r->s, w, WM_GATHER, 0, PHASE_RESAMPLE);
	return rc ? rc : recv_nets(r, w, count, back_len);
}

/*
 * A phase command with nothing to do, to every worker, then every reply: persistent's
 * broadcast() of a phase when each shard is empty, so that the dispatch is all there is.
 */
static int empty_broadcast(struct pool_run *r)
{
	struct cmd_hdr h = { .gen = wl.pop.gen };
	const uint8_t *in;
	size_t len;
	int w, rc;

	for (w = 0; w < r->pp.n; w++) {
		if (!proc_pool_begin(&r->pp, w, &h, 0))
			return -ENOMEM;
		rc = proc_pool_send(&r->pp, &r->s, w, WM_PREPARE_OWN, 0, PHASE_PREPARE);
		if (rc)
			return rc;
	}
	for (w = 0; w < r->pp.n; w++) {
		rc = proc_pool_recv(&r->pp, &r->s, w, &in, &len, PHASE_PREPARE);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * count networks out, mutated, back: serialised here, decoded and mutated there, serialised
 * there, decoded here into the sink. A fixed generation makes every call the same work.
 */
static int mutate_call(struct pool_run *r, int count, size_t *back_len)
{
	struct cmd_hdr h = { .gen = MUTATE_GEN, .count = count };
	int rc = send_nets(r, 0, WM_MUTATE_NETS, &h, 0, count);

	return rc ? rc : recv_nets(r, 0, count, back_len);
}

/* One iteration of a persistent benchmark. */
static int persistent_once(struct pool_run *r, int payload, size_t *back_len)
{
	int rc;

	switch (payload) {
	case PAY_MUTATE:
		return mutate_call(r, SHARD, back_len);
	case PAY_HANDOFF:
		rc = own(r, 0, 0, SHARD);
		return rc ? rc : gather(r, 0, SHARD, back_len);
	default:
		return empty_broadcast(r);
	}
}

/* Where the workers of a pinned benchmark run: the main process is on cpu_a. */
static int pin_workers(const struct pool_run *r, int pin)
{
	cpu_set_t m;
	int w;

	CPU_ZERO(&m);
	CPU_SET(pin == PIN_SAME ? cpu_a : cpu_b, &m);
	for (w = 0; w < r->pp.n; w++)
		if (sched_setaffinity(r->pp.pool.w[w].pid, sizeof(m), &m))
			return -errno;
	return 0;
}

static const char *const pin_words[] = { "", ", same core", ", cross core" };

/* persistent: workers started once (fork), pipe or shm, then one command per iteration. */
static void bench_persistent(struct gbench_state *st, struct dbench *b)
{
	struct pool_run r;
	struct sleeps z;
	pid_t pids[MAX_WORKERS];
	size_t out_len, back_len = 0;
	int failed = 0, w, rc;
	char label[160];
	double t0;

	if (!wl_get(st))
		return;
	if (b->pin != PIN_NONE && (rc = pin_self(cpu_a))) {
		fail(st, "sched_setaffinity", rc);
		return;
	}
	rc = pool_up(&r, "persistent", b->workers, 0, b->shm);
	if (rc) {
		bench_pool_fail(st, &r, rc);
		goto unpin;
	}
	if (b->pin != PIN_NONE)
		rc = pin_workers(&r, b->pin);
	/* empty shards, so that a phase command is the dispatch alone */
	for (w = 0; !rc && w < b->workers; w++)
		rc = own(&r, w, 0, 0);
	/* one untimed call: first touches of buffers and shared pages are not dispatches */
	if (!rc)
		rc = persistent_once(&r, b->payload, &back_len);
	for (w = 0; w < b->workers; w++)
		pids[w] = r.pp.pool.w[w].pid;
	sleeps_begin(&z, pids, b->workers);
	t0 = now_us();
	while (gbench_keep_running(st)) {
		if (failed)
			continue;
		if (!rc)
			rc = persistent_once(&r, b->payload, NULL);
		if (rc)
			failed = bench_pool_fail(st, &r, rc);
	}
	finish(st, b, t0, failed);
	sleeps_end(st, &z);
	/* SIGKILL and reap: no worker outlives its benchmark, however the benchmark ended */
	proc_pool_stop(&r.pp);
	for (w = 0; w < SHARD; w++)
		shard_idx[w] = w;
	out_len = sizeof(struct msg_header) + sizeof(struct cmd_hdr) +
		(b->payload != PAY_EMPTY ? net_stream_size(&wl.pop, shard_idx, SHARD) : 0);
	if (b->payload == PAY_EMPTY)
		snprintf(label, sizeof(label), "%d worker%s, %s%s, empty command: %zu B out, 8 B back",
			 b->workers, b->workers > 1 ? "s" : "", b->shm ? "shm" : "pipe",
			 pin_words[b->pin], out_len);
	else
		snprintf(label, sizeof(label), "1 worker, %s%s, %d nets %s: %zu B out, %zu B back",
			 b->shm ? "shm" : "pipe", pin_words[b->pin], SHARD,
			 b->payload == PAY_MUTATE ? "mutated" : "owned and gathered (2 commands)",
			 out_len, back_len);
	gbench_set_label(st, label);
unpin:
	if (b->pin != PIN_NONE)
		sched_setaffinity(0, sizeof(base_mask), &base_mask);
}

/*
 * The work of a persistent payload benchmark with no transport: serialise, decode "there",
 * (mutate), serialise there, decode here. Subtracted, it leaves the hand-off's own cost.
 */
static void bench_local(struct gbench_state *st, struct dbench *b)
{
	size_t out_len, back_len;
	char err[256];
	int failed = 0, i, rc = 0;
	double t0;

	if (!wl_get(st))
		return;
	for (i = 0; i < SHARD; i++)
		shard_idx[i] = i;
	out_len = net_stream_size(&wl.pop, shard_idx, SHARD);
	if (!there.nets && population_init(&there, &wl.cfg, err, sizeof(err))) {
		gbench_skip_with_error(st, err);
		return;
	}
	/* mutation may grow a network: room for twice the bytes, checked below */
	free(local_out);
	free(local_back);
	local_out = malloc(out_len);
	local_back = malloc(2 * out_len);
	if (!local_out || !local_back) {
		fail(st, "buffers", -ENOMEM);
		return;
	}
	t0 = now_us();
	while (gbench_keep_running(st)) {
		if (failed)
			continue;
		net_stream_write(&wl.pop, shard_idx, SHARD, local_out);
		rc = net_stream_read(&there, local_out, out_len, SHARD, err, sizeof(err));
		for (i = 0; !rc && b->payload == PAY_MUTATE && i < SHARD; i++)
			net_mutate(&there.nets[i], &wl.cfg, MUTATE_GEN, (uint64_t)i);
		back_len = rc ? 0 : net_stream_size(&there, shard_idx, SHARD);
		if (!rc && back_len > 2 * out_len)
			rc = -EOVERFLOW;
		if (!rc)
			net_stream_write(&there, shard_idx, SHARD, local_back);
		if (!rc)
			rc = net_stream_read(&sink, local_back, back_len, SHARD, err, sizeof(err));
		if (rc)
			failed = fail(st, "local", rc);
	}
	finish(st, b, t0, failed);
	gbench_set_label(st, b->payload == PAY_MUTATE ?
			 "100 nets: serialise, decode, mutate, serialise, decode; no worker" :
			 "100 nets: serialise, decode, serialise, decode; no worker");
}

/* fork-pool: per iteration a pool of one worker started, one small chunk, exit, reap. */
static void bench_fork_pool(struct gbench_state *st, struct dbench *b)
{
	int spawn = b->start == START_SPAWN, failed = 0;
	double t0;

	if (!wl_get(st))
		return;
	t0 = now_us();
	while (gbench_keep_running(st)) {
		struct pool_run r;
		int rc;

		if (failed)
			continue;
		rc = pool_up(&r, "fork-pool", 1, spawn, 0);
		if (!rc)
			rc = mutate_call(&r, 1, NULL);
		if (!rc) {
			/* as pool_map ends a phase: ask the worker to leave, reap it */
			chan_send(&r.pp.pool.w[0].ch, WM_EXIT, 0);
			rc = pool_reap(&r.pp.pool, 0, r.cfg.worker_timeout_s);
		}
		if (rc)
			failed = bench_pool_fail(st, &r, rc);
		proc_pool_stop(&r.pp);     /* kills and reaps whatever is left */
	}
	finish(st, b, t0, failed);
	gbench_set_label(st, spawn ? "1 worker, exec of bin/evopar worker, 1 net each way" :
			 "1 worker, fork, 1 net each way");
}

/* --- threads ---------------------------------------------------------------------------- */

static int noop_range(void *ctx, struct scratch *s, int lo, int hi, char *err, size_t errlen)
{
	(void)ctx;
	(void)s;
	(void)lo;
	(void)hi;
	(void)err;
	(void)errlen;
	return 0;
}

/* threads: one job of two one-item chunks to a pool of two threads made once. */
static void bench_threads(struct gbench_state *st, struct dbench *b)
{
	struct threadpool *tp;
	struct sleeps z;
	char err[POOL_ERRLEN];
	int failed = 0, rc;
	double t0;

	rc = threadpool_create(&tp, 2, err, sizeof(err));
	if (rc) {
		gbench_skip_with_error(st, err);
		return;
	}
	sleeps_begin(&z, NULL, 0);
	t0 = now_us();
	while (gbench_keep_running(st)) {
		if (failed)
			continue;
		rc = threadpool_run(tp, noop_range, NULL, 2, 1, err, sizeof(err));
		if (rc) {
			gbench_skip_with_error(st, err);
			failed = 1;
		}
	}
	finish(st, b, t0, failed);
	sleeps_end(st, &z);
	threadpool_destroy(tp);
	gbench_set_label(st, "2 threads, empty job of 2 chunks");
}

/* --- the table, the summary ------------------------------------------------------------ */

/* The floor comes first: every later benchmark divides by its median. */
static struct dbench benches[] = {
	{ .name = "floor/pipe_roundtrip", .fn = bench_pipe_roundtrip, .pin = PIN_NONE },
	{ .name = "floor/pipe_roundtrip_same_core", .fn = bench_pipe_roundtrip, .pin = PIN_SAME },
	{ .name = "floor/pipe_roundtrip_cross_core", .fn = bench_pipe_roundtrip, .pin = PIN_CROSS },
	{ .name = "floor/fork_wait", .fn = bench_fork_wait },
	{ .name = "floor/thread_create_join", .fn = bench_thread_create_join },
	{ .name = "dispatch/persistent_pipe_empty", .fn = bench_persistent, .workers = 1 },
	{ .name = "dispatch/persistent_shm_empty", .fn = bench_persistent, .workers = 1, .shm = 1 },
	{ .name = "dispatch/persistent_pipe_empty_same_core", .fn = bench_persistent, .workers = 1,
	  .pin = PIN_SAME },
	{ .name = "dispatch/persistent_shm_empty_same_core", .fn = bench_persistent, .workers = 1,
	  .shm = 1, .pin = PIN_SAME },
	{ .name = "dispatch/persistent_pipe_empty_cross_core", .fn = bench_persistent, .workers = 1,
	  .pin = PIN_CROSS },
	{ .name = "dispatch/persistent_shm_empty_cross_core", .fn = bench_persistent, .workers = 1,
	  .shm = 1, .pin = PIN_CROSS },
	{ .name = "dispatch/persistent_pipe_empty_2w", .fn = bench_persistent, .workers = 2 },
	{ .name = "dispatch/persistent_shm_empty_2w", .fn = bench_persistent, .workers = 2,
	  .shm = 1 },
	{ .name = "dispatch/local_handoff100", .fn = bench_local, .payload = PAY_HANDOFF },
	{ .name = "dispatch/persistent_pipe_handoff100_same_core", .fn = bench_persistent,
	  .workers = 1, .payload = PAY_HANDOFF, .pin = PIN_SAME },
	{ .name = "dispatch/persistent_shm_handoff100_same_core", .fn = bench_persistent,
	  .workers = 1, .shm = 1, .payload = PAY_HANDOFF, .pin = PIN_SAME },
	{ .name = "dispatch/persistent_pipe_handoff100_cross_core", .fn = bench_persistent,
	  .workers = 1, .payload = PAY_HANDOFF, .pin = PIN_CROSS },
	{ .name = "dispatch/persistent_shm_handoff100_cross_core", .fn = bench_persistent,
	  .workers = 1, .shm = 1, .payload = PAY_HANDOFF, .pin = PIN_CROSS },
	{ .name = "dispatch/local_mutation100", .fn = bench_local, .payload = PAY_MUTATE },
	{ .name = "dispatch/persistent_pipe_mutation100", .fn = bench_persistent, .workers = 1,
	  .payload = PAY_MUTATE },
	{ .name = "dispatch/persistent_shm_mutation100", .fn = bench_persistent, .workers = 1,
	  .shm = 1, .payload = PAY_MUTATE },
	{ .name = "dispatch/fork_pool_fork", .fn = bench_fork_pool, .start = START_FORK },
	{ .name = "dispatch/fork_pool_spawn", .fn = bench_fork_pool, .start = START_SPAWN },
	{ .name = "dispatch/threads_empty", .fn = bench_threads },
};

#define N_BENCHES (int)(sizeof(benches) / sizeof(benches[0]))

static struct dbench *bench_named(const char *name)
{
	int i;

	for (i = 0; i < N_BENCHES; i++)
		if (!strcmp(benches[i].name, name))
			return &benches[i];
	return NULL;
}

/* -1 when the benchmark did not run (filtered out, skipped or failed). */
static double median_of(const char *name)
{
	const struct dbench *b = bench_named(name);

	return b && b->rec.calls ? record_median(&b->rec) : -1;
}

/* A multiple of a floor, or blanks where either was not measured. */
static void print_multiple(double us, double floor)
{
	if (us > 0 && floor > 0)
		printf(" %10.2f", us / floor);
	else
		printf(" %10s", "-");
}

/* limit > 0: the goal "a at most limit times b"; else "a below b". Silent if not run. */
static void print_goal(const char *goal, double a, double b, double limit, const char *what)
{
	int met = limit > 0 ? a <= limit * b : a < b;

	if (a < 0 || b <= 0)
		return;
	printf("goal: %-60s %-8s", goal, met ? "met" : "NOT MET");
	if (limit > 0)
		printf(" %.2f us = %.2fx %s\n", a, a / b, what);
	else
		printf(" %.2f us vs %.2f us %s\n", a, b, what);
}

/* shm against pipe for the hand-off of 100 networks out and back with a placement */
static void handoff_goal(const char *where, int pin, double local)
{
	static const char *const sfx[] = { "", "_same_core", "_cross_core" };
	char name[96], goal[96];
	double pipe, shm;

	snprintf(name, sizeof(name), "dispatch/persistent_pipe_handoff100%s", sfx[pin]);
	pipe = median_of(name);
	snprintf(name, sizeof(name), "dispatch/persistent_shm_handoff100%s", sfx[pin]);
	shm = median_of(name);
	snprintf(goal, sizeof(goal), "shm hand-off faster than pipe: 100 nets both ways, %s",
		 where);
	print_goal(goal, shm, pipe, 0, "(shm vs pipe)");
	if (local > 0 && shm > 0 && pipe > 0)
		printf("      the hand-off alone (minus local_handoff100): shm %.2f us, "
		       "pipe %.2f us\n", shm - local, pipe - local);
}

/*
 * After the library's table: the medians again beside their multiples of the three pipe
 * floors, and each goal (a dispatch within 3x of its floor, shm faster than pipe) with its verdict.
 */
static void summary(void)
{
	double fl = floor_us(PIN_NONE), same = floor_us(PIN_SAME), cross = floor_us(PIN_CROSS);
	double lh = median_of("dispatch/local_handoff100");
	double lm = median_of("dispatch/local_mutation100");
	double pm = median_of("dispatch/persistent_pipe_mutation100");
	double sm = median_of("dispatch/persistent_shm_mutation100");
	int i, any = 0;

	for (i = 0; i < N_BENCHES; i++)
		any |= benches[i].rec.calls > 0;
	if (!any || fl <= 0)
		return;
	printf("\ndispatch summary: medians of the reported repetitions (own wall clock)%s\n",
	       floor_rec[PIN_NONE]->calls ? "" :
	       "; floor/pipe_roundtrip was filtered out: its figure is a quick calibration");
	printf("%-48s %10s %10s %10s %10s\n", "benchmark", "median us", "x floor", "x same",
	       "x cross");
	for (i = 0; i < N_BENCHES; i++) {
		const struct dbench *b = &benches[i];
		double us = b->rec.calls ? record_median(&b->rec) : -1;

		if (b->skip) {
			printf("%-48s %10s %10s %10s %10s  skipped: %s\n", b->name, "-", "-", "-", "-",
			       b->skip);
			continue;
		}
		if (us < 0)
			continue;
		printf("%-48s %10.2f", b->name, us);
		print_multiple(us, fl);
		print_multiple(us, same);
		print_multiple(us, cross);
		printf("\n");
	}
	printf("x floor, x same, x cross: multiples of the pipe round trip unpinned (%.2f us), with "
	       "both ends on one core, on two cores\n", fl);
	print_goal("persistent dispatch (pipe) within 3x of a pipe round trip",
		   median_of("dispatch/persistent_pipe_empty"), fl, 3, "of the unpinned floor");
	print_goal("persistent dispatch (shm) within 3x of a pipe round trip",
		   median_of("dispatch/persistent_shm_empty"), fl, 3, "of the unpinned floor");
	print_goal("the same, pipe, both on one core",
		   median_of("dispatch/persistent_pipe_empty_same_core"), same, 3, "of its floor");
	print_goal("the same, shm, both on one core",
		   median_of("dispatch/persistent_shm_empty_same_core"), same, 3, "of its floor");
	print_goal("the same, pipe, on two cores",
		   median_of("dispatch/persistent_pipe_empty_cross_core"), cross, 3, "of its floor");
	print_goal("the same, shm, on two cores",
		   median_of("dispatch/persistent_shm_empty_cross_core"), cross, 3, "of its floor");
	handoff_goal("one core", PIN_SAME, lh);
	handoff_goal("two cores", PIN_CROSS, lh);
	print_goal("shm hand-off faster than pipe: mutate of 100 nets, unpinned", sm, pm, 0,
		   "(shm vs pipe)");
	if (lm > 0 && sm > 0 && pm > 0)
		printf("      the hand-off alone (minus local_mutation100): shm %.2f us, "
		       "pipe %.2f us\n", sm - lm, pm - lm);
}

static void run_bench(struct gbench_state *st, void *ctx)
{
	struct dbench *b = ctx;

	b->fn(st, b);
}

/* Decide what can run here; what cannot is left unregistered, with its reason. */
static int register_all(void)
{
	int i;

	floor_rec[PIN_NONE] = &bench_named("floor/pipe_roundtrip")->rec;
	floor_rec[PIN_SAME] = &bench_named("floor/pipe_roundtrip_same_core")->rec;
	floor_rec[PIN_CROSS] = &bench_named("floor/pipe_roundtrip_cross_core")->rec;
	if (sched_getaffinity(0, sizeof(base_mask), &base_mask) == 0)
		for (i = 0; i < CPU_SETSIZE && cpu_b < 0; i++)
			if (CPU_ISSET(i, &base_mask)) {
				if (cpu_a < 0)
					cpu_a = i;
				else
					cpu_b = i;
			}
	for (i = 0; i < N_BENCHES; i++)
		if (benches[i].pin != PIN_NONE && cpu_a < 0)
			benches[i].skip = "sched_getaffinity failed: no CPU to pin to";
		else if (benches[i].pin == PIN_CROSS && cpu_b < 0)
			benches[i].skip = "only one CPU is available to this process";
	if (access(evopar_bin, X_OK))
		bench_named("dispatch/fork_pool_spawn")->skip =
			"the evopar binary is not executable (make bin/evopar, or set EVOPAR_BIN)";
	for (i = 0; i < N_BENCHES; i++) {
		struct gbench *g;

		if (benches[i].skip) {
			fprintf(stderr, "bench: %s skipped: %s\n", benches[i].name, benches[i].skip);
			gbench_add_context(benches[i].name, benches[i].skip);
			continue;
		}
		g = gbench_register(benches[i].name, run_bench, &benches[i]);
		if (!g) {
			fprintf(stderr, "bench: cannot register %s\n", benches[i].name);
			return -ENOMEM;
		}
		/* these cross processes or threads: this thread's CPU time would miss the waits */
		gbench_use_real_time(g);
		gbench_set_unit(g, GBENCH_US);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *bin = getenv("EVOPAR_BIN");
	int rc;

	/* a worker that dies must show up as -EPIPE, not kill the benchmark */
	signal(SIGPIPE, SIG_IGN);
	if (!realpath(bin ? bin : EVOPAR_BIN, evopar_bin))
		snprintf(evopar_bin, sizeof(evopar_bin), "%s", bin ? bin : EVOPAR_BIN);
#ifdef EVOPAR_COMMIT
	gbench_add_context("evopar_commit", EVOPAR_COMMIT);
#endif
#ifdef EVOPAR_CFLAGS
	gbench_add_context("evopar_cflags", EVOPAR_CFLAGS);
#endif
	gbench_add_context("x_floor", "wall time per iteration / median of the pipe round trip "
			   "with the same placement (floor/pipe_roundtrip*) in the same run");
	gbench_add_context("sleeps_main, sleeps_worker", "voluntary context switches per "
			   "iteration of the main thread and of the other side (all its workers)");
	if (register_all())
		return 1;
	rc = gbench_main(argc, argv);
	summary();
	if (wl_state > 0)
		population_release(&sink);
	if (there.nets)
		population_release(&there);
	free(local_out);
	free(local_back);
	workload_release(&wl);
	return rc;
}
