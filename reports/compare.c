/*
 * `evopar compare A B`: two results of the same configurations (bench or run record files, read
 * as the reports read them, or Google Benchmark JSON with every repetition) compared per
 * configuration: the ratio B/A of the median times, its unpaired bootstrap 95% interval
 * (interval.h: two runs share no rounds) and a verdict a CI job can act on.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"

/* the times of one configuration (or benchmark) in one file */
struct series {
	char *name;
	double *x;
	int n;
	double median;            /* of x, which is sorted (side_settle) */
	const char *unit;         /* what x is: "ms/gen", "ms" (a search's wall), "ns" */
};

struct side {
	const char *path;
	struct series *s;
	int n, cap;
};

static struct series *side_add(struct side *d, const char *name, const char *unit, int room)
{
	struct series *s = array_grow(d->s, &d->cap, d->n, sizeof(*s), 16);

	if (!s)
		return NULL;
	d->s = s;
	s = &d->s[d->n];
	memset(s, 0, sizeof(*s));
	s->name = strdup(name);
	s->x = malloc(sizeof(*s->x) * (size_t)(room + 1));
	s->unit = unit;
	if (!s->name || !s->x) {
		free(s->name);
		free(s->x);
		return NULL;
	}
	d->n++;
	return s;
}

static struct series *side_find(const struct side *d, const char *name)
{
	int i;

	for (i = 0; i < d->n; i++)
		if (!strcmp(d->s[i].name, name))
			return &d->s[i];
	return NULL;
}

static void side_free(struct side *d)
{
	int i;

	for (i = 0; i < d->n; i++) {
		free(d->s[i].name);
		free(d->s[i].x);
	}
	free(d->s);
}

/* each series' median, once loaded (its times sorted: the order of a file's runs is not data) */
static void side_settle(struct side *d)
{
	struct sample_stats st;
	int i;

	for (i = 0; i < d->n; i++) {
		stats_compute(&st, d->s[i].x, d->s[i].n);
		d->s[i].median = st.median;
	}
}

/* every configuration of a records file, its ok repetitions' total ms per generation */
static int load_records(struct side *d, char *err, size_t errlen)
{
	struct report *r = calloc(1, sizeof(*r));
	struct report_group g = { 0 };
	char *dir = strdup(d->path), *base = strdup(d->path);
	int i, k, rc = !r || !dir || !base ? -ENOMEM : 0;

	if (!rc) {
		r->dir = dirname(dir);
		rc = report_load_one(r, &g, basename(base));
		if (rc)
			snprintf(err, errlen, "%s", r->err);
	}
	for (i = 0; !rc && i < g.n_cfg; i++) {
		const struct report_config *c = &g.cfg[i];
		struct series *s = side_add(d, c->label, c->search ? "ms" : "ms/gen", c->n_reps);

		if (!s) {
			rc = -ENOMEM;
			break;
		}
		for (k = 0; k < c->n_reps; k++)
			if (report_rep_value(&c->reps[k], ROW_TOTAL) > 0)
				s->x[s->n++] = report_rep_value(&c->reps[k], ROW_TOTAL);
	}
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	if (!rc && !d->n) {
		snprintf(err, errlen, "%s: no runs to compare (not evopar records?)", d->path);
		rc = -EINVAL;
	}
	report_group_release(&g);
	free(r);
	free(dir);
	free(base);
	return rc;
}

static double unit_ns(const char *unit)
{
	return !strcmp(unit, "us") ? 1e3 : !strcmp(unit, "ms") ? 1e6 : !strcmp(unit, "s") ? 1e9 : 1.0;
}

/* one entry of "benchmarks": a repetition into its benchmark's series; aggregates left out */
static int take_gbench(struct side *d, const json_t *e, int metric, size_t room, int *aggregates)
{
	const char *name = report_str(e, "run_name", report_str(e, "name", NULL));
	double t = report_num(e, metric ? "cpu_time" : "real_time", -1);
	struct series *s;

	if (strcmp(report_str(e, "run_type", "iteration"), "iteration")) {
		(*aggregates)++;
		return 0;
	}
	if (!name || t <= 0 || json_object_get(e, "error_occurred") == json_true())
		return 0;
	s = side_find(d, name);
	if (!s)
		s = side_add(d, name, "ns", (int)room);
	if (!s)
		return -ENOMEM;
	s->x[s->n++] = t * unit_ns(report_str(e, "time_unit", "ns"));
	return 0;
}

static int load_gbench(struct side *d, const json_t *root, int metric, char *err, size_t errlen)
{
	const json_t *all = json_object_get(root, "benchmarks"), *e;
	int aggregates = 0;
	size_t i;

	json_array_foreach(all, i, e)
		if (take_gbench(d, e, metric, json_array_size(all), &aggregates)) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
	if (!d->n) {
		snprintf(err, errlen, "%s: no per-repetition entries (%d aggregates only: run Google Benchmark with "
			 "--benchmark_repetitions=N and without --benchmark_report_aggregates_only)", d->path, aggregates);
		return -EINVAL;
	}
	return 0;
}

/* A Google Benchmark file is one JSON object with "benchmarks"; anything else is JSON Lines. */
static int load_side(struct side *d, int metric, char *err, size_t errlen)
{
	json_t *root;
	FILE *f = fopen(d->path, "r");
	int rc;

	if (!f) {
		snprintf(err, errlen, "%s: %s", d->path, strerror(errno));
		return -EINVAL;
	}
	fclose(f);
	root = json_load_file(d->path, 0, NULL);
	if (json_is_array(json_object_get(root, "benchmarks")))
		rc = load_gbench(d, root, metric, err, errlen);
	else
		rc = load_records(d, err, errlen);
	json_decref(root);
	side_settle(d);
	return rc;
}

/* "faster", "slower" or "same": which side of 1 the interval of B/A lies on */
static const char *verdict_of(const struct ratio_ci *ci)
{
	int side = ratio_ci_side(ci, 1.0);

	return side > 0 ? "slower" : side < 0 ? "faster" : "same";
}

static const char *verdict_words(const struct ratio_ci *ci)
{
	int side = ratio_ci_side(ci, 1.0);

	if (!ci->resamples)
		return "no difference at this noise (no interval: fewer than 2 repetitions on a side)";
	return side > 0 ? "B slower" : side < 0 ? "B faster" : "no difference at this noise";
}

static void fmt_time(char *buf, size_t len, double v, const char *unit)
{
	char num[32];

	fmt_ms(num, sizeof(num), v);
	snprintf(buf, len, "%s %s", num, unit);
}

static void print_row(FILE *out, const struct series *a, const struct series *b, const struct ratio_ci *ci)
{
	char ma[48], mb[48], r[32], lo[32], hi[32], cell[100];

	fmt_time(ma, sizeof(ma), a->median, a->unit);
	fmt_time(mb, sizeof(mb), b->median, b->unit);
	fmt_ratio(r, sizeof(r), ci->ratio);
	fmt_ratio(lo, sizeof(lo), ci->lo);
	fmt_ratio(hi, sizeof(hi), ci->hi);
	if (ci->resamples)
		snprintf(cell, sizeof(cell), "%s [%s–%s]", r, lo, hi);
	else
		snprintf(cell, sizeof(cell), "%s", r);
	fprintf(out, "| %s | %d | %d | %s | %s | %s | %s |\n", a->name, a->n, b->n, ma, mb, cell,
		verdict_words(ci));
}

static void print_json(FILE *out, const struct series *a, const struct series *b, const struct ratio_ci *ci,
		       const char *only)
{
	const struct series *s = a ? a : b;
	json_t *o = json_pack("{s:s, s:s}", "configuration", s->name, "unit", s->unit);
	char *text;

	if (!o)
		return;
	json_object_set_new(o, "n_a", json_integer(a ? a->n : 0));
	json_object_set_new(o, "n_b", json_integer(b ? b->n : 0));
	if (only) {
		json_object_set_new(o, "only_in", json_string(only));
	} else {
		json_object_set_new(o, "median_a", json_real(a->median));
		json_object_set_new(o, "median_b", json_real(b->median));
		json_object_set_new(o, "ratio", json_real(ci->ratio));
		json_object_set_new(o, "lo", ci->resamples ? json_real(ci->lo) : json_null());
		json_object_set_new(o, "hi", ci->resamples ? json_real(ci->hi) : json_null());
		json_object_set_new(o, "resamples", json_integer(ci->resamples));
		json_object_set_new(o, "verdict", json_string(verdict_of(ci)));
	}
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(9));
	if (text)
		fprintf(out, "%s\n", text);
	free(text);
	json_decref(o);
}

/* each configuration of A beside B's; 1 when one is a regression beyond --fail-above */
static int compare_sides(const struct compare_options *o, const struct side *a, const struct side *b,
			 FILE *out)
{
	int i, regressions = 0;

	for (i = 0; i < a->n + b->n; i++) {
		const struct series *x = i < a->n ? &a->s[i] : side_find(a, b->s[i - a->n].name);
		const struct series *y = i < a->n ? side_find(b, a->s[i].name) : &b->s[i - a->n];
		struct ratio_ci ci;

		if (i >= a->n && x)
			continue;         /* in both: done from A's side */
		if (!x || !y || !x->n || !y->n || strcmp(x->unit, y->unit)) {
			if (o->json)
				print_json(out, x, y, NULL, !x || !x->n ? "B" : !y || !y->n ? "A" : "neither");
			else
				fprintf(out, "| %s | %d | %d | - | - | - | %s |\n", (x ? x : y)->name, x ? x->n : 0,
					y ? y->n : 0, !x || !x->n ? "no runs in A" : !y || !y->n ? "no runs in B" :
					"not comparable: different measures");
			continue;
		}
		boot_unpaired_ratio(y->x, y->n, x->x, x->n, BOOT_RESAMPLES, BOOT_SEED, &ci);
		if (o->json)
			print_json(out, x, y, &ci, NULL);
		else
			print_row(out, x, y, &ci);
		if (o->fail_above >= 0 && ratio_ci_side(&ci, 1 + o->fail_above / 100) > 0) {
			fprintf(stderr, "evopar compare: %s is slower in B beyond %g%%: B/A %.3g [%.3g–%.3g]\n",
				x->name, o->fail_above, ci.ratio, ci.lo, ci.hi);
			regressions++;
		}
	}
	return regressions > 0;
}

/* One configuration in each file (two plain run or search files): those two are compared,
   whatever their labels, under "A's label / B's label". */
static int pair_singles(struct side *a, struct side *b)
{
	size_t len;
	char *name;

	if (a->n != 1 || b->n != 1 || !strcmp(a->s[0].name, b->s[0].name))
		return 0;
	len = strlen(a->s[0].name) + strlen(b->s[0].name) + 4;
	name = malloc(len);
	if (!name)
		return -ENOMEM;
	snprintf(name, len, "%s / %s", a->s[0].name, b->s[0].name);
	free(a->s[0].name);
	a->s[0].name = name;
	name = strdup(name);
	if (!name)
		return -ENOMEM;
	free(b->s[0].name);
	b->s[0].name = name;
	return 0;
}

int compare_files(const struct compare_options *o, FILE *out, char *err, size_t errlen)
{
	struct side a = { .path = o->a }, b = { .path = o->b };
	int rc = load_side(&a, o->metric, err, errlen);

	if (!rc)
		rc = load_side(&b, o->metric, err, errlen);
	if (!rc && pair_singles(&a, &b)) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
	}
	if (!rc && !o->json)
		fprintf(out, "A: %s\nB: %s\nPer configuration: the median time in each file and the ratio B/A of the "
			     "medians (above 1: B is slower) with its bootstrap 95%% interval, each file resampled "
			     "on its own (%d resamples). Verdict: B faster or slower when the interval lies wholly "
			     "below or above 1.\n\n| configuration | n A | n B | median A | median B | B/A [95%% "
			     "interval] | verdict |\n| --- | ---: | ---: | ---: | ---: | ---: | --- |\n",
			o->a, o->b, BOOT_RESAMPLES);
	if (!rc)
		rc = compare_sides(o, &a, &b, out);
	side_free(&a);
	side_free(&b);
	return rc;
}
