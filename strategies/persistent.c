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
#include "strategies/common/procpool.h"

struct ps_data {
	struct proc_pool pp;
	int workers;
	int *lo;                     /* shard of worker w: [lo[w], lo[w + 1]) */
	int *owner;                  /* per network: its worker */
	int32_t *need;               /* scratch: foreign parents of one worker */
	uint8_t *mark;               /* scratch: per network, already listed */
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
	free(d->lo);
	free(d->owner);
	free(d->need);
	free(d->mark);
	free(d->res);
	scratch_release(&d->scratch);
	free(d);
	s->data = NULL;
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
	int rc = net_stream_read(p, in, len, d->lo[w + 1] - d->lo[w], s->err, sizeof(s->err));

	s->comm_ms[PHASE_MUTATE] += (proc_now_s() - t) * 1e3;
	return rc ? proc_pool_fail(&d->pp, s, w, PHASE_MUTATE, -EBADMSG) : 0;
}

static int take_results(struct strategy *s, struct population *p, int w, const uint8_t *in, size_t len)
{
	struct ps_data *d = s->data;
	int lo = d->lo[w], count = d->lo[w + 1] - lo, i;

	if (len != (size_t)count * sizeof(struct eval_result))
		return proc_pool_fail(&d->pp, s, w, PHASE_EVALUATE, -EBADMSG);
	memcpy(d->res + lo, in, len);
	for (i = lo; i < lo + count; i++) {
		p->nets[i].fitness = d->res[i].fitness;
		p->nets[i].origin = d->res[i].origin;
	}
	return 0;
}

/* Give each worker its shard: the networks are sent once, at open. */
static int hand_out_shards(struct strategy *s, struct population *p)
{
	struct ps_data *d = s->data;
	int w, rc;

	for (w = 0; w < d->workers; w++) {
		int32_t *idx = d->need;
		int count = d->lo[w + 1] - d->lo[w], i;
		struct cmd_hdr h = { .count = count, .lo = d->lo[w], .hi = d->lo[w + 1] };
		uint8_t *out;
		size_t len;
		const uint8_t *in;

		for (i = 0; i < count; i++)
			idx[i] = d->lo[w] + i;
		len = net_stream_size(p, idx, count);
		out = proc_pool_begin(&d->pp, w, &h, len);
		if (!out)
			return -ENOMEM;
		net_stream_write(p, idx, count, out);
		rc = proc_pool_send(&d->pp, s, w, WM_OWN, len, PHASE_MUTATE);
		if (!rc)
			rc = proc_pool_recv(&d->pp, s, w, &in, &len, PHASE_MUTATE);
		if (rc)
			return rc;
	}
	return 0;
}

static int ps_open(struct strategy *s, struct population *p)
{
	struct ps_data *d = calloc(1, sizeof(*d));
	int w, i, rc = -ENOMEM;

	s->data = d;
	if (!d)
		goto oom;
	d->workers = s->cfg->workers < p->n ? s->cfg->workers : p->n;
	s->workers = d->workers;
	d->all = s->cfg->worker_scope == SCOPE_ALL;
	d->lo = malloc((size_t)(d->workers + 1) * sizeof(*d->lo));
	d->owner = malloc((size_t)p->n * sizeof(*d->owner));
	d->need = malloc((size_t)p->n * sizeof(*d->need));
	d->mark = calloc((size_t)p->n, 1);
	d->res = calloc((size_t)p->n, sizeof(*d->res));
	if (!d->lo || !d->owner || !d->need || !d->mark || !d->res)
		goto oom;
	for (w = 0; w <= d->workers; w++)
		d->lo[w] = (int)((long)p->n * w / d->workers);
	for (w = 0; w < d->workers; w++)
		for (i = d->lo[w]; i < d->lo[w + 1]; i++)
			d->owner[i] = w;
	rc = proc_pool_start(&d->pp, s, p, d->workers, 0, s->cfg->transport == TRANSPORT_SHM);
	if (rc)
		return rc;
	return hand_out_shards(s, p);
oom:
	snprintf(s->err, sizeof(s->err), "persistent: out of memory");
	return rc;
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

/* The parents of worker w's children that live on other workers. */
static int foreign_parents(struct ps_data *d, const struct population *p, int w)
{
	int i, k = 0;

	for (i = d->lo[w]; i < d->lo[w + 1]; i++) {
		int32_t par[2] = { p->plan[i].a, p->plan[i].b };
		int j;

		for (j = 0; j < 2; j++)
			if (par[j] >= 0 && d->owner[par[j]] != w && !d->mark[par[j]]) {
				d->mark[par[j]] = 1;
				d->need[k++] = par[j];
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
		struct cmd_hdr h = { .gen = p->gen };
		int32_t *idx;
		const uint8_t *in;
		size_t len;

		for (i = d->lo[w]; i < d->lo[w + 1]; i++)
			if (d->mark[i])
				h.count++;
		if (!h.count)
			continue;
		idx = (int32_t *)proc_pool_begin(&d->pp, w, &h, (size_t)h.count * sizeof(*idx));
		if (!idx)
			return -ENOMEM;
		for (i = d->lo[w], h.count = 0; i < d->lo[w + 1]; i++)
			if (d->mark[i])
				idx[h.count++] = i;
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

/* Selection ran here; each worker gets its shard's fitness and plan and its foreign parents. */
static int ps_resample(struct strategy *s, struct population *p)
{
	struct ps_data *d = s->data;
	double t = proc_now_s();
	int w, i, rc;

	if (d->all) {
		rc = fetch_movers(s, p);
		if (rc)
			return rc;
	}
	for (w = 0; w < d->workers; w++) {
		int shard = d->lo[w + 1] - d->lo[w], k = foreign_parents(d, p, w);
		size_t fixed = (size_t)shard * (sizeof(float) + sizeof(struct child_plan));
		size_t len = fixed + net_stream_size(p, d->need, k);
		struct cmd_hdr h = { .gen = p->gen, .count = k, .lo = d->lo[w], .hi = d->lo[w + 1] };
		uint8_t *out = proc_pool_begin(&d->pp, w, &h, len);

		if (!out)
			return -ENOMEM;
		for (i = 0; i < shard; i++)
			memcpy(out + i * sizeof(float), &p->nets[d->lo[w] + i].fitness, sizeof(float));
		memcpy(out + (size_t)shard * sizeof(float), &p->plan[d->lo[w]],
		       (size_t)shard * sizeof(struct child_plan));
		net_stream_write(p, d->need, k, out + fixed);
		rc = proc_pool_send(&d->pp, s, w, WM_RESAMPLE_OWN, len, PHASE_RESAMPLE);
		if (rc)
			return rc;
	}
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
		if (!rc && net_stream_read(p, in, len, d->lo[w + 1] - d->lo[w], s->err, sizeof(s->err)))
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
