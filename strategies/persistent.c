/*
 * persistent: long-lived worker processes, each owning a shard of the networks. With
 * --worker-scope mutate they mutate and send back what the main process needs to prepare
 * and evaluate; with --worker-scope all they mutate, prepare and evaluate and send back only
 * fitness. Networks cross at resample, and only those whose child lives on another worker.
 * --transport pipe sends bytes through the pipes, shm through shared memory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/task.h"
#include "strategies/common/balance.h"
#include "strategies/common/procpool.h"

/* how far above the least loaded worker a child may stay with its parent's worker, as a
   share of the mean predicted load: a move costs a serialisation there and back, a few us */
#define STAY_TOLERANCE 0.02

struct ps_data {
	struct proc_pool pp;
	int workers;
	int *owner;                  /* per network: its worker */
	int *next_owner;             /* per network: the worker of its child (resample) */
	int *list;                   /* every worker's shard in turn, each in index order */
	int *start;                  /* shard of worker w: list[start[w] .. start[w + 1]) */
	int *next_list, *next_start; /* the same of the children (resample) */
	int32_t *need;               /* scratch: foreign parents of one worker */
	uint8_t *mark;               /* scratch: per network, already listed */
	double *cost;                /* scratch: per child, its predicted cost */
	double *load;                /* scratch: per worker, its predicted load */
	int *order;                  /* scratch: children by predicted cost */
	struct balance_key *keys;     /* scratch: sorting */
	struct eval_result *res;     /* scope all: what evaluate reported, per network */
	int all;                     /* worker scope all */
	struct scratch scratch;      /* scope mutate: the main process prepares and evaluates */
};

static void ps_close(struct strategy *s)
{
	struct ps_data *d = s->data;

	if (!d)
		return;
	proc_pool_stop(&d->pp);
	free(d->owner);
	free(d->next_owner);
	free(d->list);
	free(d->start);
	free(d->next_list);
	free(d->next_start);
	free(d->need);
	free(d->mark);
	free(d->cost);
	free(d->load);
	free(d->order);
	free(d->keys);
	free(d->res);
	scratch_release(&d->scratch);
	free(d);
	s->data = NULL;
}

static int shard_size(const struct ps_data *d, int w)
{
	return d->start[w + 1] - d->start[w];
}

static const int32_t *shard_of(const struct ps_data *d, int w)
{
	return (const int32_t *)&d->list[d->start[w]];
}

/* owner[] into shards: a counting sort, so that each shard lists its networks in index order */
static void build_shards(const int *owner, int *list, int *start, int workers, int n)
{
	int w, i;

	for (w = 0; w <= workers; w++)
		start[w] = 0;
	for (i = 0; i < n; i++)
		start[owner[i] + 1]++;
	for (w = 0; w < workers; w++)
		start[w + 1] += start[w];
	/* each start[w] runs to the end of its shard, then all move back by one */
	for (i = 0; i < n; i++)
		list[start[owner[i]]++] = i;
	for (w = workers; w > 0; w--)
		start[w] = start[w - 1];
	start[0] = 0;
}

/* Send the same header-only command to every worker and collect the replies in turn. */
static int broadcast(struct strategy *s, struct population *p, uint32_t type, int phase,
		     int (*take)(struct strategy *, struct population *, int, const uint8_t *, size_t))
{
	struct ps_data *d = s->data;
	int w, rc;

	for (w = 0; w < d->workers; w++) {
		struct cmd_hdr h = { .gen = p->gen, .scope = s->cfg->worker_scope };
		size_t extra = phase == PHASE_EVALUATE ?
			(size_t)s->cfg->evo.episodes * p->task->state_floats * sizeof(float) : 0;
		uint8_t *out;

		h.n_states = (int32_t)(extra / sizeof(float));
		out = proc_pool_begin(&d->pp, w, &h, extra);
		if (!out)
			return -ENOMEM;
		memcpy(out, p->episode_states, extra);
		rc = proc_pool_send(&d->pp, s, w, type, extra, phase);
		if (rc)
			return rc;
	}
	for (w = 0; w < d->workers; w++) {
		const uint8_t *in;
		size_t len;

		rc = proc_pool_recv(&d->pp, s, w, &in, &len, phase);
		if (!rc && take)
			rc = take(s, p, w, in, len);
		if (rc)
			return rc;
	}
	return 0;
}

static int take_shard(struct strategy *s, struct population *p, int w, const uint8_t *in, size_t len)
{
	struct ps_data *d = s->data;
	double t = proc_now_s();
	int rc = net_stream_read(p, in, len, shard_size(d, w), s->err, sizeof(s->err));

	s->comm_ms[PHASE_MUTATE] += (proc_now_s() - t) * 1e3;
	return rc ? proc_pool_fail(&d->pp, s, w, PHASE_MUTATE, -EBADMSG) : 0;
}

static int take_results(struct strategy *s, struct population *p, int w, const uint8_t *in, size_t len)
{
	struct ps_data *d = s->data;
	const int32_t *idx = shard_of(d, w);
	int count = shard_size(d, w), k;

	if (len != (size_t)count * sizeof(struct eval_result))
		return proc_pool_fail(&d->pp, s, w, PHASE_EVALUATE, -EBADMSG);
	for (k = 0; k < count; k++) {
		memcpy(&d->res[idx[k]], in + (size_t)k * sizeof(struct eval_result), sizeof(struct eval_result));
		p->nets[idx[k]].fitness = d->res[idx[k]].fitness;
		p->nets[idx[k]].origin = d->res[idx[k]].origin;
	}
	return 0;
}

/* Give each worker its shard: the networks are sent once, at open. */
static int hand_out_shards(struct strategy *s, struct population *p)
{
	struct ps_data *d = s->data;
	int w, rc;

	for (w = 0; w < d->workers; w++) {
		int count = shard_size(d, w);
		struct cmd_hdr h = { .count = count };
		size_t len = net_stream_size(p, shard_of(d, w), count);
		uint8_t *out = proc_pool_begin(&d->pp, w, &h, len);
		const uint8_t *in;

		if (!out)
			return -ENOMEM;
		net_stream_write(p, shard_of(d, w), count, out);
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
	d->owner = malloc((size_t)n * sizeof(*d->owner));
	d->next_owner = malloc((size_t)n * sizeof(*d->next_owner));
	d->list = malloc((size_t)n * sizeof(*d->list));
	d->next_list = malloc((size_t)n * sizeof(*d->next_list));
	d->start = malloc((size_t)(d->workers + 1) * sizeof(*d->start));
	d->next_start = malloc((size_t)(d->workers + 1) * sizeof(*d->next_start));
	d->need = malloc((size_t)n * sizeof(*d->need));
	d->mark = calloc((size_t)n, 1);
	d->cost = malloc((size_t)n * sizeof(*d->cost));
	d->load = malloc((size_t)d->workers * sizeof(*d->load));
	d->order = malloc((size_t)n * sizeof(*d->order));
	d->keys = malloc((size_t)n * sizeof(*d->keys));
	d->res = calloc((size_t)n, sizeof(*d->res));
	return d->owner && d->next_owner && d->list && d->next_list && d->start && d->next_start &&
	       d->need && d->mark && d->cost && d->load && d->order && d->keys && d->res ? 0 : -ENOMEM;
}

/* At first nothing predicts a cost: contiguous blocks, the shards sent once. */
static int ps_open(struct strategy *s, struct population *p)
{
	struct ps_data *d = calloc(1, sizeof(*d));
	int w, i, rc;

	s->data = d;
	if (d)
		d->workers = s->cfg->workers < p->n ? s->cfg->workers : p->n;
	if (!d || ps_alloc(d, p->n)) {
		snprintf(s->err, sizeof(s->err), "persistent: out of memory");
		return -ENOMEM;
	}
	s->workers = d->workers;
	d->all = s->cfg->worker_scope == SCOPE_ALL;
	for (w = 0; w < d->workers; w++)
		for (i = (int)((long)p->n * w / d->workers); i < (int)((long)p->n * (w + 1) / d->workers); i++)
			d->owner[i] = w;
	build_shards(d->owner, d->list, d->start, d->workers, p->n);
	rc = proc_pool_start(&d->pp, s, p, d->workers, 0, s->cfg->transport == TRANSPORT_SHM);
	if (rc)
		return rc;
	return hand_out_shards(s, p);
}

static int ps_mutate(struct strategy *s, struct population *p)
{
	struct ps_data *d = s->data;

	return broadcast(s, p, WM_MUTATE_OWN, PHASE_MUTATE, d->all ? NULL : take_shard);
}

static int ps_prepare(struct strategy *s, struct population *p)
{
	struct ps_data *d = s->data;

	if (!d->all)
		return engine_prepare_range(p, &d->scratch, 0, p->n);
	return broadcast(s, p, WM_PREPARE_OWN, PHASE_PREPARE, NULL);
}

static int ps_evaluate(struct strategy *s, struct population *p)
{
	struct ps_data *d = s->data;

	if (!d->all)
		return engine_evaluate_range(p, &d->scratch, 0, p->n);
	return broadcast(s, p, WM_EVAL_OWN, PHASE_EVALUATE, take_results);
}

/* A parent's predicted cost: what it played this generation, as this process knows it. */
static double parent_cost(const struct ps_data *d, const struct population *p, int a)
{
	if (d->all)
		return balance_net_cost(p->cfg, d->res[a].fitness, (double)d->res[a].nodes + d->res[a].conns);
	return balance_net_cost(p->cfg, p->nets[a].fitness, balance_net_size(&p->nets[a]));
}

/*
 * Each child's worker (--assign cost): longest processing time first over the children's
 * predicted costs, a child staying with its parent's worker while that worker is within
 * STAY_TOLERANCE of the least loaded, so that few networks change owner. --assign index
 * keeps every index on its worker.
 */
static void assign_children(struct ps_data *d, const struct population *p, int assign)
{
	double total = 0;
	int i;

	for (i = 0; i < p->n; i++)
		d->next_owner[i] = d->owner[p->plan[i].a];
	if (assign == ASSIGN_INDEX) {
		memcpy(d->next_owner, d->owner, (size_t)p->n * sizeof(*d->owner));
		return;
	}
	for (i = 0; i < p->n; i++) {
		d->cost[i] = parent_cost(d, p, p->plan[i].a);
		total += d->cost[i];
	}
	balance_order(d->cost, p->n, d->keys, d->order);
	/* prefer is owner itself: each item's preference is read before its owner is written */
	balance_lpt(d->cost, d->order, p->n, d->workers, d->next_owner,
		   STAY_TOLERANCE * total / d->workers, d->next_owner, d->load);
}

/* The parents of worker w's next shard that it does not hold now, into d->need. */
static int foreign_parents(struct ps_data *d, const struct population *p, int w)
{
	int k = 0, j, i;

	for (j = d->next_start[w]; j < d->next_start[w + 1]; j++) {
		const struct child_plan *c = &p->plan[d->next_list[j]];
		int32_t par[2] = { c->a, c->b };

		for (i = 0; i < 2; i++)
			if (par[i] >= 0 && d->owner[par[i]] != w && !d->mark[par[i]]) {
				d->mark[par[i]] = 1;
				d->need[k++] = par[i];
			}
	}
	for (i = 0; i < k; i++)
		d->mark[d->need[i]] = 0;
	return k;
}

/*
 * Scope all: the main process does not hold current networks, so it first fetches every
 * parent that must change owner from the worker that has it.
 */
static int fetch_movers(struct strategy *s, struct population *p)
{
	struct ps_data *d = s->data;
	int w, i, rc, total = 0;

	for (w = 0; w < d->workers; w++) {
		int k = foreign_parents(d, p, w);

		for (i = 0; i < k; i++)
			if (!d->mark[d->need[i]]) {
				d->mark[d->need[i]] = 1;
				total++;
			}
	}
	for (w = 0; w < d->workers && total; w++) {
		const int32_t *shard = shard_of(d, w);
		struct cmd_hdr h = { .gen = p->gen };
		int32_t *idx;
		const uint8_t *in;
		size_t len;

		for (i = 0; i < shard_size(d, w); i++)
			h.count += d->mark[shard[i]];
		if (!h.count)
			continue;
		idx = (int32_t *)proc_pool_begin(&d->pp, w, &h, (size_t)h.count * sizeof(*idx));
		if (!idx)
			return -ENOMEM;
		for (i = 0, h.count = 0; i < shard_size(d, w); i++)
			if (d->mark[shard[i]])
				idx[h.count++] = shard[i];
		rc = proc_pool_send(&d->pp, s, w, WM_EXPORT, (size_t)h.count * sizeof(*idx), PHASE_RESAMPLE);
		if (!rc)
			rc = proc_pool_recv(&d->pp, s, w, &in, &len, PHASE_RESAMPLE);
		if (!rc && net_stream_read(p, in, len, h.count, s->err, sizeof(s->err)))
			rc = proc_pool_fail(&d->pp, s, w, PHASE_RESAMPLE, -EBADMSG);
		if (rc)
			return rc;
	}
	memset(d->mark, 0, (size_t)p->n);
	return 0;
}

/* Worker w's resample command: its shard's fitness, its next shard and plans, its movers. */
static int send_resample(struct strategy *s, struct population *p, int w)
{
	struct ps_data *d = s->data;
	int shard = shard_size(d, w), m = d->next_start[w + 1] - d->next_start[w];
	int k = foreign_parents(d, p, w), i;
	const int32_t *next = (const int32_t *)&d->next_list[d->next_start[w]];
	size_t fixed = (size_t)shard * sizeof(float) + (size_t)m * (sizeof(int32_t) + sizeof(struct child_plan));
	size_t len = fixed + net_stream_size(p, d->need, k);
	struct cmd_hdr h = { .gen = p->gen, .count = k, .n_own = m };
	uint8_t *out = proc_pool_begin(&d->pp, w, &h, len), *at;

	if (!out)
		return -ENOMEM;
	for (i = 0; i < shard; i++)
		memcpy(out + i * sizeof(float), &p->nets[shard_of(d, w)[i]].fitness, sizeof(float));
	at = out + (size_t)shard * sizeof(float);
	memcpy(at, next, (size_t)m * sizeof(*next));
	at += (size_t)m * sizeof(*next);
	for (i = 0; i < m; i++)
		memcpy(at + (size_t)i * sizeof(struct child_plan), &p->plan[next[i]], sizeof(struct child_plan));
	net_stream_write(p, d->need, k, out + fixed);
	return proc_pool_send(&d->pp, s, w, WM_RESAMPLE_OWN, len, PHASE_RESAMPLE);
}

static void swap_ints(int **a, int **b)
{
	int *t = *a;

	*a = *b;
	*b = t;
}

/*
 * Selection ran here. Each child gets its worker, each worker its fitness, next shard and
 * the parents it lacks; the children become the shards.
 */
static int ps_resample(struct strategy *s, struct population *p)
{
	struct ps_data *d = s->data;
	double t = proc_now_s();
	int w, rc;

	assign_children(d, p, s->cfg->assign);
	build_shards(d->next_owner, d->next_list, d->next_start, d->workers, p->n);
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
	swap_ints(&d->owner, &d->next_owner);
	swap_ints(&d->list, &d->next_list);
	swap_ints(&d->start, &d->next_start);
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
		if (!rc && net_stream_read(p, in, len, shard_size(d, w), s->err, sizeof(s->err)))
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
