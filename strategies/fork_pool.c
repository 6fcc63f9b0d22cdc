/*
 * fork-pool: a pool made per parallel phase, the shape of multiprocessing.Pool.map called
 * every generation. Workers are started (fork, or spawn: exec `evopar worker`), networks
 * are serialised to them in chunks handed out as workers free up, results come back as
 * bytes, and the workers exit. Mutate and evaluate run in the pool; an evaluating worker
 * builds its own plans (the main process's would not cross), so prepare is folded into
 * evaluate here; resample runs in the main process. Under --assign cost the networks go out
 * by predicted cost, longest first, as workers free up, in guided chunks that shrink as work
 * runs out (--chunk 0) or in chunks of --chunk N.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/task.h"
#include "strategies/common/balance.h"
#include "strategies/common/procpool.h"

struct fp_data {
	int workers;
	int chunk;                   /* networks per chunk; 0: guided (--assign cost) */
	int32_t *idx;                /* the networks in the order they are handed out */
	int *busy;                   /* per worker: 1 + the position in idx of its chunk, or 0 */
	int *count;                  /* per worker: networks in its chunk */
	double *cost;                /* per network, its predicted cost in this phase */
	double *prefix;              /* cumulative cost along idx, n + 1 of them */
	int *order;                  /* by cost */
	struct balance_key *keys;
};

static int fp_open(struct strategy *s, struct population *p)
{
	struct fp_data *d = calloc(1, sizeof(*d));
	int i, n = p->n;

	if (!d)
		goto oom;
	s->data = d;
	d->workers = s->cfg->workers < n ? s->cfg->workers : n;
	s->workers = d->workers;
	d->chunk = s->cfg->chunk;
	if (!d->chunk && s->cfg->assign == ASSIGN_INDEX)
		d->chunk = (n + d->workers - 1) / d->workers;
	d->idx = malloc((size_t)n * sizeof(*d->idx));
	d->busy = calloc((size_t)d->workers, sizeof(*d->busy));
	d->count = calloc((size_t)d->workers, sizeof(*d->count));
	d->cost = malloc((size_t)n * sizeof(*d->cost));
	d->prefix = malloc((size_t)(n + 1) * sizeof(*d->prefix));
	d->order = malloc((size_t)n * sizeof(*d->order));
	d->keys = malloc((size_t)n * sizeof(*d->keys));
	if (!d->idx || !d->busy || !d->count || !d->cost || !d->prefix || !d->order || !d->keys)
		goto oom;
	for (i = 0; i < n; i++)
		d->idx[i] = i;
	return 0;
oom:
	snprintf(s->err, sizeof(s->err), "fork-pool: out of memory");
	return -ENOMEM;
}

static void fp_close(struct strategy *s)
{
	struct fp_data *d = s->data;

	if (!d)
		return;
	free(d->idx);
	free(d->busy);
	free(d->count);
	free(d->cost);
	free(d->prefix);
	free(d->order);
	free(d->keys);
	free(d);
	s->data = NULL;
}

/*
 * The hand-out order of a phase (--assign cost): networks by predicted cost, largest first:
 * evaluate's from their parents' steps, mutate's (and the bytes both ways) from their size;
 * and the cumulative cost along it, which guided chunks are cut by.
 */
static void plan_phase(struct fp_data *d, const struct population *p, int phase)
{
	int i;

	if (phase == PHASE_EVALUATE)
		balance_predict(p, d->cost);
	else
		for (i = 0; i < p->n; i++)
			d->cost[i] = 1.0 + balance_net_size(&p->nets[i]);
	balance_order(d->cost, p->n, d->keys, d->order);
	d->prefix[0] = 0;
	for (i = 0; i < p->n; i++) {
		d->idx[i] = d->order[i];
		d->prefix[i + 1] = d->prefix[i] + d->keys[i].cost;
	}
}

/* Hand worker w the chunk [lo, lo + count). */
static int send_chunk(struct strategy *s, struct proc_pool *pp, struct population *p, int w,
		      int lo, int count, int phase)
{
	struct fp_data *d = s->data;
	int evaluate = phase == PHASE_EVALUATE;
	int n_states = evaluate ? s->cfg->evo.episodes * p->task->state_floats : 0;
	size_t states = (size_t)n_states * sizeof(float);
	size_t nets = net_stream_size(p, d->idx + lo, count);
	struct cmd_hdr h = { .gen = p->gen, .count = count, .n_states = n_states };
	uint8_t *out = proc_pool_begin(pp, w, &h, states + nets);
	double t = proc_now_s();
	int rc;

	if (!out)
		return -ENOMEM;
	memcpy(out, p->episode_states, states);
	net_stream_write(p, d->idx + lo, count, out + states);
	rc = proc_pool_send(pp, s, w, evaluate ? WM_EVAL_NETS : WM_MUTATE_NETS, states + nets, phase);
	s->comm_ms[phase] += (proc_now_s() - t) * 1e3;
	d->busy[w] = 1 + lo;
	d->count[w] = count;
	return rc;
}

/* the next chunk, the last one shorter where --chunk does not divide the population */
static int send_next_chunk(struct strategy *s, struct proc_pool *pp, struct population *p, int w,
			   int *next, int phase)
{
	struct fp_data *d = s->data;
	int lo = *next, count;

	if (d->chunk)
		count = lo + d->chunk <= p->n ? d->chunk : p->n - lo;
	else
		count = (int)(balance_guided_end(d->prefix, p->n, lo, d->workers) - lo);
	*next += count;
	return send_chunk(s, pp, p, w, lo, count, phase);
}

static int take_reply(struct strategy *s, struct proc_pool *pp, struct population *p, int w,
		      int phase)
{
	struct fp_data *d = s->data;
	int lo = d->busy[w] - 1, count = d->count[w], i, rc;
	const uint8_t *in;
	size_t len;
	double t;

	rc = proc_pool_recv(pp, s, w, &in, &len, phase);
	if (rc)
		return rc;
	t = proc_now_s();
	if (phase == PHASE_EVALUATE) {
		if (len != (size_t)count * sizeof(float))
			return proc_pool_fail(pp, s, w, phase, -EBADMSG);
		for (i = 0; i < count; i++)
			memcpy(&p->nets[d->idx[lo + i]].fitness, in + i * sizeof(float), sizeof(float));
	} else {
		rc = net_stream_read(p, in, len, count, s->err, sizeof(s->err));
		if (rc)
			return proc_pool_fail(pp, s, w, phase, -EBADMSG);
	}
	s->comm_ms[phase] += (proc_now_s() - t) * 1e3;
	d->busy[w] = 0;
	return 0;
}

/* Each worker its first chunk; how many went out, or < 0. */
static int send_first(struct strategy *s, struct proc_pool *pp, struct population *p, int *next,
		      int phase)
{
	struct fp_data *d = s->data;
	int w, rc, sent = 0;

	for (w = 0; w < d->workers && *next < p->n; w++) {
		rc = send_next_chunk(s, pp, p, w, next, phase);
		if (rc)
			return rc;
		sent++;
	}
	return sent;
}

/* Pool.map: start the pool, deal chunks as workers free up, collect, let the workers go. */
static int pool_map(struct strategy *s, struct population *p, int phase)
{
	struct fp_data *d = s->data;
	struct proc_pool pp;
	int next = 0, outstanding, w, rc;

	if (s->cfg->assign == ASSIGN_COST)
		plan_phase(d, p, phase);
	rc = proc_pool_start(&pp, s, p, d->workers, s->cfg->start == START_SPAWN, 0);
	if (rc)
		return rc;
	outstanding = rc = send_first(s, &pp, p, &next, phase);
	if (rc < 0)
		goto out;
	rc = 0;
	while (outstanding) {
		w = proc_pool_wait_any(&pp, s, phase);
		if (w < 0) {
			rc = w;
			goto out;
		}
		rc = take_reply(s, &pp, p, w, phase);
		if (rc)
			goto out;
		outstanding--;
		if (next < p->n) {
			rc = send_next_chunk(s, &pp, p, w, &next, phase);
			if (rc)
				goto out;
			outstanding++;
		}
	}
	for (w = 0; w < d->workers; w++)
		chan_send(&pp.pool.w[w].ch, WM_EXIT, 0);
	for (w = 0; w < d->workers; w++)
		pool_reap(&pp.pool, w, s->cfg->worker_timeout_s);
out:
	memset(d->busy, 0, (size_t)d->workers * sizeof(*d->busy));
	proc_pool_stop(&pp);
	return rc;
}

static int fp_mutate(struct strategy *s, struct population *p)
{
	return pool_map(s, p, PHASE_MUTATE);
}

static int fp_prepare(struct strategy *s, struct population *p)
{
	(void)s;
	(void)p;
	return 0;
}

static int fp_evaluate(struct strategy *s, struct population *p)
{
	return pool_map(s, p, PHASE_EVALUATE);
}

const struct strategy_ops strategy_fork_pool = {
	.name = "fork-pool",
	.summary = "a process pool made per phase (Pool.map): networks serialised there and back",
	.open = fp_open,
	.mutate = fp_mutate,
	.prepare = fp_prepare,
	.evaluate = fp_evaluate,
	.resample = sequential_resample,
	.close = fp_close,
};
