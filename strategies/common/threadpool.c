/*
 * The thread pool behind `threads` and `thread-limited`: threads started once, asleep on a
 * condition variable between jobs (after a short spin where they fit in the cores),
 * claiming chunks of a job from an atomic counter.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc/clock.h"
#include "strategies/common/threadpool.h"

struct pool_worker {
	struct threadpool *pool;
	pthread_t thread;
	int id;
	long tid;                  /* kernel thread id, for error reports */
	struct scratch scratch;    /* this thread's alone, kept across jobs */
	double spin_s;             /* how long its wait for a job spins first (proc_spin_budget_s) */
	double busy_s;             /* wall time on the current job, from its first claim to
				      the end of its last item */
	char err[POOL_ERRLEN];     /* what fn said when it failed */
};

struct threadpool {
	pthread_mutex_t lock;
	pthread_cond_t work;       /* a job was posted, or the pool is closing */
	pthread_cond_t done;       /* the last worker finished the job */
	/* changed under lock; atomic so that a waiter may spin on them before it takes it */
	atomic_ulong job_seq;      /* bumped by each job; a worker runs each number once */
	atomic_int active;         /* workers still on the current job */
	atomic_int closing;
	double spin_s;             /* how long the main thread's wait spins first */

	/* the current job: written under lock before job_seq moves, constant until done */
	struct pool_job job;
	atomic_long next;          /* first item not yet claimed; long, so overshoot can't wrap */

	/* the error slot: the worker whose compare-and-swap sets err_rc writes the rest */
	atomic_int err_rc;
	int err_worker;
	long err_tid;
	char err[POOL_ERRLEN];

	int n_workers;
	int started;               /* threads created so far, the ones to join */
	struct pool_worker w[];
};

/* Record a failure unless another worker's came first; later ones are dropped. */
static void pool_fail(struct threadpool *tp, struct pool_worker *w, int rc, int lo, int hi)
{
	int expected = 0;

	if (!atomic_compare_exchange_strong(&tp->err_rc, &expected, rc))
		return;
	tp->err_worker = w->id;
	tp->err_tid = w->tid;
	/* the precision keeps room for the prefix: fn's message is cut, never the numbers */
	snprintf(tp->err, sizeof(tp->err), "worker thread %d, items [%d, %d): %.180s",
		 w->id, lo, hi, w->err[0] ? w->err : strerror(-rc));
}

/* The next claim [*lo, *hi) of the job; 0 when none is left. */
static int pool_claim(struct threadpool *tp, long *lo, long *hi)
{
	long n = tp->job.n;

	/* relaxed: the counter only has to hand each item out once; the job's data and
	 * results are ordered by the lock taken around each job */
	if (tp->job.chunk > 0) {
		*lo = atomic_fetch_add_explicit(&tp->next, tp->job.chunk, memory_order_relaxed);
		*hi = *lo + tp->job.chunk < n ? *lo + tp->job.chunk : n;
		return *lo < n;
	}
	*lo = atomic_load_explicit(&tp->next, memory_order_relaxed);
	do {
		if (*lo >= n)
			return 0;
		*hi = balance_guided_end(tp->job.prefix, n, *lo, tp->n_workers);
	} while (!atomic_compare_exchange_weak_explicit(&tp->next, lo, *hi, memory_order_relaxed,
							memory_order_relaxed));
	return 1;
}

/* fn over the claim: the range itself, or item by item in the job's order */
static int pool_call(struct threadpool *tp, struct pool_worker *w, long lo, long hi, int *bad)
{
	const struct pool_job *j = &tp->job;
	long k;
	int rc;

	if (!j->order) {
		*bad = (int)lo;
		return j->fn(j->ctx, &w->scratch, (int)lo, (int)hi, w->err, sizeof(w->err));
	}
	for (k = lo; k < hi; k++) {
		*bad = j->order[k];
		rc = j->fn(j->ctx, &w->scratch, j->order[k], j->order[k] + 1, w->err, sizeof(w->err));
		if (rc)
			return rc;
	}
	return 0;
}

/* Claim until none is left or some worker has failed. */
static void pool_claim_all(struct pool_worker *w)
{
	struct threadpool *tp = w->pool;
	long lo, hi;
	int rc, bad = 0;

	for (;;) {
		if (atomic_load_explicit(&tp->err_rc, memory_order_relaxed))
			return;
		if (!pool_claim(tp, &lo, &hi))
			return;
		w->err[0] = 0;
		rc = pool_call(tp, w, lo, hi, &bad);
		if (rc) {
			/* an ordered claim names the one item that failed */
			if (tp->job.order) {
				lo = bad;
				hi = bad + 1;
			}
			pool_fail(tp, w, rc, (int)lo, (int)hi);
			return;
		}
	}
}

/*
 * The worker's part of a job. Its busy time runs from its first claim to the end of its
 * last item: a worker that ran out of work while another still had some shows as less busy,
 * which is what the imbalance is to tell.
 */
static void pool_worker_job(struct pool_worker *w)
{
	double t = proc_now_s();

	pool_claim_all(w);
	w->busy_s = proc_now_s() - t;
}

/* A worker's head start on waiting for the job after `seen`, with the lock released: the
   wait under the lock that follows decides, so a spin changes only how soon it ends. */
static void spin_for_job(struct pool_worker *w, unsigned long seen)
{
	struct threadpool *tp = w->pool;
	double end = proc_now_s() + w->spin_s;

	pthread_mutex_unlock(&tp->lock);
	while (atomic_load_explicit(&tp->job_seq, memory_order_relaxed) == seen &&
	       !atomic_load_explicit(&tp->closing, memory_order_relaxed) && proc_now_s() < end)
		proc_cpu_relax();
	pthread_mutex_lock(&tp->lock);
}

/* the main thread's, on waiting for the workers to finish the job */
static void spin_for_done(struct threadpool *tp)
{
	double end = proc_now_s() + tp->spin_s;

	pthread_mutex_unlock(&tp->lock);
	while (atomic_load_explicit(&tp->active, memory_order_relaxed) > 0 && proc_now_s() < end)
		proc_cpu_relax();
	pthread_mutex_lock(&tp->lock);
}

static void *pool_worker_main(void *arg)
{
	struct pool_worker *w = arg;
	struct threadpool *tp = w->pool;
	unsigned long seen = 0;

	w->tid = (long)syscall(SYS_gettid);
	pthread_mutex_lock(&tp->lock);
	for (;;) {
		while (tp->job_seq == seen && !tp->closing)
			pthread_cond_wait(&tp->work, &tp->lock);
		if (tp->closing)
			break;
		seen = tp->job_seq;
		pthread_mutex_unlock(&tp->lock);
		pool_worker_job(w);
		pthread_mutex_lock(&tp->lock);
		if (--tp->active == 0)
			pthread_cond_signal(&tp->done);
		if (w->spin_s > 0)
			spin_for_job(w, seen);
	}
	pthread_mutex_unlock(&tp->lock);
	return NULL;
}

/* Wake every worker to end, join those that were started, free everything. */
void threadpool_destroy(struct threadpool *tp)
{
	int i;

	if (!tp)
		return;
	pthread_mutex_lock(&tp->lock);
	tp->closing = 1;
	pthread_cond_broadcast(&tp->work);
	pthread_mutex_unlock(&tp->lock);
	for (i = 0; i < tp->started; i++)
		pthread_join(tp->w[i].thread, NULL);
	for (i = 0; i < tp->n_workers; i++)
		scratch_release(&tp->w[i].scratch);
	pthread_cond_destroy(&tp->done);
	pthread_cond_destroy(&tp->work);
	pthread_mutex_destroy(&tp->lock);
	free(tp);
}

/* Start the threads with every signal blocked, so that the stop signals reach the main
 * thread, where the harness handles them, and never interrupt a worker. */
static int pool_start_threads(struct threadpool *tp, char *err, size_t errlen)
{
	sigset_t all, old;
	int rc = 0;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (tp->started = 0; tp->started < tp->n_workers; tp->started++) {
		rc = -pthread_create(&tp->w[tp->started].thread, NULL, pool_worker_main,
				     &tp->w[tp->started]);
		if (rc) {
			snprintf(err, errlen, "thread pool: starting worker thread %d of %d: %s",
				 tp->started, tp->n_workers, strerror(-rc));
			break;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int threadpool_create(struct threadpool **out, int workers, char *err, size_t errlen)
{
	struct threadpool *tp;
	int i, rc = -ENOMEM;

	*out = NULL;
	if (workers < 1) {
		snprintf(err, errlen, "thread pool: %d workers; need at least 1", workers);
		return -EINVAL;
	}
	tp = calloc(1, sizeof(*tp) + (size_t)workers * sizeof(tp->w[0]));
	if (!tp) {
		snprintf(err, errlen, "thread pool of %d workers: out of memory", workers);
		return -ENOMEM;
	}
	tp->n_workers = workers;
	tp->err_worker = -1;
	/* the main thread waits on the workers and they on it */
	tp->spin_s = proc_spin_budget_s(0, workers);
	atomic_init(&tp->job_seq, 0);
	atomic_init(&tp->active, 0);
	atomic_init(&tp->closing, 0);
	atomic_init(&tp->next, 0);
	atomic_init(&tp->err_rc, 0);
	for (i = 0; i < workers; i++) {
		tp->w[i].pool = tp;
		tp->w[i].id = i;
		tp->w[i].spin_s = proc_spin_budget_s(i + 1, workers);
	}
	rc = -pthread_mutex_init(&tp->lock, NULL);
	if (rc)
		goto free_pool;
	rc = -pthread_cond_init(&tp->work, NULL);
	if (rc)
		goto destroy_lock;
	rc = -pthread_cond_init(&tp->done, NULL);
	if (rc)
		goto destroy_work;
	rc = pool_start_threads(tp, err, errlen);
	if (rc) {
		/* the threads already started are waiting for work: destroy joins them */
		threadpool_destroy(tp);
		return rc;
	}
	*out = tp;
	return 0;

destroy_work:
	pthread_cond_destroy(&tp->work);
destroy_lock:
	pthread_mutex_destroy(&tp->lock);
free_pool:
	snprintf(err, errlen, "thread pool: %s", strerror(-rc));
	free(tp);
	return rc;
}

int threadpool_run_job(struct threadpool *tp, const struct pool_job *job, char *err,
		       size_t errlen)
{
	int rc;

	if (job->n <= 0)
		return 0;
	pthread_mutex_lock(&tp->lock);
	tp->job = *job;
	if (tp->job.chunk < 0)
		tp->job.chunk = 1;
	atomic_store_explicit(&tp->next, 0, memory_order_relaxed);
	atomic_store_explicit(&tp->err_rc, 0, memory_order_relaxed);
	tp->err_worker = -1;
	tp->err_tid = 0;
	tp->err[0] = 0;
	tp->active = tp->n_workers;
	tp->job_seq++;
	pthread_cond_broadcast(&tp->work);
	if (tp->spin_s > 0)
		spin_for_done(tp);
	while (tp->active > 0)
		pthread_cond_wait(&tp->done, &tp->lock);
	rc = atomic_load_explicit(&tp->err_rc, memory_order_relaxed);
	if (rc)
		snprintf(err, errlen, "%s", tp->err);
	pthread_mutex_unlock(&tp->lock);
	return rc;
}

int threadpool_run(struct threadpool *tp, pool_range_fn fn, void *ctx, int n, int chunk,
		   char *err, size_t errlen)
{
	struct pool_job job = { .fn = fn, .ctx = ctx, .n = n, .chunk = chunk < 1 ? 1 : chunk };

	return threadpool_run_job(tp, &job, err, errlen);
}

void threadpool_busy_ms(const struct threadpool *tp, double *ms)
{
	int i;

	for (i = 0; i < tp->n_workers; i++)
		ms[i] = tp->w[i].busy_s * 1e3;
}

void threadpool_error_origin(const struct threadpool *tp, int *worker, long *tid)
{
	*worker = tp->err_worker;
	*tid = tp->err_tid;
}

int threadpool_workers(const struct threadpool *tp)
{
	return tp->n_workers;
}
