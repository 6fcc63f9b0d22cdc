/*
 * XOR: four cases, one output; fitness 1 - mean squared error. Small and fast, for tests.
 */
#include "engine/engine.h"
#include "engine/task.h"

static const float xor_in[4][2] = { { 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 } };
static const float xor_out[4] = { 0, 1, 1, 0 };

static void xor_make_states(float *states, const struct evo_config *cfg, int gen)
{
	(void)states;
	(void)cfg;
	(void)gen;
}

static float xor_evaluate(struct net *n, const float *states, const struct evo_config *cfg,
			  struct scratch *s)
{
	size_t act_n = n->mode == MODE_STATIC ? 8 * (size_t)n->hidden : n->n_nodes;
	float *act = scratch_get2(s, (act_n + 4) * sizeof(float)), *out, err = 0.0f;
	int c;

	(void)states;
	(void)cfg;
	if (!act)
		return 0.0f;
	s->work += 1;              /* one network evaluated: xor's unit of work */
	out = act + act_n;
	if (n->mode == MODE_STATIC)
		net_forward_static(n, &xor_in[0][0], 4, act, out);
	else
		for (c = 0; c < 4; c++)
			net_forward_dynamic(n, xor_in[c], act, out + c);
	for (c = 0; c < 4; c++)
		err += (out[c] - xor_out[c]) * (out[c] - xor_out[c]);
	return 1.0f - err / 4.0f;
}

const struct task task_xor = {
	.name = "xor",
	.summary = "exclusive or of two inputs; fitness: 1 - mean squared error",
	.n_in = 2,
	.n_out = 1,
	.state_floats = 0,
	.make_states = xor_make_states,
	.evaluate = xor_evaluate,
};
