/*
 * Whose CPU a run's utilisation holds beside the evolution's own: the sampler's thread (the
 * instruments, as it measured itself: summary.sampler.cpu_s) and the start-up before the
 * run's clock (loading, the counters' probe), which the summary's process times include and
 * its wall time does not. Rows of the main table, and the CPU figure's columns.
 */
#include <stdio.h>
#include <stdlib.h>

#include "reports/report.h"

#define CELL 160

void report_cpu_take(struct report_rep *p, const json_t *summary)
{
	const json_t *smp = json_object_get(summary, "sampler");
	double all = report_num(summary, "cpu_user_s", -1) + report_num(summary, "cpu_sys_s", 0) +
		     report_num(summary, "children_cpu_user_s", 0) + report_num(summary, "children_cpu_sys_s", 0),
	       clocked = report_num(summary, "cpu_s", -1);

	p->sampler_cpu_s = json_is_object(smp) ? report_num(smp, "cpu_s", -1) : 0;
	/* cpu_s counts the process from the clock's start on, as wall_s does; the rest is before */
	p->startup_cpu_s = all >= 0 && clocked >= 0 && all >= clocked ? all - clocked : -1;
}

/* stats over the ok repetitions of value / wall seconds, those not measured (< 0) left out */
static int share_stats(struct sample_stats *s, const struct report_config *c, int startup)
{
	double *x = malloc(sizeof(*x) * (size_t)(c->n_reps + 1));
	int i, n = 0;

	if (!x)
		return -1;
	for (i = 0; i < c->n_reps; i++) {
		const struct report_rep *p = &c->reps[i];
		double v = startup ? p->startup_cpu_s : p->sampler_cpu_s;

		if (p->ok && p->have_summary && p->wall_s > 0 && v >= 0)
			x[n++] = v / p->wall_s;
	}
	stats_compute(s, x, n);
	free(x);
	return 0;
}

int report_cpu_stats(struct report_config *c)
{
	return share_stats(&c->util_sampler, c, 0) || share_stats(&c->util_startup, c, 1) ? -1 : 0;
}

void report_cpu_rows(FILE *f, const struct report_group *g)
{
	char cell[CELL];
	int i, any = 0;

	for (i = 0; i < g->n_cfg; i++)
		any |= g->cfg[i].util.n > 0 && g->cfg[i].util_startup.n > 0;
	if (!any)
		return;
	fprintf(f, "| CPU utilisation (CPU s / wall s) |");
	for (i = 0; i < g->n_cfg; i++) {
		fmt_cell(cell, sizeof(cell), &g->cfg[i].util);
		fprintf(f, " %s |", cell);
	}
	fprintf(f, "\n| of it: sampler, start-up |");
	for (i = 0; i < g->n_cfg; i++) {
		const struct report_config *c = &g->cfg[i];

		if (c->util_startup.n)
			fprintf(f, " %.3f, %.3f |", c->util_sampler.median, c->util_startup.median);
		else
			fprintf(f, " - |");
	}
	fprintf(f, "\n");
}

void report_cpu_note(FILE *f, const struct report_group *g)
{
	int i;

	for (i = 0; i < g->n_cfg; i++)
		if (g->cfg[i].util_startup.n)
			break;
	if (i == g->n_cfg)
		return;
	fprintf(f, "\nCPU utilisation: the process's and its reaped children's CPU seconds over the run's "
		   "wall seconds, median [min–max]. Of it, the instruments' share: the sampler's thread "
		   "(its own CPU time, summary.sampler.cpu_s), and the start-up before the run's clock "
		   "(loading, the counters' probe), counted in the process's CPU time but not in its wall "
		   "time; both are medians over repetitions, in cores.\n");
}

void report_cpu_data(FILE *f, const struct report_config *c)
{
	fprintf(f, " %.4g %.4g", c->util_sampler.n ? c->util_sampler.median : 0,
		c->util_startup.n ? c->util_startup.median : 0);
}
