/*
 * A pthread pool made once and reused for every phase: a job is one function over index
 * ranges, claimed in chunks from an atomic counter; each worker thread keeps its own
 * scratch; the first error wins. Below it, the hooks the two thread strategies share.
 */
#ifndef EVOPAR_THREADPOOL_H
#define EVOPAR_THREADPOOL_H

#include <stddef.h>

#include "strategies/strategy.h"
#include "strategies/common/balance.h"

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

/*
 * A job with its schedule: claims of `chunk` items, or with chunk 0 guided claims that
 * shrink as work runs out (each takes 1/(2 x workers) of what is left, counted in `prefix`
 * where given: prefix[k] is the cost of the first k items in claim order, n + 1 of them).
 * With `order`, the items are claimed in that order (order[k] is the k-th item) and fn is
 * called on one item at a time; without it, in index order and on whole claims.
 */
struct pool_job {
	pool_range_fn fn;
	void *ctx;
	int n;
	int chunk;                 /* items per claim; 0: guided */
	const int *order;          /* claim order, or NULL */
	const double *prefix;      /* guided: cumulative cost in claim order, or NULL: per item */
};
int threadpool_run_job(struct threadpool *tp, const struct pool_job *job, char *err,
		       size_t errlen);

/* each worker's busy time on the last job (wall ms from its first claim to the end of its
   last item); workers of them */
void threadpool_busy_ms(const struct threadpool *tp, double *ms);

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
	int eval_chunk;        /* the same in evaluate; 0: guided */
	int *order;            /* evaluate's claim order by predicted cost (--assign cost) */
	double *cost;          /* per network, then the prefix of the order: pop + 1 */
	struct balance_key *keys;   /* sorting scratch */
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
