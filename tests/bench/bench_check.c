/*
 * bench_check: the instruction-count gate of `make bench-check`. It reads the callgrind
 * dumps the probe wrote (one per probe) and PAPI's counts where there were any, compares
 * instructions per network with the committed baseline, or rewrites the baseline (--write).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_json.h"

#define MAX_PROBES 64
#define NAME_LEN 64
#define ERRLEN 512
#define DUMP_TAG "desc: Trigger: Client Request: evopar-probe "
#define BASELINE_FORMAT "evopar-bench-baseline/1"

enum { EXIT_PASS = 0, EXIT_REGRESSION = 1, EXIT_USAGE = 2 };

struct measure {
	char name[NAME_LEN];
	long nets;                 /* networks the probe handled in all */
	long long instructions;    /* callgrind's Ir over those networks; -1 if no dump */
	long long papi;            /* PAPI_TOT_INS over them; -1 if not measured */
	long dump;                 /* the dump's number, which is the probes' order */
};

struct run {
	struct measure m[MAX_PROBES];
	int n;
	int papi_ok;
	char papi_why[256];        /* why PAPI counted nothing */
};

/* What a baseline records beside its counts; a difference warns, never fails. */
struct ident {
	const char *commit, *compiler, *cflags, *cpu, *valgrind;
};

struct opts {
	const char *dumps, *papi, *baseline;
	int write;
	double threshold;          /* default limit, percent */
	struct ident id;
};

static double per_net(const struct measure *m)
{
	return m->nets > 0 ? (double)m->instructions / (double)m->nets : 0.0;
}

/* --- reading the measurements --------------------------------------------------- */

/* A dump file's probe name, network count and total instructions; 1 if it is a probe's. */
static int parse_dump(const char *path, struct measure *m, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	int found = 0;

	if (!f) {
		snprintf(err, errlen, "%.300s: %.100s", path, strerror(errno));
		return -1;
	}
	m->instructions = -1;
	while (getline(&line, &cap, f) > 0) {
		if (!strncmp(line, DUMP_TAG, strlen(DUMP_TAG)))
			found = sscanf(line + strlen(DUMP_TAG), "%63s nets=%ld", m->name, &m->nets) == 2;
		else if (!strncmp(line, "totals: ", 8))
			m->instructions = strtoll(line + 8, NULL, 10);
		else if (!strncmp(line, "summary: ", 9) && m->instructions < 0)
			m->instructions = strtoll(line + 9, NULL, 10);
	}
	free(line);
	fclose(f);
	if (found && m->instructions < 0) {
		snprintf(err, errlen, "%.300s: no totals line", path);
		return -1;
	}
	return found;
}

/* the dump number of "callgrind.out.<n>", or -1 for any other name */
static long dump_number(const char *name)
{
	const char *p = "callgrind.out.";
	char *end;
	long n;

	if (strncmp(name, p, strlen(p)) || !isdigit((unsigned char)name[strlen(p)]))
		return -1;
	n = strtol(name + strlen(p), &end, 10);
	return *end ? -1 : n;
}

static int by_dump(const void *a, const void *b)
{
	long x = ((const struct measure *)a)->dump, y = ((const struct measure *)b)->dump;

	return (x > y) - (x < y);
}

static int read_dumps(const char *dir, struct run *r, char *err, size_t errlen)
{
	char path[4096];
	struct dirent *e;
	DIR *d = opendir(dir);
	int rc = 0;

	if (!d) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while (!rc && (e = readdir(d))) {
		long k = dump_number(e->d_name);

		if (k < 0)
			continue;
		if (r->n == MAX_PROBES) {
			snprintf(err, errlen, "%s: more than %d probe dumps", dir, MAX_PROBES);
			rc = -1;
			break;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		memset(&r->m[r->n], 0, sizeof(r->m[r->n]));
		r->m[r->n].papi = -1;
		r->m[r->n].dump = k;
		rc = parse_dump(path, &r->m[r->n], err, errlen);
		if (rc > 0)
			r->n++;
		rc = rc < 0 ? -1 : 0;
	}
	closedir(d);
	if (!rc && !r->n) {
		snprintf(err, errlen, "%s: no probe dumps (did the probe run under callgrind?)", dir);
		rc = -1;
	}
	qsort(r->m, (size_t)r->n, sizeof(r->m[0]), by_dump);
	return rc;
}

static struct measure *find_measure(struct run *r, const char *name)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->m[i].name, name))
			return &r->m[i];
	return NULL;
}

/* The probe's --meter papi output: counts per probe, or one line saying why there are none. */
static int read_papi(const char *path, struct run *r, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, name[NAME_LEN];
	size_t cap = 0;
	long nets;
	long long v;

	if (!f) {
		snprintf(err, errlen, "%.300s: %.100s", path, strerror(errno));
		return -1;
	}
	snprintf(r->papi_why, sizeof(r->papi_why), "the probe printed no PAPI counts");
	while (getline(&line, &cap, f) > 0) {
		struct measure *m;

		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "papi unavailable: ", 18)) {
			snprintf(r->papi_why, sizeof(r->papi_why), "%s", line + 18);
			continue;
		}
		if (sscanf(line, "probe %63s nets %ld papi_tot_ins %lld", name, &nets, &v) != 3)
			continue;
		m = find_measure(r, name);
		if (m && m->nets == nets) {
			m->papi = v;
			r->papi_ok = 1;
		}
	}
	free(line);
	fclose(f);
	return 0;
}

/* --- comparing ------------------------------------------------------------------ */

static void warn_ident(const json_t *made, const char *key, const char *now)
{
	const char *then = bench_json_str(made, key, NULL);

	if (!then || !now || !strcmp(then, now))
		return;
	printf("bench-check: warning: %s is not the baseline's; counts may move for that "
	       "reason alone\n    baseline: %s\n    now:      %s\n", key, then, now);
}

static void print_header(const struct run *r)
{
	printf("%-22s %12s %12s %9s %7s  %s", "probe", "baseline", "now", "change", "limit",
	       "verdict");
	if (r->papi_ok)
		printf("  %12s", "papi now");
	printf("\n");
}

static void print_row(const char *name, double base, const struct measure *m, double limit,
		      const char *verdict)
{
	double now = per_net(m);

	printf("%-22s %12.1f %12.1f %+8.2f%% %6.1f%%  %-*s", name, base, now,
	       base > 0 ? (now - base) / base * 100.0 : 0.0, limit, m->papi >= 0 ? 8 : 0, verdict);
	if (m->papi >= 0)
		printf("  %12.1f", m->nets ? (double)m->papi / (double)m->nets : 0.0);
	printf("\n");
}

__attribute__((format(printf, 4, 5)))
static void append(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*used + 1 >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *used, len - *used, fmt, ap);
	va_end(ap);
	if (n > 0)
		*used = *used + (size_t)n < len ? *used + (size_t)n : len - 1;
}

/* Prints a row per baseline probe; appends " name (why)" to fails for each failure and
 * returns how many failed. Marks the measures it saw (dump = -1). */
static int compare_probes(const json_t *probes, struct run *r, double dflt, char *fails,
			  size_t fails_len, int *faster)
{
	size_t i, used = 0;
	int failed = 0;
	json_t *p;

	json_array_foreach(probes, i, p) {
		const char *name = bench_json_str(p, "name", "?");
		double base = bench_json_num(p, "per_net", -1.0);
		double limit = bench_json_num(p, "threshold_pct", dflt);
		struct measure *m = find_measure(r, name);
		double change;

		if (!m) {
			printf("%-22s %12.1f %12s %9s %6.1f%%  MISSING\n", name, base, "-", "-", limit);
			append(fails, fails_len, &used, " %s (missing from this run)", name);
			failed++;
			continue;
		}
		m->dump = -1;
		change = base > 0 ? (per_net(m) - base) / base * 100.0 : 0.0;
		if (change > limit) {
			print_row(name, base, m, limit, "FAIL");
			append(fails, fails_len, &used, " %s (%+.2f%% > %.1f%%)", name, change, limit);
			failed++;
		} else {
			print_row(name, base, m, limit, change < -limit ? "faster" : "ok");
			*faster += change < -limit;
		}
	}
	return failed;
}

static int check(const struct opts *o, struct run *r)
{
	char err[ERRLEN], fails[2048] = "";
	json_t *base = bench_json_load(o->baseline, err, sizeof(err));
	const json_t *made, *probes;
	double dflt;
	int failed, faster = 0, i;

	if (!base) {
		printf("bench-check: no usable baseline: %s\n"
		       "bench-check: make one with `make bench-baseline` and commit it\n", err);
		return EXIT_REGRESSION;
	}
	made = json_object_get(base, "made");
	probes = json_object_get(base, "probes");
	dflt = bench_json_num(base, "default_threshold_pct", o->threshold);
	if (!json_is_array(probes)) {
		printf("bench-check: %s: no \"probes\" array\n", o->baseline);
		json_decref(base);
		return EXIT_REGRESSION;
	}
	printf("bench-check: instructions per network (valgrind callgrind), against %s\n"
	       "             made at commit %s on %s\n", o->baseline,
	       bench_json_str(made, "commit", "?"), bench_json_str(made, "date", "?"));
	warn_ident(made, "compiler", o->id.compiler);
	warn_ident(made, "cflags", o->id.cflags);
	warn_ident(made, "valgrind", o->id.valgrind);
	warn_ident(made, "cpu", o->id.cpu);
	print_header(r);
	failed = compare_probes(probes, r, dflt, fails, sizeof(fails), &faster);
	for (i = 0; i < r->n; i++)
		if (r->m[i].dump >= 0)
			printf("%-22s %12s %12.1f %9s %7s  new (not in the baseline, not gated)\n",
			       r->m[i].name, "-", per_net(&r->m[i]), "-", "-");
	if (!r->papi_ok)
		printf("PAPI: no instruction counter here (%s); the gate uses callgrind's counts\n",
		       r->papi_why);
	else
		printf("papi now: PAPI_TOT_INS per network, natively, for information (not gated)\n");
	if (faster)
		printf("bench-check: %d probe(s) got cheaper beyond their limit: lock the gain in with "
		       "`make bench-baseline` and commit it\n", faster);
	json_decref(base);
	if (failed) {
		printf("bench-check: FAILED: %d probe(s) rose beyond their limit:%s\n", failed, fails);
		return EXIT_REGRESSION;
	}
	printf("bench-check: passed: %d probes within their limits\n", r->n);
	return EXIT_PASS;
}

/* --- writing the baseline ----------------------------------------------------------- */

/* The limit a probe had in the old baseline, so a rewrite keeps hand-set limits. */
static double old_limit(const json_t *old, const char *name, double dflt)
{
	const json_t *probes = json_object_get(old, "probes"), *p;
	size_t i;

	json_array_foreach(probes, i, p)
		if (!strcmp(bench_json_str(p, "name", ""), name))
			return bench_json_num(p, "threshold_pct", dflt);
	return dflt;
}

static json_t *made_object(const struct ident *id)
{
	char date[32];
	time_t t = time(NULL);

	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}",
			 "commit", id->commit ? id->commit : "unknown",
			 "date", date,
			 "compiler", id->compiler ? id->compiler : "unknown",
			 "cflags", id->cflags ? id->cflags : "unknown",
			 "valgrind", id->valgrind ? id->valgrind : "unknown",
			 "cpu", id->cpu ? id->cpu : "unknown");
}

static json_t *probes_array(const struct run *r, const json_t *old, double dflt)
{
	json_t *arr = json_array();
	int i;

	for (i = 0; arr && i < r->n; i++) {
		const struct measure *m = &r->m[i];
		json_t *p = json_pack("{s:s, s:I, s:I, s:f, s:f}", "name", m->name,
				      "nets", (json_int_t)m->nets,
				      "instructions", (json_int_t)m->instructions,
				      "per_net", per_net(m),
				      "threshold_pct", old_limit(old, m->name, dflt));

		if (!p || json_array_append_new(arr, p)) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static int write_baseline(const struct opts *o, const struct run *r)
{
	char err[ERRLEN];
	json_t *old = json_load_file(o->baseline, 0, NULL), *root;
	double dflt = old ? bench_json_num(old, "default_threshold_pct", o->threshold) : o->threshold;
	int i, rc;

	root = json_pack("{s:s, s:s, s:o, s:f, s:o*}", "format", BASELINE_FORMAT,
			 "counter", "instructions per network: valgrind callgrind's Ir, collected "
				    "only around each probe's measured passes",
			 "made", made_object(&o->id), "default_threshold_pct", dflt,
			 "probes", probes_array(r, old, dflt));
	json_decref(old);
	if (!root || !json_is_array(json_object_get(root, "probes"))) {
		fprintf(stderr, "bench-baseline: out of memory\n");
		json_decref(root);
		return EXIT_USAGE;
	}
	rc = bench_json_save(root, o->baseline, err, sizeof(err));
	json_decref(root);
	if (rc) {
		fprintf(stderr, "bench-baseline: %s\n", err);
		return EXIT_USAGE;
	}
	printf("bench-baseline: wrote %s (%d probes, commit %s)\n", o->baseline, r->n,
	       o->id.commit ? o->id.commit : "unknown");
	for (i = 0; i < r->n; i++)
		printf("  %-22s %12.1f instructions per network\n", r->m[i].name, per_net(&r->m[i]));
	printf("bench-baseline: commit it with a message saying why the counts moved\n");
	return EXIT_PASS;
}

/* --- main --------------------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f, "usage: bench_check --dumps DIR --baseline FILE [--papi FILE] [--write]\n"
		   "         [--threshold PCT] [--commit S] [--compiler S] [--cflags S] [--cpu S]\n"
		   "         [--valgrind S]\n"
		   "Compare the probe's callgrind dumps in DIR with the baseline: exit 0 when every\n"
		   "probe is within its limit (default 3%%), 1 when one rose beyond it or is missing,\n"
		   "2 on bad usage. --write rewrites the baseline instead, keeping per-probe limits.\n");
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	const struct { const char *flag; const char **value; } flags[] = {
		{ "--dumps", &o->dumps }, { "--baseline", &o->baseline }, { "--papi", &o->papi },
		{ "--commit", &o->id.commit }, { "--compiler", &o->id.compiler },
		{ "--cflags", &o->id.cflags }, { "--cpu", &o->id.cpu },
		{ "--valgrind", &o->id.valgrind },
	};
	size_t k;
	int i;

	o->threshold = 3.0;
	for (i = 1; i < argc; i++) {
		char *end;

		if (!strcmp(argv[i], "--write")) {
			o->write = 1;
			continue;
		}
		if (i + 1 >= argc)
			return -1;
		if (!strcmp(argv[i], "--threshold")) {
			o->threshold = strtod(argv[++i], &end);
			if (*end || o->threshold < 0)
				return -1;
			continue;
		}
		for (k = 0; k < sizeof(flags) / sizeof(flags[0]); k++)
			if (!strcmp(argv[i], flags[k].flag))
				break;
		if (k == sizeof(flags) / sizeof(flags[0]))
			return -1;
		*flags[k].value = argv[++i];
	}
	return o->dumps && o->baseline ? 0 : -1;
}

int main(int argc, char **argv)
{
	static struct run run;
	struct opts o;
	char err[ERRLEN];

	memset(&o, 0, sizeof(o));
	if (parse_args(argc, argv, &o)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (read_dumps(o.dumps, &run, err, sizeof(err)) ||
	    (o.papi && read_papi(o.papi, &run, err, sizeof(err)))) {
		fprintf(stderr, "bench-check: %s\n", err);
		return EXIT_USAGE;
	}
	if (!o.papi)
		snprintf(run.papi_why, sizeof(run.papi_why), "not asked for");
	return o.write ? write_baseline(&o, &run) : check(&o, &run);
}
