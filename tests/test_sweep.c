/*
 * Unit tests for reports/sweep.c and sweep_claims.c: a claim's rule gives each of its words
 * on intervals built for it (and never a verdict without an interval), two configurations
 * are paired by repetition number (report_paired_ratio: failed or missing repetitions left
 * out), the specs exist.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "reports/report.h"
#include "reports/sweep.h"

static const struct sweep_claim claim = { "C9", "X gives 2-4x", "slow", "fast", 2, 4, NULL };

static struct ratio_ci ci(double lo, double mid, double hi, int resamples)
{
	return (struct ratio_ci){ .ratio = mid, .lo = lo, .hi = hi, .n = 5, .resamples = resamples };
}

static void test_claim_words(void **state)
{
	struct ratio_ci c;

	(void)state;
	c = ci(2.1, 3, 3.5, 100);
	assert_string_equal(sweep_claim_word(&claim, &c), "CONFIRMED");
	c = ci(2.0, 3, 3.5, 100);                  /* at the low end counts as reaching it */
	assert_string_equal(sweep_claim_word(&claim, &c), "CONFIRMED");
	c = ci(9, 12, 20, 100);                    /* more than claimed: confirmed too */
	assert_string_equal(sweep_claim_word(&claim, &c), "CONFIRMED");
	c = ci(0.5, 1, 1.9, 100);
	assert_string_equal(sweep_claim_word(&claim, &c), "REFUTED");
	c = ci(1.5, 2.2, 2.8, 100);
	assert_string_equal(sweep_claim_word(&claim, &c), "INCONCLUSIVE");
	c = ci(3, 3, 3, 0);                        /* one repetition: no interval, no verdict */
	assert_string_equal(sweep_claim_word(&claim, &c), "INCONCLUSIVE");
}

static void set_rep(struct report_rep *r, int rep, double total_ms, int ok)
{
	memset(r, 0, sizeof(*r));
	r->rep = rep;
	r->ok = ok;
	r->gens = 2;
	r->sum_ms[ROW_TOTAL] = 2 * total_ms;
}

/* rounds share a load: pairs cancel it; a failed and an unmatched repetition are left out */
static void test_pairing_by_repetition(void **state)
{
	struct report_rep a[5], b[5];
	struct report_config slow = { .reps = a, .n_reps = 5 }, fast = { .reps = b, .n_reps = 5 };
	struct ratio_ci c;
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		set_rep(&a[i], i, 30.0 * (1 + i), 1);
		set_rep(&b[3 - i], i, 10.0 * (1 + i), 1);   /* the other order: pairing by number */
	}
	set_rep(&a[4], 7, 5000, 1);                 /* no repetition 7 in fast */
	set_rep(&b[4], 8, 1, 1);
	assert_int_equal(report_paired_ratio(&slow, &fast, ROW_TOTAL, &c), 0);
	assert_int_equal(c.n, 4);
	assert_true(fabs(c.ratio - 3) < 1e-12 && fabs(c.lo - 3) < 1e-12 && fabs(c.hi - 3) < 1e-12);
	a[0].ok = 0;                                /* a failed run is not a sample */
	b[3].sum_ms[ROW_TOTAL] = 2 * 1000;          /* its partner, now unpaired, would spoil it */
	assert_int_equal(report_paired_ratio(&slow, &fast, ROW_TOTAL, &c), 0);
	assert_int_equal(c.n, 3);
	assert_true(fabs(c.lo - 3) < 1e-12 && fabs(c.hi - 3) < 1e-12);
}

static void test_specs(void **state)
{
	(void)state;
	assert_non_null(sweep_find("startup"));
	assert_non_null(sweep_find("mutation"));
	assert_null(sweep_find("nope"));
	assert_int_equal(sweep_find("startup")->n_claims, 6);
	assert_int_equal(sweep_find("mutation")->row, ROW_MPR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_claim_words),
		cmocka_unit_test(test_pairing_by_repetition),
		cmocka_unit_test(test_specs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
