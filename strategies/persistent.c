/*
 * persistent: long-lived worker processes, each owning a shard of the networks. With
 * --worker-scope mutate they mutate and send back what the main process needs to prepare
 * and evaluate; with --worker-scope all they mutate, prepare and evaluate and send back only
 * fitness. Networks cross at resample, and only those whose child lives on another worker.
 * --transport pipe sends bytes through the pipes, shm through shared memory. Under --assign
 * cost the shards are made longest processing time first over predicted costs (shards.h),
 * and with scope all the networks predicted lightest form a pool that whichever worker is
 * free evaluates, so that a wrong prediction leaves no worker idle. Under scope all this
 * process holds the networks it passes on (the pool, the movers) as their records only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "engine/task.h"
#include "strategies/common/net_bytes.h"
#include "strategies/common/procpool.h"
#include "strategies/common/shards.h"

struct ps_data {
	struct proc_pool pp;
	int workers;
	struct shards sh;
	int balanced;                /* --assign cost */
	int pooled;                  /* scope all, balanced, more than one worker: a pool */
	int32_t *need;               /* scratch: foreign parents of one worker */
	uint8_t *mark;               /* scratch: per network, already listed */
	uint8_t *held;               /* per network: the main process holds its current record
					(resample: the pool's) */
	int *pool_n;                 /* per worker: networks of its shard in the pool (prepare),
					or asked for (resample) */
	struct worker_shared *shared;  /* the pool's claims, shared with the workers */
	size_t shared_bytes;
	struct eval_result *res;     /* scope all: what evaluate reported, per network */
	int all;                     /* worker scope all */
	struct net_bytes bytes;      /* scope all: the records of the pool and movers, this
					generation's */
	struct scratch scratch;      /* scope mutate: the main process prepares and evaluates */
};

static void ps_close(struct strategy *s)
{
	struct ps_data *d = s->data;

	if (!d)
		return;
	proc_pool_stop(&d->pp);
	shards_release(&d->sh);
	free(d->need);
	free(d->mark);
	free(d->held);
	free(d->pool_n);
	if (d->shared)
		munmap(d->shared, d->shared_bytes);
	free(d->res);
	net_bytes_release(&d->bytes);
	scratch_release(&d->scratch);
	free(d);
	s->data = NULL;
}

static size_t states_bytes(const struct strategy *s, const struct population *p)
{
	return (size_t)s->cfg->evo.episodes * p->task->state_floats * sizeof(float);
}

/* Send worker w a command of a header, the start states (evaluate) and extra bytes. */
static uint8_t *begin(struct strategy *s, struct population *p, int w, struct cmd_hdr *h,
		      int phase, size_t extra)
{
	struct ps_data *d = s->data;
	size_t states = phase == PHASE_EVALUATE ? states_bytes(s, p) : 0;
	uint8_t *out;

	h->gen = p->gen;
	h->scope = s->cfg->worker_scope;
	h->n_states = (int32_t)(states / sizeof(float));
	out = proc_pool_begin(&d->pp, w, h, states + extra);
	if (out)
		memcpy(out, p->episode_states, states);
	return out ? out + states : NULL;
}

/* The same header-only command (evaluate: with the start states) to every worker. */
static int broadcast_send(struct strategy *s, struct population *p, uint32_t type, int phase)
{
	struct ps_data *d = s->data;
	int w, rc;

	for (w = 0; w < d->workers; w++) {
		struct cmd_hdr h = { 0 };

		if (!begin(s, p, w, &h, phase, 0))
			return -ENOMEM;
		rc = proc_pool_send(&d->pp, s, w, type, (size_t)h.n_states * sizeof(float), phase);
		if (rc)
			return rc;
	}
	return 0;
}

/* Send the same command to every worker and collect the replies in turn. */
static int broadcast(struct strategy *s, struct population *p, uint32_t type, int phase,
		     int (*take)(struct strategy *, struct population *, int, const uint8_t *, size_t))
{
	struct ps_data *d = s->data;
	int w, rc = broadcast_send(s, p, type, phase);

	for (w = 0; !rc && w < d->workers; w++) {
		const uint8_t *in;
		size_t len;

		rc = proc_pool_recv(&d->pp, s, w, &in, &len, phase);
		if (!rc && take)
			rc = take(s, p, w, in, len);
	}
	return rc;
}

/* count networks of a net stream from worker w into p->nets, timed as moving data */
static int take_nets(struct strategy *s, struct population *p, int w, const uint8_t *in,
		     size_t len, int count, int phase)
{
	struct ps_data *d = s->data;
	double t = proc_now_s();
	int rc = net_stream_read(p, in, len, count, s->err, sizeof(s->err));

	s->comm_ms[phase] += (proc_now_s() - t) * 1e3;
	return rc ? proc_pool_fail(&d->pp, s, w, phase, -EBADMSG) : 0;
}

/* count records of a net stream from worker w, kept as they are */
static int take_bytes(struct strategy *s, int w, const uint8_t *in, size_t len, int count, int phase)
{
	struct ps_data *d = s->data;
	int rc = net_bytes_take(&d->bytes, in, len, count, s->err, sizeof(s->err));

	if (rc == -ENOMEM)
		return rc;
	return rc ? proc_pool_fail(&d->pp, s, w, phase, -EBADMSG) : 0;
}

static int take_shard(struct strategy *s, struct population *p, int w, const uint8_t *in, size_t len)
{
	struct ps_data *d = s->data;

	return take_nets(s, p, w, in, len, shard_size(&d->sh, w), PHASE_MUTATE);
}

static void take_result(struct ps_data *d, struct population *p, int i, const struct eval_result *r)
{
	d->res[i] = *r;
	p->nets[i].fitness = r->fitness;
	p->nets[i].origin = r->origin;
}

/* worker w's results: one per network of its shard, the pool's left out */
static int take_results(struct strategy *s, struct population *p, int w, const uint8_t *in, size_t len)
{
	struct ps_data *d = s->data;
	const int32_t *idx = shard_of(&d->sh, w);
	int count = shard_size(&d->sh, w), k, m = 0;
	struct eval_result r;

	for (k = 0; k < count; k++)
		m += !d->sh.in_pool[idx[k]];
	if (len != (size_t)m * sizeof(r))
		return proc_pool_fail(&d->pp, s, w, PHASE_EVALUATE, -EBADMSG);
	for (k = 0, m = 0; k < count; k++)
		if (!d->sh.in_pool[idx[k]]) {
			memcpy(&r, in + (size_t)m++ * sizeof(r), sizeof(r));
			take_result(d, p, idx[k], &r);
		}
	return 0;
}

/* Give each worker its shard: the networks are sent once, at open. */
static int hand_out_shards(struct strategy *s, struct population *p)
{
	struct ps_data *d = s->data;
	int w, rc;

	for (w = 0; w < d->workers; w++) {
		int count = shard_size(&d->sh, w);
		struct cmd_hdr h = { .count = count };
		size_t len = net_stream_size(p, shard_of(&d->sh, w), count);
		uint8_t *out = proc_pool_begin(&d->pp, w, &h, len);
		const uint8_t *in;

		if (!out)
			return -ENOMEM;
		net_stream_write(p, shard_of(&d->sh, w), count, out);
		rc = proc_pool_send(&d->pp, s, w, WM_OWN, len, PHASE_MUTATE);
		if (!rc)
			rc = proc_pool_recv(&d->pp, s, w, &in, &len, PHASE_MUTATE);
		if (rc)
			return rc;
	}
	return 0;
}

static int ps_alloc(struct ps_data *d, int n)
{
	int rc = shards_init(&d->sh, n, d->workers, d->balanced, d->pooled);

	d->need = malloc((size_t)n * sizeof(*d->need));
	d->mark = calloc((size_t)n, 1);
	d->held = calloc((size_t)n, 1);
	d->pool_n = malloc((size_t)d->workers * sizeof(*d->pool_n));
	d->res = calloc((size_t)n, sizeof(*d->res));
	if (d->pooled) {
		/* made before the workers are forked, so that each inherits it */
		d->shared_bytes = sizeof(*d->shared) + (size_t)n * sizeof(d->shared->res[0]);
		d->shared = mmap(NULL, d->shared_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (d->shared == MAP_FAILED)
			d->shared = NULL;
	}
	if (!rc && d->all)
		rc = net_bytes_init(&d->bytes, n);
	return !rc && d->need && d->mark && d->held && d->pool_n && d->res &&
	       (d->shared || !d->pooled) ? 0 : -ENOMEM;
}

static int ps_open(struct strategy *s, struct population *p)
{
	struct ps_data *d = calloc(1, sizeof(*d));
	int rc;

	s->data = d;
	if (d) {
		d->workers = s->cfg->workers < p->n ? s->cfg->workers : p->n;
		d->all = s->cfg->worker_scope == SCOPE_ALL;
		d->balanced = s->cfg->assign == ASSIGN_COST;
		d->pooled = d->all && d->balanced && d->workers > 1;
	}
	if (!d || ps_alloc(d, p->n)) {
		snprintf(s->err, sizeof(s->err), "persistent: out of memory");
		return -ENOMEM;
	}
	s->workers = d->workers;
	rc = proc_pool_start_shared(&d->pp, s, p, d->workers, s->cfg->transport == TRANSPORT_SHM, d->shared);
	if (rc)
		return rc;
	return hand_out_shards(s, p);
}

static int ps_mutate(struct strategy *s, struct population *p)
{
	struct ps_data *d = s->data;

	if (d->all)
		net_bytes_clear(&d->bytes);
	return broadcast(s, p, WM_MUTATE_OWN, PHASE_MUTATE, d->all ? NULL : take_shard);
}

/* Scope all with a pool: each worker prepares its shard and sends back its networks in the pool, kept as records. */
static int prepare_with_pool(struct strategy *s, struct population *p)
{
	struct ps_data *d = s->data;
	int w, k, rc;

	for (w = 0; w < d->workers; w++) {
		const int32_t *idx = shard_of(&d->sh, w);
		struct cmd_hdr h = { 0 };
		int32_t *out;

		for (k = 0; k < shard_size(&d->sh, w); k++)
			h.count += d->sh.in_pool[idx[k]];
		out = (int32_t *)begin(s, p, w, &h, PHASE_PREPARE, (size_t)h.count * sizeof(*out));
		if (!out)
			return -ENOMEM;
		for (k = 0, h.count = 0; k < shard_size(&d->sh, w); k++)
			if (d->sh.in_pool[idx[k]])
				out[h.count++] = idx[k];
		rc = proc_pool_send(&d->pp, s, w, WM_PREPARE_OWN, (size_t)h.count * sizeof(*out), PHASE_PREPARE);
		if (rc)
			return rc;
		d->pool_n[w] = h.count;
	}
	for (w = 0; w < d->workers; w++) {
		const uint8_t *in;
		size_t len;
		double t;

		rc = proc_pool_recv(&d->pp, s, w, &in, &len, PHASE_PREPARE);
		t = proc_now_s();
		if (!rc)
			rc = take_bytes(s, w, in, len, d->pool_n[w], PHASE_PREPARE);
		s->comm_ms[PHASE_PREPARE] += (proc_now_s() - t) * 1e3;
		if (rc)
			return rc;
	}
	return 0;
}

static int ps_prepare(struct strategy *s, struct population *p)
{
	struct ps_data *d = s->data;

	if (!d->all)
		return engine_prepare_range(p, &d->scratch, 0, p->n);
	if (d->pooled)
		return prepare_with_pool(s, p);
	return broadcast(s, p, WM_PREPARE_OWN, PHASE_PREPARE, NULL);
}

/*
 * The pool for every worker: a table of each network's offset in the net stream that
 * follows it, written once (into worker 0's command) and copied into the others'.
 */
static int send_pool_evaluate(struct strategy *s, struct population *p)
{
	struct ps_data *d = s->data;
	int k = d->sh.n_pool, w, i, rc;
	size_t table = (size_t)k * sizeof(uint32_t), len = table + net_bytes_size(&d->bytes, d->sh.pool, k), at;
	double t = proc_now_s();
	uint8_t *first = NULL;

	for (w = 0; w < d->workers; w++) {
		struct cmd_hdr h = { .count = k };
		uint8_t *out = begin(s, p, w, &h, PHASE_EVALUATE, len);

		if (!out)
			return -ENOMEM;
		if (first) {
			memcpy(out, first, len);
		} else {
			for (i = 0, at = 0; i < k; i++) {
				uint32_t off = (uint32_t)at;

				memcpy(out + (size_t)i * sizeof(off), &off, sizeof(off));
				at += net_bytes_write(&d->bytes, &d->sh.pool[i], 1, out + table + at);
			}
			first = out;
		}
		rc = proc_pool_send(&d->pp, s, w, WM_EVAL_OWN, states_bytes(s, p) + len, PHASE_EVALUATE);
		if (rc)
			return rc;
	}
	s->comm_ms[PHASE_EVALUATE] += (proc_now_s() - t) * 1e3;
	return 0;
}

/*
 * Scope all with a pool: every worker evaluates its shard but the pool, then claims pool
 * networks from the shared counter until none is left; what it found of them comes back
 * through the shared region.
 */
static int evaluate_with_pool(struct strategy *s, struct population *p)
{
	struct ps_data *d = s->data;
	int w, i, rc;

	atomic_store(&d->shared->next, 0);
	rc = send_pool_evaluate(s, p);
	for (w = 0; !rc && w < d->workers; w++) {
		const uint8_t *in;
		size_t len;

		rc = proc_pool_recv(&d->pp, s, w, &in, &len, PHASE_EVALUATE);
		if (!rc)
			rc = take_results(s, p, w, in, len);
	}
	for (i = 0; !rc && i < d->sh.n_pool; i++)
		take_result(d, p, d->sh.pool[i], &d->shared->res[i]);
	return rc;
}

static int ps_evaluate(struct strategy *s, struct population *p)
{
	struct ps_data *d = s->data;

	if (!d->all)
		return engine_evaluate_range(p, &d->scratch, 0, p->n);
	if (d->pooled)
		return evaluate_with_pool(s, p);
	return broadcast(s, p, WM_EVAL_OWN, PHASE_EVALUATE, take_results);
}

/* A parent's predicted cost: what it played this generation, as this process knows it. */
static double parent_cost(const struct ps_data *d, const struct population *p, int a)
{
	if (d->all)
		return balance_net_cost(p->cfg, d->res[a].fitness, (double)d->res[a].nodes + d->res[a].conns);
	return balance_net_cost(p->cfg, p->nets[a].fitness, balance_net_size(&p->nets[a]));
}

/* The parents of worker w's next shard that it does not hold now, into d->need. */
static int foreign_parents(struct ps_data *d, const struct population *p, int w)
{
	const int32_t *next = next_shard_of(&d->sh, w);
	int k = 0, j, i;

	for (j = 0; j < next_shard_size(&d->sh, w); j++) {
		const struct child_plan *c = &p->plan[next[j]];
		int32_t par[2] = { c->a, c->b };

		for (i = 0; i < 2; i++)
			if (par[i] >= 0 && d->sh.owner[par[i]] != w && !d->mark[par[i]]) {
				d->mark[par[i]] = 1;
				d->need[k++] = par[i];
			}
	}
	for (i = 0; i < k; i++)
		d->mark[d->need[i]] = 0;
	return k;
}

/* Ask worker w for its networks marked in d->mark; how many it was asked for (0: none). */
static int send_export(struct strategy *s, struct population *p, int w)
{
	struct ps_data *d = s->data;
	const int32_t *shard = shard_of(&d->sh, w);
	struct cmd_hdr h = { .gen = p->gen };
	int32_t *idx;
	int i, rc;

	for (i = 0; i < shard_size(&d->sh, w); i++)
		h.count += d->mark[shard[i]];
	if (!h.count)
		return 0;
	idx = (int32_t *)proc_pool_begin(&d->pp, w, &h, (size_t)h.count * sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (i = 0, h.count = 0; i < shard_size(&d->sh, w); i++)
		if (d->mark[shard[i]])
			idx[h.count++] = shard[i];
	rc = proc_pool_send(&d->pp, s, w, WM_EXPORT, (size_t)h.count * sizeof(*idx), PHASE_RESAMPLE);
	return rc ? rc : h.count;
}

/*
 * Scope all: the main process holds no current network but the pool's records, so it first
 * fetches the record of every other parent that must change owner from the worker that has
 * it: every request out, then every reply.
 */
static int fetch_movers(struct strategy *s, struct population *p)
{
	struct ps_data *d = s->data;
	int w, i, rc = 0;

	for (w = 0; w < d->workers; w++) {
		int k = foreign_parents(d, p, w);

		for (i = 0; i < k; i++)
			d->mark[d->need[i]] |= !d->held[d->need[i]];
	}
	for (w = 0; w < d->workers && rc >= 0; w++)
		rc = d->pool_n[w] = send_export(s, p, w);
	for (w = 0; w < d->workers && rc >= 0; w++) {
		const uint8_t *in;
		size_t len;

		if (!d->pool_n[w])
			continue;
		rc = proc_pool_recv(&d->pp, s, w, &in, &len, PHASE_RESAMPLE);
		if (!rc)
			rc = take_bytes(s, w, in, len, d->pool_n[w], PHASE_RESAMPLE);
	}
	memset(d->mark, 0, (size_t)p->n);
	return rc < 0 ? rc : 0;
}

/* Worker w's resample command: its shard's fitness, its next shard and plans, its movers. */
static int send_resample(struct strategy *s, struct population *p, int w)
{
	struct ps_data *d = s->data;
	int shard = shard_size(&d->sh, w), m = next_shard_size(&d->sh, w), k = foreign_parents(d, p, w), i;
	const int32_t *next = next_shard_of(&d->sh, w);
	size_t fixed = (size_t)shard * sizeof(float) + (size_t)m * (sizeof(int32_t) + sizeof(struct child_plan));
	size_t len = fixed + (d->all ? net_bytes_size(&d->bytes, d->need, k) : net_stream_size(p, d->need, k));
	struct cmd_hdr h = { .gen = p->gen, .count = k, .n_own = m };
	uint8_t *out = proc_pool_begin(&d->pp, w, &h, len), *at;

	if (!out)
		return -ENOMEM;
	for (i = 0; i < shard; i++)
		memcpy(out + i * sizeof(float), &p->nets[shard_of(&d->sh, w)[i]].fitness, sizeof(float));
	at = out + (size_t)shard * sizeof(float);
	memcpy(at, next, (size_t)m * sizeof(*next));
	at += (size_t)m * sizeof(*next);
	for (i = 0; i < m; i++)
		memcpy(at + (size_t)i * sizeof(struct child_plan), &p->plan[next[i]], sizeof(struct child_plan));
	/* a record's fitness is the sender's copy's, which the pool's evaluation did not reach */
	for (i = 0; d->all && i < k; i++)
		net_bytes_set_fitness(&d->bytes, d->need[i], p->nets[d->need[i]].fitness);
	if (d->all)
		net_bytes_write(&d->bytes, d->need, k, out + fixed);
	else
		net_stream_write(p, d->need, k, out + fixed);
	return proc_pool_send(&d->pp, s, w, WM_RESAMPLE_OWN, len, PHASE_RESAMPLE);
}

/*
 * Selection ran here. Each child gets its worker, each worker its fitness, next shard and
 * the parents it lacks; the children become the shards.
 */
static int ps_resample(struct strategy *s, struct population *p)
{
	struct ps_data *d = s->data;
	double t = proc_now_s();
	int w, i, rc;

	/* the pool's records are current here: they need not be fetched */
	memcpy(d->held, d->sh.in_pool, (size_t)p->n);
	for (i = 0; d->balanced && i < p->n; i++)
		d->sh.cost[i] = parent_cost(d, p, p->plan[i].a);
	shards_assign(&d->sh, p->plan, d->balanced, d->pooled);
	if (d->all) {
		rc = fetch_movers(s, p);
		if (rc)
			return rc;
	}
	for (w = 0; w < d->workers; w++) {
		rc = send_resample(s, p, w);
		if (rc)
			return rc;
	}
	shards_swap(&d->sh);
	s->comm_ms[PHASE_RESAMPLE] += (proc_now_s() - t) * 1e3;
	for (w = 0; w < d->workers; w++) {
		const uint8_t *in;
		size_t len;

		rc = proc_pool_recv(&d->pp, s, w, &in, &len, PHASE_RESAMPLE);
		if (rc)
			return rc;
	}
	return 0;
}

/* Bring the whole population back for the digest. */
static int ps_sync(struct strategy *s, struct population *p)
{
	struct ps_data *d = s->data;
	int w, rc;

	for (w = 0; w < d->workers; w++) {
		struct cmd_hdr h = { .gen = p->gen };
		const uint8_t *in;
		size_t len;

		if (!proc_pool_begin(&d->pp, w, &h, 0))
			return -ENOMEM;
		rc = proc_pool_send(&d->pp, s, w, WM_GATHER, 0, PHASE_RESAMPLE);
		if (!rc)
			rc = proc_pool_recv(&d->pp, s, w, &in, &len, PHASE_RESAMPLE);
		if (!rc && net_stream_read(p, in, len, shard_size(&d->sh, w), s->err, sizeof(s->err)))
			rc = -EBADMSG;
		if (rc)
			return rc;
	}
	return 0;
}

static void ps_sizes(struct strategy *s, const struct population *p, double *nodes, double *conns)
{
	struct ps_data *d = s->data;
	double sn = 0, sc = 0;
	int i;

	if (!d->all)
		return;   /* the main process holds current networks: the harness's figures stand */
	for (i = 0; i < p->n; i++) {
		sn += d->res[i].nodes;
		sc += d->res[i].conns;
	}
	*nodes = sn / p->n;
	*conns = sc / p->n;
}

const struct strategy_ops strategy_persistent = {
	.name = "persistent",
	.summary = "long-lived worker processes owning shards; networks cross only when they change owner",
	.open = ps_open,
	.mutate = ps_mutate,
	.prepare = ps_prepare,
	.evaluate = ps_evaluate,
	.resample = ps_resample,
	.sync = ps_sync,
	.sizes = ps_sizes,
	.close = ps_close,
};
