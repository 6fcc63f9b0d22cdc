/*
 * Unit tests for reports/interval.c: a ratio of medians and its bootstrap interval. A fixed
 * ratio between paired arms has a zero-width interval however noisy the rounds; the same data
 * unpaired does not; the interval holds the point; bad samples are refused; the seed decides;
 * the median (stats_median, which the bootstrap and the studies share) is the sorted
 * sample's, ties and even counts included, and 0 of no sample; resampled by whole runs,
 * the interval spans the spread between runs that a sample-by-sample one hides.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "reports/interval.h"
#include "reports/stats.h"

#define N 12

/* round i's load: a factor every arm measured in that round shares */
static double load(int i)
{
	return 1.0 + 0.5 * ((i * 7) % 5);
}

static void test_paired_cancels_shared_load(void **state)
{
	double seq[N], par[N];
	struct ratio_ci p, u;
	int i;

	(void)state;
	for (i = 0; i < N; i++) {
		seq[i] = 20.0 * load(i);
		par[i] = 10.0 * load(i);
	}
	assert_int_equal(boot_paired_ratio(seq, par, N, BOOT_RESAMPLES, BOOT_SEED, &p), 0);
	assert_true(fabs(p.ratio - 2.0) < 1e-12);
	assert_true(fabs(p.lo - 2.0) < 1e-12);
	assert_true(fabs(p.hi - 2.0) < 1e-12);
	assert_int_equal(p.resamples, BOOT_RESAMPLES);
	assert_int_equal(p.n, N);
	assert_int_equal(boot_unpaired_ratio(seq, N, par, N, BOOT_RESAMPLES, BOOT_SEED, &u), 0);
	assert_true(fabs(u.ratio - 2.0) < 1e-12);
	assert_true(u.lo < 1.9 && u.hi > 2.1);           /* the loads no longer cancel */
	assert_int_equal(ratio_ci_side(&p, 1.0), 1);
	assert_int_equal(ratio_ci_side(&p, 3.0), -1);
	assert_int_equal(ratio_ci_side(&u, 2.0), 0);
	assert_true(ratio_ci_rel_halfwidth(&p) < 1e-12);
	assert_true(ratio_ci_rel_halfwidth(&u) > 0.05);
}

static void test_interval_holds_point_and_is_seeded(void **state)
{
	double a[N], b[N];
	struct ratio_ci x, y, z;
	int i;

	(void)state;
	for (i = 0; i < N; i++) {
		a[i] = 10.0 + (i * 37 % 11);
		b[i] = 9.0 + (i * 53 % 13);
	}
	assert_int_equal(boot_paired_ratio(a, b, N, 500, 1, &x), 0);
	assert_int_equal(boot_paired_ratio(a, b, N, 500, 1, &y), 0);
	assert_int_equal(boot_paired_ratio(a, b, N, 500, 2, &z), 0);
	assert_true(x.lo <= x.ratio && x.ratio <= x.hi);
	assert_true(x.lo < x.hi);
	assert_true(x.lo == y.lo && x.hi == y.hi);
	assert_true(x.lo != z.lo || x.hi != z.hi);
	assert_int_equal(ratio_ci_side(&x, x.ratio), 0);
}

static void test_bad_samples(void **state)
{
	double ok[3] = { 1, 2, 3 }, zero[3] = { 1, 0, 3 }, nan[3] = { 1, NAN, 3 };
	struct ratio_ci c;

	(void)state;
	assert_int_equal(boot_paired_ratio(ok, zero, 3, 100, 1, &c), -1);
	assert_true(isnan(c.ratio));
	assert_int_equal(boot_paired_ratio(nan, ok, 3, 100, 1, &c), -1);
	assert_int_equal(boot_paired_ratio(ok, ok, 0, 100, 1, &c), -1);
	assert_int_equal(boot_unpaired_ratio(ok, 3, zero, 3, 100, 1, &c), -1);
	/* one sample: a point, no interval, and no side of any boundary */
	assert_int_equal(boot_paired_ratio(ok, ok + 1, 1, 100, 1, &c), 0);
	assert_true(fabs(c.ratio - 0.5) < 1e-12);
	assert_int_equal(c.resamples, 0);
	assert_int_equal(ratio_ci_side(&c, 0.1), 0);
	assert_true(isinf(ratio_ci_rel_halfwidth(&c)));
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* the median by selection against the median of the sorted copy, on samples with many ties */
static void test_median_matches_sort(void **state)
{
	double x[97], sorted[97], again[97];
	unsigned long long r = 12345;
	int n, i, trial;

	(void)state;
	for (n = 1; n <= 97; n++)
		for (trial = 0; trial < 20; trial++) {
			struct ratio_ci ci;
			double want;

			for (i = 0; i < n; i++) {
				r = r * 6364136223846793005ULL + 1442695040888963407ULL;
				x[i] = 1.0 + (double)((r >> 33) % (trial % 2 ? 5 : 1000));
				sorted[i] = again[i] = x[i];
			}
			qsort(sorted, (size_t)n, sizeof(*sorted), cmp_d);
			want = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
			assert_true(stats_median(again, n) == want);
			assert_int_equal(boot_median(x, n, 50, 7, &ci), 0);
			assert_true(ci.ratio == want);
			assert_true(ci.lo <= ci.ratio && ci.ratio <= ci.hi);
			assert_true(ci.lo >= sorted[0] && ci.hi <= sorted[n - 1]);
		}
	assert_true(stats_median(x, 0) == 0);
}

#define RUNS 5
#define PER_RUN 20

/* run k's samples sit at 10 + k with a small spread inside the run: the runs differ, their
   samples hardly */
static void runs_fixture(double *x)
{
	int k, j;

	for (k = 0; k < RUNS; k++)
		for (j = 0; j < PER_RUN; j++)
			x[k * PER_RUN + j] = 10.0 + k + 0.001 * j;
}

static void test_runs_resampled_whole(void **state)
{
	double x[RUNS * PER_RUN], half[RUNS * PER_RUN];
	struct ratio_ci one, runs, plain, paired;
	int i;

	(void)state;
	runs_fixture(x);
	assert_int_equal(boot_median(x, RUNS * PER_RUN, BOOT_RESAMPLES, BOOT_SEED, &one), 0);
	assert_int_equal(boot_median_runs(x, RUNS * PER_RUN, PER_RUN, BOOT_RESAMPLES, BOOT_SEED, &runs), 0);
	assert_true(runs.ratio == one.ratio);
	assert_int_equal(runs.n, RUNS);
	/* sample by sample the median stays within the middle runs; by runs it reaches the outer */
	assert_true(one.lo > 11.0 && one.hi < 13.0);
	assert_true(runs.lo < 11.1 && runs.hi > 13.0);
	/* run_len 1 is the plain bootstrap, draw for draw */
	assert_int_equal(boot_median_runs(x, RUNS * PER_RUN, 1, BOOT_RESAMPLES, BOOT_SEED, &plain), 0);
	assert_true(plain.lo == one.lo && plain.hi == one.hi && plain.n == one.n);
	/* one run (run_len n): no spread between runs to draw on, so sample by sample */
	assert_int_equal(boot_median_runs(x, RUNS * PER_RUN, RUNS * PER_RUN, BOOT_RESAMPLES, BOOT_SEED, &plain), 0);
	assert_true(plain.lo == one.lo && plain.hi == one.hi);
	/* paired: both arms drawn by the same runs, so a fixed ratio keeps a zero-width interval */
	for (i = 0; i < RUNS * PER_RUN; i++)
		half[i] = x[i] / 2;
	assert_int_equal(boot_paired_ratio_runs(x, half, RUNS * PER_RUN, PER_RUN, BOOT_RESAMPLES, BOOT_SEED,
						&paired), 0);
	assert_true(fabs(paired.lo - 2.0) < 1e-12 && fabs(paired.hi - 2.0) < 1e-12);
	assert_int_equal(paired.n, RUNS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paired_cancels_shared_load),
		cmocka_unit_test(test_interval_holds_point_and_is_seeded),
		cmocka_unit_test(test_bad_samples),
		cmocka_unit_test(test_median_matches_sort),
		cmocka_unit_test(test_runs_resampled_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
