/*
 * Unit tests for harness/advise/predict.c on a made-up probe: every strategy at 1..cores is
 * predicted with an interval drawn from the probe's samples, and where the probe had one
 * sample of each configuration there is no interval (not one of width 0).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness/advise/advise.h"

#define ITEMS 10

/* a probe of rounds rounds of one sample each: sequential's phases 1, 0, 8, 1 ms (11 ms in
   all), each strategy 12 ms at 1 worker and 7 at 2, a little apart from round to round */
static struct advise_probe *probe_of(int rounds, double *prefix)
{
	struct advise_probe *pr = calloc(1, sizeof(*pr));
	int r, k, i;

	assert_non_null(pr);
	pr->evo.pop = ITEMS;
	pr->cores = 2;
	pr->gens = 2;
	pr->first = 1;
	pr->stride = 1;
	pr->per_run = 1;
	pr->rounds = rounds;
	pr->n_samples = rounds;
	for (i = 0; i <= ITEMS; i++)
		prefix[i] = 0.8 * i;
	pr->eval_prefix = prefix;
	pr->n_eval = ITEMS;
	pr->machine.cores = 2;
	pr->machine.capacity[0] = 1;
	pr->machine.capacity[1] = 1.9;
	pr->n_strats = model_strategies(pr->strat, ADVISE_MAX_STRATS, 0.005, 0.01, 0.6);
	for (r = 0; r < rounds; r++) {
		double d = 0.1 * r;
		const double seq[ADVISE_SLOTS] = { 1, 0, 8 + d, 1, 11 + d };

		memcpy(pr->seq[r], seq, sizeof(seq));
		for (k = 0; k < pr->n_strats; k++) {
			const double one[ADVISE_SLOTS] = { 1.2, 0, 8.6 + d, 1.2, 12 + d };
			const double two[ADVISE_SLOTS] = { 0.8, 0, 4.6 + d, 0.6, 7 + d };

			memcpy(pr->ms1[k][r], one, sizeof(one));
			memcpy(pr->ms[k][r], two, sizeof(two));
		}
	}
	return pr;
}

/* advise_predict on the probe, which must succeed */
static struct advise_result *predicted(const struct advise_probe *pr)
{
	struct advise_result *res = calloc(1, sizeof(*res));
	char err[256] = "";

	assert_non_null(res);
	assert_int_equal(advise_predict(pr, res, err, sizeof(err)), 0);
	return res;
}

static void test_intervals_from_the_samples(void **state)
{
	double prefix[ITEMS + 1];
	struct advise_probe *pr = probe_of(3, prefix);
	struct advise_result *res = predicted(pr);
	int i;

	(void)state;
	assert_int_equal(res->n, 1 + pr->n_strats * 2);
	for (i = 0; i < res->n; i++) {
		assert_true(isfinite(res->pred[i].ms_lo) && isfinite(res->pred[i].ms_hi));
		assert_true(res->pred[i].ms_lo <= res->pred[i].ms && res->pred[i].ms <= res->pred[i].ms_hi);
		assert_true(isfinite(res->pred[i].sp_lo) && res->pred[i].sp_lo <= res->pred[i].sp_hi);
	}
	/* the reference's median of 11, 11.1 and 11.2 */
	assert_true(fabs(res->pred[0].ms - 11.1) < 1e-9);
	free(res);
	free(pr);
}

static void test_one_sample_no_interval(void **state)
{
	double prefix[ITEMS + 1];
	struct advise_probe *pr = probe_of(1, prefix);
	struct advise_result *res = predicted(pr);
	int i;

	(void)state;
	for (i = 0; i < res->n; i++) {
		assert_true(res->pred[i].ms > 0);
		assert_true(isnan(res->pred[i].ms_lo) && isnan(res->pred[i].ms_hi));
	}
	/* sequential's speedup over itself is 1 exactly; every other has none */
	assert_true(res->pred[0].sp_lo == 1 && res->pred[0].sp_hi == 1);
	for (i = 1; i < res->n; i++)
		assert_true(isnan(res->pred[i].sp_lo) && isnan(res->pred[i].sp_hi));
	free(res);
	free(pr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intervals_from_the_samples),
		cmocka_unit_test(test_one_sample_no_interval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
