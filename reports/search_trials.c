/*
 * The trials of `evopar search` records: reading them, each repetition's timing (overlap,
 * processes, start-up, idle tail, slowdown against the trial alone) and the figures drawn
 * from them, a trial timeline per search and the threads of each search.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"

int search_is_backend(const struct report_config *c, const char *name)
{
	return c->strategy && !strcmp(c->strategy, name);
}

/* --- reading ------------------------------------------------------------------------ */

void search_init_rep(struct report_rep *p)
{
	p->child_wall_s = p->child_user_s = p->child_sys_s = p->child_ctx_vol = p->child_ctx_invol = -1;
	p->tree_threads_max = p->tree_processes_max = p->tree_rss_kb = -1;
	p->slowdown = -1;
}

void search_take_meta(struct report_config *c, const json_t *rec)
{
	const json_t *cfg = json_object_get(rec, "config");
	int online = (int)report_num(rec, "online_cores", 0), mask = (int)report_num(rec, "affinity_cores", 0);

	c->search = 1;
	free(c->strategy);
	c->strategy = strdup(report_str(cfg, "backend", "?"));
	c->workers = search_is_backend(c, "sequential") ? 1 : (int)report_num(cfg, "jobs", 1);
	c->blas_default = (int)report_num(json_object_get(rec, "blas"), "threads", 0);
	c->cores = mask > 0 && mask < online ? mask : online;
}

int search_take_trial(struct report_rep *p, const json_t *rec)
{
	struct search_trial *t = array_grow(p->trials, &p->cap_trials, p->n_trials, sizeof(*t), 16);

	if (!t)
		return -ENOMEM;
	p->trials = t;
	t = &p->trials[p->n_trials++];
	t->id = (int)report_num(rec, "id", -1);
	t->worker = (int)report_num(rec, "worker", 0);
	t->pid = (int)report_num(rec, "pid", 0);
	t->threads = (int)report_num(rec, "threads", 0);
	t->ok = !strcmp(report_str(rec, "status", "ok"), "ok");
	t->start_s = report_num(rec, "start_s", 0);
	t->end_s = report_num(rec, "end_s", 0);
	t->cpu_s = report_num(rec, "cpu_s", 0);
	return 0;
}

void search_take_summary(struct report_config *c, struct report_rep *p, const json_t *rec)
{
	p->wall_s = report_num(rec, "wall_s", 0);
	/* the search's wall time stands in the total row, so speedups and figures apply as they are */
	p->sum_ms[ROW_TOTAL] = p->wall_s * 1e3;
	p->gens = 1;
	p->cpu_s = report_num(rec, "cpu_s", 0);
	p->jobs = search_is_backend(c, "sequential") ? 1 : (int)report_num(rec, "jobs", c->workers);
	p->worker_blas_threads = (int)report_num(rec, "worker_blas_threads", 0);
	p->rss_kb = report_num(rec, "max_rss_kb", 0);
	p->children_rss_kb = report_num(rec, "children_max_rss_kb", 0);
	c->workers = p->jobs;
}

void search_take_bench_run(struct report_rep *p, const json_t *rec)
{
	const json_t *tree = json_object_get(rec, "tree");
	json_t *tl = json_object_get(json_object_get(tree, "sampler"), "timeline");

	p->child_wall_s = report_num(rec, "wall_s", -1);
	p->child_user_s = report_num(rec, "cpu_user_s", -1);
	p->child_sys_s = report_num(rec, "cpu_sys_s", -1);
	p->child_ctx_vol = report_num(rec, "voluntary_ctx_switches", -1);
	p->child_ctx_invol = report_num(rec, "involuntary_ctx_switches", -1);
	p->tree_threads_max = report_num(tree, "threads_max", -1);
	p->tree_processes_max = report_num(tree, "processes_max", -1);
	p->tree_rss_kb = report_num(tree, "rss_max_kb", -1);
	/* a search's threads over time come from the bench, which sees every process of it */
	if (p->n_trials && !p->timeline && json_is_object(tl) && json_array_size(json_object_get(tl, "t_s")))
		p->timeline = json_incref(tl);
}

void search_free_group(struct report_group *g)
{
	int i, k;

	for (i = 0; i < g->n_cfg; i++)
		for (k = 0; k < g->cfg[i].n_reps; k++)
			free(g->cfg[i].reps[k].trials);
	if (g->trials_fig)
		for (i = 0; i < g->n_cfg; i++)
			free(g->trials_fig[i]);
	free(g->trials_fig);
}

/* --- one repetition ------------------------------------------------------------------ */

/* the most trials running at one moment: at some trial's start */
static int max_in_flight(const struct report_rep *p)
{
	int i, k, best = 0;

	for (i = 0; i < p->n_trials; i++) {
		int n = 0;

		for (k = 0; k < p->n_trials; k++)
			n += p->trials[k].start_s <= p->trials[i].start_s && p->trials[i].start_s < p->trials[k].end_s;
		if (n > best)
			best = n;
	}
	return best;
}

static int distinct_pids(const struct report_rep *p)
{
	int i, k, n = 0;

	for (i = 0; i < p->n_trials; i++) {
		for (k = 0; k < i && p->trials[k].pid != p->trials[i].pid; k++)
			;
		n += k == i;
	}
	return n;
}

/* the share of the workers' time after their own last trial while the search still ran */
static double tail_share(const struct report_rep *p)
{
	double last_end = 0, idle = 0;
	int i, k, workers = 0;

	for (i = 0; i < p->n_trials; i++)
		if (p->trials[i].end_s > last_end)
			last_end = p->trials[i].end_s;
	for (i = 0; i < p->n_trials; i++) {
		double end = 0;

		for (k = 0; k < i && p->trials[k].worker != p->trials[i].worker; k++)
			;
		if (k < i)
			continue;       /* this worker was counted at its first trial */
		for (k = 0; k < p->n_trials; k++)
			if (p->trials[k].worker == p->trials[i].worker && p->trials[k].end_s > end)
				end = p->trials[k].end_s;
		idle += last_end - end;
		workers++;
	}
	return workers && p->wall_s > 0 ? idle / (workers * p->wall_s) : 0;
}

void search_rep_measures(struct report_rep *p)
{
	double trial_s = 0, cpu_s = 0, first = -1;
	int i;

	p->threads_seen = 0;
	for (i = 0; i < p->n_trials; i++) {
		trial_s += p->trials[i].end_s - p->trials[i].start_s;
		cpu_s += p->trials[i].cpu_s;
		if (first < 0 || p->trials[i].start_s < first)
			first = p->trials[i].start_s;
		if (p->trials[i].threads > p->threads_seen)
			p->threads_seen = p->trials[i].threads;
	}
	p->concurrency = p->wall_s > 0 ? trial_s / p->wall_s : 0;
	p->parallelism = p->wall_s > 0 ? cpu_s / p->wall_s : 0;
	p->max_in_flight = max_in_flight(p);
	p->processes = distinct_pids(p);
	p->startup_share = p->wall_s > 0 && first > 0 ? first / p->wall_s : 0;
	p->tail_share = tail_share(p);
}

double *search_alone_durations(const struct report_config *b, int *n_ids)
{
	double *d, *x;
	int i, k, id, n = 0, max_id = -1;

	for (k = 0; k < b->n_reps; k++)
		for (i = 0; i < b->reps[k].n_trials; i++)
			if (b->reps[k].trials[i].id > max_id)
				max_id = b->reps[k].trials[i].id;
	*n_ids = max_id + 1;
	d = malloc(sizeof(*d) * (size_t)(max_id + 2));
	x = malloc(sizeof(*x) * (size_t)(b->n_reps + 1));
	if (!d || !x) {
		free(d);
		free(x);
		return NULL;
	}
	for (id = 0; id <= max_id; id++) {
		struct sample_stats s;

		for (k = n = 0; k < b->n_reps; k++)
			for (i = 0; b->reps[k].ok && i < b->reps[k].n_trials; i++)
				if (b->reps[k].trials[i].id == id && b->reps[k].trials[i].ok)
					x[n++] = b->reps[k].trials[i].end_s - b->reps[k].trials[i].start_s;
		stats_compute(&s, x, n);
		d[id] = n ? s.median : -1;
	}
	free(x);
	return d;
}

void search_rep_slowdown(struct report_rep *p, const double *alone, int n_ids)
{
	double *x = malloc(sizeof(*x) * (size_t)(p->n_trials + 1));
	struct sample_stats s;
	int i, n = 0;

	if (!x)
		return;
	for (i = 0; i < p->n_trials; i++) {
		const struct search_trial *t = &p->trials[i];

		if (t->ok && t->id >= 0 && t->id < n_ids && alone[t->id] > 0)
			x[n++] = (t->end_s - t->start_s) / alone[t->id];
	}
	stats_compute(&s, x, n);
	p->slowdown = n ? s.median : -1;
	free(x);
}

/* --- the trial timeline and threads figures ------------------------------------------- */

static const struct report_rep *first_measured(const struct report_config *c)
{
	int i, best = -1;

	for (i = 0; i < c->n_reps; i++)
		if (c->reps[i].n_trials && (best < 0 || c->reps[i].rep < c->reps[best].rep))
			best = i;
	return best < 0 ? NULL : &c->reps[best];
}

/* the row of a worker: how many distinct workers have a smaller number */
static int worker_row(const struct report_rep *p, int worker)
{
	int i, k, row = 0;

	for (i = 0; i < p->n_trials; i++) {
		if (p->trials[i].worker >= worker)
			continue;
		for (k = 0; k < i && p->trials[k].worker != p->trials[i].worker; k++)
			;
		row += k == i;
	}
	return row;
}

/* One row per worker in worker order; a row's label names its process where they differ. */
static int timeline_data(FILE *f, const struct report_config *c, const struct report_rep *p)
{
	int n_rows = 0, i, k;
	char label[96];

	fprintf(f, "\"row\" \"start_s\" \"end_s\" \"id\" \"ok\" \"worker\"\n");
	for (i = 0; i < p->n_trials; i++) {
		const struct search_trial *t = &p->trials[i];

		k = worker_row(p, t->worker);
		if (k + 1 > n_rows)
			n_rows = k + 1;
		if (search_is_backend(c, "threads") || p->processes == 1)
			snprintf(label, sizeof(label), "%s %d", search_is_backend(c, "mpi") ? "rank" : "worker", t->worker);
		else
			snprintf(label, sizeof(label), "%s %d (pid %d)", search_is_backend(c, "mpi") ? "rank" : "worker",
				 t->worker, t->pid);
		fprintf(f, "%d %.6f %.6f %d %d ", k, t->start_s, t->end_s, t->id, t->ok);
		report_put_label(f, label);
		fprintf(f, "\n");
	}
	return n_rows;
}

/* a file-name-safe form of a label: letters, digits and '-' */
static void slug(char *buf, size_t len, const char *s)
{
	size_t at = 0;

	for (; *s && at + 1 < len; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9'))
			buf[at++] = *s;
		else if (*s >= 'A' && *s <= 'Z')
			buf[at++] = (char)(*s - 'A' + 'a');
		else if (at && buf[at - 1] != '-')
			buf[at++] = '-';
	}
	while (at && buf[at - 1] == '-')
		at--;
	buf[at] = 0;
}

static void timeline_title(char *buf, size_t len, const struct report_config *c, const struct report_rep *p)
{
	char q[300], quoted[640];    /* every quote of q doubled fits */

	snprintf(q, sizeof(q), "%s: %d trials, wall %.3g s, concurrency %.2f, parallelism %.2f", c->label,
		 p->n_trials, p->wall_s, p->concurrency, p->parallelism);
	report_gp_quote(quoted, sizeof(quoted), q);
	snprintf(buf, len, "title=%s", quoted);
}

static int trials_figure(struct report *r, struct report_group *g, int i)
{
	const struct report_config *c = &g->cfg[i];
	const struct report_rep *p = first_measured(c);
	char base[400], name[128], data[4400], out[4400], script[4200], title[700], what[200];
	int rows, rc;
	FILE *f;

	if (!p)
		return 0;
	slug(name, sizeof(name), c->label);
	snprintf(base, sizeof(base), "%strials-%02d-%s", g->fig_prefix, i + 1, name);
	snprintf(data, sizeof(data), "%s/%s.dat", r->dir, base);
	snprintf(out, sizeof(out), "%s/%s", r->dir, base);
	snprintf(script, sizeof(script), "%s/timeline_trials.gp", r->plots_dir);
	f = report_open_data(r, data, "trial timeline");
	if (!f)
		return 0;
	rows = timeline_data(f, c, p);
	fclose(f);
	if (rows <= 0)
		return rows;
	timeline_title(title, sizeof(title), c, p);
	snprintf(what, sizeof(what), "trial timeline for %s", c->label);
	rc = report_draw(r, script, data, out, rows, c->cores, title, what);
	if (rc)
		return rc == -ENOENT ? rc : 0;
	g->trials_fig[i] = strdup(base);
	return g->trials_fig[i] ? 0 : -ENOMEM;
}

/* one bar group per search: threads per process, in the tree, and jobs x BLAS threads */
static int threads_figure(struct report *r, struct report_group *g)
{
	char data[4400], out[4400], script[4200];
	int i, n = 0, rc;
	FILE *f;

	snprintf(data, sizeof(data), "%s/%sthreads.dat", r->dir, g->fig_prefix);
	snprintf(out, sizeof(out), "%s/%sthreads", r->dir, g->fig_prefix);
	snprintf(script, sizeof(script), "%s/threads_search.gp", r->plots_dir);
	f = report_open_data(r, data, "threads figure");
	if (!f)
		return 0;
	fprintf(f, "\"search\" \"per_process\" \"tree\" \"jobs_x_blas\"\n");
	for (i = 0; i < g->n_cfg; i++) {
		const struct search_stats *ss = &g->cfg[i].ss;

		if (!g->cfg[i].search || !ss->concurrency.n)
			continue;
		report_put_label(f, g->cfg[i].label);
		if (ss->tree_threads.n)  /* "?": not sampled, drawn blank (plots/threads_search.gp) */
			fprintf(f, " %d %g %d\n", ss->threads_seen, ss->tree_threads.median, ss->jobs * ss->blas_threads);
		else
			fprintf(f, " %d ? %d\n", ss->threads_seen, ss->jobs * ss->blas_threads);
		n++;
	}
	fclose(f);
	if (!n)
		return 0;
	rc = report_draw(r, script, data, out, n, g->n_cfg ? g->cfg[0].cores : 0, NULL, "threads figure");
	if (rc == -ENOENT)
		return rc;
	g->threads_fig = !rc;
	return 0;
}

void search_figures(struct report *r, struct report_group *g)
{
	int i;

	if (!g->search || threads_figure(r, g) == -ENOENT)
		return;
	g->trials_fig = calloc((size_t)g->n_cfg, sizeof(*g->trials_fig));
	if (!g->trials_fig)
		return;
	for (i = 0; i < g->n_cfg; i++)
		if (g->cfg[i].search && trials_figure(r, g, i) == -ENOENT)
			return;
}
