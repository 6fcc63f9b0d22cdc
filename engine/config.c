/*
 * Default values of the engine's knobs, one place for the engine, --help and meta.
 */
#include <stddef.h>

#include "engine/config.h"

void evo_config_defaults(struct evo_config *cfg)
{
	*cfg = (struct evo_config){
		.mode = MODE_DYNAMIC,
		.task = TASK_POLE,
		.pop = 200,
		.gens = 100,
		.seed = 42,
		.episodes = 4,
		.steps = 1000,
		.prepare_cache = 1,
		.spin = 1000,
		.p_weights = 0.8,
		.p_weight_reset = 0.1,
		.weight_sigma = 0.5,
		.weight_init = 1.0,
		.p_add_conn = 0.1,
		.p_add_node = 0.03,
		.p_toggle = 0.01,
		.p_prune_conn = 0.01,
		.p_prune_node = 0.005,
		.hidden = 16,
		.static_sigma = 0.1,
		.tournament = 3,
		.elite = 2,
		.p_crossover = 0.25,
	};
}
