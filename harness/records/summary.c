/*
 * The one summary writer (see summary.h). Fields come in one order for every kind; a kind
 * writes the groups that mean something for it, and a field left unset is left out.
 */
#include <math.h>
#include <string.h>
#include <sys/resource.h>

#include "harness/instruments/counters.h"
#include "harness/instruments/sampler.h"
#include "harness/records/summary.h"

double timeval_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec * 1e-6;
}

void summary_init(struct summary *s, enum summary_kind kind, const char *status)
{
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->status = status;
	s->worker = -1;
	s->exit_code = -1;
	s->best_trial = -1;
}

void summary_take_rusage(struct summary *s)
{
	getrusage(RUSAGE_SELF, &s->self);
	getrusage(RUSAGE_CHILDREN, &s->children);
}

/* where it failed and who: the phase and generation, the worker, the signal */
static void write_failure(struct jw *w, const struct summary *s)
{
	/* a child's message is what it said on stderr: it closes its record, after the figures */
	if (s->error && s->kind != SUMMARY_CHILD)
		jw_str(w, "error", s->error);
	if (s->phase) {
		jw_str(w, "phase", s->phase);
		jw_int(w, "gen", s->gen);
	}
	if (s->worker >= 0) {
		jw_int(w, "worker", s->worker);
		jw_int(w, "worker_pid", s->worker_pid);
		if (s->worker_signal)
			jw_int(w, "worker_signal", s->worker_signal);
	}
	if (s->exit_code >= 0)
		jw_int(w, "exit", s->exit_code);
	if (s->signal)
		jw_int(w, "signal", s->signal);
}

static void write_what_ran(struct jw *w, const struct summary *s)
{
	if (s->kind == SUMMARY_RUN) {
		jw_str(w, "strategy", s->strategy);
		jw_int(w, "workers", s->workers);
		jw_int(w, "workers_requested", s->workers_requested);
		jw_int(w, "gens_done", s->gens_done);
	} else if (s->kind == SUMMARY_SEARCH) {
		jw_str(w, "backend", s->backend);
		jw_int(w, "jobs", s->jobs);
		if (s->worker_blas_threads > 0)
			jw_int(w, "worker_blas_threads", s->worker_blas_threads);
		if (s->mpi_ranks > 0)
			jw_int(w, "mpi_ranks", s->mpi_ranks);
		jw_int(w, "trials_done", s->trials_done);
	}
}

static void write_results(struct jw *w, const struct summary *s)
{
	if (s->kind == SUMMARY_RUN) {
		jw_num(w, "best_fitness", s->best_fitness);
		if (s->have_population) {
			jw_hex64(w, "digest", s->digest);
			/* diversity of the final population: how far apart the genomes are, and,
			   with islands, where they started */
			jw_num(w, "mean_distance", s->mean_distance);
			if (s->origins)
				jw_nums(w, "origin_share", s->origin_share, s->origins);
		} else {
			jw_null(w, "digest");   /* the workers that held the population are gone */
		}
	} else if (s->kind == SUMMARY_SEARCH) {
		/* trial-seconds / wall-seconds: near --jobs when trials really overlapped */
		jw_num(w, "concurrency", s->wall_s > 0 ? s->trial_seconds / s->wall_s : NAN);
		/* cpu-seconds / wall-seconds of the trials: near --jobs when they progressed in parallel */
		jw_num(w, "parallelism", s->wall_s > 0 ? s->trial_cpu_s / s->wall_s : NAN);
	}
}

static void write_usage(struct jw *w, const struct summary *s)
{
	const struct rusage *self = &s->self, *kids = &s->children;

	if (s->kind != SUMMARY_SEARCH) {
		jw_num(w, "cpu_user_s", timeval_s(self->ru_utime));
		jw_num(w, "cpu_sys_s", timeval_s(self->ru_stime));
	}
	if (s->kind == SUMMARY_RUN) {
		jw_num(w, "children_cpu_user_s", timeval_s(kids->ru_utime));
		jw_num(w, "children_cpu_sys_s", timeval_s(kids->ru_stime));
		if (s->other_cpu_s > 0)
			jw_num(w, "other_processes_cpu_s", s->other_cpu_s);
	}
	if (s->kind != SUMMARY_CHILD) {
		jw_num(w, "cpu_s", s->cpu_s);
		jw_num(w, "cpu_utilisation", s->wall_s > 0 ? s->cpu_s / s->wall_s : NAN);
	}
	jw_int(w, "max_rss_kb", self->ru_maxrss);
	if (s->kind != SUMMARY_CHILD)
		jw_int(w, "children_max_rss_kb", kids->ru_maxrss);
	if (s->kind != SUMMARY_SEARCH) {
		jw_int(w, "voluntary_ctx_switches", self->ru_nvcsw + kids->ru_nvcsw);
		jw_int(w, "involuntary_ctx_switches", self->ru_nivcsw + kids->ru_nivcsw);
	}
}

static void write_instruments(struct jw *w, const struct summary *s)
{
	if (s->kind == SUMMARY_CHILD) {
		jw_int(w, "records", s->records);
		/* seen from outside, so mpirun's ranks and a search's workers count as well */
		if (s->sampler && s->sampler->started) {
			jw_obj_begin(w, "tree");
			sampler_write(s->sampler, w);
			jw_obj_end(w);
		}
		return;
	}
	if (s->kind != SUMMARY_RUN)
		return;
	sampler_write(s->sampler, w);
	if (s->sampler_error && s->sampler_error[0])
		jw_str(w, "sampler_error", s->sampler_error);
	counters_write_values(s->counters, w);
}

void summary_write(struct jw *w, const struct summary *s)
{
	jw_begin(w, s->kind == SUMMARY_CHILD ? "bench_run" : "summary");
	if (s->kind == SUMMARY_CHILD) {
		jw_int(w, "config_id", s->config_id);
		jw_str(w, "config_label", s->config_label);
		jw_int(w, "rep", s->rep);
		jw_bool(w, "warmup", s->warmup);
	}
	jw_str(w, "status", s->status);
	write_failure(w, s);
	write_what_ran(w, s);
	jw_num(w, "wall_s", s->wall_s);
	write_results(w, s);
	write_usage(w, s);
	write_instruments(w, s);
	if (s->kind == SUMMARY_SEARCH && s->best_trial >= 0) {
		jw_int(w, "best_trial", s->best_trial);
		jw_num(w, "best_value", s->best_value);
	}
	if (s->kind == SUMMARY_CHILD && s->error)
		jw_str(w, "error", s->error);
	jw_end(w);
}
