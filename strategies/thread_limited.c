/*
 * thread-limited: `threads` with the pool capped at the online cores and OpenBLAS pinned
 * to one thread, so that no worker's BLAS call starts threads of its own to compete.
 */
#include <unistd.h>

#include <cblas.h>

#include "strategies/common/blas.h"
#include "strategies/common/threadpool.h"

/* More workers than cores only take turns on them; one per online core at most. */
static int limited_workers(int requested)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);

	return online > 0 && requested > online ? (int)online : requested;
}

static int limited_open(struct strategy *s, struct population *p)
{
	int rc, blas_before;

	/*
	 * OpenBLAS keeps one thread count for the whole process, not one per calling thread:
	 * setting it here pins every worker's calls (and any other thread's) until close
	 * puts the old count back. It overrides --blas-threads. The idle pool ends too: its
	 * threads would spin beside the workers at the start (strategies/common/blas.c).
	 */
	blas_before = blas_pin_one();
	rc = threads_start(s, p, limited_workers(s->cfg->workers), blas_before);
	if (rc)
		openblas_set_num_threads(blas_before);
	return rc;
}

const struct strategy_ops strategy_thread_limited = {
	.name = "thread-limited",
	.summary = "threads capped at the online cores, OpenBLAS pinned to one thread",
	.open = limited_open,
	.mutate = threads_mutate,
	.prepare = threads_prepare,
	.evaluate = threads_evaluate,
	.resample = threads_resample,
	.close = threads_close,
};
