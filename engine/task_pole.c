/*
 * Double-pole balancing on a cart (the classic NEAT benchmark, Wieland's equations as in
 * Stanley's NEAT code): cart 1 kg, poles 0.1 kg / 1.0 m and 0.01 kg / 0.1 m, force +-10 N,
 * RK4 with dt 0.01 s; an episode fails at |x| > 2.4 m or a pole past 36 degrees.
 */
#include <math.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/rng.h"
#include "engine/task.h"

#define GRAVITY    (-9.8)
#define MASS_CART  1.0
#define MASS_POLE1 0.1
#define HALF_LEN1  0.5      /* half of the 1.0 m pole */
#define MASS_POLE2 0.01
#define HALF_LEN2  0.05     /* half of the 0.1 m pole */
#define MU_POLE    0.000002 /* pole hinge friction */
#define FORCE_MAG  10.0
#define DT         0.01
#define X_LIMIT    2.4
#define ANGLE_LIMIT (36.0 * 3.14159265358979323846 / 180.0)

/* state: x, x', theta1, theta1', theta2, theta2'; d: its time derivative */
void pole_derivs(const double *st, double force, double *d)
{
	double c1 = cos(st[2]), s1 = sin(st[2]), c2 = cos(st[4]), s2 = sin(st[4]);
	double ml1 = HALF_LEN1 * MASS_POLE1, ml2 = HALF_LEN2 * MASS_POLE2;
	double t1 = MU_POLE * st[3] / ml1, t2 = MU_POLE * st[5] / ml2;
	double fi1 = ml1 * st[3] * st[3] * s1 + 0.75 * MASS_POLE1 * c1 * (t1 + GRAVITY * s1);
	double fi2 = ml2 * st[5] * st[5] * s2 + 0.75 * MASS_POLE2 * c2 * (t2 + GRAVITY * s2);
	double mi1 = MASS_POLE1 * (1.0 - 0.75 * c1 * c1);
	double mi2 = MASS_POLE2 * (1.0 - 0.75 * c2 * c2);

	d[0] = st[1];
	d[1] = (force + fi1 + fi2) / (mi1 + mi2 + MASS_CART);
	d[2] = st[3];
	d[3] = -0.75 * (d[1] * c1 + GRAVITY * s1 + t1) / HALF_LEN1;
	d[4] = st[5];
	d[5] = -0.75 * (d[1] * c2 + GRAVITY * s2 + t2) / HALF_LEN2;
}

void pole_rk4(double *st, double force, double dt)
{
	double k1[POLE_STATE], k2[POLE_STATE], k3[POLE_STATE], k4[POLE_STATE], tmp[POLE_STATE];
	int i;

	pole_derivs(st, force, k1);
	for (i = 0; i < POLE_STATE; i++)
		tmp[i] = st[i] + 0.5 * dt * k1[i];
	pole_derivs(tmp, force, k2);
	for (i = 0; i < POLE_STATE; i++)
		tmp[i] = st[i] + 0.5 * dt * k2[i];
	pole_derivs(tmp, force, k3);
	for (i = 0; i < POLE_STATE; i++)
		tmp[i] = st[i] + dt * k3[i];
	pole_derivs(tmp, force, k4);
	for (i = 0; i < POLE_STATE; i++)
		st[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
}

int pole_failed(const double *st)
{
	return fabs(st[0]) > X_LIMIT || fabs(st[2]) > ANGLE_LIMIT || fabs(st[4]) > ANGLE_LIMIT;
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

static void pole_inputs(const double *st, float *in)
{
	in[0] = (float)(st[0] / 4.8);
	in[1] = (float)(st[1] / 2.0);
	in[2] = (float)(st[2] / 0.52);
	in[3] = (float)(st[3] / 2.0);
	in[4] = (float)(st[4] / 0.52);
	in[5] = (float)(st[5] / 2.0);
}

/*
 * All episodes advance in lockstep, so a static network runs one batched product per step
 * over the episodes still alive. Fitness: the mean fraction of steps survived.
 */
static float pole_evaluate(struct net *n, const float *states, const struct evo_config *cfg,
			   struct scratch *s)
{
	int E = cfg->episodes, e, step, alive = E, rows;
	size_t act_n = n->mode == MODE_STATIC ? 2 * (size_t)E * n->hidden : n->n_nodes;
	double *st = scratch_get2(s, (size_t)E * (POLE_STATE + 1) * sizeof(double) +
				     ((size_t)E * (POLE_STATE + 1) + act_n) * sizeof(float) +
				     (size_t)E * sizeof(int));
	double *survived;
	float *in, *out, *act;
	int *live;
	double total = 0.0;

	if (!st)
		return 0.0f;
	survived = st + E * POLE_STATE;
	in = (float *)(survived + E);
	out = in + E * POLE_STATE;
	act = out + E;
	live = (int *)(act + act_n);
	for (e = 0; e < E; e++) {
		for (step = 0; step < POLE_STATE; step++)
			st[e * POLE_STATE + step] = states[e * POLE_STATE + step];
		survived[e] = 0.0;
		live[e] = e;
	}
	for (step = 0; step < cfg->steps && alive; step++) {
		for (rows = 0; rows < alive; rows++)
			pole_inputs(st + live[rows] * POLE_STATE, in + rows * POLE_STATE);
		if (n->mode == MODE_STATIC)
			net_forward_static(n, in, alive, act, out);
		else
			for (rows = 0; rows < alive; rows++)
				net_forward_dynamic(n, in + rows * POLE_STATE, act, out + rows);
		for (rows = 0, e = 0; rows < alive; rows++) {
			double *x = st + live[rows] * POLE_STATE;

			pole_rk4(x, ((double)out[rows] - 0.5) * 2.0 * FORCE_MAG, DT);
			if (pole_failed(x))
				continue;
			survived[live[rows]] += 1.0;
			live[e++] = live[rows];
		}
		alive = e;
	}
	for (e = 0; e < E; e++)
		total += survived[e] / cfg->steps;
	return (float)(total / E);
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
