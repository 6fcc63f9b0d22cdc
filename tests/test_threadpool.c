/*
 * Unit tests for strategies/threadpool.c and the thread strategies: every item of a job is
 * handed out exactly once whatever the chunk, each worker keeps its own scratch, the first
 * error wins and stops the claims, and `threads` / `thread-limited` reproduce sequential.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <cblas.h>

#include "strategies/common/threadpool.h"

#define MAX_ITEMS 1000

/*
 * pthread_create, interposed: this definition in the test program wins over the C
 * library's for every caller, the pool included. It counts the threads alive and can be
 * told to fail the Nth call from now, to test a pool whose start fails part-way.
 */
static atomic_int threads_alive;
static atomic_int create_fail_in = -1;     /* calls until one fails with EAGAIN; -1 never */

struct trampoline {
	void *(*fn)(void *);
	void *arg;
};

static void *counted_thread(void *arg)
{
	struct trampoline t = *(struct trampoline *)arg;
	void *ret;

	free(arg);
	ret = t.fn(t.arg);
	atomic_fetch_sub(&threads_alive, 1);
	return ret;
}

int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*fn)(void *),
		   void *arg)
{
	int (*real)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
	struct trampoline *t;
	int rc;

	if (atomic_load(&create_fail_in) >= 0 && atomic_fetch_sub(&create_fail_in, 1) == 0)
		return EAGAIN;
	*(void **)&real = dlsym(RTLD_NEXT, "pthread_create");
	t = malloc(sizeof(*t));
	if (!real || !t) {
		free(t);
		return EAGAIN;
	}
	t->fn = fn;
	t->arg = arg;
	atomic_fetch_add(&threads_alive, 1);
	rc = real(thread, attr, counted_thread, t);
	if (rc) {
		atomic_fetch_sub(&threads_alive, 1);
		free(t);
	}
	return rc;
}

/* What a counting job saw: how often each item came, and how each claim looked. */
struct count_job {
	atomic_int hits[MAX_ITEMS];
	atomic_int calls;
	atomic_int bad_claims;     /* claims not aligned to the chunk, or longer than it */
	int chunk;
};

static int count_range(void *ctx, struct scratch *scratch, int lo, int hi, char *err,
		       size_t errlen)
{
	struct count_job *j = ctx;
	int i;

	(void)scratch;
	(void)err;
	(void)errlen;
	if (lo % j->chunk || hi - lo > j->chunk || hi <= lo)
		atomic_fetch_add(&j->bad_claims, 1);
	for (i = lo; i < hi; i++)
		atomic_fetch_add(&j->hits[i], 1);
	atomic_fetch_add(&j->calls, 1);
	return 0;
}

struct cover_case {
	int workers, n, chunk;
};

/* chunks that do not divide n, chunks larger than n, more workers than chunks */
static const struct cover_case cover_cases[] = {
	{ 1, 50, 7 }, { 2, 50, 7 }, { 3, 50, 7 }, { 7, 50, 7 }, { 2, 50, 25 },
	{ 3, 50, 17 }, { 7, 50, 8 }, { 4, 1, 5 }, { 3, 10, 100 }, { 2, MAX_ITEMS, 1 },
	{ 5, 0, 3 }, { 16, 3, 1 }, { 2, 999, 500 },
};

static void test_ranges_cover_exactly_once(void **state)
{
	static struct count_job j;
	size_t c;
	int rep, i;

	(void)state;
	for (c = 0; c < sizeof(cover_cases) / sizeof(cover_cases[0]); c++) {
		const struct cover_case *k = &cover_cases[c];
		struct threadpool *tp;
		char err[POOL_ERRLEN];

		assert_int_equal(threadpool_create(&tp, k->workers, err, sizeof(err)), 0);
		assert_int_equal(threadpool_workers(tp), k->workers);
		/* the same pool, job after job, as a run uses it */
		for (rep = 0; rep < 5; rep++) {
			memset(&j, 0, sizeof(j));
			j.chunk = k->chunk;
			assert_int_equal(threadpool_run(tp, count_range, &j, k->n, k->chunk, err,
							sizeof(err)), 0);
			for (i = 0; i < MAX_ITEMS; i++)
				assert_int_equal(atomic_load(&j.hits[i]), i < k->n ? 1 : 0);
			assert_int_equal(atomic_load(&j.calls), (k->n + k->chunk - 1) / k->chunk);
			assert_int_equal(atomic_load(&j.bad_claims), 0);
		}
		threadpool_destroy(tp);
	}
}

/* Each claim checks that its scratch was stamped by the thread running it, then stamps it. */
struct scratch_job {
	atomic_int foreign;        /* claims whose scratch another thread had stamped */
	struct scratch *seen[8];   /* the distinct scratch pointers handed out */
	int n_seen;
	pthread_mutex_t lock;
};

static int scratch_range(void *ctx, struct scratch *scratch, int lo, int hi, char *err,
			 size_t errlen)
{
	struct scratch_job *j = ctx;
	pthread_t self = pthread_self(), stamp;
	int k, known = 0;
	uint8_t *buf;

	(void)lo;
	(void)hi;
	(void)err;
	(void)errlen;
	if (scratch->cap >= sizeof(self)) {
		memcpy(&stamp, scratch->buf, sizeof(stamp));
		if (!pthread_equal(stamp, self))
			atomic_fetch_add(&j->foreign, 1);
	}
	buf = scratch_get(scratch, 64);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, &self, sizeof(self));
	pthread_mutex_lock(&j->lock);
	for (k = 0; k < j->n_seen; k++)
		known |= j->seen[k] == scratch;
	if (!known && j->n_seen < 8)
		j->seen[j->n_seen++] = scratch;
	pthread_mutex_unlock(&j->lock);
	return 0;
}

static void test_scratch_is_per_worker_and_kept(void **state)
{
	struct scratch_job j = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct threadpool *tp;
	char err[POOL_ERRLEN];
	int rep;

	(void)state;
	assert_int_equal(threadpool_create(&tp, 3, err, sizeof(err)), 0);
	for (rep = 0; rep < 50; rep++)
		assert_int_equal(threadpool_run(tp, scratch_range, &j, 200, 1, err, sizeof(err)), 0);
	assert_int_equal(atomic_load(&j.foreign), 0);
	assert_in_range(j.n_seen, 1, 3);
	threadpool_destroy(tp);
	pthread_mutex_destroy(&j.lock);
}

/* Fails on the claims that start at 20 (-EIO, with a message) and 40 (-ENOMEM, without). */
static int failing_range(void *ctx, struct scratch *scratch, int lo, int hi, char *err,
			 size_t errlen)
{
	atomic_int *calls = ctx;

	(void)scratch;
	(void)hi;
	atomic_fetch_add(calls, 1);
	if (lo == 20) {
		snprintf(err, errlen, "item %d is bad", lo);
		return -EIO;
	}
	return lo == 40 ? -ENOMEM : 0;
}

static void test_first_error_wins(void **state)
{
	struct threadpool *tp;
	char err[POOL_ERRLEN];
	atomic_int calls = 0;
	int rep, rc, worker;
	long tid;

	(void)state;
	assert_int_equal(threadpool_create(&tp, 3, err, sizeof(err)), 0);
	for (rep = 0; rep < 20; rep++) {
		err[0] = 0;
		rc = threadpool_run(tp, failing_range, &calls, 50, 10, err, sizeof(err));
		assert_true(rc == -EIO || rc == -ENOMEM);
		/* the message is the one of the error returned, never a mix */
		if (rc == -EIO)
			assert_non_null(strstr(err, "items [20, 30): item 20 is bad"));
		else
			assert_non_null(strstr(err, "items [40, 50): Cannot allocate memory"));
		threadpool_error_origin(tp, &worker, &tid);
		assert_in_range(worker, 0, 2);
		assert_true(tid > 0);
	}
	/* a failed job leaves the pool fit for the next one */
	calls = 0;
	assert_int_equal(threadpool_run(tp, failing_range, &calls, 20, 10, err, sizeof(err)), 0);
	assert_int_equal(atomic_load(&calls), 2);
	threadpool_error_origin(tp, &worker, &tid);
	assert_int_equal(worker, -1);
	threadpool_destroy(tp);
}

/* With one worker the claims come in order: a failure must stop the claims after it. */
static void test_error_stops_claims(void **state)
{
	struct threadpool *tp;
	char err[POOL_ERRLEN];
	atomic_int calls = 0;

	(void)state;
	assert_int_equal(threadpool_create(&tp, 1, err, sizeof(err)), 0);
	assert_int_equal(threadpool_run(tp, failing_range, &calls, 100, 1, err, sizeof(err)),
			 -EIO);
	assert_int_equal(atomic_load(&calls), 21);
	threadpool_destroy(tp);
}

static int sum_range(void *ctx, struct scratch *scratch, int lo, int hi, char *err,
		     size_t errlen)
{
	(void)scratch;
	(void)err;
	(void)errlen;
	atomic_fetch_add((atomic_long *)ctx, (long)(hi - lo));
	return 0;
}

/* Many tiny jobs back to back: a lost wake-up would hang here (the runner's timeout). */
/* Jobs back to back at 1, 2 and 3 workers: on 2 CPUs the first spins between jobs, the
   second lets all workers but one spin, the third none (proc_spin_budget_s); each job runs
   once, and a pool destroyed while its workers spin still joins them. */
static void test_many_short_jobs(void **state)
{
	struct threadpool *tp;
	char err[POOL_ERRLEN];
	int rep, workers;

	(void)state;
	for (workers = 1; workers <= 3; workers++) {
		atomic_long sum = 0;

		assert_int_equal(threadpool_create(&tp, workers, err, sizeof(err)), 0);
		for (rep = 0; rep < 20000; rep++)
			assert_int_equal(threadpool_run(tp, sum_range, &sum, 7, 2, err, sizeof(err)), 0);
		assert_int_equal(atomic_load(&sum), 20000L * 7);
		threadpool_destroy(tp);
	}
}

static void test_create_and_destroy_edges(void **state)
{
	struct threadpool *tp = (struct threadpool *)&tp;
	char err[POOL_ERRLEN] = "";

	(void)state;
	assert_int_equal(threadpool_create(&tp, 0, err, sizeof(err)), -EINVAL);
	assert_null(tp);
	assert_non_null(strstr(err, "at least 1"));
	threadpool_destroy(NULL);
	/* a pool that never ran a job still joins its threads */
	assert_int_equal(threadpool_create(&tp, 4, err, sizeof(err)), 0);
	threadpool_destroy(tp);
}

/* The third thread fails to start: open reports it and joins the two that did start. */
static void test_create_fails_part_way(void **state)
{
	struct threadpool *tp;
	char err[POOL_ERRLEN] = "";
	int alive = atomic_load(&threads_alive);

	(void)state;
	atomic_store(&create_fail_in, 2);
	assert_int_equal(threadpool_create(&tp, 4, err, sizeof(err)), -EAGAIN);
	atomic_store(&create_fail_in, -1);
	assert_null(tp);
	assert_non_null(strstr(err, "starting worker thread 2 of 4"));
	assert_int_equal(atomic_load(&threads_alive), alive);
	/* and the same failure through a strategy's open leaves no state behind */
	{
		const struct strategy_ops *ops = strategy_find("threads");
		struct strategy_config cfg;
		struct population p;
		struct strategy s = { .ops = ops, .cfg = &cfg };

		strategy_config_defaults(&cfg);
		cfg.evo.pop = 10;
		cfg.workers = 3;
		assert_int_equal(population_init(&p, &cfg.evo, err, sizeof(err)), 0);
		atomic_store(&create_fail_in, 1);
		assert_int_equal(ops->open(&s, &p), -EAGAIN);
		atomic_store(&create_fail_in, -1);
		assert_null(s.data);
		assert_non_null(strstr(s.err, "starting worker thread 1 of 3"));
		assert_int_equal(atomic_load(&threads_alive), alive);
		population_release(&p);
	}
	/* a pool that ran and closed leaves no thread either */
	assert_int_equal(threadpool_create(&tp, 5, err, sizeof(err)), 0);
	assert_int_equal(atomic_load(&threads_alive), alive + 5);
	threadpool_destroy(tp);
	assert_int_equal(atomic_load(&threads_alive), alive);
}

/* --- the strategies ------------------------------------------------------------------ */

/* The harness's generation loop, without clocks or records; returns the final digest. */
static uint64_t evolve_digest(const struct strategy_config *cfg, const char *strategy)
{
	const struct strategy_ops *ops = strategy_find(strategy);
	struct strategy s = { .ops = ops, .cfg = cfg, .fail_worker = -1 };
	struct population p;
	char err[256];
	uint64_t digest;

	assert_non_null(ops);
	assert_int_equal(population_init(&p, &cfg->evo, err, sizeof(err)), 0);
	assert_int_equal(ops->open(&s, &p), 0);
	for (p.gen = 0; p.gen < cfg->evo.gens; p.gen++) {
		population_begin_generation(&p);
		assert_int_equal(ops->mutate(&s, &p), 0);
		assert_int_equal(ops->prepare(&s, &p), 0);
		assert_int_equal(ops->evaluate(&s, &p), 0);
		engine_select(&p);
		assert_int_equal(ops->resample(&s, &p), 0);
	}
	ops->close(&s);
	assert_null(s.data);
	digest = population_digest(&p);
	population_release(&p);
	return digest;
}

static void small_config(struct strategy_config *cfg, int mode)
{
	strategy_config_defaults(cfg);
	cfg->evo.mode = mode;
	cfg->evo.pop = 50;
	cfg->evo.gens = 5;
	cfg->evo.steps = 100;
}

static void test_strategies_match_sequential(void **state)
{
	static const char *const names[] = { "threads", "thread-limited" };
	static const int workers[] = { 1, 2, 3, 7 };
	static const int chunks[] = { 0, 7, 1, 64 };   /* 50 is no multiple of 7 */
	static const int modes[] = { MODE_DYNAMIC, MODE_STATIC };
	struct strategy_config cfg;
	size_t m, s, w, c;

	(void)state;
	for (m = 0; m < 2; m++) {
		uint64_t want;

		small_config(&cfg, modes[m]);
		want = evolve_digest(&cfg, "sequential");
		for (s = 0; s < 2; s++)
			for (w = 0; w < 4; w++)
				for (c = 0; c < 4; c++) {
					cfg.workers = workers[w];
					cfg.chunk = chunks[c];
					if (evolve_digest(&cfg, names[s]) != want)
						fail_msg("%s, mode %d, %d workers, chunk %d: digest differs",
							 names[s], modes[m], workers[w], chunks[c]);
				}
	}
}

/* The default chunk makes at most `workers` claims: pop/workers rounded up, at least 1. */
static void test_default_chunk(void **state)
{
	static const int cases[][3] = { { 50, 7, 8 }, { 50, 2, 25 }, { 50, 3, 17 }, { 50, 100, 1 } };
	const struct strategy_ops *ops = strategy_find("threads");
	struct strategy_config cfg;
	struct population p;
	char err[256];
	size_t i;

	(void)state;
	small_config(&cfg, MODE_DYNAMIC);
	assert_int_equal(population_init(&p, &cfg.evo, err, sizeof(err)), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strategy s = { .ops = ops, .cfg = &cfg };
		struct threads_data *d;

		cfg.workers = cases[i][1];
		assert_int_equal(ops->open(&s, &p), 0);
		d = s.data;
		assert_int_equal(d->workers, cases[i][1]);
		assert_int_equal(d->chunk, cases[i][2]);
		ops->close(&s);
	}
	population_release(&p);
}

/* thread-limited: workers capped at the online cores, BLAS at 1 during the run and put
 * back afterwards (the count is process-wide, so leaving it would outlive the run). */
static void test_thread_limited_settles(void **state)
{
	const struct strategy_ops *ops = strategy_find("thread-limited");
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	struct strategy_config cfg;
	struct population p;
	struct strategy s = { .ops = ops, .cfg = &cfg };
	struct threads_data *d;
	char err[256];
	int before;

	(void)state;
	small_config(&cfg, MODE_STATIC);
	cfg.workers = 1000;
	openblas_set_num_threads(2);
	before = openblas_get_num_threads();
	assert_int_equal(population_init(&p, &cfg.evo, err, sizeof(err)), 0);
	assert_int_equal(ops->open(&s, &p), 0);
	d = s.data;
	assert_int_equal(d->workers, online > 0 ? online : 1000);
	assert_int_equal(d->blas_threads, 1);
	assert_int_equal(openblas_get_num_threads(), 1);
	ops->close(&s);
	assert_int_equal(openblas_get_num_threads(), before);
	population_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ranges_cover_exactly_once),
		cmocka_unit_test(test_scratch_is_per_worker_and_kept),
		cmocka_unit_test(test_first_error_wins),
		cmocka_unit_test(test_error_stops_claims),
		cmocka_unit_test(test_many_short_jobs),
		cmocka_unit_test(test_create_and_destroy_edges),
		cmocka_unit_test(test_create_fails_part_way),
		cmocka_unit_test(test_strategies_match_sequential),
		cmocka_unit_test(test_default_chunk),
		cmocka_unit_test(test_thread_limited_settles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
