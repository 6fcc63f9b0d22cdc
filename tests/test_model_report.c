/*
 * Unit tests for studies/model_report.c on a made-up study of one case: the report counts the
 * measured medians inside their predicted intervals, the reference apart, and says why the
 * table of one run's spread is left out when fewer than 3 rounds were run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "reports/stats.h"
#include "studies/model.h"

/* row i of the case: its configuration, prediction [lo, hi] and measured rounds */
static void put_row(struct sm_study *st, int i, const char *name, int workers, double lo, double pred,
		    double hi, const double *meas)
{
	struct sm_row *r = &st->rows[i];
	int k;

	snprintf(r->label, sizeof(r->label), "dynamic pop 50 spin 1000");
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->workers = workers;
	r->is_reference = i == 0;
	r->pred_lo = lo;
	r->pred = pred;
	r->pred_hi = hi;
	for (k = 0; k < st->reps; k++)
		r->meas[k] = meas[k];
	r->reps = st->reps;
	r->meas_ms = stats_median(r->meas, r->reps);
	r->err = sm_rel_error(r->pred, r->meas_ms);
}

/* the report of a study of one case whose rows ran reps rounds on cpus CPUs: sequential and
   threads inside their intervals, threads x2 outside; in *text, which the caller frees */
static void report_of(int reps, int cpus, char **text)
{
	static const double seq[] = { 10, 10.2, 9.8 }, one[] = { 11, 11.1, 10.9 }, two[] = { 6, 6.1, 5.9 };
	struct sm_study *st = calloc(1, sizeof(*st));
	size_t len = 0;
	FILE *f;

	assert_non_null(st);
	st->rows = calloc(3, sizeof(*st->rows));
	assert_non_null(st->rows);
	st->reps = reps;
	st->cores = 2;
	st->cpus = cpus;
	put_row(st, 0, "sequential", 1, 9.5, 10, 10.5, seq);
	put_row(st, 1, "threads", 1, 10.5, 11, 11.5, one);
	put_row(st, 2, "threads", 2, 6.5, 7, 7.5, two);
	st->n_rows = st->gen_rows = 3;
	st->cases[0] = (struct sm_case){ .part = "generation", .first = 0, .n = 3, .rec = 2, .fastest = 2, .exact = 1,
					 .within = 1, .ratio = 1, .lo = 1, .hi = 1, .capacity = 2 };
	snprintf(st->cases[0].label, sizeof(st->cases[0].label), "%s", st->rows[0].label);
	st->n_cases = st->gen_cases = 1;
	f = open_memstream(text, &len);
	assert_non_null(f);
	sm_report(f, st);
	fclose(f);
	free(st->rows);
	free(st);
}

/* whether the report of report_of(reps, cpus) holds words */
static int report_says(int reps, int cpus, const char *words)
{
	char *text;
	int found;

	report_of(reps, cpus, &text);
	found = strstr(text, words) != NULL;
	free(text);
	return found;
}

static void test_medians_inside_their_intervals_counted(void **state)
{
	(void)state;
	assert_true(report_says(3, 2, "predicted interval (the table's brackets) in 1 of the 2, the reference's in 1 of its 1:"));
}

static void test_spread_table_needs_three_rounds(void **state)
{
	(void)state;
	assert_true(report_says(3, 2, "| threads | 2 | 1 | "));
	assert_false(report_says(3, 2, "left out: one run"));
	assert_false(report_says(2, 2, "| threads | 2 | 1 | "));
	assert_true(report_says(2, 2, "left out: one run against the median of its others needs at least 3 rounds, "
				      "and this study ran 2 (`--reps`)."));
}

/* the header says on how many CPUs, and from which worker count the workers outnumber them */
static void test_workers_past_the_cpus_said(void **state)
{
	(void)state;
	assert_true(report_says(3, 2, "Measured by `evopar study model` at 1..2 workers on 2 CPUs in "));
	assert_false(report_says(3, 2, "take turns"));
	assert_true(report_says(3, 1, "at 1..2 workers on 1 CPU (from 2 workers on, more workers than CPUs: "
				      "they take turns) in "));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_medians_inside_their_intervals_counted),
		cmocka_unit_test(test_spread_table_needs_three_rounds),
		cmocka_unit_test(test_workers_past_the_cpus_said),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
