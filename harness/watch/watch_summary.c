/*
 * The diagnosis of `evopar watch` in words: for each rule that fired the evidence it fired on
 * and a suggested fix, into the summary record and onto stderr, with the measures and the
 * sampler's own cost.
 */
#include <stdio.h>
#include <string.h>

#include "harness/watch/watch.h"

/* the process that most often held the most active threads */
static const struct watch_proc *top_process(const struct watch_state *st)
{
	const struct watch_proc *top = NULL;
	int i;

	for (i = 0; i < st->n_procs; i++)
		if (!top || st->procs[i].top_intervals > top->top_intervals)
			top = &st->procs[i];
	return top;
}

/* "pids 11 (python3), 12 (python3) and 2 more": the busy workers */
static void busy_workers(const struct watch_state *st, char *buf, size_t len)
{
	size_t at = 0;
	int i, listed = 0;

	buf[0] = 0;
	for (i = 0; i < st->n_procs && at < len; i++) {
		if (!st->procs[i].busy_intervals)
			continue;
		if (listed++ == 5) {
			snprintf(buf + at, len - at, " and %d more", st->series.workers_seen - 5);
			return;
		}
		at += (size_t)snprintf(buf + at, len - at, "%s%d (%s)", listed > 1 ? ", " : "",
				       (int)st->procs[i].pid, st->procs[i].comm);
	}
}

/* threads per process that keep the tree within the cores: cores / processes at work, at least 1 */
static int thread_cap(const struct watch_state *st, const struct watch_verdict *v)
{
	int i, procs = 1;

	for (i = 0; i < st->series.n; i++)
		if (st->series.iv[i].active_procs > procs)
			procs = st->series.iv[i].active_procs;
	return v->cores / procs > 1 ? v->cores / procs : 1;
}

static void explain_overlap(const struct watch_state *st, const struct watch_verdict *v, int k,
			    char *ev, size_t elen, char *fix, size_t flen)
{
	const struct watch_proc *top = top_process(st);
	char workers[512], futex[96] = "", how[256];

	busy_workers(st, workers, sizeof(workers));
	if (k == WATCH_NO_OVERLAP) {
		snprintf(ev, elen, "%d tasks were meant to run at once (%s), on %d cores: an ideal of %.0f; "
			 "yet the tree ran on %.2f cores (it wanted %.2f), below the %.1f midway to the ideal, "
			 "and in half the busy samples at most %d thread was runnable (mean %.2f) and %d "
			 "active: the work ran one task after another%s%s%s.", v->expected, v->expected_from,
			 v->cores, v->ideal, v->util, v->wanted, v->near_one, v->runnable, v->runnable_mean,
			 v->active, workers[0] ? " (busy workers: pids " : "", workers, workers[0] ? ")" : "");
		snprintf(fix, flen, "Submit every task before waiting for any (pool.map, imap, apply_async or "
			 "executor.submit for all, then collect; not apply() or .result() inside the loop), and "
			 "check that the pool has the size and backend asked for (joblib's backend, Optuna's "
			 "n_jobs and its storage).");
		return;
	}
	if (v->futex_mean >= 0)
		snprintf(futex, sizeof(futex), "; %.1f threads per sample sat in a futex wait", v->futex_mean);
	if (v->runnable < v->near_one)
		snprintf(how, sizeof(how), "in half the busy samples at most %d was runnable (mean %.2f), "
			 "below the %.1f midway to an ideal of %.0f", v->runnable, v->runnable_mean,
			 v->near_one, v->ideal);
	else
		snprintf(how, sizeof(how), "%d of them each blocked %d times a second or more, handing "
			 "something over (other load kept %d runnable, mean %.2f)", v->turn_takers,
			 WATCH_TURN_RATE, v->runnable, v->runnable_mean);
	snprintf(ev, elen, "%d threads were active at once in half the busy samples, most often in pid %d "
		 "(%s), with %d meant to run at once (%s); yet the tree ran on %.2f cores, below the %.1f "
		 "midway to an ideal of %.0f, and %s: they took turns on one lock%s.", v->active,
		 top ? (int)top->pid : 0, top ? top->comm : "?", v->expected, v->expected_from, v->util,
		 v->near_one, v->ideal, how, futex);
	snprintf(fix, flen, "The threads share one lock: for CPU-bound Python it is the GIL. Use processes "
		 "(multiprocessing.Pool, concurrent.futures.ProcessPoolExecutor, joblib's loky backend), or "
		 "move the hot loop into code that releases the lock (numpy, a C extension).");
}

static void explain_threads(const struct watch_state *st, const struct watch_verdict *v, int k,
			    char *ev, size_t elen, char *fix, size_t flen)
{
	int cap = thread_cap(st, v);

	if (k == WATCH_OVERSUBSCRIBED) {
		snprintf(ev, elen, "more than %.1f threads (%.1f x %d cores) were runnable in %.0f%% of the busy "
			 "samples (%d or more in half of them, mean %.1f); they waited on run queues for %.0f%% "
			 "of the time they wanted a core; involuntary context switches %.0f/s (voluntary "
			 "%.0f/s).", v->oversub_limit, WATCH_OVERSUB_FACTOR, v->cores, v->oversub_share * 100,
			 v->runnable, v->runnable_mean, v->wait_share * 100, v->invol_rate, v->vol_rate);
		snprintf(fix, flen, "Keep the threads that want a core within the %d cores: run fewer jobs, or "
			 "cap each process's library threads at cores / processes at work (here %d) with "
			 "OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and MKL_NUM_THREADS in the job's environment.",
			 v->cores, cap);
		return;
	}
	if (v->explode_by_teams)
		snprintf(ev, elen, "%s; above the limit of %d threads (%d x %d cores + %d) in %.0f%% of the "
			 "samples, each of those processes holding a team as large as the machine. In the "
			 "environment of the largest: %s.", st->peak_teams, v->explode_limit, WATCH_EXPLODE_MULT,
			 v->cores, WATCH_EXPLODE_SLACK, v->explode_share * 100, st->peak_caps);
	else
		snprintf(ev, elen, "%s; above the limit of %d threads per process (%d x %d cores + %d) in "
			 "%.0f%% of the samples. In its environment: %s.", st->peak_proc, v->explode_limit,
			 WATCH_EXPLODE_MULT, v->cores, WATCH_EXPLODE_SLACK, v->explode_share * 100,
			 st->peak_caps);
	snprintf(fix, flen, "Cap the thread teams before the program starts: OMP_NUM_THREADS=%d "
		 "OPENBLAS_NUM_THREADS=%d MKL_NUM_THREADS=%d (cores / processes at work), or "
		 "threadpoolctl.threadpool_limits(%d) in each worker: one small team per process, not one "
		 "per Python thread or one the size of the machine in every process.", cap, cap, cap, cap);
}

static void explain_healthy(const struct watch_verdict *v, char *ev, size_t elen, char *fix, size_t flen)
{
	char others[160] = "";

	if (!v->busy) {
		snprintf(ev, elen, "the tree never wanted %.1f cores in an interval: it waited (on input, a "
			 "child, a timer) rather than computed.", WATCH_BUSY_WANTED);
		snprintf(fix, flen, "Nothing to fix in its parallelism; what it waited for is another question.");
		return;
	}
	if (v->others_busy >= 0.25)
		snprintf(others, sizeof(others), "; other processes kept %.2f cores of the machine busy meanwhile",
			 v->others_busy);
	snprintf(ev, elen, "the tree ran on %.2f cores on average (it wanted %.2f; %d threads runnable in "
		 "half the busy samples) against an ideal of %.0f: %d meant to run at once (%s) on %d "
		 "cores%s.", v->util, v->wanted, v->runnable, v->ideal, v->expected, v->expected_from,
		 v->cores, others);
	snprintf(fix, flen, "Nothing to fix in how the job runs in parallel%s.",
		 others[0] ? "; measure its speed on a quiet machine" : "");
}

void watch_explain(const struct watch_state *st, const struct watch_verdict *v, int k,
		   char *evidence, size_t elen, char *fix, size_t flen)
{
	if (k == WATCH_NO_OVERLAP || k == WATCH_NO_PROGRESS)
		explain_overlap(st, v, k, evidence, elen, fix, flen);
	else if (k == WATCH_OVERSUBSCRIBED || k == WATCH_EXPLOSION)
		explain_threads(st, v, k, evidence, elen, fix, flen);
	else
		explain_healthy(v, evidence, elen, fix, flen);
}

/* "no overlap (kind a); thread explosion": every rule that fired */
static void titles(const struct watch_verdict *v, char *buf, size_t len)
{
	size_t at = 0;
	int k;

	buf[0] = 0;
	for (k = 0; k < WATCH_KINDS && at < len; k++)
		if (v->fired[k])
			at += (size_t)snprintf(buf + at, len - at, "%s%s", at ? "; " : "", watch_kind_titles[k]);
}

/* a figure that could not be seen here (negative) is written as null, not as a number */
static void num_or_null(struct jw *w, const char *key, double v)
{
	if (v >= 0)
		jw_num(w, key, v);
	else
		jw_null(w, key);
}
static void write_sampler(const struct watch_state *st, struct jw *w)
{
	double n = st->samples ? (double)st->samples : 1;

	jw_obj_begin(w, "sampler");
	jw_num(w, "interval_ms", st->interval_s * 1e3);
	jw_int(w, "samples", st->samples);
	jw_num(w, "cpu_s", st->cpu_s);
	jw_num(w, "cpu_per_sample_us", st->cpu_s / n * 1e6);
	jw_num(w, "threads_per_sample", (double)st->threads_read / n);
	jw_num(w, "cpu_per_thread_us", st->threads_read ? st->cpu_s / (double)st->threads_read * 1e6 : 0);
	/* what the sampling cost the machine: its CPU time as a share of the time watched */
	jw_num(w, "cpu_share", st->wall_s > 0 ? st->cpu_s / st->wall_s : 0);
	jw_obj_end(w);
}

void watch_write_diagnosis(const struct watch_state *st, const struct watch_verdict *v, struct jw *w)
{
	char evidence[2048], fix[1024], all[256];
	int k;

	jw_int(w, "cores", v->cores);
	if (st->series.jobs)
		jw_int(w, "jobs", st->series.jobs);
	else
		jw_null(w, "jobs");
	jw_int(w, "expected", v->expected);
	jw_str(w, "expected_from", v->expected_from);
	jw_num(w, "ideal", v->ideal);
	jw_int(w, "intervals", v->intervals);
	jw_int(w, "busy_intervals", v->busy);
	jw_num(w, "cpu_util_mean", v->util);
	jw_num(w, "wanted_mean", v->wanted);
	jw_int(w, "runnable", v->runnable);
	jw_num(w, "runnable_mean", v->runnable_mean);
	jw_int(w, "active_threads", v->active);
	jw_int(w, "turn_takers", v->turn_takers);
	jw_int(w, "workers_seen", st->series.workers_seen);
	jw_num(w, "oversubscribed_share", v->oversub_share);
	jw_num(w, "run_queue_wait_share", v->wait_share);
	jw_bool(w, "run_queue_visible", st->series.have_wait);
	jw_num(w, "vol_ctx_per_s", v->vol_rate);
	jw_num(w, "invol_ctx_per_s", v->invol_rate);
	num_or_null(w, "futex_waiting_mean", v->futex_mean);
	num_or_null(w, "others_busy", v->others_busy);
	jw_int(w, "threads_max", v->threads_max);
	jw_int(w, "process_threads_max", v->proc_threads_max);
	jw_num(w, "explosion_share", v->explode_share);
	jw_int(w, "rss_max_kb", st->rss_kb_max);
	titles(v, all, sizeof(all));
	jw_str(w, "diagnosis", all);
	jw_arr_begin(w, "diagnoses");
	for (k = 0; k < WATCH_KINDS; k++) {
		if (!v->fired[k])
			continue;
		watch_explain(st, v, k, evidence, sizeof(evidence), fix, sizeof(fix));
		jw_obj_begin(w, NULL);
		jw_str(w, "kind", watch_kind_names[k]);
		jw_str(w, "title", watch_kind_titles[k]);
		jw_str(w, "evidence", evidence);
		jw_str(w, "fix", fix);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	write_sampler(st, w);
}

void watch_print_diagnosis(const struct watch_state *st, const struct watch_verdict *v, FILE *f)
{
	char evidence[2048], fix[1024];
	int k;

	for (k = 0; k < WATCH_KINDS; k++) {
		if (!v->fired[k])
			continue;
		watch_explain(st, v, k, evidence, sizeof(evidence), fix, sizeof(fix));
		fprintf(f, "evopar watch: diagnosis: %s\n  evidence: %s\n  fix: %s\n", watch_kind_titles[k],
			evidence, fix);
	}
	double share = st->wall_s > 0 ? st->cpu_s / st->wall_s : 0;

	fprintf(f, "evopar watch: %ld sample%s every %.0f ms cost %.0f µs of CPU each (%.2f%% of a core)%s\n",
		st->samples, st->samples == 1 ? "" : "s", st->interval_s * 1e3,
		st->samples ? st->cpu_s / (double)st->samples * 1e6 : 0, share * 100,
		share > WATCH_COSTLY_SHARE ? "; a longer --interval costs less" : "");
}
