/*
 * Unit tests for experiment 3's rule (reports/islands_verdict.c) and its table
 * (reports/islands_tsv.c): fixture tables built to give each outcome, a missing column (an
 * error naming it, no verdict), and bench records made into islands.tsv with the target and
 * when each run reached it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "reports/islands.h"
#include "reports/report.h"

#define SEEDS 12

static const char *const head = "arm\tseed\trep\tstatus\tcpu_model\tcores\taffinity_cores\t"
	"load_1m\tgens\tislands\tmigrate_every\tmigrants\twall_s\tbest\ttarget\tgens_to_target\t"
	"s_to_target\tworkers\tprocesses_max\tmigrations\ttop_share\torigins\tdistance\tdigest\n";

struct fix {
	double rt, rg, sa;        /* the factors the paired ratios come out at */
	int jitter;               /* the islands' times moved apart from the seed's load */
	int affinity;             /* the pinned arm's affinity_cores */
	const char *drop;         /* a column left out, or NULL */
};

static void row(FILE *f, const char *arm, int s, int k, int aff, int m, double wall, double g,
		double t, int mig)
{
	fprintf(f, "%s\t%d\t0\tok\tfixture CPU\t2\t%d\t1.5\t20\t%d\t2\t%d\t%g\t1\t0.9\t%g\t%g\t%d\t3\t"
		   "%d\t0.6\t2\t1.1\td%d\n", arm, s, aff, k, m, wall, g, t, k, mig, s);
}

/* the fixture table, with fx->drop's column (the 16th, gens_to_target, only) cut out */
static void write_table(const char *dir, const struct fix *fx)
{
	char path[512];
	FILE *f;
	int s;

	snprintf(path, sizeof(path), "%s/islands.tsv", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	if (fx->drop)
		fputs("arm\tseed\trep\tstatus\tcpu_model\tcores\taffinity_cores\tload_1m\tgens\tislands\t"
		      "migrate_every\tmigrants\twall_s\tbest\ttarget\ts_to_target\tworkers\t"
		      "processes_max\tmigrations\ttop_share\torigins\tdistance\tdigest\n", f);
	else
		fputs(head, f);
	for (s = 1; s <= SEEDS; s++) {
		double n = 1 + 0.5 * ((s * 7) % 5), j = fx->jitter ? (s % 2 ? 0.6 : 1.6) : 1, g = 10 * n;

		row(f, ARM_SINGLE, s, 2, 2, 2, 2 * n, g, n, 0);
		row(f, ARM_THREADS, s, 2, 2, 2, 1.2 * n, g, 0.6 * n, 0);
		row(f, ARM_ISLANDS, s, 2, 2, 2, 1.2 * n, g / fx->rg, 0.6 * n / fx->rt * j, 20);
		row(f, ARM_ONE_CORE, s, 2, fx->affinity, 2, 1.2 * n * fx->sa, g / fx->rg,
		    0.6 * n / fx->rt * j * fx->sa, 20);
		row(f, ARM_NOMIG, s, 2, 2, 0, 1.2 * n, g / fx->rg, 0.6 * n / fx->rt, 0);
	}
	assert_int_equal(fclose(f), 0);
}

/* the fixed part of a cut column: drop the gens_to_target cell of every data row */
static void cut_rows(const char *dir)
{
	char path[512], tmp[520], line[1024];
	FILE *in, *out;

	snprintf(path, sizeof(path), "%s/islands.tsv", dir);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	in = fopen(path, "r");
	out = fopen(tmp, "w");
	assert_non_null(in);
	assert_non_null(out);
	assert_non_null(fgets(line, sizeof(line), in));
	fputs(line, out);
	while (fgets(line, sizeof(line), in)) {
		char *p = line;
		int tabs = 0;

		while (*p && tabs < 15)
			tabs += *p++ == '\t';
		memmove(p, strchr(p, '\t') + 1, strlen(strchr(p, '\t') + 1) + 1);
		fputs(line, out);
	}
	fclose(in);
	assert_int_equal(fclose(out), 0);
	assert_int_equal(rename(tmp, path), 0);
}

/* the rule on a fixture: its return code, the verdict word into word[64] */
static int judge(const struct fix *fx, char *word, char *err, size_t errlen)
{
	char dir[] = "/tmp/evopar-islands-XXXXXX", part[600], line[1024];
	struct report *r = calloc(1, sizeof(*r));
	FILE *f;
	int rc;

	assert_non_null(r);
	assert_non_null(mkdtemp(dir));
	write_table(dir, fx);
	if (fx->drop)
		cut_rows(dir);
	snprintf(part, sizeof(part), "%s/part.md", dir);
	r->dir = dir;
	r->o.verdict = part;
	r->o.rule = REPORT_RULE_ISLANDS;
	rc = islands_verdict_write(r);
	word[0] = 0;
	snprintf(err, errlen, "%.500s", r->err);
	f = fopen(part, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "**Verdict: %63[A-Z ]**", word) == 1)
			break;
	if (f)
		fclose(f);
	assert_true(!rc || !f);   /* an error writes no verdict */
	unlink(part);
	snprintf(line, sizeof(line), "%s/islands.tsv", dir);
	unlink(line);
	rmdir(dir);
	free(r);
	return rc;
}

/* each outcome of the rule from a fixture built for it */
static void test_each_outcome(void **state)
{
	static const struct {
		struct fix fx;
		const char *want;
	} cases[] = {
		{ { .rt = 1.5, .rg = 1, .sa = 1.8, .affinity = 1 }, "SUPPORTED" },
		/* faster to the target, but a worse search: that alone refutes */
		{ { .rt = 1.5, .rg = 0.7, .sa = 1.8, .affinity = 1 }, "NOT SUPPORTED" },
		{ { .rt = 0.6, .rg = 1, .sa = 1.8, .affinity = 1 }, "NOT SUPPORTED" },
		/* RT's interval holds 1 */
		{ { .rt = 1, .rg = 1, .sa = 1.8, .jitter = 1, .affinity = 1 }, "INCONCLUSIVE" },
		/* the pinned reference had two cores: SA not measured */
		{ { .rt = 1.5, .rg = 1, .sa = 1.8, .affinity = 2 }, "INCONCLUSIVE" },
	};
	char word[64], err[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(judge(&cases[i].fx, word, err, sizeof(err)), 0);
		assert_string_equal(word, cases[i].want);
	}
}

static void test_missing_column_is_an_error(void **state)
{
	struct fix fx = { .rt = 1.5, .rg = 1, .sa = 1.8, .affinity = 1, .drop = "gens_to_target" };
	char word[64], err[512];

	(void)state;
	assert_int_equal(judge(&fx, word, err, sizeof(err)), -EINVAL);
	assert_string_equal(word, "");
	assert_non_null(strstr(err, "islands.tsv: no column 'gens_to_target'"));
}

/* one run's records as evopar bench tags them: best fitness b0 + step * g per generation */
static void bench_run(FILE *f, const char *arm, int seed, double step, double ms)
{
	const char *tag = "\"config_id\":0,\"rep\":0,\"warmup\":false";
	int g;

	fprintf(f, "{%s,\"config_label\":\"%s s%d\",\"type\":\"meta\",\"cpu_model\":\"x\",\"online_cores\":2,"
		   "\"affinity_cores\":2,\"load_average_1m\":0.5,\"config\":{\"seed\":%d,\"gens\":4,"
		   "\"islands\":2,\"migrate-every\":2,\"migrants\":2}}\n", tag, arm, seed, seed);
	for (g = 0; g < 4; g++)
		fprintf(f, "{%s,\"config_label\":\"%s s%d\",\"type\":\"generation\",\"gen\":%d,"
			   "\"best_fitness\":%g,\"ms\":{\"total\":%g}}\n", tag, arm, seed, g, 0.1 + step * g, ms);
	fprintf(f, "{%s,\"config_label\":\"%s s%d\",\"type\":\"summary\",\"status\":\"ok\",\"wall_s\":%g,"
		   "\"workers\":2,\"processes_max\":3,\"digest\":\"d\",\"origin_share\":[0.25,0.75]}\n",
		tag, arm, seed, 4 * ms / 1e3 + 0.5);
	fprintf(f, "{%s,\"config_label\":\"%s s%d\",\"type\":\"bench_run\",\"status\":\"ok\"}\n", tag, arm, seed);
}

static void test_bench_records_become_the_table(void **state)
{
	char dir[] = "/tmp/evopar-islands-XXXXXX", path[600], line[1024];
	struct report *r = calloc(1, sizeof(*r));
	FILE *f;
	int rows = 0, found = 0;

	(void)state;
	assert_non_null(r);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/bench.jsonl", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "{\"type\":\"bench\",\"repeat\":1}\n");
	bench_run(f, ARM_SINGLE, 1, 0.1, 100);    /* ends at 0.4: the lowest, the target */
	bench_run(f, ARM_ISLANDS, 1, 0.3, 100);   /* reaches 0.4 at generation 1 */
	fclose(f);
	r->dir = dir;
	assert_int_equal(islands_tsv_write(r), 0);
	snprintf(path, sizeof(path), "%s/islands.tsv", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, head);
	while (fgets(line, sizeof(line), f)) {
		rows++;
		/* islands: target 0.4, 2 generations, 0.5 s of set-up + 2 x 0.1 s; top share 0.75 */
		found += !strcmp(line, "islands\t1\t0\tok\tx\t2\t2\t0.5\t4\t2\t2\t2\t0.9\t1\t0.4\t2\t0.7\t2\t3\t0\t0.75\t2\t-\td\n");
	}
	fclose(f);
	assert_int_equal(rows, 2);
	assert_int_equal(found, 1);
	unlink(path);
	snprintf(path, sizeof(path), "%s/bench.jsonl", dir);
	unlink(path);
	rmdir(dir);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_outcome),
		cmocka_unit_test(test_missing_column_is_an_error),
		cmocka_unit_test(test_bench_records_become_the_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
