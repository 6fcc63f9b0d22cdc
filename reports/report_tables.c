/*
 * tables.md in the study's layout: phases down, one column per configuration, median ms per
 * generation [min–max] across repetitions, the speedups against sequential; a search's own
 * table comes from search_tables.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "reports/report.h"

#define CELL 160

static const char *const phase_rows[] = { "mutate", "prepare", "evaluate", "resample", "total" };

static void fmt_speedup(char *buf, size_t len, const struct report_group *g,
			const struct report_config *c, int row, int with_range)
{
	const struct report_config *b;
	char med[32], lo[32], hi[32];
	int unstable;
	double sp = report_speedup(g, c, row, &unstable);

	if (sp <= 0) {
		snprintf(buf, len, "-");
		return;
	}
	b = &g->cfg[c->baseline];
	fmt_ratio(med, sizeof(med), sp);
	if (with_range && c->row[row].min > 0 && c != b) {
		fmt_ratio(lo, sizeof(lo), b->row[row].median / c->row[row].max);
		fmt_ratio(hi, sizeof(hi), b->row[row].median / c->row[row].min);
		fmt_interval(buf, len, med, lo, hi, unstable);
	} else {
		snprintf(buf, len, "%s%s", med, unstable ? " ?" : "");
	}
}

static void header_row(FILE *f, const struct report_group *g, const char *corner, int skip_baselines)
{
	int i;

	fprintf(f, "| %s |", corner);
	for (i = 0; i < g->n_cfg; i++)
		if (!skip_baselines || g->cfg[i].baseline != i)
			fprintf(f, " %s |", g->cfg[i].label);
	fprintf(f, "\n| --- |");
	for (i = 0; i < g->n_cfg; i++)
		if (!skip_baselines || g->cfg[i].baseline != i)
			fprintf(f, " ---: |");
	fprintf(f, "\n");
}

/* the workload shared by the configurations, from the first one's meta config */
static void write_workload(FILE *f, const struct report_group *g)
{
	const json_t *c = g->n_cfg ? g->cfg[0].config : NULL;

	if (!c)
		return;
	fprintf(f, "Workload: %s networks, task %s, population %d, %d generations",
		report_str(c, "mode", "?"), report_str(c, "task", "?"), (int)report_num(c, "pop", 0), (int)report_num(c, "gens", 0));
	if (!strcmp(report_str(c, "task", ""), "pole"))
		fprintf(f, ", %d episodes of up to %d steps", (int)report_num(c, "episodes", 0),
			(int)report_num(c, "steps", 0));
	fprintf(f, ", seed %.0f.\n", report_num(c, "seed", 0));
}

static void write_reps_line(FILE *f, const struct report_group *g)
{
	if (g->bench)
		fprintf(f, "%d repetitions after %d warm-up round%s, interleaved (A B C A B C ...), each a fresh process.\n",
			(int)report_num(g->bench, "repeat", 0), (int)report_num(g->bench, "warmup", 0),
			report_num(g->bench, "warmup", 0) == 1 ? "" : "s");
	else
		fprintf(f, "Plain `evopar run` files: each file is one repetition.\n");
}

static void write_main_table(FILE *f, const struct report_group *g)
{
	char cell[CELL];
	int i, row, failed = 0;

	header_row(f, g, "ms per generation", 0);
	fprintf(f, "| workers |");
	for (i = 0; i < g->n_cfg; i++)
		fprintf(f, " %d |", g->cfg[i].workers);
	fprintf(f, "\n");
	for (row = ROW_MUTATE; row <= ROW_TOTAL; row++) {
		fprintf(f, "| %s |", phase_rows[row]);
		for (i = 0; i < g->n_cfg; i++) {
			fmt_cell(cell, sizeof(cell), &g->cfg[i].row[row]);
			fprintf(f, " %s |", cell);
		}
		fprintf(f, "\n");
	}
	fprintf(f, "| speedup (total) |");
	for (i = 0; i < g->n_cfg; i++) {
		fmt_speedup(cell, sizeof(cell), g, &g->cfg[i], ROW_TOTAL, 1);
		fprintf(f, " %s |", cell);
	}
	fprintf(f, "\n| repetitions |");
	for (i = 0; i < g->n_cfg; i++) {
		fprintf(f, " %d |", g->cfg[i].row[ROW_TOTAL].n);
		failed += g->cfg[i].failed;
	}
	fprintf(f, "\n");
	if (failed) {
		fprintf(f, "| failed runs |");
		for (i = 0; i < g->n_cfg; i++)
			fprintf(f, " %d |", g->cfg[i].failed);
		fprintf(f, "\n");
	}
}

static void write_speedup_table(FILE *f, const struct report_group *g)
{
	char cell[CELL];
	int i, row;

	if (!report_count_compared(g))
		return;
	fprintf(f, "\nSpeedup per phase against sequential (its median / the configuration's median; "
		   "above 1 is faster):\n\n");
	header_row(f, g, "speedup", 1);
	for (row = ROW_MUTATE; row <= ROW_TOTAL; row++) {
		fprintf(f, "| %s |", phase_rows[row]);
		for (i = 0; i < g->n_cfg; i++) {
			if (g->cfg[i].baseline == i)
				continue;
			fmt_speedup(cell, sizeof(cell), g, &g->cfg[i], row, 0);
			fprintf(f, " %s |", cell);
		}
		fprintf(f, "\n");
	}
}

/* configurations compared with a sequential run of another workload say so */
static void write_baseline_notes(FILE *f, const struct report_group *g)
{
	int i, any = 0;

	for (i = 0; i < g->n_cfg; i++) {
		const struct report_config *c = &g->cfg[i];

		if (c->baseline < 0)
			any = -1;
		else if (c->baseline != i)
			any |= 1;
	}
	if (any < 0)
		fprintf(f, "\nNo sequential configuration in this file: no speedups.\n");
	for (i = 0; i < g->n_cfg; i++) {
		const struct report_config *c = &g->cfg[i];

		if (c->baseline >= 0 && c->baseline != i &&
		    g->cfg[c->baseline].baseline != c->baseline)
			fprintf(f, "\n%s is compared with %s, whose workload differs.\n", c->label,
				g->cfg[c->baseline].label);
	}
	for (i = 0; i < g->n_cfg; i++)
		if (g->cfg[i].baseline >= 0 && g->cfg[i].baseline != i &&
		    g->cfg[i].baseline != g->cfg[0].baseline) {
			fprintf(f, "\nEach configuration is compared with the sequential one of the same workload "
				   "(options other than the strategy's own).\n");
			break;
		}
}

int report_write_tables(struct report *r, FILE *f)
{
	int gi;

	fprintf(f, "# Tables\n");
	if (!r->n_g && r->n_watch) {
		fprintf(f, "\nNo bench, run or search records in this directory: the watched jobs follow.\n");
		return ferror(f) ? -EIO : 0;
	}
	for (gi = 0; gi < r->n_g; gi++) {
		const struct report_group *g = &r->g[gi];

		fprintf(f, "\n## %s\n\n", g->file);
		if (!g->n_cfg) {
			fprintf(f, "No runs in this file.\n");
			continue;
		}
		if (g->search) {
			search_write_tables(g, f);
			continue;
		}
		write_workload(f, g);
		write_reps_line(f, g);
		fprintf(f, "Cells: median ms per generation [min–max] across repetitions; each repetition counts "
			   "once, as the mean of its generation records, generation 0 left out as warm-up.\n\n");
		write_main_table(f, g);
		write_speedup_table(f, g);
		write_baseline_notes(f, g);
	}
	fprintf(f, "\n`?` unstable: coefficient of variation over %.0f%% or fewer than %d repetitions "
		   "(as pyperf marks them); a speedup computed from an unstable cell is marked too.\n",
		UNSTABLE_CV * 100, UNSTABLE_MIN_N);
	return ferror(f) ? -EIO : 0;
}

