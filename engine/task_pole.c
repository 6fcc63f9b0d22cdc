/*
 * Double-pole balancing on a cart (the classic NEAT benchmark, Wieland's equations as in
 * Stanley's NEAT code): cart 1 kg, poles 0.1 kg / 1.0 m and 0.01 kg / 0.1 m, force +-10 N,
 * RK4 with dt 0.01 s; an episode fails at |x| > 2.4 m or a pole past 36 degrees.
 */
#include <math.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/rng.h"
#include "engine/step.h"
#include "engine/task.h"

/* the physics itself is in engine/step.h, shared with the GPU kernel */
void pole_derivs(const double *st, double force, double *d)
{
	step_pole_derivs(st, force, d);
}

void pole_rk4(double *st, double force, double dt)
{
	step_pole_rk4(st, force, dt);
}

int pole_failed(const double *st)
{
	return step_pole_failed(st);
}

/*
 * Start states drawn uniformly within these bounds: far enough from rest that the task is
 * not solved in a few generations, so fitness climbs over a run and the cost of evaluating
 * grows with it.
 */
#define START_X     1.5f   /* m */
#define START_V     1.0f   /* m/s */
#define START_T1    0.3f   /* rad, about 17 degrees */
#define START_W1    0.5f   /* rad/s */
#define START_T2    0.1f   /* rad */

static void pole_make_states(float *states, const struct evo_config *cfg, int gen)
{
	int e;

	for (e = 0; e < cfg->episodes; e++) {
		struct rng r;
		float *st = states + e * POLE_STATE;

		rng_init(&r, cfg->seed, (uint64_t)gen, (uint64_t)e, RNG_EPISODE);
		memset(st, 0, POLE_STATE * sizeof(*st));
		st[0] = (rng_uniform(&r) * 2.0f - 1.0f) * START_X;
		st[1] = (rng_uniform(&r) * 2.0f - 1.0f) * START_V;
		st[2] = (rng_uniform(&r) * 2.0f - 1.0f) * START_T1;
		st[3] = (rng_uniform(&r) * 2.0f - 1.0f) * START_W1;
		st[4] = (rng_uniform(&r) * 2.0f - 1.0f) * START_T2;
	}
}

/* A dynamic network plays its episodes one after another, through the kernel's own code. */
static float pole_evaluate_dynamic(const struct net *n, const float *states,
				   const struct evo_config *cfg, struct scratch *s)
{
	int E = cfg->episodes, e;
	int *survived = scratch_get2(s, (size_t)E * sizeof(int) + n->n_nodes * sizeof(float));
	struct step_net sn = { .mlp = 0 };

	if (!survived)
		return 0.0f;
	step_plan_view(&sn.plan, n);
	for (e = 0; e < E; e++)
		survived[e] = step_episode(&sn, states + e * POLE_STATE, cfg->steps,
					   (float *)(survived + E));
	s->work += (uint64_t)step_pole_work(survived, E, cfg->steps);
	return step_pole_fitness(survived, E, cfg->steps);
}

/*
 * A static network's episodes advance in lockstep, so that it runs one batched product (BLAS)
 * per step over the episodes still alive; the physics is the kernel's.
 */
static float pole_evaluate_static(struct net *n, const float *states, const struct evo_config *cfg,
				  struct scratch *s)
{
	int E = cfg->episodes, e, step, alive = E, rows;
	size_t act_n = 2 * (size_t)E * n->hidden;
	double *st = scratch_get2(s, (size_t)E * POLE_STATE * sizeof(double) +
				     ((size_t)E * (POLE_STATE + 1) + act_n) * sizeof(float) +
				     2 * (size_t)E * sizeof(int));
	float *in, *out, *act;
	int *live, *survived;

	if (!st)
		return 0.0f;
	in = (float *)(st + E * POLE_STATE);
	out = in + E * POLE_STATE;
	act = out + E;
	live = (int *)(act + act_n);
	survived = live + E;
	for (e = 0; e < E; e++) {
		for (step = 0; step < POLE_STATE; step++)
			st[e * POLE_STATE + step] = states[e * POLE_STATE + step];
		survived[e] = 0;
		live[e] = e;
	}
	for (step = 0; step < cfg->steps && alive; step++) {
		for (rows = 0; rows < alive; rows++)
			step_pole_inputs(st + live[rows] * POLE_STATE, in + rows * POLE_STATE);
		net_forward_static(n, in, alive, act, out);
		for (rows = 0, e = 0; rows < alive; rows++) {
			double *x = st + live[rows] * POLE_STATE;

			step_pole_rk4(x, step_pole_force(out[rows]), POLE_DT);
			if (step_pole_failed(x))
				continue;
			survived[live[rows]]++;
			live[e++] = live[rows];
		}
		alive = e;
	}
	s->work += (uint64_t)step_pole_work(survived, E, cfg->steps);
	return step_pole_fitness(survived, E, cfg->steps);
}

/* fitness: the mean fraction of steps survived over the generation's episodes */
static float pole_evaluate(struct net *n, const float *states, const struct evo_config *cfg,
			   struct scratch *s)
{
	if (n->mode == MODE_STATIC)
		return pole_evaluate_static(n, states, cfg, s);
	return pole_evaluate_dynamic(n, states, cfg, s);
}

const struct task task_pole = {
	.name = "pole",
	.summary = "double-pole balancing on a cart (RK4, dt 0.01 s); fitness: share of steps survived",
	.n_in = POLE_STATE,
	.n_out = 1,
	.state_floats = POLE_STATE,
	.make_states = pole_make_states,
	.evaluate = pole_evaluate,
};
