/*
 * Unit tests for reports/search_verdict.c and search_verdict_rules.c: how many more rounds an
 * undecided comparison needs, and each experiment's rules on fixture searches.tsv files built
 * to give every outcome, a missing column an error naming it (never a verdict).
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "reports/report.h"
#include "reports/search_verdict.h"

#define ROUNDS 5

static const double seq[ROUNDS] = { 10, 10.6, 9.7, 10.3, 10.1 };   /* rounds differ in load */
static const double flat[ROUNDS] = { 1, 1, 1, 1, 1 };
static const double noise[ROUNDS] = { 1.04, 0.97, 1.03, 0.99, 1.01 };

static char dir[64];
static struct report rep;
static FILE *tsv;

static void start(int with_walls)
{
	snprintf(dir, sizeof(dir), "/tmp/evopar-svtest.XXXXXX");
	assert_non_null(mkdtemp(dir));
	memset(&rep, 0, sizeof(rep));
	rep.dir = dir;
	snprintf(rep.err, sizeof(rep.err), "%s/searches.tsv", dir);
	tsv = fopen(rep.err, "w");
	assert_non_null(tsv);
	fprintf(tsv, "label\tbackend\tjobs\tblas_threads\tcores\treps\tunstable\tfailed\t%srss_mib\trss_mib_reps\t"
		     "cpu_util\tcpu_util_min\tcpu_util_max\tparallelism\tparallelism_min\tparallelism_max\t"
		     "max_in_flight\tthreads_per_process\tflagged\tkind\n", with_walls ? "wall_s_reps\t" : "");
}

/* a row whose wall in round r is seq[r] / speedup x f[r] */
static void row(const char *label, const char *backend, int jobs, int blas, double speedup, const double *f,
		int with_walls)
{
	int r, c = jobs < 2 ? jobs : 2;

	fprintf(tsv, "%s\t%s\t%d\t%d\t2\t%d\t0\t0\t", label, backend, jobs, blas, ROUNDS);
	for (r = 0; with_walls && r < ROUNDS; r++)
		fprintf(tsv, "%.4f%s", seq[r] / speedup * f[r], r + 1 < ROUNDS ? "," : "\t");
	fprintf(tsv, "%d\t", 50 + 20 * jobs);
	for (r = 0; r < ROUNDS; r++)
		fprintf(tsv, "%d%s", 50 + 20 * jobs + r, r + 1 < ROUNDS ? "," : "\t");
	fprintf(tsv, "%g\t%g\t%d\t%g\t%g\t%d\t%d\t%d\tno\t-\n", 0.95 * c, 0.9 * c, c, 0.95 * c, 0.9 * c, c, c, 1 + blas);
}

/* the verdict of name on the fixture: its text (to free), and the status in *rc */
static char *finish(const char *name, int *rc)
{
	char *text = NULL, path[128];
	size_t len = 0;
	FILE *out;

	assert_int_equal(fclose(tsv), 0);
	out = open_memstream(&text, &len);
	assert_non_null(out);
	rep.err[0] = 0;
	*rc = search_verdict_print(&rep, name, out);
	fclose(out);
	snprintf(path, sizeof(path), "%s/searches.tsv", dir);
	unlink(path);
	rmdir(dir);
	return text;
}

static void expect(const char *name, const char *word, int rc_want, char *text, int rc)
{
	assert_int_equal(rc, rc_want);
	if (word && !strstr(text, word)) {
		fprintf(stderr, "%s: no '%s' in:\n%s\n", name, word, text);
		fail();
	}
	free(text);
}

static void test_needs(void **state)
{
	double a[ROUNDS], b[ROUNDS], h, d;
	struct sv_cmp c;
	int i;

	(void)state;
	for (i = 0; i < ROUNDS; i++) {
		a[i] = seq[i];
		b[i] = seq[i] / 1.5;
	}
	sv_compare_values(a, b, ROUNDS, 1.0, 0, &c);   /* a fixed ratio: a zero-width interval */
	assert_int_equal(c.side, 1);
	sv_compare_values(a, b, 3, 1.0, 1, &c);        /* decided, but a ? cell of 3 repetitions */
	assert_int_equal(c.side, 0);
	assert_int_equal(c.needs, 2);
	for (i = 0; i < ROUNDS; i++)
		b[i] = seq[i] * noise[i];
	sv_compare_values(b, a, ROUNDS, 1.0, 0, &c);   /* holds 1: the half-width falls as 1/sqrt(n) */
	assert_int_equal(c.side, 0);
	h = (c.ci.hi - c.ci.lo) / 2;
	d = fabs(c.ci.ratio - 1.0);
	assert_int_equal(c.needs, (int)ceil(ROUNDS * (h / d) * (h / d)) - ROUNDS);
	sv_compare_values(a, a, ROUNDS, 1.0, 0, &c);   /* on the boundary: no number of rounds */
	assert_int_equal(c.needs, -1);
}

/* experiment 1: mpi at mpi_sp, fork-pool at fp_sp x f */
static char *fixture_1(double mpi_sp, double fp_sp, const double *f, int walls, int *rc)
{
	static const char *const b[] = { "threads", "persistent", "mpi", "fork-pool" };
	char l[64];
	int i, j, jobs[] = { 1, 2, 4 };

	start(walls);
	row("sequential", "sequential", 1, 0, 1, flat, walls);
	for (i = 0; i < 4; i++)
		for (j = 0; j < 3; j++) {
			snprintf(l, sizeof(l), "%s x%d", b[i], jobs[j]);
			row(l, b[i], jobs[j], 0, jobs[j] != 2 || i < 2 ? 1.7 : i == 2 ? mpi_sp : fp_sp,
			    jobs[j] == 2 && i == 3 ? f : flat, walls);
		}
	return finish("experiment-1", rc);
}

static void test_experiment_1(void **state)
{
	char *t;
	int rc;

	(void)state;
	t = fixture_1(1.9, 1.5, flat, 1, &rc);
	expect("exp1", "static chunks): SUPPORTED**", 0, t, rc);
	t = fixture_1(1.4, 1.8, flat, 1, &rc);
	expect("exp1", "static chunks): REFUTED**", 0, t, rc);
	t = fixture_1(1.7, 1.7, noise, 1, &rc);
	expect("exp1", "static chunks): INCONCLUSIVE**", 0, t, rc);
	t = fixture_1(1.9, 1.5, flat, 0, &rc);
	assert_non_null(strstr(rep.err, "no column 'wall_s_reps'"));
	expect("exp1", NULL, -EINVAL, t, rc);
}

/* experiment 2: the pools at pool_sp x f, threads at th_sp */
static char *fixture_2(double pool_sp, double th_sp, const double *f, int *rc)
{
	start(1);
	row("sequential", "sequential", 1, 0, 1, flat, 1);
	row("fork-pool x2", "fork-pool", 2, 0, pool_sp, f, 1);
	row("fork-pool x4", "fork-pool", 4, 0, pool_sp, f, 1);
	row("persistent x2", "persistent", 2, 0, pool_sp, f, 1);
	row("persistent x4", "persistent", 4, 0, pool_sp, f, 1);
	row("threads x2", "threads", 2, 0, th_sp, flat, 1);
	return finish("experiment-2", rc);
}

static void test_experiment_2(void **state)
{
	char *t;
	int rc;

	(void)state;
	t = fixture_2(1.8, 1.4, flat, &rc);
	expect("exp2", "n_jobs): SUPPORTED**", 0, t, rc);
	t = fixture_2(1.8, 1.95, flat, &rc);
	expect("exp2", "n_jobs): NOT SUPPORTED**", 0, t, rc);
	t = fixture_2(1.6, 1.6, noise, &rc);
	expect("exp2", "n_jobs): INCONCLUSIVE**", 0, t, rc);
}

/* experiment 4: the oversubscribed searches at factor x their twins' wall, times f */
static char *fixture_4(double factor, const double *f, int *rc)
{
	start(1);
	row("sequential", "sequential", 1, 1, 1, flat, 1);
	row("threads x2 blas=1", "threads", 2, 1, 1.8, flat, 1);
	row("persistent x2 blas=1", "persistent", 2, 1, 1.8, flat, 1);
	row("thread-limited x2", "thread-limited", 2, 1, 1.8, flat, 1);
	row("threads x2 blas=2", "threads", 2, 2, 1.8 / factor, f, 1);
	row("persistent x2 blas=2", "persistent", 2, 2, 1.8 / factor, f, 1);
	return finish("experiment-4", rc);
}

static void test_experiment_4(void **state)
{
	char *t;
	int rc;

	(void)state;
	t = fixture_4(1.3, flat, &rc);
	expect("exp4", "fall back): SUPPORTED**", 0, t, rc);
	t = fixture_4(0.8, flat, &rc);
	expect("exp4", "fall back): REFUTED**", 0, t, rc);
	t = fixture_4(1, noise, &rc);
	expect("exp4", "fall back): INCONCLUSIVE**", 0, t, rc);
	assert_false(search_verdict_known("experiment-5"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_needs),
		cmocka_unit_test(test_experiment_1),
		cmocka_unit_test(test_experiment_2),
		cmocka_unit_test(test_experiment_4),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
