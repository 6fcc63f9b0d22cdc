/*
 * The process strategies' plumbing through their own code: persistent's commands over pipe
 * or shm (empty, a hand-off of 100 networks, a mutation of 100), the same bytes with no
 * worker, and a fork-pool of one worker per call.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strategies/common/procpool.h"
#include "dispatch.h"
#include "workload.h"

static struct workload wl;     /* the population the process benchmarks hand out */
static struct population sink; /* where replies are decoded, so wl.pop never changes */
static struct population there; /* bench_local: the worker's population, in this process */
static uint8_t *local_out, *local_back;  /* bench_local: the bytes each way */
static int wl_state;           /* 0: not made yet, 1: ready, -1: set-up failed */

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
void bench_persistent(struct gbench_state *st, struct dbench *b)
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
void bench_local(struct gbench_state *st, struct dbench *b)
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
void bench_fork_pool(struct gbench_state *st, struct dbench *b)
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

void dispatch_procs_release(void)
{
	if (wl_state > 0)
		population_release(&sink);
	if (there.nets)
		population_release(&there);
	free(local_out);
	free(local_back);
	workload_release(&wl);
}
