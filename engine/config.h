/*
 * The engine's configuration: the workload, mutation and selection, nothing else. How the
 * work is spread over cores and processes is the strategies' business (strategies/strategy.h).
 * Defaults live in evo_config_defaults(); the command line fills the rest.
 */
#ifndef EVOPAR_CONFIG_H
#define EVOPAR_CONFIG_H

#include <stdint.h>

enum net_mode { MODE_DYNAMIC, MODE_STATIC };
enum task_kind { TASK_POLE, TASK_XOR, TASK_SPIN };

struct evo_config {
	/* the workload */
	int mode;                 /* enum net_mode */
	int task;                 /* enum task_kind */
	int pop;                  /* networks in the population */
	int gens;                 /* generations to run */
	uint64_t seed;            /* run seed: every random stream is keyed by it */
	int episodes;             /* pole: episodes per network per generation */
	int steps;                /* pole: step limit of one episode */
	int prepare_cache;        /* 1: keep plans across generations; 0: rebuild every generation */
	int spin;                 /* spin task: loop iterations per evaluation, a unit of work of about 1 ns */
	int init_hidden;          /* dynamic: hidden nodes a new genome starts with (a large genome) */

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
};

void evo_config_defaults(struct evo_config *cfg);

#endif
