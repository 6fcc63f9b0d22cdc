/*
 * `evopar report DIR`: the command. Parses its options, loads the records of DIR
 * (report_load.c) and writes tables.md, searches.tsv, the figures and report.md into DIR.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/options.h"
#include "harness/run.h"
#include "reports/evaluate.h"
#include "reports/report.h"

#define RO(field) offsetof(struct report_options, field)

static const char *const on_off[] = { "off", "on", NULL };

static const struct opt_spec report_opts[] = {
	{ "title", OPT_STRING, RO(title), 0, 0, NULL, "the first heading of report.md (default: the directory)" },
	{ "intro", OPT_STRING, RO(intro), 0, 0, NULL, "a Markdown file put under the title (the hypothesis, what was run)" },
	{ "reference", OPT_STRING, RO(reference), 0, 0, NULL, "published figures to set beside ours (format: reports/study-mutation.ref)" },
	{ "plots", OPT_STRING, RO(plots), 0, 0, NULL, "directory of the gnuplot scripts (default: plots/ beside bin/)" },
	{ "figures", OPT_CHOICE, RO(figures), 0, 0, on_off, "draw the figures with gnuplot" },
	{ "help", OPT_FLAG, RO(help), 0, 0, NULL, "this text" },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static void usage(FILE *f)
{
	struct report_options d = { .figures = 1 };

	fprintf(f, "usage: evopar report DIR [options]\n\n"
		   "Read every *.jsonl in DIR (evopar bench files, evopar run or evopar search files) and\n"
		   "write into DIR: tables.md (median ms per generation per phase and configuration, or\n"
		   "a search's wall time, concurrency and parallelism; min-max across repetitions,\n"
		   "speedup against sequential from the same file; unstable cells marked ?), figures\n"
		   "through gnuplot (PNG and SVG; a trial timeline per search), report.md linking them\n"
		   "with the sequential-fallback verdict of every search, and searches.tsv.\n\noptions:\n");
	options_help(f, report_opts, &d);
}

/* plots/ beside bin/: the scripts travel with the binary's checkout */
static void find_plots(struct report *r)
{
	char exe[4096], *slash;
	ssize_t len;

	if (r->o.plots) {
		snprintf(r->plots_dir, sizeof(r->plots_dir), "%s", r->o.plots);
		return;
	}
	snprintf(r->plots_dir, sizeof(r->plots_dir), "plots");
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len <= 0)
		return;
	exe[len] = 0;
	slash = strrchr(exe, '/');
	if (!slash)
		return;
	*slash = 0;
	snprintf(r->plots_dir, sizeof(r->plots_dir), "%.4000s/../plots", exe);
	if (access(r->plots_dir, R_OK))
		snprintf(r->plots_dir, sizeof(r->plots_dir), "plots");
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

/* DIR is the one word that is neither an option nor an option's value. */
static int parse_args(struct report *r, int argc, char **argv, char *err, size_t errlen)
{
	char **rest = malloc(sizeof(*rest) * (size_t)(argc + 1));
	int i, n = 0, rc = 0;

	if (!rest) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "--", 2)) {
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
	e = !r->o.plots ? 0 : stat(r->o.plots, &st) ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
	if (e) {
		snprintf(err, errlen, "--plots %s: %s", r->o.plots, strerror(e));
		return -EINVAL;
	}
	return 0;
}

static int write_outputs(struct report *r)
{
	char tables[4096], md[4096];
	FILE *f;
	int rc;

	snprintf(tables, sizeof(tables), "%s/tables.md", r->dir);
	snprintf(md, sizeof(md), "%s/report.md", r->dir);
	f = fopen(tables, "w");
	if (!f) {
		rc = -errno;
		snprintf(r->err, sizeof(r->err), "%s: %s", tables, strerror(-rc));
		return rc;
	}
	rc = report_write_tables(r, f);
	if (fclose(f) && !rc)
		rc = -errno;
	if (rc) {
		snprintf(r->err, sizeof(r->err), "%s: write failed: %s", tables, strerror(-rc));
		return rc;
	}
	rc = search_write_tsv(r);
	if (!rc)
		rc = evaluate_write_tsv(r);
	if (rc)
		return rc;
	if (r->o.figures)
		report_figures(r);
	else
		notes_add(&r->notes, "- Figures were not drawn (--figures off).\n");
	return report_write_md(r, tables, md);
}

int cmd_report(int argc, char **argv)
{
	struct report *r = calloc(1, sizeof(*r));
	struct stat st;
	char err[1024];
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
		usage(stdout);
		code = 0;
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
	find_plots(r);
	code = EXIT_FAILED;
	if (report_load(r) || write_outputs(r)) {
		fprintf(stderr, "evopar report: %s\n", r->err);
		goto free_report;
	}
	code = 0;
free_report:
	report_free(r);
	return code;
}
