/*
 * The configuration of one evolution run: every knob the engine, the strategies and the
 * harness read. Defaults live in config_defaults(); the command line fills the rest.
 */
#ifndef EVOPAR_CONFIG_H
#define EVOPAR_CONFIG_H

#include <stdint.h>

enum net_mode { MODE_DYNAMIC, MODE_STATIC };
enum task_kind { TASK_POLE, TASK_XOR };

struct config {
	/* the workload */
	int mode;                 /* enum net_mode */
	int task;                 /* enum task_kind */
	int pop;                  /* networks in the population */
	int gens;                 /* generations to run */
	uint64_t seed;            /* run seed: every random stream is keyed by it */
	int episodes;             /* pole: episodes per network per generation */
	int steps;                /* pole: step limit of one episode */
	int prepare_cache;        /* 1: keep plans across generations; 0: rebuild every generation */

	/* dynamic mutation probabilities (per network per generation) */
	double p_weights;         /* perturb the weights at all */
	double p_weight_reset;    /* per weight, when perturbing: draw anew instead */
	double weight_sigma;      /* standard deviation of a perturbation */
	double weight_init;       /* standard deviation of a new weight */
	double p_add_conn;
	double p_add_node;
	double p_toggle;
	double p_prune_conn;
	double p_prune_node;

	/* static networks: a 6-H-H-1 perceptron */
	int hidden;               /* width of each hidden layer */
	double static_sigma;      /* standard deviation of a static weight's perturbation */

	/* selection */
	int tournament;           /* tournament size */
	int elite;                /* best networks copied unchanged */
	double p_crossover;       /* a child is a crossover rather than a copy */

	/* strategy (the harness picks it through the registry) */
	const char *strategy;
	int workers;
	int chunk;                /* items per dispatch; 0: pop / workers */
	int blas_threads;         /* 0: the library's own default */

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
	int migration;            /* enum migration_mode */
	int topology;             /* enum topology: whom an island takes migrants from */
	int migrant_select;       /* enum migrant_select: which networks an island sends */
};

enum start_method { START_FORK, START_SPAWN };
enum transport { TRANSPORT_PIPE, TRANSPORT_SHM };
enum worker_scope { SCOPE_MUTATE, SCOPE_ALL };
enum migration_mode { MIGRATION_SYNC, MIGRATION_ASYNC, MIGRATION_MPI, MIGRATION_MPI_ASYNC };
enum topology { TOPOLOGY_RING, TOPOLOGY_FULL };
enum migrant_select { MIGRANTS_BEST, MIGRANTS_RANDOM };

void config_defaults(struct config *cfg);

#endif
