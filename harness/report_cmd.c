/*
 * `evopar report DIR`: the command. Parses and checks its options and DIR, then hands them
 * to the report generator (reports/report.h), which reads the records and writes the report.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/cli.h"
#include "harness/options.h"
#include "harness/run.h"
#include "proc/clock.h"
#include "reports/report.h"
#include "reports/sweep.h"
#include "reports/search_verdict.h"

#define RO(field) offsetof(struct report_options, field)

static const char *const on_off[] = { "off", "on", NULL };
/* in the order of enum report_rule */
static const char *const rules[] = { "evaluate", "islands", NULL };

static const struct opt_spec report_opts[] = {
	{ "title", OPT_STRING, RO(title), 0, 0, NULL, "the first heading of report.md (default: the directory)" },
	{ "intro", OPT_STRING, RO(intro), 0, 0, NULL, "a Markdown file put under the title (the hypothesis, what was run)" },
	{ "reference", OPT_STRING, RO(reference), 0, 0, NULL, "published figures to set beside ours (format: reports/study-mutation.ref)" },
	{ "plots", OPT_STRING, RO(plots), 0, 0, NULL, "directory of the gnuplot scripts (default: plots/ beside bin/)" },
	{ "figures", OPT_CHOICE, RO(figures), 0, 0, on_off, "draw the figures with gnuplot" },
	{ "headline", OPT_STRING, RO(headline), 0, 0, NULL, "also write the first file's headline (the machine, then sequential and every configuration of 2 or more workers: evaluate and total ms, paired speedup, throughput, work) to this Markdown file" },
	{ "verdict", OPT_STRING, RO(verdict), 0, 0, NULL, "experiment-1, experiment-2 or experiment-4: print that experiment's verdict from DIR's searches.tsv (a missing column: exit 2); any other value: only write the tables and rules' verdicts --rule names to this file: experiment 5's (R1-R4) from DIR's evaluate.tsv, searches.tsv and gpu-status, and the rates figures, or experiment 3's" },
	{ "rule", OPT_CHOICE, RO(rule), 0, 0, rules, "whose part --verdict writes: experiment 5's (evaluate), or experiment 3's (islands: DIR/bench.jsonl's runs into DIR/islands.tsv, then its rule on that table's columns)" },
	{ "trials", OPT_INT, RO(trials), 0, 1000000000, NULL, "experiment 5 (--verdict): trials per configuration of its trials bench (0 counts as 1)" },
	{ "shared-trials", OPT_INT, RO(shared_trials), 0, 1000000000, NULL, "experiment 5 (--verdict): trials per configuration sharing the GPU" },
	{ "sweep", OPT_STRING, RO(sweep), 0, 0, NULL, "startup or mutation: also a section across DIR's bench files, one work size each: every configuration's speedup against the work per item, where it breaks even, the study's claims (make study-startup, make study-mutation)" },
	{ "quiet", OPT_FLAG, RO(quiet), 0, 0, NULL, "no summary line; stderr only for errors and warnings" },
	{ "help", OPT_FLAG, RO(help), 0, 0, NULL, "this text" },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static void usage(FILE *f)
{
	struct report_options d = { .figures = 1 };

	fprintf(f, "usage: evopar report DIR [options]\n\n"
		   "Read every *.jsonl in DIR (evopar bench files, evopar run or evopar search files) and\n"
		   "write into DIR: tables.md (median ms per generation per phase and configuration, or\n"
		   "a search's wall time, concurrency and parallelism; min-max across repetitions;\n"
		   "speedups against sequential from the same file with a paired bootstrap 95%% interval,\n"
		   "the A/A control's null band; unstable cells marked ?), figures through gnuplot (PNG,\n"
		   "SVG and PDF; a trial timeline per search), report.md linking them with the\n"
		   "sequential-fallback verdict of every search, and searches.tsv (and evaluate.tsv for\n"
		   "bench files of runs). --verdict and --sweep add an experiment's or a study's part.\n\noptions:\n");
	options_help(f, report_opts, &d);
}

/* Does --NAME (without =) take the next word as its value? */
static int takes_value(const char *arg)
{
	const struct opt_spec *s;

	for (s = report_opts; s->name; s++)
		if (!strcmp(arg + 2, s->name))
			return s->type != OPT_FLAG;
	return 0;
}

/* an option word for options_parse: --NAME, -h, -V */
static int is_option(const char *arg)
{
	return !strncmp(arg, "--", 2) || !strcmp(arg, "-h") || !strcmp(arg, "-V");
}

/* DIR is the one word that is neither an option nor an option's value; after "--", any word. */
static int parse_args(struct report *r, int argc, char **argv, char *err, size_t errlen)
{
	char **rest = malloc(sizeof(*rest) * (size_t)(argc + 1));
	int i, n = 0, rc = 0, operands = 0;

	if (!rest) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < argc; i++) {
		if (!operands && !strcmp(argv[i], "--")) {
			operands = 1;
			continue;
		}
		if (!operands && is_option(argv[i])) {
			rest[n++] = argv[i];
			if (takes_value(argv[i]) && i + 1 < argc)
				rest[n++] = argv[++i];
			continue;
		}
		if (r->dir) {
			snprintf(err, errlen, "one directory only: '%s' and '%s'", r->dir, argv[i]);
			rc = -EINVAL;
			goto free_rest;
		}
		r->dir = argv[i];
	}
	if (options_parse(report_opts, &r->o, n, rest, err, errlen)) {
		rc = -EINVAL;
		goto free_rest;
	}
	if (!r->dir && !r->o.help) {
		snprintf(err, errlen, "DIR: the directory of *.jsonl files is missing");
		rc = -EINVAL;
	}
free_rest:
	free(rest);
	return rc;
}

/*
 * The files and directory the options name, checked before any work as every command checks
 * its path options: a missing one is a usage error naming the option and the path.
 */
static int check_paths(const struct report *r, char *err, size_t errlen)
{
	const char *const inputs[][2] = { { "intro", r->o.intro }, { "reference", r->o.reference } };
	struct stat st;
	size_t i;
	int e;

	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		FILE *f = inputs[i][1] ? options_open_input(inputs[i][0], inputs[i][1], err, errlen) : NULL;

		if (inputs[i][1] && !f)
			return -EINVAL;
		if (f)
			fclose(f);
	}
	if (r->o.sweep && !sweep_find(r->o.sweep)) {
		snprintf(err, errlen, "--sweep %s: not a sweep (one of %s)", r->o.sweep, sweep_names());
		return -EINVAL;
	}
	e = !r->o.plots ? 0 : stat(r->o.plots, &st) ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
	if (e) {
		snprintf(err, errlen, "--plots %s: %s", r->o.plots, strerror(e));
		return -EINVAL;
	}
	/* the outputs: --verdict's file, or the report's files written into DIR */
	if (r->o.verdict)
		return options_check_output("verdict", r->o.verdict, err, errlen) ? -EINVAL : 0;
	if (access(r->dir, W_OK | X_OK)) {
		snprintf(err, errlen, "DIR: %s: the report is written there: %s", r->dir, strerror(errno));
		return -EINVAL;
	}
	return 0;
}

/* A sequential run that got clearly less than a core: the times are not to be trusted. */
static void warn_busy(const struct report *r)
{
	const struct report_config *c;
	int i;

	for (i = 0; i < r->n_g; i++) {
		c = report_busy_baseline(&r->g[i]);
		if (c)
			fprintf(stderr, "evopar report: warning: a busy machine: in %s the sequential runs "
				"(%s) got a median of %.2f CPU seconds per wall second, not 1.0: times are "
				"inflated and noisy; run again on a quiet machine (%s/report.md)\n",
				r->g[i].file, c->label, c->util.median, r->dir);
	}
}

/* The one line at the end: what the report read and where it is. */
static void show_summary(const struct report *r, int ok, double wall_s)
{
	char figure[128], out[4200];
	int i, configs = 0;

	for (i = 0; i < r->n_g; i++)
		configs += r->g[i].n_cfg;
	if (r->o.verdict)
		snprintf(figure, sizeof(figure), "experiment %d's verdicts",
			 r->o.rule == REPORT_RULE_ISLANDS ? 3 : 5);
	else
		snprintf(figure, sizeof(figure), "%d record file%s, %d configuration%s, %d watched job%s",
			 r->n_g, r->n_g == 1 ? "" : "s", configs, configs == 1 ? "" : "s", r->n_watch,
			 r->n_watch == 1 ? "" : "s");
	snprintf(out, sizeof(out), "%s", r->o.verdict ? r->o.verdict : r->dir);
	if (!r->o.verdict)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "/report.md");
	cli_summary(r->o.quiet, "report", &(struct cli_end){ .status = ok ? "ok" : "failed",
		    .wall_s = wall_s, .figure = figure, .what = r->o.verdict ? "verdicts" : "report",
		    .out = out, .written = ok });
}

int cmd_report(int argc, char **argv)
{
	struct report *r = calloc(1, sizeof(*r));
	struct stat st;
	char err[1024];
	double t0;
	int code = EXIT_USAGE;

	if (!r) {
		fprintf(stderr, "evopar report: out of memory\n");
		return EXIT_FAILED;
	}
	r->o.figures = 1;
	if (parse_args(r, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "evopar report: %s\n", err);
		goto free_report;
	}
	if (r->o.help) {
		code = options_answer(r->o.help, usage);
		goto free_report;
	}
	if (stat(r->dir, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "evopar report: DIR: %s is not a directory\n", r->dir);
		goto free_report;
	}
	if (check_paths(r, err, sizeof(err))) {
		fprintf(stderr, "evopar report: %s\n", err);
		goto free_report;
	}
	if (search_verdict_known(r->o.verdict)) {   /* a trial-search experiment's rules */
		int rc = search_verdict_print(r, r->o.verdict, stdout);

		code = !rc ? 0 : rc == -EINVAL ? EXIT_USAGE : EXIT_FAILED;
		if (rc)
			fprintf(stderr, "evopar report: %s\n", r->err);
		goto free_report;
	}
	code = EXIT_FAILED;
	t0 = proc_now_s();
	if (report_make(r)) {
		fprintf(stderr, "evopar report: %s\n", r->err);
		show_summary(r, 0, proc_now_s() - t0);
		goto free_report;
	}
	warn_busy(r);
	show_summary(r, 1, proc_now_s() - t0);
	code = 0;
free_report:
	report_free(r);
	return code;
}

static void report_doc_defaults(void *o)
{
	*(struct report_options *)o = (struct report_options){ .figures = 1 };
}

const struct cli_doc report_doc = { report_opts, usage, report_doc_defaults,
				    sizeof(struct report_options), CLI_DIRECTORY };
