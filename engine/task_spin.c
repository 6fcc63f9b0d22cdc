/*
 * Spin: XOR's fitness, then --spin iterations of a dependent multiply-add chain, a calibrated
 * amount of work per network (about a nanosecond an iteration) for sweeps of work per item.
 */
#include <stdatomic.h>
#include <stdint.h>

#include "engine/engine.h"
#include "engine/task.h"

/* where the chain's end goes, so that the compiler keeps the loop (atomic: threads share it) */
static _Atomic uint64_t spin_sink;

static void spin_make_states(float *states, const struct evo_config *cfg, int gen)
{
	task_xor.make_states(states, cfg, gen);
}

static float spin_evaluate(struct net *n, const float *states, const struct evo_config *cfg,
			   struct scratch *s)
{
	uint64_t x = n->n_conns;
	int i;

	for (i = 0; i < cfg->spin; i++)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	atomic_store_explicit(&spin_sink, x, memory_order_relaxed);
	return task_xor.evaluate(n, states, cfg, s);
}

const struct task task_spin = {
	.name = "spin",
	.summary = "xor's fitness after --spin iterations of work per network: a calibrated work per item",
	.n_in = 2,
	.n_out = 1,
	.state_floats = 0,
	.make_states = spin_make_states,
	.evaluate = spin_evaluate,
};
