/*
 * `evopar search`: trial-level parallelism, the Optuna n_jobs layer. A trial is a whole
 * evolution (its seeds one after another) with hyperparameters drawn from a search space by
 * a sampler keyed by (study seed, trial); a farm backend decides where trials run.
 */
#ifndef EVOPAR_SEARCH_H
#define EVOPAR_SEARCH_H

#include <stdint.h>
#include <sys/types.h>

#include "harness/options.h"

#define SPACE_MAX 16

/* one searched hyperparameter: a `evopar run` option and its range */
struct space_param {
	char name[32];             /* an option of evopar run, e.g. p-add-node */
	int integer;               /* 1: drawn as an integer */
	double low, high;
};

struct search_space {
	int n;
	struct space_param p[SPACE_MAX];
};

struct search_options {
	struct run_options run;    /* the workload every trial starts from */
	int trials;
	int seeds;
	int jobs;
	int backend;               /* index into the farm registry */
	const char *space_file;
	const char *resume;
	double trial_timeout_s;    /* a trial running this long has failed, with its worker */
	int help;
};

/* what a trial reports; params are re-derived from the sampler, so they need not travel */
struct trial_result {
	int32_t id;
	int32_t worker;
	int32_t pid;
	int32_t threads;           /* threads seen in its process when it ended */
	double value;              /* mean over seeds of the best fitness */
	double start_s, end_s;     /* since the search started (CLOCK_MONOTONIC) */
	double cpu_s;              /* CPU time of the thread that ran it */
	int32_t failed;            /* 1: the trial's evolution failed */
	char host[64];
};

/* A search in progress, as the farm backends see it. */
struct farm {
	const struct search_options *o;
	const struct search_space *space;
	double t0;                 /* CLOCK_MONOTONIC at the start of the search */
	const uint8_t *skip;       /* per trial: already recorded (--resume) */
	/* record one finished trial; serialised by the caller where backends run in threads */
	int (*emit)(struct farm *f, const struct trial_result *r);
	void *emit_ctx;
	/*
	 * optional, for --stall-timeout's message: per trial, a backend may set 1 when it hands
	 * the trial out (any thread); a stall names those handed out and not yet recorded. Left
	 * all 0, the message lists the trials not yet recorded instead.
	 */
	uint8_t *handed;
	char err[512];
	int fail_worker;
	long fail_pid;
	/* what the backend ran, for the summary */
	int jobs;                  /* trials in flight at once: --jobs, or mpi's ranks running trials */
	int worker_blas_threads;   /* >0: each worker process pinned OpenBLAS to this many threads */
	int mpi_ranks;             /* >0: the size of MPI_COMM_WORLD */
};

struct farm_ops {
	const char *name;
	const char *summary;
	const char *(*supported)(const struct search_options *o);   /* NULL or why not */
	/*
	 * optional: 0 in a process that only serves trials to another (an MPI rank other than
	 * 0), which then opens no output and writes no record; NULL: every process writes
	 */
	int (*writes_records)(void);
	/* run every trial not skipped; 0, or a negative errno with f->err */
	int (*run)(struct farm *f);
};

extern const struct opt_spec search_opts[];
/* gens 20, trials 8, seeds 2, jobs 2, trial timeout 3600 s, the rest as evopar run's */
void search_options_defaults(struct search_options *o);

/* search.c: pieces every backend uses */
void space_default(struct search_space *s);
int space_load(struct search_space *s, const char *path, char *err, size_t errlen);
double space_draw(const struct search_space *s, int i, uint64_t study_seed, int trial);
int trial_run(const struct farm *f, int id, int worker, struct trial_result *r);
int count_threads(pid_t pid);

/* farm registry (farm.c) */
const struct farm_ops *farm_at(size_t i);
extern const char *const farm_names[];
extern const struct farm_ops farm_sequential;
/* the first trial >= from that is not skipped; o->trials when none is left */
int farm_next_trial(const struct farm *f, int from);
/* trial id is handed out now: a stall's message names it until it is recorded */
void farm_handed(struct farm *f, int id);

int cmd_search(int argc, char **argv);

#endif
