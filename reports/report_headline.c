/*
 * `evopar report DIR --headline FILE`: the README's headline from the first bench file of DIR
 * (what `make headline` commits under experiments/records/make-run/): the machine and when,
 * then sequential and every configuration of 2 or more workers, with the evaluate and total
 * ms per generation, the speedup and its paired interval, the throughput and the work.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "reports/interval.h"
#include "reports/report.h"

#define CELL 160

/* the columns: the baseline, other sequential ones (a control) and those of 2+ workers */
static int shown(const struct report_group *g, int i)
{
	const struct report_config *c = &g->cfg[i];

	return c->row[ROW_TOTAL].n && (c->baseline == i || c->workers >= 2 ||
				       (c->strategy && !strcmp(c->strategy, "sequential")));
}

/* the machine, the date, the commit, the load, the workload */
static void write_intro(FILE *f, const struct report_group *g)
{
	const json_t *m = g->meta, *c = g->n_cfg ? g->cfg[0].config : NULL;
	double load = report_num(m, "load_average_1m", -1), cores = report_num(m, "online_cores", 0);

	fprintf(f, "What `make run` printed on %s (%d online cores, host `%s`), %s, commit `%s`, in %.0f s",
		report_str(m, "cpu_model", "?"), (int)cores, report_str(m, "host", "?"),
		report_str(m, "time", "?"), report_str(m, "git_commit", "?"), g->elapsed_s);
	if (load >= 0)
		fprintf(f, "; load average %.2f as its first run started%s", load, load > cores / 2 ?
			": other work kept the machine busy, so the times are noisy" : "");
	fprintf(f, ". Workload: %s networks, task %s, population %d, %d generations; %d repetitions after %d "
		   "warm-up round%s; ms per generation, median [min–max] over the repetitions; speedup "
		   "against sequential from the same file with its paired bootstrap 95%% interval "
		   "(rounds as pairs, %d resamples); work: steps simulated over sequential's.\n\n",
		report_str(c, "mode", "?"), report_str(c, "task", "?"), (int)report_num(c, "pop", 0),
		(int)report_num(c, "gens", 0), (int)report_num(g->bench, "repeat", 0),
		(int)report_num(g->bench, "warmups", 0), report_num(g->bench, "warmups", 0) == 1 ? "" : "s",
		BOOT_RESAMPLES);
}

static void write_speedup(FILE *f, const struct report_group *g, int i)
{
	const struct report_config *c = &g->cfg[i];
	struct ratio_ci ci;

	if (c->baseline == i)
		fprintf(f, " 1.00 |");
	else if (c->baseline < 0 || report_paired_ms_ratio(&g->cfg[c->baseline], c, &ci))
		fprintf(f, " - |");
	else
		fprintf(f, " %.2f [%.2f–%.2f] |", ci.ratio, ci.lo, ci.hi);
}

static void write_table(FILE *f, const struct report_group *g)
{
	static const int rows[] = { ROW_EVALUATE, ROW_TOTAL };
	char cell[CELL];
	size_t k;
	int i;

	fprintf(f, "| |");
	for (i = 0; i < g->n_cfg; i++)
		if (shown(g, i))
			fprintf(f, " %s |", g->cfg[i].label);
	fprintf(f, "\n| --- |");
	for (i = 0; i < g->n_cfg; i++)
		if (shown(g, i))
			fprintf(f, " ---: |");
	fprintf(f, "\n");
	for (k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
		fprintf(f, "| %s ms |", report_row_names[rows[k]]);
		for (i = 0; i < g->n_cfg; i++)
			if (shown(g, i)) {
				fmt_cell(cell, sizeof(cell), &g->cfg[i].row[rows[k]]);
				fprintf(f, " %s |", cell);
			}
		fprintf(f, "\n");
	}
	fprintf(f, "| speedup |");
	for (i = 0; i < g->n_cfg; i++)
		if (shown(g, i))
			write_speedup(f, g, i);
	fprintf(f, "\n| throughput (M steps/s) |");
	for (i = 0; i < g->n_cfg; i++)
		if (shown(g, i)) {
			fmt_stat(cell, sizeof(cell), &g->cfg[i].rate, 1e-6);
			fprintf(f, " %s |", cell);
		}
	fprintf(f, "\n| work / sequential's |");
	for (i = 0; i < g->n_cfg; i++)
		if (shown(g, i)) {
			report_work_cell(cell, sizeof(cell), g, &g->cfg[i]);
			fprintf(f, " %s |", cell);
		}
	fprintf(f, "\n");
}

int report_write_headline(struct report *r)
{
	const struct report_group *g = NULL;
	FILE *f;
	int i, rc;

	for (i = 0; i < r->n_g && !g; i++)
		if (r->g[i].bench && !r->g[i].search && r->g[i].n_cfg)
			g = &r->g[i];
	if (!g) {
		snprintf(r->err, sizeof(r->err), "--headline: no bench file of runs in %s", r->dir);
		return -ENOENT;
	}
	f = fopen(r->o.headline, "w");
	if (!f) {
		rc = -errno;
		snprintf(r->err, sizeof(r->err), "--headline %s: %s", r->o.headline, strerror(-rc));
		return rc;
	}
	write_intro(f, g);
	write_table(f, g);
	rc = ferror(f) ? -EIO : 0;
	if (fclose(f) && !rc)
		rc = -errno;
	if (rc)
		snprintf(r->err, sizeof(r->err), "--headline %s: write failed: %s", r->o.headline, strerror(-rc));
	return rc;
}
