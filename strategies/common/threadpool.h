/*
 * A pthread pool made once and reused for every phase: a job is one function over index
 * ranges, claimed in chunks from an atomic counter; each worker thread keeps its own
 * scratch; the first error wins. Below it, the hooks the two thread strategies share.
 */
#ifndef EVOPAR_THREADPOOL_H
#define EVOPAR_THREADPOOL_H

#include <stddef.h>

#include "strategies/strategy.h"

#define POOL_ERRLEN 256

struct threadpool;

/*
 * One job's work over items [lo, hi), run by one worker with that worker's scratch.
 * Returns 0 or a negative errno value; it may leave a message in err (else strerror is used).
 */
typedef int (*pool_range_fn)(void *ctx, struct scratch *scratch, int lo, int hi,
			     char *err, size_t errlen);

/* Start a pool of `workers` threads, idle until a job comes; 0 or -errno with err set. */
int threadpool_create(struct threadpool **out, int workers, char *err, size_t errlen);

/*
 * Run fn over [0, n) in chunks of `chunk` items (the last may be shorter) and return when
 * every worker is done: 0, or the first error of the job with its message in err. The
 * calling thread only waits; it must be the only one posting jobs to this pool.
 */
int threadpool_run(struct threadpool *tp, pool_range_fn fn, void *ctx, int n, int chunk,
		   char *err, size_t errlen);

/* The worker and kernel thread id of the last job's error; -1 and 0 when there was none. */
void threadpool_error_origin(const struct threadpool *tp, int *worker, long *tid);

int threadpool_workers(const struct threadpool *tp);

/* Stop and join every worker, free their scratch and the pool; NULL is fine. */
void threadpool_destroy(struct threadpool *tp);

/*
 * threads.c: the hooks `threads` and `thread-limited` share. s->data is a struct
 * threads_data, which holds what open settled, for the harness to record.
 */
struct threads_data {
	struct threadpool *pool;
	int workers;           /* threads in the pool */
	int chunk;             /* networks per claim */
	int blas_threads;      /* OpenBLAS's (process-wide) thread count during the run */
	int blas_restore;      /* the count to put back at close; 0: leave it alone */
};

int threads_start(struct strategy *s, struct population *p, int workers, int blas_restore);
int threads_mutate(struct strategy *s, struct population *p);
int threads_prepare(struct strategy *s, struct population *p);
int threads_evaluate(struct strategy *s, struct population *p);
int threads_resample(struct strategy *s, struct population *p);
void threads_close(struct strategy *s);

#endif
