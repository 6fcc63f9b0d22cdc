/*
 * threads: every phase on a pool of --workers threads made once at open, networks claimed
 * in chunks from an atomic counter and worked on in place (no copies, nothing serialised).
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
 * The default chunk splits the population into at most `workers` claims: pop/workers
 * rounded up, so that a remainder rides with the others instead of making one more,
 * tiny claim that a worker would wake up for.
 */
static int threads_chunk(const struct strategy_config *cfg, int n, int workers)
{
	if (cfg->chunk > 0)
		return cfg->chunk;
	return n > workers ? (n + workers - 1) / workers : 1;
}

/* Pool of `workers` threads; blas_restore is a BLAS count for close to put back, or 0. */
int threads_start(struct strategy *s, struct population *p, int workers, int blas_restore)
{
	struct threads_data *d = calloc(1, sizeof(*d));
	int rc;

	if (!d) {
		snprintf(s->err, sizeof(s->err), "%s: out of memory", s->ops->name);
		return -ENOMEM;
	}
	rc = threadpool_create(&d->pool, workers, s->err, sizeof(s->err));
	if (rc) {
		free(d);
		return rc;
	}
	d->workers = workers;
	s->workers = workers;
	d->chunk = threads_chunk(s->cfg, p->n, workers);
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
	free(d);
	s->data = NULL;
}

/* Run one phase's range function over the whole population; name the phase on failure. */
static int threads_phase(struct strategy *s, struct population *p, const char *phase,
			 pool_range_fn fn)
{
	struct threads_data *d = threads_of(s);
	char err[POOL_ERRLEN];
	int rc = threadpool_run(d->pool, fn, p, p->n, d->chunk, err, sizeof(err));

	if (rc) {
		snprintf(s->err, sizeof(s->err), "%s: %s", phase, err);
		threadpool_error_origin(d->pool, &s->fail_worker, &s->fail_pid);
	}
	return rc;
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
	return threads_phase(s, p, "mutate", mutate_range);
}

int threads_prepare(struct strategy *s, struct population *p)
{
	return threads_phase(s, p, "prepare", prepare_range);
}

int threads_evaluate(struct strategy *s, struct population *p)
{
	return threads_phase(s, p, "evaluate", evaluate_range);
}

/* The swap waits for the last child: threadpool_run returns only when every chunk is done. */
int threads_resample(struct strategy *s, struct population *p)
{
	int rc = threads_phase(s, p, "resample", children_range);

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
