/*
 * bench_compare: the median of each benchmark in two Google Benchmark JSON files (A, the
 * old, and B, the new) and the change; `make bench-compare` uses it when Google Benchmark's
 * own compare.py is not installed. It reports, it does not gate: the exit code is 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_json.h"

#define MAX_BENCH 256
#define MAX_SAMPLES 256
#define ERRLEN 512

struct series {
	const char *name;          /* run_name: the benchmark without its aggregate suffix */
	double t[MAX_SAMPLES];     /* CPU time per iteration, ns */
	double per_net[MAX_SAMPLES];  /* seconds per network, or 0 */
	int n;
	double median_t, median_net;  /* the file's own median aggregate, or -1 */
};

struct file {
	struct series s[MAX_BENCH];
	int n;
	json_t *root;
};

static double unit_ns(const char *unit)
{
	return !strcmp(unit, "us") ? 1e3 : !strcmp(unit, "ms") ? 1e6 : !strcmp(unit, "s") ? 1e9 : 1.0;
}

static struct series *series_of(struct file *f, const char *name)
{
	int i;

	for (i = 0; i < f->n; i++)
		if (!strcmp(f->s[i].name, name))
			return &f->s[i];
	if (f->n == MAX_BENCH)
		return NULL;
	f->s[f->n] = (struct series){ .name = name, .median_t = -1, .median_net = -1 };
	return &f->s[f->n++];
}

/* One entry of "benchmarks": a repetition, or the median aggregate; other aggregates skipped. */
static void add_entry(struct file *f, const json_t *b)
{
	const char *type = bench_json_str(b, "run_type", "iteration");
	const char *agg = bench_json_str(b, "aggregate_name", "");
	const char *name = bench_json_str(b, "run_name", bench_json_str(b, "name", NULL));
	double t = bench_json_num(b, "cpu_time", -1) * unit_ns(bench_json_str(b, "time_unit", "ns"));
	double net = bench_json_num(b, "per_net", 0);
	struct series *s;

	if (!name || t < 0 || bench_json_str(b, "error_message", NULL))
		return;
	if (!strcmp(type, "aggregate") && strcmp(agg, "median"))
		return;
	s = series_of(f, name);
	if (!s)
		return;
	if (!strcmp(type, "aggregate")) {
		s->median_t = t;
		s->median_net = net;
	} else if (s->n < MAX_SAMPLES) {
		s->t[s->n] = t;
		s->per_net[s->n++] = net;
	}
}

static int load(struct file *f, const char *path)
{
	char err[ERRLEN];
	const json_t *benches;
	json_t *b;
	size_t i;

	f->root = bench_json_load(path, err, sizeof(err));
	if (!f->root) {
		fprintf(stderr, "bench-compare: %s\n", err);
		return -1;
	}
	benches = json_object_get(f->root, "benchmarks");
	if (!json_is_array(benches)) {
		fprintf(stderr, "bench-compare: %s: no \"benchmarks\" array (not Google Benchmark JSON?)\n",
			path);
		return -1;
	}
	json_array_foreach(benches, i, b)
		add_entry(f, b);
	return 0;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	if (n <= 0)
		return -1;
	qsort(v, (size_t)n, sizeof(*v), by_value);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

static void settle(struct series *s)
{
	if (s->median_t < 0) {
		s->median_t = median(s->t, s->n);
		s->median_net = median(s->per_net, s->n);
	}
}

/* a duration in ns as text with a readable unit */
static const char *fmt_ns(double ns, char *buf, size_t len)
{
	if (ns < 0)
		snprintf(buf, len, "-");
	else if (ns < 1e3)
		snprintf(buf, len, "%.1f ns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.2f us", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.2f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.2f s", ns / 1e9);
	return buf;
}

static void print_row(const char *name, const struct series *a, const struct series *b)
{
	char ta[32], tb[32], na[32], nb[32], change[16] = "-";
	double at = a ? a->median_t : -1, bt = b ? b->median_t : -1;
	double an = a && a->median_net > 0 ? a->median_net * 1e9 : -1;
	double bn = b && b->median_net > 0 ? b->median_net * 1e9 : -1;

	if (at > 0 && bt >= 0)
		snprintf(change, sizeof(change), "%+.1f%%", (bt - at) / at * 100.0);
	printf("%-26s %12s %12s %9s %12s %12s\n", name, fmt_ns(at, ta, sizeof(ta)),
	       fmt_ns(bt, tb, sizeof(tb)), change, fmt_ns(an, na, sizeof(na)), fmt_ns(bn, nb, sizeof(nb)));
}

static void compare(struct file *a, struct file *b)
{
	int i;

	for (i = 0; i < a->n; i++)
		settle(&a->s[i]);
	for (i = 0; i < b->n; i++)
		settle(&b->s[i]);
	printf("%-26s %12s %12s %9s %12s %12s\n", "benchmark (median CPU time)", "A", "B", "change",
	       "A per net", "B per net");
	for (i = 0; i < a->n; i++) {
		const struct series *m = NULL;
		int j;

		for (j = 0; j < b->n && !m; j++)
			if (!strcmp(b->s[j].name, a->s[i].name))
				m = &b->s[j];
		print_row(a->s[i].name, &a->s[i], m);
	}
	for (i = 0; i < b->n; i++) {
		int j, seen = 0;

		for (j = 0; j < a->n; j++)
			seen |= !strcmp(b->s[i].name, a->s[j].name);
		if (!seen)
			print_row(b->s[i].name, NULL, &b->s[i]);
	}
	printf("change: (B - A) / A of the median CPU time per iteration; positive is slower.\n"
	       "Timed medians move by several %% between runs on a shared machine: for a gate,\n"
	       "use make bench-check (instruction counts).\n");
}

int main(int argc, char **argv)
{
	static struct file a, b;
	int rc = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: bench_compare A.json B.json\n"
				"Median of each benchmark in A and B (Google Benchmark JSON) and the change.\n");
		return 2;
	}
	if (load(&a, argv[1]) || load(&b, argv[2]))
		rc = 2;
	else
		compare(&a, &b);
	json_decref(a.root);
	json_decref(b.root);
	return rc;
}
