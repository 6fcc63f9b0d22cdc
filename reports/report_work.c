/*
 * The work each configuration did (the generation records' steps): its throughput beside its
 * ms per generation, and whether it ran the same computation as its sequential baseline. A
 * pole episode stops at failure, so a configuration that evolves differently (islands) does
 * different work; its speedup is then not a faster run of the same thing.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"

#define CELL 160

void report_work_take(struct report_rep *p, const json_t *rec)
{
	const json_t *steps = json_object_get(rec, "steps");

	if (!json_is_number(steps))
		return;               /* records from before the count */
	p->steps += json_number_value(steps);
	p->steps_gens++;
	if (report_num(rec, "gen", 0) >= 1)
		p->steps_timed += json_number_value(steps);   /* the generations sum_ms covers */
}

/* a repetition's whole count: only where every generation record carried one */
static double rep_steps(const struct report_rep *p)
{
	return p->ok && p->steps_gens > 0 && p->steps_gens >= p->gens ? p->steps : -1;
}

static double rep_rate(const struct report_rep *p)
{
	double s = p->sum_ms[ROW_TOTAL] / 1e3;

	return rep_steps(p) >= 0 && p->gens && s > 0 ? p->steps_timed / s : -1;
}

int report_work_stats(struct report_config *c)
{
	double *x = malloc(sizeof(*x) * (size_t)(c->n_reps + 1)), *y, v;
	int i, n = 0, m = 0;

	if (!x)
		return -1;
	y = malloc(sizeof(*y) * (size_t)(c->n_reps + 1));
	if (!y) {
		free(x);
		return -1;
	}
	for (i = 0; i < c->n_reps; i++) {
		if ((v = rep_steps(&c->reps[i])) >= 0)
			x[n++] = v;
		if ((v = rep_rate(&c->reps[i])) >= 0)
			y[m++] = v;
	}
	stats_compute(&c->steps, x, n);
	stats_compute(&c->rate, y, m);
	free(x);
	free(y);
	return 0;
}

double report_work_ratio(const struct report_group *g, const struct report_config *c)
{
	const struct report_config *b;

	if (c->baseline < 0 || !c->steps.n)
		return 0;
	b = &g->cfg[c->baseline];
	return b->steps.n && b->steps.median > 0 ? c->steps.median / b->steps.median : 0;
}

int report_work_differs(const struct report_group *g, const struct report_config *c)
{
	double r = report_work_ratio(g, c);

	return r > 0 && fabs(r - 1.0) > WORK_SAME_SHARE;
}

/* whether any configuration of g counted its work (records from before the count did not) */
static int any_counted(const struct report_group *g)
{
	int i;

	for (i = 0; i < g->n_cfg; i++)
		if (g->cfg[i].steps.n)
			return 1;
	return 0;
}

/* the unit of the count: pole's physics steps, xor's network evaluations */
static const char *work_unit(const struct report_group *g)
{
	const json_t *c = g->n_cfg ? g->cfg[0].config : NULL;

	return !strcmp(report_str(c, "task", "pole"), "xor") ? "evaluations" : "steps";
}

void report_work_cell(char *buf, size_t len, const struct report_group *g,
		      const struct report_config *c)
{
	double r = report_work_ratio(g, c);

	if (r <= 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.3f%s", r, report_work_differs(g, c) ? " different computation" : "");
}

void report_work_rows(FILE *f, const struct report_group *g)
{
	char cell[CELL];
	int i;

	if (!any_counted(g))
		return;
	fprintf(f, "| throughput (M %s/s) |", work_unit(g));
	for (i = 0; i < g->n_cfg; i++) {
		fmt_stat(cell, sizeof(cell), &g->cfg[i].rate, 1e-6);
		fprintf(f, " %s |", cell);
	}
	fprintf(f, "\n| work / sequential's |");
	for (i = 0; i < g->n_cfg; i++) {
		report_work_cell(cell, sizeof(cell), g, &g->cfg[i]);
		fprintf(f, " %s |", cell);
	}
	fprintf(f, "\n");
}

void report_work_notes(FILE *f, const struct report_group *g)
{
	int i, any = 0;

	if (!any_counted(g))
		return;
	for (i = 0; i < g->n_cfg; i++) {
		const struct report_config *c = &g->cfg[i];
		double r = report_work_ratio(g, c);

		if (!report_work_differs(g, c))
			continue;
		if (!any++)
			fprintf(f, "\n");
		fprintf(f, "%s is a different computation: it did %.0f%% %s work (%s) than %s, more than "
			   "the %.0f%% a run of the same evolution may differ by; its speedup is not a faster "
			   "run of the same work, and the speedup figure draws it apart from the ideal line.\n",
			c->label, fabs(r - 1.0) * 100, r < 1 ? "less" : "more", work_unit(g),
			g->cfg[c->baseline].label, WORK_SAME_SHARE * 100);
	}
	fprintf(f, "\nWork: the %s evaluate simulated, summed over a run's generation records (every "
		   "worker, process and island counted), median over repetitions; throughput: the %s of "
		   "generations 1.. over their total time.\n", work_unit(g), work_unit(g));
}

/* a configuration the speedup figure draws as a point of its own */
static int drawn_apart(const struct report_group *g, const struct report_config *c)
{
	int unstable;

	return c->row[ROW_TOTAL].n && report_work_differs(g, c) &&
	       report_speedup(g, c, ROW_TOTAL, &unstable) > 0;
}

int report_work_apart(const struct report_group *g)
{
	int i, n = 0;

	for (i = 0; i < g->n_cfg; i++)
		n += drawn_apart(g, &g->cfg[i]);
	return n;
}

int report_work_speedup_data(const struct report_group *g, FILE *f, int blocks)
{
	char label[CELL + 64];
	int i, n = 0, unstable;

	for (i = 0; i < g->n_cfg; i++) {
		const struct report_config *c = &g->cfg[i];
		const struct sample_stats *b;
		double sp = report_speedup(g, c, ROW_TOTAL, &unstable);

		if (!drawn_apart(g, c))
			continue;
		if (blocks + n)
			fprintf(f, "\n\n");
		snprintf(label, sizeof(label), "%s (different computation)", c->label);
		report_put_label(f, label);
		fprintf(f, " \"speedup\" \"low\" \"high\"\n");
		b = &g->cfg[c->baseline].row[ROW_TOTAL];
		fprintf(f, "%d %.6g %.6g %.6g\n", c->workers, sp, b->median / c->row[ROW_TOTAL].max,
			b->median / c->row[ROW_TOTAL].min);
		n++;
	}
	return n;
}
