/*
 * The summary of a run, a search or one benchmarked child: a plain struct each command fills
 * and one writer, so what a summary holds, its names, units and order, is defined here once.
 */
#ifndef EVOPAR_SUMMARY_H
#define EVOPAR_SUMMARY_H

#include <stdint.h>
#include <sys/resource.h>

#include "harness/records/record.h"

struct sampler;
struct counters;

enum summary_kind {
	SUMMARY_RUN,               /* "summary" of evopar run */
	SUMMARY_SEARCH,            /* "summary" of evopar search */
	SUMMARY_CHILD,             /* "bench_run": one benchmarked child, seen from outside */
};

struct summary {
	enum summary_kind kind;
	/* a child: the configuration and repetition it ran, first in its record */
	int config_id;
	const char *config_label;
	int rep, warmup;

	const char *status;        /* ok, failed, interrupted (a child: ok, failed, timeout) */
	const char *error;         /* NULL: none */

	/* how it failed: where, and which worker */
	const char *phase;         /* NULL: not in a phase */
	int gen;                   /* with phase */
	int worker;                /* -1: no worker to blame */
	long worker_pid;
	int worker_signal;         /* 0: the worker was not killed by a signal */
	int exit_code;             /* a child that exited: its code; -1 otherwise */
	int signal;                /* the stop signal (run), the signal that ended it (child); 0 none */

	/* what ran: a run */
	const char *strategy;
	int workers, workers_requested, gens_done;
	/* what ran: a search */
	const char *backend;
	int jobs;
	int worker_blas_threads;   /* > 0: each worker pinned OpenBLAS to this many */
	int mpi_ranks;             /* > 0: the size of MPI_COMM_WORLD */
	int trials_done;

	double wall_s;

	/* results: a run */
	double best_fitness;
	int have_population;       /* the final population is here: digest and diversity */
	uint64_t digest;
	double mean_distance;
	const double *origin_share;  /* islands: the share of each island's genomes */
	int origins;
	/* results: a search */
	double trial_seconds;      /* the trials' durations, summed */
	double trial_cpu_s;        /* the trials' CPU seconds, summed */
	int best_trial;            /* -1: none */
	double best_value;

	/* usage: self and the reaped children (a child: its wait4 rusage in self) */
	struct rusage self, children;
	double cpu_s;              /* the CPU seconds the command counts as its own */
	double other_cpu_s;        /* > 0: CPU of processes that are not our children (MPI ranks) */
	int records;               /* a child: the records it wrote */
	const struct sampler *sampler;   /* threads and processes, from /proc */
	const char *sampler_error;       /* NULL or why the sampler did not run */
	const struct counters *counters;
};

/* A summary of kind with nothing set: no failure, no worker, no best trial, no exit code. */
void summary_init(struct summary *s, enum summary_kind kind, const char *status);
/* self and children from getrusage */
void summary_take_rusage(struct summary *s);
/* The record, into w (begun and ended here); the caller writes it out. */
void summary_write(struct jw *w, const struct summary *s);

/* seconds of a struct timeval */
double timeval_s(struct timeval tv);

#endif
