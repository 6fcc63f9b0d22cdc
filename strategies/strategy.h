/*
 * strategies/: how one generation's work is spread over cores, processes and machines. Each
 * strategy is one file with one const ops table; registry.c lists them; the harness knows
 * strategies only through this header, which also owns a run's struct strategy_config (the
 * engine's evo_config plus the strategy knobs). strategies/common/ holds what several share:
 * the thread pool, the worker loop and its adapter over proc/pool, islands' processes and
 * migration files, fault injection.
 */
#ifndef EVOPAR_STRATEGY_H
#define EVOPAR_STRATEGY_H

#include <stddef.h>

#include "engine/engine.h"

#define STRATEGY_ERRLEN 512
#define STRATEGY_MAX_WORKERS 1024     /* the most --workers allows */

/* A run's configuration: the engine's workload, and how this strategy spreads it. */
struct strategy_config {
	struct evo_config evo;    /* the workload, mutation and selection */

	const char *strategy;     /* the harness picks it through the registry */
	int workers;
	int chunk;                /* items per dispatch; 0: pop / workers, or the assign rule's
				     balanced default (options.c) */
	int blas_threads;         /* 0: the library's own default */
	int assign;               /* enum assign_rule: which networks go to which worker */

	/* process strategies */
	int start;                /* enum start_method: how fork-pool starts its workers */
	int transport;            /* enum transport: how persistent moves bytes */
	int worker_scope;         /* enum worker_scope: what persistent workers do */
	double worker_timeout_s;  /* a worker silent this long has failed */
	const char *inject_fault; /* "KIND:WORKER:PHASE:GEN" for the fault tests, or NULL */
	const char *self_exe;     /* the evopar binary, for workers started with exec */

	/* islands */
	int islands;              /* K islands */
	int island_id;            /* -1: start all K; else run only this island */
	int migrate_every;        /* generations between migrations */
	int migrants;             /* networks each island sends per migration */
	const char *migration_dir;
	const char *run_id;       /* --island-id: the run identity the islands share; NULL: default */
	int migration;            /* enum migration_mode */
	int topology;             /* enum topology: whom an island takes migrants from */
	int migrant_select;       /* enum migrant_select: which networks an island sends */
};

enum start_method { START_FORK, START_SPAWN };
/* cost: by predicted cost, longest first (threads: evaluate claims in that order, guided
   under --chunk 0; persistent, fork-pool: longest processing time first over the workers);
   index: in index order, --chunk 0 meaning pop / workers (the rule before balancing) */
enum assign_rule { ASSIGN_COST, ASSIGN_INDEX };
enum transport { TRANSPORT_PIPE, TRANSPORT_SHM };
enum worker_scope { SCOPE_MUTATE, SCOPE_ALL };
enum migration_mode { MIGRATION_SYNC, MIGRATION_ASYNC, MIGRATION_MPI, MIGRATION_MPI_ASYNC };
enum topology { TOPOLOGY_RING, TOPOLOGY_FULL };
enum migrant_select { MIGRANTS_BEST, MIGRANTS_RANDOM };

/* the engine's defaults, then the strategy knobs' (registry.c) */
void strategy_config_defaults(struct strategy_config *cfg);

enum phase { PHASE_MUTATE, PHASE_PREPARE, PHASE_EVALUATE, PHASE_RESAMPLE, PHASE_COUNT };
extern const char *const phase_names[PHASE_COUNT];

struct strategy {
	const struct strategy_ops *ops;
	const struct strategy_config *cfg;
	void *data;                        /* the strategy's private state, set by open */
	int workers;                       /* workers it really runs: the harness starts it at
					      --workers, open lowers it (cores, population) */
	double comm_ms[PHASE_COUNT];       /* time of each phase spent moving data, this gen */
	/* each worker's busy time per phase this gen (wall ms working, idle waits left out):
	   the harness zeroes it before a generation; a strategy fills the phases it spreads
	   over its workers, and a phase left all zero ran in the main process alone */
	double busy_ms[PHASE_COUNT][STRATEGY_MAX_WORKERS];
	/* the work (engine_work_done's units) other processes of the run did this gen, as they
	   reported it: the harness zeroes it and adds this process's own */
	uint64_t work;
	char err[STRATEGY_ERRLEN];         /* what went wrong, for the caller to print */
	char warning[STRATEGY_ERRLEN];     /* a problem the run survived; the harness writes it
					      as a warning record after the phase, then clears it */
	/* where a run failed in a worker: filled with err, -1 / 0 where not known */
	int fail_worker;
	long fail_pid;
	int fail_signal;
	/* records of the strategy's own (JSON objects, one a line: the islands' migration log);
	   the harness writes them after each phase and at the end, then empties the buffer */
	char *records;
	size_t records_len, records_cap;
	/* CPU seconds of the run's processes that are not this one's children (the other MPI
	   ranks), as the strategy measured them; the summary adds them to the run's */
	double other_cpu_s;
};

/*
 * Every hook returns 0 or a negative errno value with a message in s->err. Resample gets the
 * population with p->plan already filled by engine_select(); it builds p->next and swaps.
 * resolve, writes_records, supported, open, sync, sizes and close may be NULL.
 */
struct strategy_ops {
	const char *name;                  /* as typed on the command line */
	const char *summary;               /* one line for `evopar list` */
	/* the ops that run this config, where a mode of the strategy has hooks of its own in
	   another file (islands --migration mpi); asked first, before supported */
	const struct strategy_ops *(*resolve)(const struct strategy_config *cfg);
	/* 0 in a process that takes part in the run but neither writes records nor prints
	   (an MPI rank other than 0); asked before the output opens */
	int (*writes_records)(const struct strategy_config *cfg);
	const char *(*supported)(const struct strategy_config *cfg);  /* NULL, or why it cannot run */
	int (*open)(struct strategy *s, struct population *p);
	int (*mutate)(struct strategy *s, struct population *p);
	int (*prepare)(struct strategy *s, struct population *p);
	int (*evaluate)(struct strategy *s, struct population *p);
	int (*resample)(struct strategy *s, struct population *p);
	/* optional: bring p->nets up to date where workers own the networks (before the digest) */
	int (*sync)(struct strategy *s, struct population *p);
	/* optional: mean genome sizes where p->nets holds only fresh fitness */
	void (*sizes)(struct strategy *s, const struct population *p, double *nodes, double *conns);
	void (*close)(struct strategy *s);
};

/* registry.c */
void strategy_request_stop(int sig);   /* async-signal-safe: long waits end with -EINTR */
const struct strategy_ops *strategy_find(const char *name);
const struct strategy_ops *strategy_at(size_t i);     /* NULL past the end */
int strategy_ops_check(const struct strategy_ops *ops, char *err, size_t errlen);
/* append complete records (JSON objects ending in newlines) to s->records; 0 or -ENOMEM */
int strategy_add_records(struct strategy *s, const char *text, size_t len);
/* *buf grown (doubling from 1 KiB) to hold at least need bytes; 0 or -ENOMEM */
int strategy_text_room(char **buf, size_t *cap, size_t need);

/* The plain loops every strategy can fall back on (sequential.c). */
int sequential_mutate(struct strategy *s, struct population *p);
int sequential_prepare(struct strategy *s, struct population *p);
int sequential_evaluate(struct strategy *s, struct population *p);
int sequential_resample(struct strategy *s, struct population *p);

#endif
