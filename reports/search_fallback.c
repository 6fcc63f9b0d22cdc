/*
 * The sequential-fallback diagnosis of `evopar search` configurations: their measures across
 * repetitions, the verdict by the stated rules (flagged, kind (a) or (b), the causes the
 * records show) and report.md's section that states the rules and each verdict.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"

/* --- one configuration ------------------------------------------------------------- */

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
	if (search_is_backend(c, "threads"))
		return jobs + 1;
	return search_is_backend(c, "mpi") ? MPI_OWN_THREADS : 1;
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

/* Jc = min(J, C): the most J jobs can run at once on C cores (C unknown: J) */
static double jobs_on_cores(const struct search_stats *ss)
{
	return ss->cores > 0 && ss->cores < ss->jobs ? ss->cores : ss->jobs;
}

/* max(1, J / C): a trial's time with J jobs on C cores against its time alone, at best */
static double shared_slowdown(const struct search_stats *ss)
{
	double j = ss->jobs;

	return ss->cores > 0 && j / ss->cores > 1 ? j / ss->cores : 1;
}

static void search_verdict(struct search_stats *ss)
{
	double j = ss->jobs, jc = jobs_on_cores(ss), alone = shared_slowdown(ss);

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

		search_rep_measures(p);
		if (alone && &g->cfg[c->baseline] != c)
			search_rep_slowdown(p, alone, n_ids);
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
		report_rep_stats((struct sample_stats *)((char *)ss + measures[k].stat), c, measures[k].rep, 1);
	util_stats(c);
	ss->speedup = report_speedup(g, c, ROW_TOTAL, &unstable);
	ss->compared = ss->speedup > 0;
	/* the paired interval of report_compare.c; the point where there is none */
	if (ss->compared) {
		const struct ratio_ci *ci = report_speedup_ci(g, c, ROW_TOTAL);

		ss->speedup_lo = ci ? ci->lo : ss->speedup;
		ss->speedup_hi = ci ? ci->hi : ss->speedup;
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
			alone = search_alone_durations(&g->cfg[c->baseline], &n_ids);
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
	double j = ss->jobs, jc = jobs_on_cores(ss), alone = shared_slowdown(ss);
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
	double jc = jobs_on_cores(ss);

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

void search_write_section(const struct report_group *g, FILE *f)
{
	char about[900];
	int i;

	report_fig_about(g, 1, about, sizeof(about));
	fprintf(f, "### Sequential fallback\n\n");
	write_rules(f);
	for (i = 0; i < g->n_cfg; i++)
		if (g->cfg[i].search)
			write_verdict_line(f, g, &g->cfg[i]);
	fprintf(f, "\n");
	if (g->threads_fig)
		fprintf(f, "### Threads\n\nThe most threads a trial saw in its process, the peak over the whole "
			   "process tree (median over repetitions, sampled by evopar bench; no bar without a bench) and "
			   "jobs × BLAS threads, against the cores (%s; [SVG](%sthreads.svg), [PDF](%sthreads.pdf)):\n\n"
			   "![threads of each search](%sthreads.png)\n\n", about, g->fig_prefix, g->fig_prefix, g->fig_prefix);
	if (!g->trials_fig)
		return;
	fprintf(f, "### Trial timelines\n\nOne row per worker (thread, process or MPI rank), a bar per trial "
		   "from its start to its end, labelled with the trial id (first measured repetition; %s).\n\n", about);
	for (i = 0; i < g->n_cfg; i++)
		if (g->trials_fig[i])
			fprintf(f, "%s ([SVG](%s.svg), [PDF](%s.pdf)):\n\n![trial timeline of %s](%s.png)\n\n",
				g->cfg[i].label, g->trials_fig[i], g->trials_fig[i], g->cfg[i].label, g->trials_fig[i]);
}

