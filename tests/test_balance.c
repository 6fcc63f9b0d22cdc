/*
 * Unit tests for strategies/common/balance.c and the balanced schedules of the thread pool:
 * longest-processing-time-first assignment is balanced and deterministic, a preferred worker
 * is kept only within the tolerance, the cost order breaks ties by index, predicted costs
 * follow the parent's steps, persistent's shards give every child one owner (the pool to the
 * lightest, spread by count), and guided or ordered claims hand every item out exactly once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "strategies/common/balance.h"
#include "strategies/common/shards.h"
#include "strategies/common/threadpool.h"

#define N_MAX 512

/* order, then LPT over the costs; the loads out */
static void lpt(const double *cost, int n, int workers, const int *prefer, double tol, int *owner,
		double *load)
{
	static struct balance_key keys[N_MAX];
	static int order[N_MAX];

	balance_order(cost, n, keys, order);
	balance_lpt(cost, order, n, workers, prefer, tol, owner, load);
}

static double max_of(const double *x, int n)
{
	double m = 0;
	int i;

	for (i = 0; i < n; i++)
		if (x[i] > m)
			m = x[i];
	return m;
}

/* A skewed population: a few networks that balance the pole for long, most that fail at once. */
static void skewed_costs(double *cost, int n, unsigned seed)
{
	int i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		cost[i] = (seed >> 16) % 10 == 0 ? 500.0 + (seed >> 8) % 500 : 1.0 + (seed >> 12) % 5;
	}
}

/* LPT's bound: the largest load is at most the mean load plus the largest single item */
static void test_lpt_is_balanced(void **state)
{
	static const int sizes[] = { 7, 50, 200, 500 };
	static const int workers[] = { 2, 3, 7, 16 };
	double cost[N_MAX], load[16], total, max_item;
	int owner[N_MAX], a, b, i;

	(void)state;
	for (a = 0; a < 4; a++)
		for (b = 0; b < 4; b++) {
			int n = sizes[a], w = workers[b];

			skewed_costs(cost, n, (unsigned)(n * 31 + w));
			lpt(cost, n, w, NULL, 0, owner, load);
			for (i = 0, total = 0; i < n; i++) {
				assert_in_range(owner[i], 0, w - 1);
				total += cost[i];
			}
			max_item = max_of(cost, n);
			assert_true(max_of(load, w) <= total / w + max_item + 1e-9);
			/* and what the loads say is what was assigned */
			for (i = 0; i < w; i++) {
				double sum = 0;
				int k;

				for (k = 0; k < n; k++)
					sum += owner[k] == i ? cost[k] : 0;
				assert_true(sum == load[i]);
			}
		}
}

/* costs that split evenly are split evenly: 8 7 6 5 4 3 2 1 over two workers, 18 each */
static void test_lpt_even_split(void **state)
{
	double cost[8] = { 3, 8, 1, 6, 5, 4, 7, 2 }, load[2];
	int owner[8];

	(void)state;
	lpt(cost, 8, 2, NULL, 0, owner, load);
	assert_true(load[0] == 18 && load[1] == 18);
	assert_true(balance_imbalance(load, 2) == 1.0);
}

/* the same costs give the same assignment; equal costs go in index order, lowest worker first */
static void test_lpt_is_deterministic(void **state)
{
	double cost[N_MAX], load[4], equal[6] = { 1, 1, 1, 1, 1, 1 };
	int a[N_MAX], b[N_MAX], i;

	(void)state;
	skewed_costs(cost, 300, 7);
	lpt(cost, 300, 4, NULL, 0, a, load);
	lpt(cost, 300, 4, NULL, 0, b, load);
	assert_memory_equal(a, b, 300 * sizeof(int));
	lpt(equal, 6, 3, NULL, 0, a, load);
	for (i = 0; i < 6; i++)
		assert_int_equal(a[i], i % 3);
}

/* a child stays on its parent's worker only while that worker is within tol of the least */
static void test_lpt_prefer_within_tolerance(void **state)
{
	double cost[6] = { 1, 1, 1, 1, 1, 1 }, load[2];
	int prefer[6] = { 0, 0, 0, 0, 0, 0 }, owner[6], i, on0 = 0;

	(void)state;
	lpt(cost, 6, 2, prefer, 1.0, owner, load);
	for (i = 0; i < 6; i++)
		on0 += owner[i] == 0;
	/* worker 0 takes children while it leads by at most 1: 4 of 6, loads 4 and 2 */
	assert_int_equal(on0, 4);
	assert_true(load[0] - load[1] <= 1.0 + 1.0);
	lpt(cost, 6, 2, prefer, 0.0, owner, load);
	assert_true(load[0] == 3 && load[1] == 3);
	/* a huge tolerance keeps every child where its parent is */
	lpt(cost, 6, 2, prefer, 1e9, owner, load);
	assert_true(load[0] == 6);
}

static void test_order_ties_by_index(void **state)
{
	double cost[6] = { 2, 5, 2, 9, 5, 0 };
	struct balance_key keys[6];
	int order[6], want[6] = { 3, 1, 4, 0, 2, 5 };

	(void)state;
	balance_order(cost, 6, keys, order);
	assert_memory_equal(order, want, sizeof(want));
}

/* pole: a parent that survived longer predicts a costlier child; xor: size only */
static void test_net_cost(void **state)
{
	struct evo_config cfg;

	(void)state;
	evo_config_defaults(&cfg);
	cfg.task = TASK_POLE;
	assert_true(balance_net_cost(&cfg, 1.0, 10) > 100 * balance_net_cost(&cfg, 0.0, 10));
	assert_true(balance_net_cost(&cfg, 0.5, 20) > balance_net_cost(&cfg, 0.5, 10));
	assert_true(balance_net_cost(&cfg, 0.0, 10) > 0);
	cfg.task = TASK_XOR;
	assert_true(balance_net_cost(&cfg, 1.0, 10) == balance_net_cost(&cfg, 0.0, 10));
	assert_true(balance_imbalance((double[]){ 3, 1 }, 2) == 1.5);
	assert_true(balance_imbalance((double[]){ 0, 0 }, 2) == 1.0);
}

/* every child one owner, the lists agree with the owners, the pool is the lightest, spread */
static void test_shards_assign(void **state)
{
	static struct child_plan plan[200];
	struct shards sh, again;
	int i, w, n = 200, workers = 2, seen[200] = { 0 }, pooled[2] = { 0 };

	(void)state;
	assert_int_equal(shards_init(&sh, n, workers, 1, 1), 0);
	assert_int_equal(shards_init(&again, n, workers, 1, 1), 0);
	skewed_costs(sh.cost, n, 11);
	memcpy(again.cost, sh.cost, sizeof(double) * (size_t)n);
	for (i = 0; i < n; i++)
		plan[i] = (struct child_plan){ .a = (i * 7) % n, .b = -1 };
	shards_assign(&sh, plan, 1, 1);
	shards_assign(&again, plan, 1, 1);
	assert_memory_equal(sh.next_owner, again.next_owner, sizeof(int) * (size_t)n);
	assert_int_equal(sh.n_pool, n / 2);
	for (w = 0; w < workers; w++)
		for (i = 0; i < next_shard_size(&sh, w); i++) {
			int c = next_shard_of(&sh, w)[i];

			assert_int_equal(sh.next_owner[c], w);
			assert_true(i == 0 || c > next_shard_of(&sh, w)[i - 1]);
			seen[c]++;
		}
	for (i = 0; i < n; i++)
		assert_int_equal(seen[i], 1);
	for (i = 0; i < sh.n_pool; i++) {
		int c = sh.pool[i], j;

		assert_true(sh.in_pool[c]);
		assert_true(i == 0 || sh.cost[sh.pool[i - 1]] >= sh.cost[c]);
		pooled[sh.next_owner[c]]++;
		for (j = 0; j < n; j++)
			assert_true(sh.in_pool[j] || sh.cost[j] >= sh.cost[c]);
	}
	/* spread by count: within a quarter of a worker's share of the pool, and one */
	assert_true(abs(pooled[0] - pooled[1]) <= sh.n_pool / (4 * workers) + 1);
	/* --assign index: every child on its index's worker, no pool */
	shards_swap(&sh);
	shards_assign(&sh, plan, 0, 1);
	assert_int_equal(sh.n_pool, 0);
	assert_memory_equal(sh.next_owner, sh.owner, sizeof(int) * (size_t)n);
	shards_release(&sh);
	shards_release(&again);
}

/* how often each item came, and whether fn was ever called on more than one ordered item */
struct hits_job {
	atomic_int hits[N_MAX];
	atomic_int wide;
};

static int hits_range(void *ctx, struct scratch *scratch, int lo, int hi, char *err, size_t errlen)
{
	struct hits_job *j = ctx;
	int i;

	(void)scratch;
	(void)err;
	(void)errlen;
	if (hi - lo != 1)
		atomic_fetch_add(&j->wide, 1);
	for (i = lo; i < hi; i++)
		atomic_fetch_add(&j->hits[i], 1);
	return 0;
}

/* guided (uniform and by cost), ordered and not: every item once; busy times measured */
static void test_pool_schedules_cover_once(void **state)
{
	static struct hits_job j;
	static int order[N_MAX];
	static double cost[N_MAX], prefix[N_MAX + 1];
	static struct balance_key keys[N_MAX];
	static const int workers[] = { 1, 2, 3, 7 }, chunks[] = { 0, 1, 5 };
	double busy[8];
	char err[POOL_ERRLEN];
	int a, b, mode, i, n = 333;

	(void)state;
	skewed_costs(cost, n, 3);
	balance_order(cost, n, keys, order);
	for (i = 0, prefix[0] = 0; i < n; i++)
		prefix[i + 1] = prefix[i] + keys[i].cost;
	for (a = 0; a < 4; a++) {
		struct threadpool *tp;

		assert_int_equal(threadpool_create(&tp, workers[a], err, sizeof(err)), 0);
		for (b = 0; b < 3; b++)
			for (mode = 0; mode < 3; mode++) {
				struct pool_job job = { .fn = hits_range, .ctx = &j, .n = n,
							.chunk = chunks[b] };

				if (mode > 0)
					job.order = order;
				if (mode > 1)
					job.prefix = prefix;
				memset(&j, 0, sizeof(j));
				assert_int_equal(threadpool_run_job(tp, &job, err, sizeof(err)), 0);
				for (i = 0; i < N_MAX; i++)
					assert_int_equal(atomic_load(&j.hits[i]), i < n ? 1 : 0);
				if (mode > 0)
					assert_int_equal(atomic_load(&j.wide), 0);
				threadpool_busy_ms(tp, busy);
				for (i = 0; i < workers[a]; i++)
					assert_true(busy[i] >= 0);
			}
		threadpool_destroy(tp);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lpt_is_balanced),
		cmocka_unit_test(test_lpt_even_split),
		cmocka_unit_test(test_lpt_is_deterministic),
		cmocka_unit_test(test_lpt_prefer_within_tolerance),
		cmocka_unit_test(test_order_ties_by_index),
		cmocka_unit_test(test_net_cost),
		cmocka_unit_test(test_shards_assign),
		cmocka_unit_test(test_pool_schedules_cover_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
