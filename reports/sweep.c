/*
 * The sweep section of sweep.h: per population a table of each configuration's speedup at
 * each work per item (paired bootstrap over the bench's rounds), the work per item at which
 * each breaks even, the study's claims (sweep_claims.c) and a figure, appended to report.md.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"
#include "reports/sweep.h"

#define MAX_POINTS 4096
#define MAX_LABELS 32

/* document 003's claims: each a ratio of two configurations of experiments/study-startup */
static const struct sweep_claim startup_claims[] = {
	{ "C1", "fork is 10-100x faster than spawn for process creation", "spawn_evopar_wait", NULL, 10, 100, NULL },
	{ "C2", "fork instead of spawn: 2-4x", "fork-pool spawn x2", "fork-pool fork x2", 2, 4, NULL },
	{ "C3", "persistent workers: 2-3x", "fork-pool fork x2", "persistent x2", 2, 3, NULL },
	{ "C4", "larger chunks: 1.5-2x", "fork-pool fork chunk 1 x2", "fork-pool fork x2", 1.5, 2, NULL },
	{ "C5", "threads instead of processes: 5-10x", "fork-pool fork x2", "threads x2", 5, 10, NULL },
	{ "C6", "joblib: 1.5-3x", NULL, NULL, 1.5, 3,
	  "joblib is a Python library; what it does (a persistent pool, batched dispatch) is C3 and C4" },
};

/* document 000's figures per network, and the two ends of our own sweep are measured */
static const struct sweep_mark mutation_marks[] = {
	{ "study: mutation 0.16 ms", 160000 },
	{ "study: mutate+prepare+resample 0.42 ms", 424500 },
};

static const struct sweep_spec specs[] = {
	{ "startup", "Start, pools, threads and chunks against the work per item (document 003)",
	  ROW_TOTAL, ROW_EVALUATE, "evaluate work per network (sequential evaluate ms / population)",
	  startup_claims, sizeof(startup_claims) / sizeof(startup_claims[0]), NULL, 0 },
	{ "mutation", "Parallel mutation against the work per network (document 000)",
	  ROW_MPR, ROW_MPR, "mutate + prepare + resample per network (sequential, ms / population)",
	  NULL, 0, mutation_marks, sizeof(mutation_marks) / sizeof(mutation_marks[0]) },
};

const struct sweep_spec *sweep_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		if (!strcmp(specs[i].name, name))
			return &specs[i];
	return NULL;
}

const char *sweep_names(void)
{
	return "startup, mutation";
}

struct sweep_set {
	struct sweep_point *p;
	int n;
	const char *labels[MAX_LABELS];
	int n_labels;
	int pops[MAX_LABELS];
	int n_pops;
};

static void add_unique_int(int *arr, int *n, int v)
{
	int i;

	for (i = 0; i < *n; i++)
		if (arr[i] == v)
			return;
	if (*n < MAX_LABELS)
		arr[(*n)++] = v;
}

static void add_label(struct sweep_set *s, const char *label)
{
	int i;

	for (i = 0; i < s->n_labels; i++)
		if (!strcmp(s->labels[i], label))
			return;
	if (s->n_labels < MAX_LABELS)
		s->labels[s->n_labels++] = label;
}

/* every configuration of group g against g's sequential configuration */
static void collect_group(struct sweep_set *s, const struct sweep_spec *spec,
			  const struct report_group *g)
{
	int i;

	for (i = 0; i < g->n_cfg && s->n < MAX_POINTS; i++) {
		const struct report_config *c = &g->cfg[i], *b;
		struct sweep_point *p = &s->p[s->n];
		int pop;

		if (c->baseline < 0 || c->baseline == i)
			continue;
		b = &g->cfg[c->baseline];
		pop = (int)report_num(b->config, "pop", 0);
		if (pop <= 0 || !b->row[spec->work_row].n)
			continue;
		p->label = c->label;
		p->pop = pop;
		p->workers = c->workers;
		p->work_ns = b->row[spec->work_row].median * 1e6 / pop;
		p->row_share = b->row[ROW_TOTAL].median > 0 ?
			       b->row[spec->row].median / b->row[ROW_TOTAL].median : NAN;
		if (report_paired_ratio(b, c, spec->row, &p->speedup))
			continue;
		add_label(s, c->label);
		add_unique_int(s->pops, &s->n_pops, pop);
		s->n++;
	}
}

static int by_work(const void *a, const void *b)
{
	const struct sweep_point *x = a, *y = b;

	if (x->pop != y->pop)
		return x->pop < y->pop ? -1 : 1;
	return x->work_ns < y->work_ns ? -1 : x->work_ns > y->work_ns;
}

static int by_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* "12.3 µs" for a time in ns */
static void fmt_ns(char *buf, size_t len, double ns)
{
	char v[32];

	if (ns >= 1e6) {
		fmt_ms(v, sizeof(v), ns / 1e6);
		snprintf(buf, len, "%s ms", v);
	} else if (ns >= 1e3) {
		fmt_ms(v, sizeof(v), ns / 1e3);
		snprintf(buf, len, "%s µs", v);
	} else {
		fmt_ms(v, sizeof(v), ns);
		snprintf(buf, len, "%s ns", v);
	}
}

static void fmt_ci(char *buf, size_t len, const struct ratio_ci *ci)
{
	char m[24], lo[24], hi[24];

	fmt_ratio(m, sizeof(m), ci->ratio);
	fmt_ratio(lo, sizeof(lo), ci->lo);
	fmt_ratio(hi, sizeof(hi), ci->hi);
	if (ci->resamples)
		snprintf(buf, len, "%s [%s–%s]", m, lo, hi);
	else
		snprintf(buf, len, "%s (n = %d, no interval)", m, ci->n);
}

static const struct sweep_point *point_at(const struct sweep_set *s, int pop, double work,
					  const char *label)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->p[i].pop == pop && s->p[i].work_ns == work && !strcmp(s->p[i].label, label))
			return &s->p[i];
	return NULL;
}

/* the sequential row's share of the generation at this work size */
static double share_at(const struct sweep_set *s, int pop, double work)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->p[i].pop == pop && s->p[i].work_ns == work)
			return s->p[i].row_share;
	return NAN;
}

/* the work sizes of pop, ascending, into w; their count */
static int work_sizes(const struct sweep_set *s, int pop, double *w, int max)
{
	int i, n = 0;

	for (i = 0; i < s->n && n < max; i++)
		if (s->p[i].pop == pop && (!n || w[n - 1] != s->p[i].work_ns))
			w[n++] = s->p[i].work_ns;
	return n;
}

static void write_table(const struct sweep_set *s, const struct sweep_spec *spec, int pop, FILE *f)
{
	double w[MAX_POINTS];
	int n = work_sizes(s, pop, w, MAX_POINTS), i, k;
	char buf[128];

	fprintf(f, "**%d networks.** Speedup of the %s against sequential [paired 95%% interval] and "
		   "work share (speedup ÷ workers: the share of the workers' time that is the work "
		   "itself; the rest, 1 − share, is the mechanism's overhead and idle time):\n\n"
		   "| work per item |%s", pop, report_row_names[spec->row],
		   spec->row != ROW_TOTAL ? " its share of a sequential generation |" : "");
	for (k = 0; k < s->n_labels; k++)
		fprintf(f, " %s | share |", s->labels[k]);
	fprintf(f, "\n| ---: |%s", spec->row != ROW_TOTAL ? " ---: |" : "");
	for (k = 0; k < s->n_labels; k++)
		fprintf(f, " ---: | ---: |");
	fprintf(f, "\n");
	for (i = 0; i < n; i++) {
		fmt_ns(buf, sizeof(buf), w[i]);
		fprintf(f, "| %s |", buf);
		if (spec->row != ROW_TOTAL)
			fprintf(f, " %.0f%% |", 100 * share_at(s, pop, w[i]));
		for (k = 0; k < s->n_labels; k++) {
			const struct sweep_point *p = point_at(s, pop, w[i], s->labels[k]);

			if (!p) {
				fprintf(f, " - | - |");
				continue;
			}
			fmt_ci(buf, sizeof(buf), &p->speedup);
			fprintf(f, " %s | %.1f%% |", buf, 100 * p->speedup.ratio / (p->workers > 0 ? p->workers : 1));
		}
		fprintf(f, "\n");
	}
	fprintf(f, "\n");
}

/* where label's median speedup first rises through 1, interpolated on log scales; 0: none */
static double crossing(const struct sweep_point *const *q, int n)
{
	int i;

	for (i = 0; i + 1 < n; i++) {
		double a = log(q[i]->speedup.ratio), b = log(q[i + 1]->speedup.ratio);

		if (a < 0 && b >= 0)
			return exp(log(q[i]->work_ns) + (0 - a) / (b - a) *
				   (log(q[i + 1]->work_ns) - log(q[i]->work_ns)));
	}
	return 0;
}

static void write_break_even(const struct sweep_set *s, int pop, const char *label, FILE *f)
{
	const struct sweep_point *q[MAX_POINTS];
	char at[48], lose[48] = "", win[48] = "";
	int i, n = 0, last_lose = -1, first_win = -1;
	double x;

	for (i = 0; i < s->n; i++)
		if (s->p[i].pop == pop && !strcmp(s->p[i].label, label))
			q[n++] = &s->p[i];
	if (!n)
		return;
	for (i = 0; i < n; i++)
		if (ratio_ci_side(&q[i]->speedup, 1.0) < 0)
			last_lose = i;
	for (i = n - 1; i >= 0 && ratio_ci_side(&q[i]->speedup, 1.0) > 0; i--)
		first_win = i;
	if (last_lose >= 0)
		fmt_ns(lose, sizeof(lose), q[last_lose]->work_ns);
	if (first_win >= 0)
		fmt_ns(win, sizeof(win), q[first_win]->work_ns);
	fprintf(f, "- %s, %d networks: ", label, pop);
	x = crossing(q, n);
	if (x > 0) {
		fmt_ns(at, sizeof(at), x);
		fprintf(f, "breaks even near **%s** of work per item", at);
	} else if (q[0]->speedup.ratio >= 1) {
		fmt_ns(at, sizeof(at), q[0]->work_ns);
		fprintf(f, "faster than sequential (median) at every size measured, from %s", at);
	} else {
		fmt_ns(at, sizeof(at), q[n - 1]->work_ns);
		fprintf(f, "never faster than sequential (median) up to %s", at);
	}
	if (lose[0])
		fprintf(f, "; slower beyond its interval up to %s", lose);
	if (win[0])
		fprintf(f, "; faster beyond its interval from %s on", win);
	fprintf(f, ".\n");
}

/* sweep.dat: a block per population and configuration; the blocks' count */
static int write_data(struct report *r, const struct sweep_set *s, const char *path)
{
	FILE *f = report_open_data(r, path, "sweep figure");
	int i, k, j, blocks = 0;
	char name[160];

	if (!f)
		return 0;
	for (j = 0; j < s->n_pops; j++)
		for (k = 0; k < s->n_labels; k++) {
			int rows = 0;

			for (i = 0; i < s->n; i++) {
				const struct sweep_point *p = &s->p[i];

				if (p->pop != s->pops[j] || strcmp(p->label, s->labels[k]))
					continue;
				if (!rows++) {
					fprintf(f, "%s", blocks ? "\n\n" : "");
					snprintf(name, sizeof(name), "%s, %d networks", p->label, p->pop);
					report_put_label(f, name);
					fprintf(f, " \"speedup\" \"low\" \"high\"\n");
					blocks++;
				}
				fprintf(f, "%.6g %.6g %.6g %.6g\n", p->work_ns / 1e3, p->speedup.ratio,
					p->speedup.lo, p->speedup.hi);
			}
		}
	fclose(f);
	return blocks;
}

/* the marks as gnuplot arrows and labels, in µs */
static void marks_cmd(char *buf, size_t len, const struct sweep_spec *spec)
{
	size_t at = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < spec->n_marks && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at,
				       "set arrow from %g, graph 0 to %g, graph 1 nohead dt 2 lc rgb \"gray50\"; "
				       "set label \"%s\" at %g, graph 0.97 rotate by 90 right font \",9\"; ",
				       spec->marks[i].ns / 1e3, spec->marks[i].ns / 1e3, spec->marks[i].text,
				       spec->marks[i].ns / 1e3);
}

static void draw(struct report *r, const struct sweep_spec *spec, const struct sweep_set *s, FILE *f)
{
	char data[4200], base[4200], script[4200], marks[2048], qm[4200], extra[8400];
	int blocks;

	snprintf(data, sizeof(data), "%s/sweep.dat", r->dir);
	snprintf(base, sizeof(base), "%s/sweep", r->dir);
	blocks = write_data(r, s, data);
	if (!blocks || !r->o.figures)
		return;
	snprintf(script, sizeof(script), "%s/sweep.gp", r->plots_dir);
	marks_cmd(marks, sizeof(marks), spec);
	report_gp_quote(qm, sizeof(qm), marks);
	snprintf(extra, sizeof(extra), "what='%s (µs)'; marks=%s",
		 spec->row == ROW_MPR ? "mutate + prepare + resample per network" : "evaluate work per network", qm);
	if (!report_draw(r, script, data, base, blocks, 0, extra, "sweep figure")) {
		char about[1024];

		report_fig_about(r->g, r->n_g, about, sizeof(about));
		fprintf(f, "![speedup against the work per item](sweep.png)\n\n*The speedup of every "
			   "configuration against the work per item, one line per population; %s.* "
			   "([SVG](sweep.svg), [PDF](sweep.pdf))\n\n", about);
	}
}

static void write_marks(const struct sweep_spec *spec, const struct sweep_set *s, FILE *f)
{
	char buf[48];
	int i;

	if (!spec->n_marks)
		return;
	fprintf(f, "Where the study stood and where C stands: ");
	for (i = 0; i < spec->n_marks; i++)
		fprintf(f, "%s%s (quoted from the document)", i ? ", " : "", spec->marks[i].text);
	if (s->n) {
		fmt_ns(buf, sizeof(buf), s->p[0].work_ns);
		fprintf(f, "; this run's smallest workload, %d networks: %s per network (measured)", s->p[0].pop, buf);
	}
	fprintf(f, ".\n\n");
}

static void write_section(struct report *r, const struct sweep_spec *spec, struct sweep_set *s, FILE *f)
{
	int j, k;

	fprintf(f, "\n## %s\n\nEach bench file is one work size: its configurations against its own "
		   "sequential configuration, rounds as pairs (%d bootstrap resamples, both arms "
		   "resampled together). Work per item: %s.\n\n", spec->title, BOOT_RESAMPLES, spec->work);
	for (j = 0; j < s->n_pops; j++)
		write_table(s, spec, s->pops[j], f);
	fprintf(f, "**Break-even.** The work per item at which each configuration's median speedup "
		   "rises through 1 (interpolated on log scales), and where its interval lies wholly "
		   "below or above 1:\n\n");
	for (j = 0; j < s->n_pops; j++)
		for (k = 0; k < s->n_labels; k++)
			write_break_even(s, s->pops[j], s->labels[k], f);
	fprintf(f, "\n");
	write_marks(spec, s, f);
	draw(r, spec, s, f);
	if (spec->n_claims)
		sweep_write_claims(r, spec, f);
}

int sweep_write(struct report *r, const struct sweep_spec *spec)
{
	struct sweep_set s = { 0 };
	char md[4200];
	FILE *f;
	int i, rc = 0;

	s.p = calloc(MAX_POINTS, sizeof(*s.p));
	if (!s.p) {
		snprintf(r->err, sizeof(r->err), "out of memory");
		return -1;
	}
	for (i = 0; i < r->n_g; i++)
		collect_group(&s, spec, &r->g[i]);
	qsort(s.p, (size_t)s.n, sizeof(*s.p), by_work);
	qsort(s.pops, (size_t)s.n_pops, sizeof(*s.pops), by_int);
	snprintf(md, sizeof(md), "%s/report.md", r->dir);
	f = fopen(md, "a");
	if (!f) {
		snprintf(r->err, sizeof(r->err), "%s: %s", md, strerror(errno));
		rc = -1;
		goto out;
	}
	write_section(r, spec, &s, f);
	if (fclose(f)) {
		snprintf(r->err, sizeof(r->err), "%s: write failed: %s", md, strerror(errno));
		rc = -1;
	}
out:
	free(s.p);
	return rc;
}
