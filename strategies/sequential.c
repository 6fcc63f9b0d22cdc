/*
 * sequential: the four phases as plain loops in the main process. The reference every
 * speedup is measured against, and the digest every other strategy must reproduce.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strategies/common/blas.h"
#include "strategies/strategy.h"

struct seq_data {
	struct scratch scratch;
};

/*
 * One core: OpenBLAS pinned to one thread and its idle pool ended, unless --blas-threads
 * asked for a count (run.c set it); meta, written after open, records the count. Close
 * leaves it pinned: putting a count back would start the pool, spinning, at the run's end.
 */
static int seq_open(struct strategy *s, struct population *p)
{
	(void)p;
	s->workers = 1;
	s->data = calloc(1, sizeof(struct seq_data));
	if (!s->data) {
		snprintf(s->err, sizeof(s->err), "sequential: out of memory");
		return -ENOMEM;
	}
	if (!s->cfg->blas_threads)
		blas_pin_one();
	return 0;
}

static void seq_close(struct strategy *s)
{
	struct seq_data *d = s->data;

	if (d)
		scratch_release(&d->scratch);
	free(d);
	s->data = NULL;
}

static struct scratch *seq_scratch(struct strategy *s)
{
	return &((struct seq_data *)s->data)->scratch;
}

static int phase_error(struct strategy *s, const char *phase, int rc)
{
	snprintf(s->err, sizeof(s->err), "%s: %s", phase, strerror(-rc));
	return rc;
}

int sequential_mutate(struct strategy *s, struct population *p)
{
	(void)s;
	engine_mutate_range(p, 0, p->n);
	return 0;
}

int sequential_prepare(struct strategy *s, struct population *p)
{
	int rc = engine_prepare_range(p, seq_scratch(s), 0, p->n);

	return rc ? phase_error(s, "prepare", rc) : 0;
}

int sequential_evaluate(struct strategy *s, struct population *p)
{
	int rc = engine_evaluate_range(p, seq_scratch(s), 0, p->n);

	return rc ? phase_error(s, "evaluate", rc) : 0;
}

int sequential_resample(struct strategy *s, struct population *p)
{
	int rc = engine_build_children(p, 0, p->n);

	if (rc)
		return phase_error(s, "resample", rc);
	population_swap(p);
	return 0;
}

const struct strategy_ops strategy_sequential = {
	.name = "sequential",
	.summary = "plain loops in one process; the reference for digests and speedups",
	.open = seq_open,
	.mutate = sequential_mutate,
	.prepare = sequential_prepare,
	.evaluate = sequential_evaluate,
	.resample = sequential_resample,
	.close = seq_close,
};
