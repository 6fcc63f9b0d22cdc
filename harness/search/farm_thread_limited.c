/*
 * Trial backend `thread-limited`: `persistent`'s queue of worker processes, each with OpenBLAS
 * pinned to one thread (openblas_set_num_threads(1) in the worker), so --jobs processes never
 * run more than --jobs BLAS threads between them. The summary says so (worker_blas_threads).
 */
#include "harness/search/farm_procs.h"

static int thread_limited_run(struct farm *f)
{
	return farm_procs_queue(f, "thread-limited", 1);
}

const struct farm_ops farm_thread_limited = {
	.name = "thread-limited",
	.summary = "persistent's worker processes with OpenBLAS pinned to one thread in each",
	.run = thread_limited_run,
};
