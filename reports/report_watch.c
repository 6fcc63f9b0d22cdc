/*
 * What `evopar report` makes of `evopar watch` files: each watched job's samples and summary,
 * its figure (threads and processes, CPU utilisation and runnable threads over time, against
 * the cores: plots/watch.gp), its section in report.md and the diagnosis as report.md's first line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reports/report.h"

int report_watch_is(const json_t *first)
{
	return !strcmp(report_str(first, "type", ""), "meta") &&
	       !strcmp(report_str(first, "command", ""), "watch");
}

static int take_sample(struct report_watch *w, const json_t *rec)
{
	struct report_watch_point *p = array_grow(w->points, &w->cap_points, w->n_points,
						  sizeof(*p), 256);

	if (!p)
		return -ENOMEM;
	w->points = p;
	p = &w->points[w->n_points++];
	p->t_s = report_num(rec, "t_s", 0);
	p->threads = report_num(rec, "threads", 0);
	p->processes = report_num(rec, "processes", 0);
	p->cpu_util = report_num(rec, "cpu_util", -1);     /* null at the first sample */
	p->wanted = report_num(rec, "wanted", -1);
	p->runnable = report_num(rec, "runnable", 0);
	if (report_num(rec, "cores", 0) > 0)
		w->cores = (int)report_num(rec, "cores", 0);
	return 0;
}

static int take_record(void *ctx, json_t *rec)
{
	struct report_watch *w = ctx;
	const char *type = report_str(rec, "type", "");

	if (!strcmp(type, "meta") && !w->meta)
		w->meta = json_incref(rec);
	else if (!strcmp(type, "summary") && !w->summary)
		w->summary = json_incref(rec);
	else if (!strcmp(type, "sample"))
		return take_sample(w, rec);
	return 0;
}

int report_watch_load(struct report *r, const char *name)
{
	struct report_watch *w = array_grow(r->watch, &r->cap_watch, r->n_watch, sizeof(*w), 4);
	int rc;

	if (!w)
		return -ENOMEM;
	r->watch = w;
	w = &r->watch[r->n_watch];
	memset(w, 0, sizeof(*w));
	w->file = strdup(name);
	if (!w->file)
		return -ENOMEM;
	r->n_watch++;
	rc = report_read_records(r, name, take_record, w);
	if (!rc && !w->summary)
		notes_add(&r->notes, "- %s has no summary record (the watch did not end): no diagnosis.\n", name);
	return rc;
}

void report_watch_free(struct report *r)
{
	int i;

	for (i = 0; i < r->n_watch; i++) {
		free(r->watch[i].file);
		free(r->watch[i].points);
		json_decref(r->watch[i].meta);
		json_decref(r->watch[i].summary);
	}
	free(r->watch);
}

/* "watch-NAME": the figure's base name, NAME the file's less .jsonl */
static void fig_name(const struct report_watch *w, char *buf, size_t len)
{
	size_t n = strlen(w->file);

	snprintf(buf, len, "watch-%.*s", n > 6 ? (int)(n - 6) : (int)n, w->file);
}

static void put_num(FILE *f, double v)
{
	if (v < 0)
		fprintf(f, " ?");
	else
		fprintf(f, " %.4g", v);
}

static int watch_figure(struct report *r, struct report_watch *w)
{
	char base[512], data[4200], out[4200], script[4200], extra[512], title[400];
	FILE *f;
	int i, rc;

	fig_name(w, base, sizeof(base));
	snprintf(data, sizeof(data), "%s/%s.dat", r->dir, base);
	f = report_open_data(r, data, "watch figure");
	if (!f)
		return 0;
	fprintf(f, "\"t_s\" \"threads\" \"processes\" \"cpu_util\" \"wanted\" \"runnable\"\n");
	for (i = 0; i < w->n_points; i++) {
		const struct report_watch_point *p = &w->points[i];

		fprintf(f, "%.4f %.0f %.0f", p->t_s, p->threads, p->processes);
		put_num(f, p->cpu_util);
		put_num(f, p->wanted);
		fprintf(f, " %.0f\n", p->runnable);
	}
	fclose(f);
	snprintf(out, sizeof(out), "%s/%s", r->dir, base);
	snprintf(script, sizeof(script), "%s/watch.gp", r->plots_dir);
	report_gp_quote(title, sizeof(title), report_str(w->summary, "diagnosis", "no summary"));
	snprintf(extra, sizeof(extra), "what=%s", title);
	rc = report_draw(r, script, data, out, w->n_points, w->cores, extra, "watch figure");
	if (rc == -ENOENT) {
		notes_add(&r->notes, "- gnuplot is not installed (apt-get install gnuplot-nox): no figures.\n");
		return rc;
	}
	w->fig_made = !rc;
	return 0;
}

void report_watch_figures(struct report *r)
{
	int i;

	for (i = 0; i < r->n_watch; i++)
		if (r->watch[i].n_points > 1 && watch_figure(r, &r->watch[i]) == -ENOENT)
			return;
}

void report_watch_first_line(const struct report *r, FILE *f)
{
	int i;

	if (!r->n_watch)
		return;
	fprintf(f, "**Diagnosis** of the watched job%s: ", r->n_watch > 1 ? "s" : "");
	for (i = 0; i < r->n_watch; i++)
		fprintf(f, "%s%s: %s", i ? "; " : "", r->watch[i].file,
			report_str(r->watch[i].summary, "diagnosis", "no summary (the watch did not end)"));
	fprintf(f, ".\n\n");
}

/* the command line as it was run, or the pid attached to */
static void write_command(FILE *f, const struct report_watch *w)
{
	const json_t *argv = json_object_get(w->meta, "argv"), *a;
	size_t i;

	if (!json_array_size(argv)) {
		fprintf(f, "The running process %d", (int)report_num(w->summary, "target_pid", 0));
		return;
	}
	fprintf(f, "`");
	json_array_foreach(argv, i, a)
		fprintf(f, "%s%s", i ? " " : "", json_string_value(a) ? json_string_value(a) : "");
	fprintf(f, "` (pid %d)", (int)report_num(w->summary, "target_pid", 0));
}

static void write_measures(FILE *f, const json_t *s)
{
	const json_t *sm = json_object_get(s, "sampler");

	fprintf(f, "| measure (over the samples in which the tree wanted half a core or more) | value |\n"
		   "| --- | ---: |\n");
	fprintf(f, "| meant to run at once | %d (%s) |\n", (int)report_num(s, "expected", 0),
		report_str(s, "expected_from", "?"));
	fprintf(f, "| cores (online, or fewer in the job's affinity mask) | %d |\n", (int)report_num(s, "cores", 0));
	fprintf(f, "| CPU utilisation (cores, mean) | %.2f |\n", report_num(s, "cpu_util_mean", 0));
	fprintf(f, "| cores wanted (CPU plus run-queue time per second, mean) | %.2f |\n", report_num(s, "wanted_mean", 0));
	fprintf(f, "| runnable threads (reached in half the samples; mean) | %d (%.2f) |\n",
		(int)report_num(s, "runnable", 0), report_num(s, "runnable_mean", 0));
	fprintf(f, "| active threads (reached in half the samples) | %d |\n", (int)report_num(s, "active_threads", 0));
	fprintf(f, "| threads at most: tree, one process | %d, %d |\n", (int)report_num(s, "threads_max", 0),
		(int)report_num(s, "process_threads_max", 0));
	fprintf(f, "| context switches per s: involuntary, voluntary | %.0f, %.0f |\n",
		report_num(s, "invol_ctx_per_s", 0), report_num(s, "vol_ctx_per_s", 0));
	fprintf(f, "| share of wanted time spent on a run queue | %.0f%% |\n", report_num(s, "run_queue_wait_share", 0) * 100);
	fprintf(f, "| sampler: CPU per sample, share of a core | %.0f µs, %.2f%% |\n\n",
		report_num(sm, "cpu_per_sample_us", 0), report_num(sm, "cpu_share", 0) * 100);
}

static void write_watch(FILE *f, const struct report_watch *w)
{
	const json_t *s = w->summary, *d;
	char base[512], machine[600];
	size_t i;

	fprintf(f, "## Watched: %s\n\n", w->file);
	write_command(f, w);
	if (!s) {
		fprintf(f, ": the file has no summary (the watch did not end); %d samples.\n\n", w->n_points);
		return;
	}
	fprintf(f, " %s after %.1f s; %d samples every %.0f ms.\n\n**Diagnosis: %s.** The rules and their "
		   "thresholds are in README.md, \"Diagnosing any job: evopar watch\".\n\n",
		report_str(s, "ended", "?"), report_num(s, "wall_s", 0), w->n_points,
		report_num(json_object_get(s, "sampler"), "interval_ms", 0), report_str(s, "diagnosis", "?"));
	json_array_foreach(json_object_get(s, "diagnoses"), i, d)
		fprintf(f, "- **%s**: %s\n- Fix: %s\n", report_str(d, "title", "?"), report_str(d, "evidence", ""),
			report_str(d, "fix", ""));
	fprintf(f, "\n");
	write_measures(f, s);
	if (!w->fig_made)
		return;
	fig_name(w, base, sizeof(base));
	report_fig_machine(w->meta, machine, sizeof(machine));
	fprintf(f, "Threads and processes, CPU utilisation and runnable threads over time, against the "
		   "cores (n = %d samples of one watched command, no seed; %s; [SVG](%s.svg), [PDF](%s.pdf)):\n\n"
		   "![the watched job over time](%s.png)\n\n", w->n_points, machine, base, base, base);
}

void report_watch_sections(const struct report *r, FILE *f)
{
	int i;

	for (i = 0; i < r->n_watch; i++)
		write_watch(f, &r->watch[i]);
}
