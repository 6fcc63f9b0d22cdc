/*
 * report.md: the title and introduction, the machine, tables.md, then per group its
 * configurations, calibration floors, the study's figures beside ours, overheads, runs, the
 * figures and the notes of what was left out.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"
#include "reports/sync.h"

#define CELL 160

static void write_machine(FILE *f, const json_t *m)
{
	const json_t *blas = json_object_get(m, "blas"), *env = json_object_get(m, "environment");
	const char *key;
	json_t *v;

	fprintf(f, "## Machine\n\nFrom the first run's meta record.\n\n| | |\n| --- | --- |\n");
	fprintf(f, "| host | %s (%s, kernel %s) |\n", report_str(m, "host", "?"), report_str(m, "arch", "?"),
		report_str(m, "kernel", "?"));
	fprintf(f, "| CPU | %s, %d online cores", report_str(m, "cpu_model", "?"), (int)report_num(m, "online_cores", 0));
	if (json_is_number(json_object_get(m, "affinity_cores")))
		fprintf(f, " (%d in the affinity mask)", (int)report_num(m, "affinity_cores", 0));
	fprintf(f, " |\n| memory | %.1f GiB |\n", report_num(m, "memory_bytes", 0) / (1024.0 * 1024 * 1024));
	if (json_is_number(json_object_get(m, "load_average_1m")))
		fprintf(f, "| load average (1 min, at the start) | %.2f |\n", report_num(m, "load_average_1m", 0));
	fprintf(f, "| compiler | %s `%s` |\n", report_str(m, "compiler", "?"), report_str(m, "cflags", "?"));
	fprintf(f, "| BLAS | %s, %s, %d threads: `%s` |\n", report_str(blas, "library", "?"),
		report_str(blas, "parallel", "?"), (int)report_num(blas, "threads", 0), report_str(blas, "config", "?"));
	fprintf(f, "| evopar | %s, commit %s |\n", report_str(m, "evopar_version", "?"), report_str(m, "git_commit", "?"));
	fprintf(f, "| started | %s |\n", report_str(m, "time", "?"));
	json_object_foreach((json_t *)env, key, v)
		fprintf(f, "| environment | `%s=%s` |\n", key, json_string_value(v) ? json_string_value(v) : "");
	if (json_object_get(m, "counters")) {
		char *c = json_dumps(json_object_get(m, "counters"), JSON_COMPACT);

		fprintf(f, "| counters | `%s` |\n", c ? c : "?");
		free(c);
	}
	fprintf(f, "\n");
}

static void write_configs(FILE *f, const struct report_group *g)
{
	int i;

	fprintf(f, "| configuration | %s |\n| --- | --- |\n", g->search ? "command" : "evopar run options");
	for (i = 0; i < g->n_cfg; i++)
		fprintf(f, "| %s | `%s` |\n", g->cfg[i].label, g->cfg[i].args ? g->cfg[i].args : "(a plain run)");
	fprintf(f, "\n");
}

static void write_floors(FILE *f, const json_t *cal)
{
	const char *name;
	json_t *fl;

	if (!cal) {
		fprintf(f, "No calibration record in this file (plain runs): no floors.\n\n");
		return;
	}
	fprintf(f, "Measured on the spot before the runs (%.2f s in all): medians with min–max.\n\n"
		   "| floor | median µs | min–max µs | repetitions | what |\n| --- | ---: | ---: | ---: | --- |\n",
		report_num(cal, "elapsed_s", 0));
	json_object_foreach(json_object_get(cal, "floors"), name, fl) {
		if (json_object_get(fl, "skipped")) {
			fprintf(f, "| %s | - | - | 0 | skipped: %s |\n", name, report_str(fl, "skipped", ""));
			continue;
		}
		fprintf(f, "| %s | %.1f | %.1f–%.1f | %d | %s |\n", name, report_num(fl, "median_us", 0),
			report_num(fl, "min_us", 0), report_num(fl, "max_us", 0), (int)report_num(fl, "reps", 0),
			report_str(fl, "what", ""));
	}
	fprintf(f, "\n");
}

/* the floor's median in microseconds from a calibration record; 0 when absent */
static double floor_us(const json_t *cal, const char *name)
{
	json_t *f = json_object_get(json_object_get(cal, "floors"), name);

	return json_number_value(json_object_get(f, "median_us"));
}

/* what a parallel configuration costs over sequential, as multiples of the floors */
static void write_overheads(FILE *f, const struct report_group *g)
{
	static const char *const floors[] = { "fork_wait", "pipe_round_trip", "pipe_round_trip_cross_core" };
	size_t k;
	int i;

	if (!g->calibration || !report_count_compared(g))
		return;
	fprintf(f, "### Overhead over sequential, in floors\n\nThe difference of the median total ms per "
		   "generation, and that difference as a multiple of each floor's median (negative: faster "
		   "than sequential).\n\n| configuration | ms per generation over sequential |");
	for (k = 0; k < sizeof(floors) / sizeof(floors[0]); k++)
		fprintf(f, " × %s |", floors[k]);
	fprintf(f, "\n| --- | ---: | ---: | ---: | ---: |\n");
	for (i = 0; i < g->n_cfg; i++) {
		const struct report_config *c = &g->cfg[i];
		double d;
		char ms[32];

		if (c->baseline < 0 || c->baseline == i || !c->row[ROW_TOTAL].n)
			continue;
		d = c->row[ROW_TOTAL].median - g->cfg[c->baseline].row[ROW_TOTAL].median;
		fmt_ms(ms, sizeof(ms), d);
		fprintf(f, "| %s | %s |", c->label, ms);
		for (k = 0; k < sizeof(floors) / sizeof(floors[0]); k++) {
			double us = floor_us(g->calibration, floors[k]);

			if (us > 0)
				fprintf(f, " %.0f |", d * 1e3 / us);
			else
				fprintf(f, " - |");
		}
		fprintf(f, "\n");
	}
	fprintf(f, "\n");
}

static double median_of(const struct report_config *c, size_t offset)
{
	struct sample_stats s;

	report_rep_stats(&s, c, offset, 0);
	return s.n ? s.median : -1;
}

static void fmt_opt(char *buf, size_t len, double v, const char *fmt)
{
	if (v < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, fmt, v);
}

static void write_runs(FILE *f, const struct report_group *g)
{
	static const struct {
		const char *head, *fmt;
		size_t offset;
		double scale;
	} cols[] = {
		{ "threads max", "%.0f", offsetof(struct report_rep, threads_max), 1 },
		{ "threads mean", "%.1f", offsetof(struct report_rep, threads_mean), 1 },
		{ "processes max", "%.0f", offsetof(struct report_rep, processes_max), 1 },
		{ "max RSS MiB", "%.1f", offsetof(struct report_rep, rss_kb), 1.0 / 1024 },
		{ "children max RSS MiB", "%.1f", offsetof(struct report_rep, children_rss_kb), 1.0 / 1024 },
		{ "voluntary ctx switches", "%.0f", offsetof(struct report_rep, ctx_vol), 1 },
		{ "involuntary ctx switches", "%.0f", offsetof(struct report_rep, ctx_invol), 1 },
	};
	char cell[CELL];
	size_t k;
	int i;

	fprintf(f, "### Runs\n\nMedians across repetitions of each run's summary; CPU utilisation is "
		   "(user + system CPU seconds of the process and its reaped children) / wall seconds.\n\n"
		   "| configuration | wall s | CPU utilisation |");
	for (k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
		fprintf(f, " %s |", cols[k].head);
	fprintf(f, " failed runs |\n| --- | ---: | ---: |");
	for (k = 0; k <= sizeof(cols) / sizeof(cols[0]); k++)
		fprintf(f, " ---: |");
	fprintf(f, "\n");
	for (i = 0; i < g->n_cfg; i++) {
		const struct report_config *c = &g->cfg[i];

		fprintf(f, "| %s |", c->label);
		fmt_cell(cell, sizeof(cell), &c->wall);
		fprintf(f, " %s |", cell);
		if (c->util.n)
			fprintf(f, " %.2f [%.2f–%.2f] |", c->util.median, c->util.min, c->util.max);
		else
			fprintf(f, " - |");
		for (k = 0; k < sizeof(cols) / sizeof(cols[0]); k++) {
			double v = median_of(c, cols[k].offset);

			fmt_opt(cell, sizeof(cell), v < 0 ? v : v * cols[k].scale, cols[k].fmt);
			fprintf(f, " %s |", cell);
		}
		fprintf(f, " %d |\n", c->failed);
	}
	fprintf(f, "\n");
}

/* --- the study's figures beside ours --------------------------------------------------- */

#define REF_COLS 4
#define REF_ROWS 8

struct reference {
	char source[256];
	char col[REF_COLS][64];
	int n_cols;
	int row[REF_ROWS];           /* enum report_row */
	double v[REF_ROWS][REF_COLS];
	int n_rows;
};

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = 0;
	return s;
}

static void ref_columns(struct reference *ref, char *s)
{
	char *tok, *save = NULL;

	for (tok = strtok_r(s, "|", &save); tok && ref->n_cols < REF_COLS; tok = strtok_r(NULL, "|", &save))
		snprintf(ref->col[ref->n_cols++], sizeof(ref->col[0]), "%s", trim(tok));
}

static int ref_row(struct reference *ref, char *s)
{
	char *name = strtok(s, " \t"), *tok;
	int row, k = 0;

	for (row = 0; row < ROW_COUNT; row++)
		if (name && !strcmp(name, report_row_names[row]))
			break;
	if (row == ROW_COUNT || ref->n_rows == REF_ROWS)
		return -EINVAL;
	ref->row[ref->n_rows] = row;
	while ((tok = strtok(NULL, " \t")) && k < REF_COLS)
		ref->v[ref->n_rows][k++] = strtod(tok, NULL);
	ref->n_rows++;
	return 0;
}

static int read_reference(struct report *r, struct reference *ref)
{
	FILE *f = fopen(r->o.reference, "r");
	char line[512];
	int rc = 0;

	memset(ref, 0, sizeof(*ref));
	if (!f) {
		notes_add(&r->notes, "- The reference %s could not be read: %s.\n", r->o.reference, strerror(errno));
		return -errno;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s = trim(line);

		if (!*s || *s == '#')
			continue;
		if (!strncmp(s, "source:", 7))
			snprintf(ref->source, sizeof(ref->source), "%s", trim(s + 7));
		else if (!strncmp(s, "columns:", 8))
			ref_columns(ref, s + 8);
		else if (ref_row(ref, s)) {
			notes_add(&r->notes, "- The reference %s: a row this report does not know: %s\n", r->o.reference, s);
			rc = -EINVAL;
		}
	}
	fclose(f);
	return rc;
}

/* our median for a row, with the speedup against our sequential and its interval in parentheses */
static void ours_cell(char *buf, size_t len, const struct report_group *g,
		      const struct report_config *c, int row)
{
	const struct sample_stats *s = &c->row[row];
	char ms[32], ratio[CELL / 2];
	int unstable;
	double sp = report_speedup(g, c, row, &unstable);

	fmt_ms(ms, sizeof(ms), s->median);
	report_fmt_speedup(ratio, sizeof(ratio), g, c, row);
	if (!s->n)
		snprintf(buf, len, "-");
	else if (&g->cfg[c->baseline] == c || sp <= 0)
		snprintf(buf, len, "%s%s", ms, s->unstable ? " ?" : "");
	else
		snprintf(buf, len, "%s%s (×%s)", ms, s->unstable ? " ?" : "", ratio);
}

/* is c compared with a sequential baseline other than itself, and not the A/A control? */
static int is_parallel(const struct report_group *g, const struct report_config *c, int row)
{
	int unstable;

	return c->baseline >= 0 && &g->cfg[c->baseline] != c && !report_is_arm(c) &&
	       report_speedup(g, c, row, &unstable) > 0;
}

/* +1 faster, -1 slower, 0 no difference at this noise: the side of 1 its interval lies on */
static int speedup_side(const struct report_group *g, const struct report_config *c, int row)
{
	const struct ratio_ci *ci = report_speedup_ci(g, c, row);

	return ci ? ratio_ci_side(ci, 1.0) : 0;
}

/*
 * The stated rule: parallel pays for a row when the paired 95% interval of a configuration's
 * speedup lies wholly above 1, costs when it lies wholly below, and otherwise this noise
 * cannot tell.
 */
static void write_verdict(FILE *f, const struct report_group *g, int row)
{
	static const char *const words[3] = { "costs for ", "cannot tell for ", "pays for " };
	int side, i, n, any = 0;

	fprintf(f, "- %s: ", report_row_names[row]);
	for (side = 1; side >= -1; side--) {
		int listed = 0;

		for (i = 0; i < g->n_cfg; i++) {
			const struct report_config *c = &g->cfg[i];

			if (!is_parallel(g, c, row) || speedup_side(g, c, row) != side)
				continue;
			fprintf(f, "%s%s%s", listed ? ", " : any ? "; " : "", listed ? "" : words[side + 1], c->label);
			listed = any = 1;
		}
	}
	for (i = n = 0; i < g->n_cfg; i++)
		n += is_parallel(g, &g->cfg[i], row);
	fprintf(f, "%s (of %d parallel configurations).\n", any ? "" : "no parallel configuration", n);
}

/* each configuration's total against sequential, by the rule of write_verdict */
static void write_speedup_verdicts(FILE *f, const struct report_group *g)
{
	static const char *const words[3] = {
		"slower than sequential (the interval lies below 1)",
		"no difference at this noise (the interval holds 1)",
		"faster than sequential (the interval lies above 1)",
	};
	const struct report_config *a = report_control(g);
	char cell[CELL];
	int i, any = 0;

	for (i = 0; i < g->n_cfg; i++) {
		const struct report_config *c = &g->cfg[i];

		if (!is_parallel(g, c, ROW_TOTAL))
			continue;
		if (!any)
			fprintf(f, "### Against sequential\n\nBy a stated rule on the speedup of the total and its "
				   "95%% interval (%d resamples): faster when the interval lies wholly above 1, slower "
				   "when wholly below, otherwise no difference at this noise.\n\n", BOOT_RESAMPLES);
		any = 1;
		report_fmt_speedup(cell, sizeof(cell), g, c, ROW_TOTAL);
		fprintf(f, "- %s: %s, %s.\n", c->label, cell,
			report_speedup_ci(g, c, ROW_TOTAL) ? words[speedup_side(g, c, ROW_TOTAL) + 1] :
			"too few rounds for an interval: no verdict");
	}
	if (any && a) {
		report_fmt_speedup(cell, sizeof(cell), g, a, ROW_TOTAL);
		fprintf(f, "- the A/A control %s: %s, the null band: what the load alone makes of two identical "
			   "sequential arms.\n", a->label, cell);
	}
	if (any)
		fprintf(f, "\n");
}

static void write_reference(struct report *r, FILE *f, const struct report_group *g)
{
	struct reference ref;
	char cell[CELL];
	int i, k, j;

	if (!r->o.reference || read_reference(r, &ref) || !ref.n_rows)
		return;
	fprintf(f, "### Beside the study\n\nThe study's own figures (%s) and ours, median ms per generation; "
		   "in parentheses the speedup against the sequential row of the same source. Our "
		   "`mutate+prepare+resample` is the sum per repetition, like the study's total, which has no "
		   "evaluate.\n\n|  |", ref.source);
	for (j = 0; j < ref.n_rows; j++)
		fprintf(f, " %s |", report_row_names[ref.row[j]]);
	fprintf(f, "\n| --- |");
	for (j = 0; j < ref.n_rows; j++)
		fprintf(f, " ---: |");
	fprintf(f, "\n");
	for (k = 0; k < ref.n_cols; k++) {
		fprintf(f, "| study: %s |", ref.col[k]);
		for (j = 0; j < ref.n_rows; j++) {
			if (k)
				fprintf(f, " %g (%.2f×) |", ref.v[j][k], ref.v[j][0] / ref.v[j][k]);
			else
				fprintf(f, " %g |", ref.v[j][k]);
		}
		fprintf(f, "\n");
	}
	for (i = 0; i < g->n_cfg; i++) {
		const struct report_config *c = &g->cfg[i];

		fprintf(f, "| ours: %s |", c->label);
		for (j = 0; j < ref.n_rows; j++) {
			ours_cell(cell, sizeof(cell), g, c, ref.row[j]);
			fprintf(f, " %s |", cell);
		}
		fprintf(f, "\n");
	}
	fprintf(f, "\n**Verdict**, by a stated rule: parallel pays for a row when the 95%% interval of a "
		   "configuration's speedup (%d resamples) lies wholly above 1, costs when it lies wholly "
		   "below, and otherwise cannot tell at this noise.\n\n", BOOT_RESAMPLES);
	write_verdict(f, g, ref.row[ref.n_rows - 1]);
	write_verdict(f, g, ROW_TOTAL);
	fprintf(f, "\n");
}

/* --- figures and assembly ---------------------------------------------------------------- */

static const char *const figure_captions[FIG_COUNT] = {
	"Speedup of the total ms per generation against sequential, by worker count, with the ideal (linear) line",
	"Where a generation's time goes: median ms per phase, stacked",
	"CPU utilisation: CPU seconds per wall second, median with min–max across repetitions; at the bottom of each bar the instruments' share (the sampler's thread, the start-up before the run's clock)",
	"Threads and processes of the run's process tree over time (first measured repetition of each configuration)",
};

static const char *const search_captions[FIG_COUNT] = {
	"Speedup of the search's wall time against sequential, by jobs, with the ideal (linear) line",
	"",
	"CPU utilisation: CPU seconds of the whole process tree per wall second, median with min–max across repetitions",
	"Threads and processes of each search's process tree over time, as evopar bench sampled it (first measured repetition)",
};

static void write_figures(FILE *f, const struct report_group *g)
{
	const char *const *captions = g->search ? search_captions : figure_captions;
	char about[900];
	int k, any = 0;

	report_fig_about(g, 1, about, sizeof(about));
	for (k = 0; k < FIG_COUNT; k++) {
		if (!g->fig_made[k])
			continue;
		if (!any)
			fprintf(f, "### Figures\n\n");
		any = 1;
		fprintf(f, "%s (%s; [SVG](%s%s.svg), [PDF](%s%s.pdf)):\n\n![%s](%s%s.png)\n\n", captions[k],
			about, g->fig_prefix, report_figure_names[k], g->fig_prefix, report_figure_names[k],
			captions[k], g->fig_prefix, report_figure_names[k]);
	}
}

static int copy_file(FILE *to, const char *path)
{
	FILE *from = fopen(path, "r");
	char buf[8192];
	size_t n;

	if (!from)
		return -errno;
	while ((n = fread(buf, 1, sizeof(buf), from)) > 0)
		fwrite(buf, 1, n, to);
	fclose(from);
	return 0;
}

/*
 * A sequential run keeps one core busy; when it got clearly less, something else was running
 * and every number of the group is inflated and noisy: say so where it is read.
 */
const struct report_config *report_busy_baseline(const struct report_group *g)
{
	int i;

	for (i = 0; i < g->n_cfg; i++)
		if (g->cfg[i].baseline == i && g->cfg[i].util.n && g->cfg[i].util.median < 0.9)
			return &g->cfg[i];
	return NULL;
}

static void write_load_warning(FILE *f, const struct report_group *g)
{
	const struct report_config *c = report_busy_baseline(g);

	if (c)
		fprintf(f, "**A busy machine.** The sequential runs (%s) got a median of %.2f CPU seconds per "
			   "wall second, not the 1.0 one busy core gives: other work shared the cores, so times "
			   "are inflated and spread, and speedups mix parallelism with luck. Run again on a quiet "
			   "machine before drawing conclusions.\n\n", c->label, c->util.median);
}

static void write_group(struct report *r, FILE *f, const struct report_group *g)
{
	fprintf(f, "## %s\n\n", g->file);
	write_load_warning(f, g);
	if (g->bench)
		fprintf(f, "`evopar bench`: %d configurations, %d rounds after %d warm-up round%s, %s; %d warm-up "
			   "runs left out.", g->n_cfg, g->rounds ? g->rounds : (int)report_num(g->bench, "repeat", 0),
			(int)report_num(g->bench, "warmups", 0), report_num(g->bench, "warmups", 0) == 1 ? "" : "s",
			json_object_get(g->bench, "order_seed") ? "each round in a shuffled order" : "interleaved",
			g->warmup_runs);
	if (g->elapsed_s > 0)
		fprintf(f, " The whole bench took %.0f s (%.1f min).", g->elapsed_s, g->elapsed_s / 60);
	fprintf(f, "\n\n");
	write_configs(f, g);
	fprintf(f, "### Calibration floors\n\n");
	write_floors(f, g->calibration);
	if (g->search) {
		search_write_section(g, f);
		write_figures(f, g);
		return;
	}
	write_speedup_verdicts(f, g);
	write_reference(r, f, g);
	write_overheads(f, g);
	write_runs(f, g);
	write_figures(f, g);
}

int report_write_md(struct report *r, const char *tables_path, const char *md_path)
{
	FILE *f = fopen(md_path, "w");
	int gi, rc = 0;

	if (!f) {
		rc = -errno;
		snprintf(r->err, sizeof(r->err), "%s: %s", md_path, strerror(-rc));
		return rc;
	}
	report_watch_first_line(r, f);
	fprintf(f, "# %s\n\n", r->o.title ? r->o.title : r->dir);
	if (r->o.intro && copy_file(f, r->o.intro))
		notes_add(&r->notes, "- The introduction %s could not be read.\n", r->o.intro);
	if (r->o.intro)
		fprintf(f, "\n");
	fprintf(f, "Written by `evopar report %s` from every `*.jsonl` in that directory. The tables are "
		   "also in [tables.md](tables.md).\n\n", r->dir);
	if (r->n_g && r->g[0].meta)
		write_machine(f, r->g[0].meta);
	else if (r->n_watch && r->watch[0].meta)
		write_machine(f, r->watch[0].meta);
	copy_file(f, tables_path);
	fprintf(f, "\n");
	for (gi = 0; gi < r->n_g; gi++)
		write_group(r, f, &r->g[gi]);
	report_watch_sections(r, f);
	report_sync_section(r, f);
	if (r->notes.len)
		fprintf(f, "## Notes\n\n%s\n", r->notes.text);
	if (fclose(f))
		rc = -errno;
	if (rc)
		snprintf(r->err, sizeof(r->err), "%s: write failed: %s", md_path, strerror(-rc));
	return rc;
}
