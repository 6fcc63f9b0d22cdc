/*
 * The report generator's entry: with the options and DIR set by the command (harness/
 * report_cmd.c), load the records of DIR (report_load.c) and write tables.md, searches.tsv,
 * the figures and report.md into it; with --verdict, experiment 5's part (evaluate_verdict.c) only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "reports/evaluate.h"
#include "reports/evaluate_verdict.h"
#include "reports/islands.h"
#include "reports/report.h"
#include "reports/sweep.h"

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
	if (!rc && r->o.headline)
		rc = report_write_headline(r);
	if (rc)
		return rc;
	if (r->o.figures)
		report_figures(r);
	else
		notes_add(&r->notes, "- Figures were not drawn (--figures off).\n");
	return report_write_md(r, tables, md);
}

int report_make(struct report *r)
{
	find_plots(r);
	if (r->o.verdict && r->o.rule == REPORT_RULE_ISLANDS)
		return islands_verdict_write(r) ? -1 : 0;
	if (r->o.verdict)         /* experiment 5's part, from the tables a report wrote before */
		return evaluate_verdict_write(r) ? -1 : 0;
	if (report_load(r))
		return -1;
	if (write_outputs(r))
		return -1;
	return r->o.sweep ? sweep_write(r, sweep_find(r->o.sweep)) : 0;
}
