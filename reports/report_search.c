/*
 * What `evopar report` makes of `evopar search` records: per repetition the trials, their
 * overlap and progress; per configuration medians, the speedup against sequential and the
 * sequential-fallback verdict with its evidence; a trial timeline per configuration.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"

#define CELL 160

static int is_backend(const struct report_config *c, const char *name)
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
	c->workers = is_backend(c, "sequential") ? 1 : (int)report_num(cfg, "jobs", 1);
	c->blas_default = (int)report_num(json_object_get(rec, "blas"), "threads", 0);
	c->cores = mask > 0 && mask < online ? mask : online;
}

int search_take_trial(struct report_rep *p, const json_t *rec)
{
	struct search_trial *t;

	if (p->n_trials == p->cap_trials) {
		int cap = p->cap_trials ? p->cap_trials * 2 : 16;
		struct search_trial *nt = realloc(p->trials, sizeof(*nt) * (size_t)cap);

		if (!nt)
			return -ENOMEM;
		p->trials = nt;
		p->cap_trials = cap;
	}
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
	p->jobs = is_backend(c, "sequential") ? 1 : (int)report_num(rec, "jobs", c->workers);
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

static void rep_measures(struct report_rep *p)
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

/* per trial id, its median duration over the baseline's repetitions; < 0 where unseen */
static double *alone_durations(const struct report_config *b, int *n_ids)
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

/* the median over a repetition's trials of its time / the same trial's time alone */
static void rep_slowdown(struct report_rep *p, const double *alone, int n_ids)
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

/* --- one configuration ------------------------------------------------------------- */

/* stats over the ok repetitions of the double at offset in struct report_rep; v < 0: left out */
static void rep_stats(struct sample_stats *s, const struct report_config *c, size_t offset)
{
	double *x = malloc(sizeof(*x) * (size_t)(c->n_reps + 1)), v;
	int i, n = 0;

	if (!x) {
		memset(s, 0, sizeof(*s));
		return;
	}
	for (i = 0; i < c->n_reps; i++) {
		v = *(const double *)((const char *)&c->reps[i] + offset);
		if (c->reps[i].ok && c->reps[i].n_trials && v >= 0)
			x[n++] = v;
	}
	stats_compute(s, x, n);
	free(x);
}

/* CPU seconds of the whole tree (bench) or of the search (its summary) per wall second */
static void util_stats(struct report_config *c)
{
	double *x = malloc(sizeof(*x) * (size_t)(c->n_reps + 1));
	int i, n = 0;

	if (!x)
		return;
	for (i = 0; i < c->n_reps; i++) {
		const struct report_rep *p = &c->reps[i];

		if (!p->ok || p->wall_s <= 0)
			continue;
		x[n++] = p->child_wall_s > 0 ? (p->child_user_s + p->child_sys_s) / p->child_wall_s :
			 p->cpu_s / p->wall_s;
	}
	stats_compute(&c->util, x, n);
	free(x);
}

/* threads a process needs for the backend alone: a thread per job plus main, an MPI rank's, or one */
static int own_threads(const struct report_config *c, int jobs)
{
	if (is_backend(c, "threads"))
		return jobs + 1;
	return is_backend(c, "mpi") ? MPI_OWN_THREADS : 1;
}

/* The configuration's BLAS threads per process: pinned by the backend, asked for, or the library's. */
static int blas_threads(const struct report_config *c)
{
	int i, asked = (int)report_num(c->config, "blas-threads", 0);

	for (i = 0; i < c->n_reps; i++)
		if (c->reps[i].worker_blas_threads > 0)
			return c->reps[i].worker_blas_threads;
	return asked > 0 ? asked : c->blas_default;
}

static void search_verdict(struct search_stats *ss)
{
	double j = ss->jobs, jc = ss->cores > 0 && ss->cores < ss->jobs ? ss->cores : ss->jobs;
	double alone = ss->cores > 0 && j / ss->cores > 1 ? j / ss->cores : 1;

	/* more jobs than cores cannot beat the cores: the bar is half of the smaller */
	ss->flagged = ss->compared && ss->jobs > 1 && ss->speedup < FALLBACK_FLAG_SHARE * jc;
	ss->kind = 0;
	ss->causes = 0;
	if (ss->jobs <= 1 || !ss->concurrency.n)
		return;
	if (ss->concurrency.median < (1 + j) / 2)
		ss->kind = 'a';
	else if ((ss->cpu_tells && ss->parallelism.median < (1 + jc) / 2) ||
		 (ss->slowdown.n && ss->slowdown.median > (alone + j) / 2))
		ss->kind = 'b';
	if (ss->max_in_flight <= 1)
		ss->causes |= CAUSE_SERIALISED;
	if (ss->concurrency.median < 1)
		ss->causes |= CAUSE_IDLE;
	if (ss->startup_share.n && ss->startup_share.median > WASTE_SHARE)
		ss->causes |= CAUSE_LATE_START;
	if (ss->tail_share.n && ss->tail_share.median > WASTE_SHARE)
		ss->causes |= CAUSE_IDLE_TAIL;
	if (ss->blas_threads > 1 && ss->threads_seen - ss->own_threads >= THREAD_EXCESS_MIN &&
	    ss->threads_seen >= ss->own_threads + ss->blas_threads - 1)
		ss->causes |= CAUSE_THREAD_POOL;
	if (ss->cores > 0 && ss->jobs * ss->blas_threads > ss->cores)
		ss->causes |= CAUSE_OVERSUBSCRIBED;
	if (ss->processes == 1 && ss->kind == 'b')
		ss->causes |= CAUSE_ONE_PROCESS;
}

/* the per-repetition measures summarised across repetitions: where each is, and where it goes */
#define MEASURE(to, from) { offsetof(struct search_stats, to), offsetof(struct report_rep, from) }
static const struct {
	size_t stat, rep;
} measures[] = {
	MEASURE(concurrency, concurrency), MEASURE(parallelism, parallelism),
	MEASURE(slowdown, slowdown), MEASURE(startup_share, startup_share),
	MEASURE(tail_share, tail_share), MEASURE(user_s, child_user_s), MEASURE(sys_s, child_sys_s),
	MEASURE(ctx_vol, child_ctx_vol), MEASURE(ctx_invol, child_ctx_invol),
	MEASURE(tree_threads, tree_threads_max), MEASURE(tree_processes, tree_processes_max),
	MEASURE(rss_kb, tree_rss_kb),
};

static void config_search_stats(struct report_group *g, struct report_config *c, const double *alone,
				int n_ids)
{
	struct search_stats *ss = &c->ss;
	size_t k;
	int i, unstable;

	memset(ss, 0, sizeof(*ss));
	for (i = 0; i < c->n_reps; i++) {
		struct report_rep *p = &c->reps[i];

		rep_measures(p);
		if (alone && &g->cfg[c->baseline] != c)
			rep_slowdown(p, alone, n_ids);
		if (!p->ok || !p->n_trials)
			continue;
		ss->jobs = p->jobs > ss->jobs ? p->jobs : ss->jobs;
		ss->processes = p->processes > ss->processes ? p->processes : ss->processes;
		ss->threads_seen = p->threads_seen > ss->threads_seen ? p->threads_seen : ss->threads_seen;
		ss->max_in_flight = p->max_in_flight > ss->max_in_flight ? p->max_in_flight : ss->max_in_flight;
	}
	if (!ss->jobs)
		ss->jobs = c->workers;
	ss->cores = c->cores;
	ss->blas_threads = blas_threads(c);
	ss->own_threads = own_threads(c, ss->jobs);
	/* the trial's CPU is its own thread's: BLAS threads that do part of the work escape it */
	ss->cpu_tells = ss->blas_threads <= 1 || !strcmp(report_str(c->config, "mode", ""), "dynamic");
	for (k = 0; k < sizeof(measures) / sizeof(measures[0]); k++)
		rep_stats((struct sample_stats *)((char *)ss + measures[k].stat), c, measures[k].rep);
	util_stats(c);
	ss->speedup = report_speedup(g, c, ROW_TOTAL, &unstable);
	ss->compared = ss->speedup > 0;
	if (ss->compared && c->row[ROW_TOTAL].min > 0) {
		ss->speedup_lo = g->cfg[c->baseline].row[ROW_TOTAL].median / c->row[ROW_TOTAL].max;
		ss->speedup_hi = g->cfg[c->baseline].row[ROW_TOTAL].median / c->row[ROW_TOTAL].min;
	}
}

int search_group_stats(struct report_group *g)
{
	int i;

	for (i = 0; i < g->n_cfg; i++) {
		struct report_config *c = &g->cfg[i];
		double *alone = NULL;
		int n_ids = 0;

		if (!c->search)
			continue;
		if (c->baseline >= 0) {
			alone = alone_durations(&g->cfg[c->baseline], &n_ids);
			if (!alone)
				return -ENOMEM;
		}
		config_search_stats(g, c, alone, n_ids);
		free(alone);
	}
	/* the verdicts, once every configuration, its baseline included, has its measures */
	for (i = 0; i < g->n_cfg; i++) {
		struct report_config *c = &g->cfg[i];

		if (!c->search)
			continue;
		if (c->baseline >= 0)
			c->ss.baseline_parallelism = g->cfg[c->baseline].ss.parallelism.median;
		search_verdict(&c->ss);
	}
	return 0;
}

/* --- tables ---------------------------------------------------------------------------- */

/* three significant digits; a count (scale 0) as a whole number */
static void fmt_value(char *buf, size_t len, double v, double scale)
{
	if (scale == 0)
		snprintf(buf, len, "%.0f", v);
	else
		fmt_ms(buf, len, v * scale);
}

/* "1.23 [1.10–1.40]" with ? when unstable; "-" without samples */
static void fmt_stat(char *buf, size_t len, const struct sample_stats *s, double scale)
{
	char med[32], lo[32], hi[32];

	if (!s->n) {
		snprintf(buf, len, "-");
		return;
	}
	fmt_value(med, sizeof(med), s->median, scale);
	fmt_value(lo, sizeof(lo), s->min, scale);
	fmt_value(hi, sizeof(hi), s->max, scale);
	if (s->n == 1)
		snprintf(buf, len, "%s", med);
	else
		snprintf(buf, len, "%s [%s–%s]%s", med, lo, hi, s->unstable ? " ?" : "");
}

static void fmt_speedup(char *buf, size_t len, const struct report_group *g, const struct report_config *c)
{
	const struct search_stats *ss = &c->ss;
	char med[32], lo[32], hi[32];
	int unstable;

	if (!ss->compared) {
		snprintf(buf, len, "-");
		return;
	}
	report_speedup(g, c, ROW_TOTAL, &unstable);
	fmt_ms(med, sizeof(med), ss->speedup);
	if (&g->cfg[c->baseline] == c || c->row[ROW_TOTAL].n < 2) {
		snprintf(buf, len, "%s%s", med, unstable ? " ?" : "");
		return;
	}
	fmt_ms(lo, sizeof(lo), ss->speedup_lo);
	fmt_ms(hi, sizeof(hi), ss->speedup_hi);
	snprintf(buf, len, "%s [%s–%s]%s", med, lo, hi, unstable ? " ?" : "");
}

static void write_search_workload(FILE *f, const struct report_group *g)
{
	const json_t *c = g->n_cfg ? g->cfg[0].config : NULL;

	if (!c)
		return;
	fprintf(f, "Workload: %d trials, each %d seed%s of %s networks on %s, population %d, %d generations",
		(int)report_num(c, "trials", 0), (int)report_num(c, "seeds", 0), report_num(c, "seeds", 0) == 1 ? "" : "s",
		report_str(c, "mode", "?"), report_str(c, "task", "?"), (int)report_num(c, "pop", 0), (int)report_num(c, "gens", 0));
	if (!strcmp(report_str(c, "task", ""), "pole"))
		fprintf(f, ", %d episodes of up to %d steps", (int)report_num(c, "episodes", 0), (int)report_num(c, "steps", 0));
	if (report_str(c, "space", "")[0])
		fprintf(f, ", search space %s", report_str(c, "space", ""));
	fprintf(f, ", study seed %.0f.\n", report_num(c, "seed", 0));
}

static void write_search_row(FILE *f, const struct report_group *g, const struct report_config *c)
{
	const struct search_stats *ss = &c->ss;
	char wall[CELL], sp[CELL], conc[CELL], par[CELL], slow[CELL], util[CELL];
	char user[CELL], sys[CELL], vol[CELL], invol[CELL], tt[CELL], rss[CELL], per[CELL];
	double jobs = ss->jobs > 0 ? ss->jobs : 1;

	fmt_stat(wall, sizeof(wall), &c->wall, 1);
	fmt_speedup(sp, sizeof(sp), g, c);
	fmt_stat(conc, sizeof(conc), &ss->concurrency, 1);
	fmt_stat(par, sizeof(par), &ss->parallelism, 1);
	fmt_stat(slow, sizeof(slow), &ss->slowdown, 1);
	fmt_stat(util, sizeof(util), &c->util, 1);
	fmt_stat(user, sizeof(user), &ss->user_s, 1);
	fmt_stat(sys, sizeof(sys), &ss->sys_s, 1);
	fmt_stat(vol, sizeof(vol), &ss->ctx_vol, 0);
	fmt_stat(invol, sizeof(invol), &ss->ctx_invol, 0);
	fmt_stat(tt, sizeof(tt), &ss->tree_threads, 0);
	fmt_stat(rss, sizeof(rss), &ss->rss_kb, 1.0 / 1024);
	fmt_stat(per, sizeof(per), &ss->rss_kb, 1.0 / 1024 / jobs);
	fprintf(f, "| %s | %d | %d | %d%s | %s | %s | %s | %s | %s | %s | %s | %s | %d | %s | %s | %s | %s | %s | %s |\n",
		c->label, ss->jobs, ss->blas_threads, ss->jobs * ss->blas_threads,
		ss->causes & CAUSE_OVERSUBSCRIBED ? " !" : "", wall, sp, conc, par, slow, util, user, sys,
		ss->threads_seen, tt, rss, per, vol, invol, c->ss.flagged ? "**yes**" :
		ss->compared && ss->jobs > 1 ? "no" : "-");
}

int search_write_tables(const struct report_group *g, FILE *f)
{
	int i;

	write_search_workload(f, g);
	if (g->bench)
		fprintf(f, "%d repetition%s after %d warm-up round%s, interleaved (A B C A B C ...), each a fresh process.\n",
			(int)report_num(g->bench, "repeat", 0), report_num(g->bench, "repeat", 0) == 1 ? "" : "s",
			(int)report_num(g->bench, "warmup", 0), report_num(g->bench, "warmup", 0) == 1 ? "" : "s");
	else
		fprintf(f, "Plain `evopar search` files: each file is one search, a configuration of its own.\n");
	fprintf(f, "Cells: median [min–max] across repetitions. wall s: the search's own clock; speedup: "
		   "sequential's median wall / this median (range: against this one's slowest and fastest); "
		   "concurrency: trial-seconds / wall-seconds; parallelism: trial CPU-seconds / wall-seconds; "
		   "slowdown: the median over trials of a trial's time / the same trial's time in the sequential "
		   "search; CPU util., user s, sys s and context switches: the whole process tree as evopar bench "
		   "saw it (wait4), or the search's own summary without a bench; threads/process: the most a trial "
		   "saw in its process; tree threads and RSS: the peak over the tree, sampled by the bench; "
		   "`!`: jobs × BLAS threads above the %d cores.\n\n",
		g->n_cfg ? g->cfg[0].cores : 0);
	fprintf(f, "| search | jobs | BLAS threads | jobs × BLAS | wall s | speedup | concurrency | parallelism | "
		   "slowdown | CPU util. | user s | sys s | threads/process | tree threads | tree RSS MiB | "
		   "RSS MiB per job | voluntary ctx sw | involuntary ctx sw | flagged |\n"
		   "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | "
		   "---: | ---: | ---: | ---: | ---: | --- |\n");
	for (i = 0; i < g->n_cfg; i++)
		if (g->cfg[i].search)
			write_search_row(f, g, &g->cfg[i]);
	return ferror(f) ? -EIO : 0;
}

/* --- the verdict --------------------------------------------------------------------- */

static void write_rules(FILE *f)
{
	fprintf(f, "Rules. J = --jobs (mpi: its trial ranks), C = the cores (online, or fewer in the "
		   "affinity mask), Jc = min(J, C). A search is **flagged** when its speedup against the "
		   "sequential search of the same workload in the same file is below %.1f × Jc: half of "
		   "--jobs, or of the cores where the jobs exceed them (4 jobs on 2 cores cannot run more "
		   "than 2× faster; jobs above the cores are named as oversubscription instead). \"Near\" "
		   "and \"far\" split at the midpoint between the parallel and the serial value:\n\n"
		   "- kind (a), **trials did not overlap**: concurrency (trial-seconds / wall-seconds) below "
		   "(1 + J) / 2;\n"
		   "- kind (b), **trials overlapped but did not progress in parallel**: concurrency at least "
		   "(1 + J) / 2, and parallelism (trial CPU-seconds / wall-seconds) below (1 + Jc) / 2 or the "
		   "median per-trial slowdown against the sequential search above (max(1, J / C) + J) / 2. "
		   "A trial's CPU time is that of the thread that ran it, so where BLAS threads do part of "
		   "its work (static networks with more than one BLAS thread) parallelism undercounts and "
		   "only the slowdown judges.\n\n"
		   "Causes named from the records: **thread explosion** (a BLAS pool in every process) when "
		   "BLAS threads > 1 and a process held at least %d threads more than the backend needs (J + 1 "
		   "for threads, 1 for a worker process) and at least BLAS threads − 1 more; "
		   "**oversubscription** when J × BLAS threads > C; **a shared lock or a shared pool** when "
		   "one process ran every trial of a kind (b) search; **serialised** when never more than "
		   "one trial ran at a time; **idle** when the trials filled less of the wall time than one "
		   "job would (concurrency below 1); **start-up** when the first trial began more than %.0f%% "
		   "of the wall time into the search; **an idle tail** when workers spent more than %.0f%% "
		   "of their time after their last trial while another still ran. A search that is not flagged is not a "
		   "fallback whatever its signature; its evidence is still shown.\n\n",
		FALLBACK_FLAG_SHARE, THREAD_EXCESS_MIN, WASTE_SHARE * 100, WASTE_SHARE * 100);
}

static const char *causes_waste(FILE *f, const struct search_stats *ss, const char *sep);

/* the causes that explain trials that did not overlap */
static const char *causes_a(FILE *f, const struct search_stats *ss, const char *sep)
{
	if (ss->causes & CAUSE_SERIALISED) {
		fprintf(f, "%snever more than one trial ran at a time (a lock around whole trials, or one "
			   "worker doing all the work)", sep);
		sep = "; ";
	}
	if (ss->causes & CAUSE_IDLE) {
		fprintf(f, "%sthe trials filled only %.0f%% of the wall time: start-up, scheduling or "
			   "waiting between trials took the rest", sep, ss->concurrency.median * 100);
		sep = "; ";
	}
	return causes_waste(f, ss, sep);
}

/* where the time went besides the trials: start-up and an idle tail */
static const char *causes_waste(FILE *f, const struct search_stats *ss, const char *sep)
{
	if (ss->causes & CAUSE_LATE_START) {
		fprintf(f, "%sstart-up: the first trial began %.0f%% of the wall time into the search "
			   "(starting the workers or ranks; MPI_Init for mpi)", sep, ss->startup_share.median * 100);
		sep = "; ";
	}
	if (ss->causes & CAUSE_IDLE_TAIL) {
		fprintf(f, "%san idle tail: workers spent %.0f%% of their time out of trials while another "
			   "still ran (too few trials for the jobs, or unequal ones in static chunks)", sep,
			ss->tail_share.median * 100);
		sep = "; ";
	}
	return sep;
}

/* the causes that explain trials that overlapped without progressing together */
static const char *causes_b(FILE *f, const struct search_stats *ss, const char *sep)
{
	if (ss->causes & CAUSE_ONE_PROCESS) {
		fprintf(f, "%severy trial ran in one process", sep);
		if (ss->cpu_tells)
			fprintf(f, ", progressing at %.2f CPU-seconds per second", ss->parallelism.median);
		fprintf(f, ": a shared lock or a shared pool in that process%s",
			ss->blas_threads > 1 ? " (its one BLAS pool is shared by every job)" : "");
		sep = "; ";
	}
	if (ss->causes & CAUSE_THREAD_POOL) {
		fprintf(f, "%sthread explosion: %d threads seen in a process where the backend needs %d, "
			   "with a BLAS pool of %d threads in it", sep, ss->threads_seen, ss->own_threads,
			ss->blas_threads);
		sep = "; ";
	}
	if (ss->causes & CAUSE_OVERSUBSCRIBED) {
		fprintf(f, "%soversubscription: %d jobs × %d BLAS threads = %d threads wanted on %d cores",
			sep, ss->jobs, ss->blas_threads, ss->jobs * ss->blas_threads, ss->cores);
		sep = "; ";
	}
	return sep;
}

static void write_causes(FILE *f, const struct report_config *c)
{
	static const char *const none = " Likely cause: ";
	const struct search_stats *ss = &c->ss;
	const char *sep = none;

	if (!ss->kind) {
		const char *lead = " The time went to ";

		fprintf(f, " Neither kind's signature: the trials overlapped and progressed in parallel.");
		if (causes_waste(f, ss, lead) == lead)
			fprintf(f, "%sstart-up, imbalance or other load", lead);
		fprintf(f, ".");
		return;
	}
	sep = ss->kind == 'a' ? causes_a(f, ss, sep) : causes_b(f, ss, sep);
	if (sep == none)
		fprintf(f, " No cause shows in the records (threads per process %d, jobs × BLAS threads %d "
			   "on %d cores, %d process%s)", ss->threads_seen, ss->jobs * ss->blas_threads,
			ss->cores, ss->processes, ss->processes == 1 ? "" : "es");
	fprintf(f, ".");
	if (ss->baseline_parallelism > 0 && ss->baseline_parallelism < LOADED_PARALLELISM)
		fprintf(f, " The sequential search itself progressed at only %.2f CPU-seconds per second: "
			   "other load on the machine shared the cores.", ss->baseline_parallelism);
}

static void write_evidence(FILE *f, const struct report_config *c)
{
	const struct search_stats *ss = &c->ss;

	fprintf(f, " Concurrency %.2f of %d jobs, parallelism %.2f", ss->concurrency.median, ss->jobs,
		ss->parallelism.median);
	if (ss->slowdown.n)
		fprintf(f, ", each trial %.2f× its time alone", ss->slowdown.median);
	fprintf(f, "; at most %d trial%s at once in %d process%s.", ss->max_in_flight,
		ss->max_in_flight == 1 ? "" : "s", ss->processes, ss->processes == 1 ? "" : "es");
}

static void write_kind(FILE *f, const struct report_config *c)
{
	const struct search_stats *ss = &c->ss;
	double j = ss->jobs, jc = ss->cores > 0 && ss->cores < ss->jobs ? ss->cores : ss->jobs;
	double alone = ss->cores > 0 && j / ss->cores > 1 ? j / ss->cores : 1;
	const char *sep = "";

	if (ss->kind == 'a') {
		fprintf(f, " Kind (a), trials did not overlap: concurrency %.2f is below (1 + J) / 2 = %.3g.",
			ss->concurrency.median, (1 + j) / 2);
		return;
	}
	if (ss->kind != 'b')
		return;
	fprintf(f, " Kind (b), trials overlapped but did not progress in parallel: concurrency %.2f is at "
		   "least (1 + J) / 2 = %.3g, yet ", ss->concurrency.median, (1 + j) / 2);
	if (ss->cpu_tells && ss->parallelism.median < (1 + jc) / 2) {
		fprintf(f, "parallelism %.2f is below (1 + Jc) / 2 = %.3g", ss->parallelism.median, (1 + jc) / 2);
		sep = " and ";
	}
	if (ss->slowdown.n && ss->slowdown.median > (alone + j) / 2)
		fprintf(f, "%sthe per-trial slowdown %.2f× is above (max(1, J / C) + J) / 2 = %.3g", sep,
			ss->slowdown.median, (alone + j) / 2);
	fprintf(f, ".");
}

static void write_verdict_line(FILE *f, const struct report_group *g, const struct report_config *c)
{
	const struct search_stats *ss = &c->ss;
	int jc = ss->cores > 0 && ss->cores < ss->jobs ? ss->cores : ss->jobs;

	fprintf(f, "- **%s**: ", c->label);
	if (c->baseline >= 0 && &g->cfg[c->baseline] == c) {
		fprintf(f, "the sequential reference (%d trial%s, one at a time).\n",
			c->reps && c->n_reps ? c->reps[0].n_trials : 0, c->reps && c->reps[0].n_trials == 1 ? "" : "s");
		return;
	}
	if (!ss->concurrency.n) {
		fprintf(f, "no completed repetition to judge.\n");
		return;
	}
	if (!ss->compared)
		fprintf(f, "no sequential search of the same workload to compare with: not judged by speedup.");
	else if (ss->flagged)
		fprintf(f, "**flagged, sequential fallback**: speedup %.2f× is below %.1f × Jc = %.3g.",
			ss->speedup, FALLBACK_FLAG_SHARE, FALLBACK_FLAG_SHARE * jc);
	else
		fprintf(f, "not flagged: speedup %.2f× is at least %.1f × Jc = %.3g.", ss->speedup,
			FALLBACK_FLAG_SHARE, FALLBACK_FLAG_SHARE * jc);
	write_evidence(f, c);
	write_kind(f, c);
	if (ss->flagged || (!ss->compared && ss->kind))
		write_causes(f, c);
	else if (ss->causes & CAUSE_OVERSUBSCRIBED)
		fprintf(f, " Oversubscribed (%d jobs × %d BLAS threads = %d on %d cores), yet fast enough%s.",
			ss->jobs, ss->blas_threads, ss->jobs * ss->blas_threads, ss->cores,
			strcmp(report_str(c->config, "mode", ""), "dynamic") ? "" :
			": on paper only, dynamic networks make no BLAS call and the pools idle");
	fprintf(f, "\n");
}

void search_write_section(struct report *r, const struct report_group *g, FILE *f)
{
	int i;

	(void)r;
	fprintf(f, "### Sequential fallback\n\n");
	write_rules(f);
	for (i = 0; i < g->n_cfg; i++)
		if (g->cfg[i].search)
			write_verdict_line(f, g, &g->cfg[i]);
	fprintf(f, "\n");
	if (g->threads_fig)
		fprintf(f, "### Threads\n\nThe most threads a trial saw in its process, the peak over the whole "
			   "process tree (median over repetitions, sampled by evopar bench; 0 without a bench) and "
			   "jobs × BLAS threads, against the cores ([SVG](%sthreads.svg)):\n\n"
			   "![threads of each search](%sthreads.png)\n\n", g->fig_prefix, g->fig_prefix);
	if (!g->trials_fig)
		return;
	fprintf(f, "### Trial timelines\n\nOne row per worker (thread, process or MPI rank), a bar per trial "
		   "from its start to its end, labelled with the trial id (first measured repetition).\n\n");
	for (i = 0; i < g->n_cfg; i++)
		if (g->trials_fig[i])
			fprintf(f, "%s ([SVG](%s.svg)):\n\n![trial timeline of %s](%s.png)\n\n", g->cfg[i].label,
				g->trials_fig[i], g->cfg[i].label, g->trials_fig[i]);
}

/* --- searches.tsv: the same numbers for scripts (the experiments' verdicts) ------------------ */

static void tsv_stat(FILE *f, const struct sample_stats *s, double scale)
{
	if (s->n)
		fprintf(f, "\t%.6g\t%.6g\t%.6g", s->median * scale, s->min * scale, s->max * scale);
	else
		fprintf(f, "\t-\t-\t-");
}

static void tsv_row(FILE *f, const struct report_group *g, const struct report_config *c)
{
	const struct search_stats *ss = &c->ss;

	fprintf(f, "%s\t%s\t%s\t%d\t%d\t%d\t%d", g->file, c->label, c->strategy ? c->strategy : "?",
		ss->jobs, ss->blas_threads, ss->cores, c->wall.n);
	tsv_stat(f, &c->wall, 1);
	if (ss->compared)
		fprintf(f, "\t%.6g\t%.6g\t%.6g", ss->speedup, ss->speedup_lo, ss->speedup_hi);
	else
		fprintf(f, "\t-\t-\t-");
	tsv_stat(f, &ss->concurrency, 1);
	tsv_stat(f, &ss->parallelism, 1);
	tsv_stat(f, &ss->slowdown, 1);
	tsv_stat(f, &c->util, 1);
	tsv_stat(f, &ss->user_s, 1);
	tsv_stat(f, &ss->sys_s, 1);
	tsv_stat(f, &ss->ctx_vol, 1);
	tsv_stat(f, &ss->ctx_invol, 1);
	tsv_stat(f, &ss->tree_threads, 1);
	tsv_stat(f, &ss->rss_kb, 1.0 / 1024);
	fprintf(f, "\t%d\t%d\t%d\t%s\t%c\t%d\t%d\t%d\n", ss->threads_seen, ss->processes,
		ss->max_in_flight, ss->flagged ? "yes" : ss->compared && ss->jobs > 1 ? "no" : "-",
		ss->kind ? ss->kind : '-', ss->causes, c->wall.unstable, c->failed);
}

int search_write_tsv(struct report *r)
{
	static const char *const stats[] = { "wall_s", "speedup", "concurrency", "parallelism", "slowdown",
					     "cpu_util", "user_s", "sys_s", "ctx_vol", "ctx_invol",
					     "tree_threads", "rss_mib" };
	char path[4200];
	size_t k;
	int gi, i, any = 0;
	FILE *f;

	for (gi = 0; gi < r->n_g; gi++)
		any |= r->g[gi].search;
	if (!any)
		return 0;
	snprintf(path, sizeof(path), "%s/searches.tsv", r->dir);
	f = fopen(path, "w");
	if (!f) {
		snprintf(r->err, sizeof(r->err), "%s: %s", path, strerror(errno));
		return -errno;
	}
	fprintf(f, "file\tlabel\tbackend\tjobs\tblas_threads\tcores\treps");
	for (k = 0; k < sizeof(stats) / sizeof(stats[0]); k++)
		fprintf(f, "\t%s\t%s_min\t%s_max", stats[k], stats[k], stats[k]);
	fprintf(f, "\tthreads_per_process\tprocesses\tmax_in_flight\tflagged\tkind\tcauses\tunstable\tfailed\n");
	for (gi = 0; gi < r->n_g; gi++)
		for (i = 0; i < r->g[gi].n_cfg; i++)
			if (r->g[gi].cfg[i].search)
				tsv_row(f, &r->g[gi], &r->g[gi].cfg[i]);
	if (fclose(f)) {
		snprintf(r->err, sizeof(r->err), "%s: write failed: %s", path, strerror(errno));
		return -EIO;
	}
	return 0;
}

/* --- trial timelines ----------------------------------------------------------------- */

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
		if (is_backend(c, "threads") || p->processes == 1)
			snprintf(label, sizeof(label), "%s %d", is_backend(c, "mpi") ? "rank" : "worker", t->worker);
		else
			snprintf(label, sizeof(label), "%s %d (pid %d)", is_backend(c, "mpi") ? "rank" : "worker",
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
	char q[300];
	size_t at = 0;
	const char *s;

	snprintf(q, sizeof(q), "%s: %d trials, wall %.3g s, concurrency %.2f, parallelism %.2f", c->label,
		 p->n_trials, p->wall_s, p->concurrency, p->parallelism);
	/* a gnuplot single-quoted string: quotes doubled */
	at += (size_t)snprintf(buf, len, "title='");
	for (s = q; *s && at + 4 < len; s++) {
		if (*s == '\'')
			buf[at++] = '\'';
		buf[at++] = *s;
	}
	snprintf(buf + at, len - at, "'");
}

static int trials_figure(struct report *r, struct report_group *g, int i)
{
	const struct report_config *c = &g->cfg[i];
	const struct report_rep *p = first_measured(c);
	char base[400], name[128], data[4400], out[4400], script[4200], title[700];
	int rows, rc;
	FILE *f;

	if (!p)
		return 0;
	slug(name, sizeof(name), c->label);
	snprintf(base, sizeof(base), "%strials-%02d-%s", g->fig_prefix, i + 1, name);
	snprintf(data, sizeof(data), "%s/%s.dat", r->dir, base);
	snprintf(out, sizeof(out), "%s/%s", r->dir, base);
	snprintf(script, sizeof(script), "%s/timeline_trials.gp", r->plots_dir);
	f = fopen(data, "w");
	if (!f) {
		report_note(r, "- %s: %s; trial timeline skipped.\n", data, strerror(errno));
		return 0;
	}
	rows = timeline_data(f, c, p);
	fclose(f);
	if (rows <= 0)
		return rows;
	timeline_title(title, sizeof(title), c, p);
	rc = report_gnuplot(r, script, data, out, rows, c->cores, title);
	if (rc == -ENOENT)
		return rc;
	if (rc) {
		report_note(r, "- %s failed on %s (see gnuplot.log): no trial timeline for %s.\n", script,
			    data, c->label);
		return 0;
	}
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
	f = fopen(data, "w");
	if (!f) {
		report_note(r, "- %s: %s; threads figure skipped.\n", data, strerror(errno));
		return 0;
	}
	fprintf(f, "\"search\" \"per_process\" \"tree\" \"jobs_x_blas\"\n");
	for (i = 0; i < g->n_cfg; i++) {
		const struct search_stats *ss = &g->cfg[i].ss;

		if (!g->cfg[i].search || !ss->concurrency.n)
			continue;
		report_put_label(f, g->cfg[i].label);
		fprintf(f, " %d %g %d\n", ss->threads_seen, ss->tree_threads.n ? ss->tree_threads.median : 0,
			ss->jobs * ss->blas_threads);
		n++;
	}
	fclose(f);
	if (!n)
		return 0;
	rc = report_gnuplot(r, script, data, out, n, g->n_cfg ? g->cfg[0].cores : 0, NULL);
	if (rc == -ENOENT)
		return rc;
	if (rc)
		report_note(r, "- %s failed on %s (see gnuplot.log): no threads figure.\n", script, data);
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
