/*
 * threads: every phase on a pool of --workers threads made once at open, networks claimed
 * in chunks from an atomic counter and worked on in place (no copies, nothing serialised).
 * By default evaluate claims networks by predicted cost, longest first, in guided claims
 * that shrink as work runs out, so that no worker idles while work is left.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "strategies/common/threadpool.h"

static struct threads_data *threads_of(struct strategy *s)
{
	return s->data;
}

/*
 * --chunk N: N networks per claim in every phase. --chunk 0: pop/workers rounded up (at most
 * `workers` claims, a remainder riding with the others) for mutate, prepare and resample,
 * whose cost per network is near equal and small; evaluate, whose cost varies 1000x, gets
 * guided claims under --assign cost (eval_chunk 0) and the same split under --assign index.
 */
static int threads_chunk(const struct strategy_config *cfg, int n, int workers)
{
	if (cfg->chunk > 0)
		return cfg->chunk;
	return n > workers ? (n + workers - 1) / workers : 1;
}

/* the arrays evaluate orders networks with, by predicted cost (--assign cost only) */
static int threads_alloc_order(struct threads_data *d, int n)
{
	d->order = malloc((size_t)n * sizeof(*d->order));
	d->cost = malloc((size_t)(n + 1) * sizeof(*d->cost));
	d->keys = malloc((size_t)n * sizeof(*d->keys));
	return d->order && d->cost && d->keys ? 0 : -ENOMEM;
}

static void threads_free(struct threads_data *d)
{
	free(d->order);
	free(d->cost);
	free(d->keys);
	free(d);
}

/* Pool of `workers` threads; blas_restore is a BLAS count for close to put back, or 0. */
int threads_start(struct strategy *s, struct population *p, int workers, int blas_restore)
{
	struct threads_data *d = calloc(1, sizeof(*d));
	int rc;

	if (!d || (s->cfg->assign == ASSIGN_COST && threads_alloc_order(d, p->n))) {
		if (d)
			threads_free(d);
		snprintf(s->err, sizeof(s->err), "%s: out of memory", s->ops->name);
		return -ENOMEM;
	}
	rc = threadpool_create(&d->pool, workers, s->err, sizeof(s->err));
	if (rc) {
		threads_free(d);
		return rc;
	}
	d->workers = workers;
	s->workers = workers;
	d->chunk = threads_chunk(s->cfg, p->n, workers);
	d->eval_chunk = !s->cfg->chunk && s->cfg->assign == ASSIGN_COST ? 0 : d->chunk;
	d->blas_threads = openblas_get_num_threads();
	d->blas_restore = blas_restore;
	s->data = d;
	return 0;
}

void threads_close(struct strategy *s)
{
	struct threads_data *d = threads_of(s);

	if (!d)
		return;
	threadpool_destroy(d->pool);
	if (d->blas_restore > 0)
		openblas_set_num_threads(d->blas_restore);
	threads_free(d);
	s->data = NULL;
}

/*
 * Evaluate's claim order: networks by predicted cost, largest first, and the cumulative
 * cost along it for guided claims. The order changes only who evaluates what, never a result.
 */
static void order_by_cost(struct threads_data *d, struct population *p, struct pool_job *job)
{
	int k;

	balance_predict(p, d->cost);
	balance_order(d->cost, p->n, d->keys, d->order);
	d->cost[0] = 0;
	for (k = 0; k < p->n; k++)
		d->cost[k + 1] = d->cost[k] + d->keys[k].cost;
	job->order = d->order;
	job->prefix = d->cost;
}

/* Run one phase's range function over the whole population; name the phase on failure. */
static int threads_phase(struct strategy *s, struct population *p, int phase, pool_range_fn fn)
{
	struct threads_data *d = threads_of(s);
	struct pool_job job = { .fn = fn, .ctx = p, .n = p->n,
				.chunk = phase == PHASE_EVALUATE ? d->eval_chunk : d->chunk };
	double busy[STRATEGY_MAX_WORKERS];
	char err[POOL_ERRLEN];
	int rc, w;

	if (phase == PHASE_EVALUATE && d->order)
		order_by_cost(d, p, &job);
	rc = threadpool_run_job(d->pool, &job, err, sizeof(err));
	if (rc) {
		snprintf(s->err, sizeof(s->err), "%s: %s", phase_names[phase], err);
		threadpool_error_origin(d->pool, &s->fail_worker, &s->fail_pid);
		return rc;
	}
	threadpool_busy_ms(d->pool, busy);
	for (w = 0; w < d->workers; w++)
		s->busy_ms[phase][w] += busy[w];
	return 0;
}

static int mutate_range(void *ctx, struct scratch *scratch, int lo, int hi, char *err,
			size_t errlen)
{
	(void)scratch;
	(void)err;
	(void)errlen;
	engine_mutate_range(ctx, lo, hi);
	return 0;
}

static int prepare_range(void *ctx, struct scratch *scratch, int lo, int hi, char *err,
			 size_t errlen)
{
	(void)err;
	(void)errlen;
	return engine_prepare_range(ctx, scratch, lo, hi);
}

static int evaluate_range(void *ctx, struct scratch *scratch, int lo, int hi, char *err,
			  size_t errlen)
{
	(void)err;
	(void)errlen;
	return engine_evaluate_range(ctx, scratch, lo, hi);
}

/* Children only read p->nets and p->plan and each writes its own p->next[i]. */
static int children_range(void *ctx, struct scratch *scratch, int lo, int hi, char *err,
			  size_t errlen)
{
	(void)scratch;
	(void)err;
	(void)errlen;
	return engine_build_children(ctx, lo, hi);
}

int threads_mutate(struct strategy *s, struct population *p)
{
	return threads_phase(s, p, PHASE_MUTATE, mutate_range);
}

int threads_prepare(struct strategy *s, struct population *p)
{
	return threads_phase(s, p, PHASE_PREPARE, prepare_range);
}

int threads_evaluate(struct strategy *s, struct population *p)
{
	return threads_phase(s, p, PHASE_EVALUATE, evaluate_range);
}

/* The swap waits for the last child: threadpool_run returns only when every chunk is done. */
int threads_resample(struct strategy *s, struct population *p)
{
	int rc = threads_phase(s, p, PHASE_RESAMPLE, children_range);

	if (rc)
		return rc;
	population_swap(p);
	return 0;
}

static int threads_open(struct strategy *s, struct population *p)
{
	return threads_start(s, p, s->cfg->workers, 0);
}

const struct strategy_ops strategy_threads = {
	.name = "threads",
	.summary = "a pthread pool made once; dynamic chunks from an atomic counter, no copies",
	.open = threads_open,
	.mutate = threads_mutate,
	.prepare = threads_prepare,
	.evaluate = threads_evaluate,
	.resample = threads_resample,
	.close = threads_close,
};
