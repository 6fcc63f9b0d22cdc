/*
 * The figures of `evopar report`: writes each figure's data as a gnuplot data file in DIR
 * and runs the matching plots/KIND.gp on it (PNG, SVG, PDF). No gnuplot, no figures: a note.
 * A value the records do not hold is written "?", which the scripts leave blank (never 0).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "reports/report.h"

const char *const report_figure_names[FIG_COUNT] = { "speedup", "phases", "cpu", "timeline" };

#define TIMELINE_MAX_SEARCHES 12   /* more searches than this: no threads-over-time figure */

/* the series a configuration belongs to in the speedup figure: its label less " xN" */
static void series_name(const char *label, char *buf, size_t len)
{
	const char *x;
	size_t at = 0, digits;

	for (; *label && at + 1 < len; label++) {
		x = label;
		digits = x[0] == ' ' && x[1] == 'x' ? strspn(x + 2, "0123456789") : 0;
		if (digits && (x[2 + digits] == 0 || x[2 + digits] == ',' || x[2 + digits] == ' ')) {
			label += 1 + digits;      /* the loop steps over the last digit */
			continue;
		}
		buf[at++] = *label;
	}
	buf[at] = 0;
}

static FILE *open_data(struct report *r, const struct report_group *g, int kind, char *path, size_t len)
{
	snprintf(path, len, "%s/%s%s.dat", r->dir, g->fig_prefix, report_figure_names[kind]);
	return report_open_data(r, path, "figure");
}

/* Blocks, one per series: "name" header, then workers speedup low high (its 95% interval).
   Returns the count. */
static int speedup_data(const struct report_group *g, FILE *f)
{
	char name[256], other[256];
	int i, j, n = 0;

	for (i = 0; i < g->n_cfg; i++) {
		const struct report_config *c = &g->cfg[i];
		int seen = 0;

		/* a different computation is drawn apart (report_work.c), not against the ideal */
		if (c->baseline < 0 || !c->row[ROW_TOTAL].n || report_work_differs(g, c) || c->copies > 1)
			continue;
		series_name(c->label, name, sizeof(name));
		for (j = 0; j < i && !seen; j++) {
			series_name(g->cfg[j].label, other, sizeof(other));
			seen = g->cfg[j].baseline >= 0 && g->cfg[j].row[ROW_TOTAL].n && !strcmp(name, other) &&
			       !report_work_differs(g, &g->cfg[j]);
		}
		if (seen)
			continue;
		if (n)
			fprintf(f, "\n\n");
		report_put_label(f, name);
		fprintf(f, " \"speedup\" \"low\" \"high\"\n");
		for (j = i; j < g->n_cfg; j++) {
			const struct report_config *d = &g->cfg[j];
			const struct ratio_ci *ci = report_speedup_ci(g, d, ROW_TOTAL);
			int unstable;
			double sp = report_speedup(g, d, ROW_TOTAL, &unstable);

			series_name(d->label, other, sizeof(other));
			if (sp <= 0 || strcmp(name, other) || report_work_differs(g, d))
				continue;
			/* the bars: the speedup's bootstrap interval, the point where there is none */
			fprintf(f, "%d %.6g %.6g %.6g\n", d->workers, sp, ci ? ci->lo : sp, ci ? ci->hi : sp);
		}
		n++;
	}
	return n + report_work_speedup_data(g, f, n);
}

static int phases_data(const struct report_group *g, FILE *f)
{
	int i, ph, n = 0;

	fprintf(f, "\"configuration\" \"mutate\" \"prepare\" \"evaluate\" \"resample\"\n");
	for (i = 0; i < g->n_cfg; i++) {
		if (!g->cfg[i].row[ROW_TOTAL].n)
			continue;
		report_put_label(f, g->cfg[i].label);
		for (ph = ROW_MUTATE; ph <= ROW_RESAMPLE; ph++)
			fprintf(f, " %.6g", g->cfg[i].row[ph].median);
		fprintf(f, "\n");
		n++;
	}
	return n;
}

static int cpu_data(const struct report_group *g, FILE *f)
{
	int i, n = 0;

	fprintf(f, "\"configuration\" \"median\" \"min\" \"max\" \"workers\" \"sampler\" \"startup\"\n");
	for (i = 0; i < g->n_cfg; i++) {
		const struct sample_stats *u = &g->cfg[i].util;

		if (!u->n)
			continue;
		report_put_label(f, g->cfg[i].label);
		fprintf(f, " %.4g %.4g %.4g %d", u->median, u->min, u->max, g->cfg[i].workers);
		report_cpu_data(f, &g->cfg[i]);
		fprintf(f, "\n");
		n++;
	}
	return n;
}

/* the timeline of the first measured repetition that has one */
static const json_t *first_timeline(const struct report_config *c)
{
	int i, best = -1;

	for (i = 0; i < c->n_reps; i++)
		if (c->reps[i].timeline && c->reps[i].ok && (best < 0 || c->reps[i].rep < c->reps[best].rep))
			best = i;
	return best < 0 ? NULL : c->reps[best].timeline;
}

/* " N", or " ?" where the sampler recorded none (null) */
static void put_count(FILE *f, const json_t *v)
{
	if (json_is_number(v))
		fprintf(f, " %.0f", json_number_value(v));
	else
		fprintf(f, " ?");
}

static int timeline_data(const struct report_group *g, FILE *f)
{
	int i, n = 0;
	size_t k;

	for (i = 0; i < g->n_cfg; i++) {
		const json_t *tl = first_timeline(&g->cfg[i]);
		json_t *t = json_object_get(tl, "t_s"), *th = json_object_get(tl, "threads"),
		       *pr = json_object_get(tl, "processes");

		if (!tl)
			continue;
		if (n)
			fprintf(f, "\n\n");
		report_put_label(f, g->cfg[i].label);
		fprintf(f, " \"threads\" \"processes\"\n");
		for (k = 0; k < json_array_size(t); k++) {
			if (!json_is_number(json_array_get(t, k)))
				continue;         /* no time, no point */
			fprintf(f, "%.6g", json_number_value(json_array_get(t, k)));
			put_count(f, json_array_get(th, k));
			put_count(f, json_array_get(pr, k));
			fprintf(f, "\n");
		}
		n++;
	}
	return n;
}

static int figure(struct report *r, struct report_group *g, int kind)
{
	static int (*const data_fn[FIG_COUNT])(const struct report_group *, FILE *) = {
		speedup_data, phases_data, cpu_data, timeline_data,
	};
	char data[4200], out[4200], script[4200], what[64], apart[32] = "";
	int n, rc, cores = 0;
	FILE *f = open_data(r, g, kind, data, sizeof(data));

	if (!f)
		return 0;
	n = data_fn[kind](g, f);
	fclose(f);
	if (!n) {
		if (kind == FIG_TIMELINE)
			notes_add(&r->notes, "- %s: no thread and process timeline in the summaries (summary.sampler."
				  "timeline): no threads-over-time figure.\n", g->file);
		else if (kind == FIG_SPEEDUP)
			notes_add(&r->notes, "- %s: no speedups to draw (no sequential configuration).\n", g->file);
		unlink(data);
		return 0;
	}
	if (g->meta)
		cores = (int)json_number_value(json_object_get(g->meta, "online_cores"));
	snprintf(out, sizeof(out), "%s/%s%s", r->dir, g->fig_prefix, report_figure_names[kind]);
	snprintf(script, sizeof(script), "%s/%s.gp", r->plots_dir, report_figure_names[kind]);
	snprintf(what, sizeof(what), "%s figure", report_figure_names[kind]);
	if (kind == FIG_SPEEDUP && !g->search)   /* the last blocks: different computations */
		snprintf(apart, sizeof(apart), "apart=%d", report_work_apart(g));
	rc = report_draw(r, script, data, out, n, cores, g->search && kind == FIG_SPEEDUP ?
			 "what='wall time of the search'; xname='jobs (trials in flight at once)'" :
			 apart[0] ? apart : NULL, what);
	if (rc == -ENOENT) {
		notes_add(&r->notes, "- gnuplot is not installed (apt-get install gnuplot-nox): no figures.\n");
		return rc;
	}
	g->fig_made[kind] = !rc;
	return 0;
}

void report_figures(struct report *r)
{
	char log[4200];
	int gi, k;

	snprintf(log, sizeof(log), "%s/gnuplot.log", r->dir);
	unlink(log);
	for (gi = 0; gi < r->n_g; gi++) {
		struct report_group *g = &r->g[gi];
		size_t n = strlen(g->file);
		int bench = n > 6 && !strcmp(g->file + n - 6, ".jsonl");

		if (!g->n_cfg)
			continue;
		/* one group: speedup.png; several: FILE-speedup.png, runs-speedup.png */
		if (r->n_g > 1)
			snprintf(g->fig_prefix, sizeof(g->fig_prefix), "%.*s-", bench ? (int)(n - 6) : 4,
				 bench ? g->file : "runs");
		for (k = 0; k < FIG_COUNT; k++) {
			if (g->search && k == FIG_PHASES)
				continue;       /* a search has no phases */
			/* one line per search stops being readable: the threads figure says it instead */
			if (g->search && k == FIG_TIMELINE && g->n_cfg > TIMELINE_MAX_SEARCHES)
				continue;
			if (figure(r, g, k) == -ENOENT)
				return;
		}
		search_figures(r, g);
	}
	report_watch_figures(r);
}
