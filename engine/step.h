/*
 * The per-step work of evaluation, written once for the CPU and the GPU: the double-pole
 * physics, a network's inputs, both forward passes, one whole episode and the fitness over
 * episodes. Under nvcc every function is __host__ __device__, so the kernel (gpu/eval.cu) runs
 * the very code the engine runs on the CPU (engine/task_pole.c, engine/forward.c).
 */
#ifndef EVOPAR_STEP_H
#define EVOPAR_STEP_H

#include <math.h>
#include <stdint.h>

#include "engine/net.h"

#ifdef __CUDACC__
#define STEP_FN static inline __host__ __device__
#else
#define STEP_FN static inline
#endif

/* Wieland's equations as in Stanley's NEAT code (engine/task_pole.c says more) */
#define POLE_STATE        6
#define POLE_GRAVITY      (-9.8)
#define POLE_MASS_CART    1.0
#define POLE_MASS_1       0.1
#define POLE_HALF_LEN_1   0.5       /* half of the 1.0 m pole */
#define POLE_MASS_2       0.01
#define POLE_HALF_LEN_2   0.05      /* half of the 0.1 m pole */
#define POLE_MU           0.000002  /* pole hinge friction */
#define POLE_FORCE_MAG    10.0      /* N */
#define POLE_DT           0.01      /* s */
#define POLE_X_LIMIT      2.4       /* m */
#define POLE_ANGLE_LIMIT  (36.0 * 3.14159265358979323846 / 180.0)

/* NEAT's steepened sigmoid */
STEP_FN float step_sigmoid(float x)
{
	return 1.0f / (1.0f + expf(-4.9f * x));
}

/* state: x, x', theta1, theta1', theta2, theta2'; d: its time derivative */
STEP_FN void step_pole_derivs(const double *st, double force, double *d)
{
	double c1 = cos(st[2]), s1 = sin(st[2]), c2 = cos(st[4]), s2 = sin(st[4]);
	double ml1 = POLE_HALF_LEN_1 * POLE_MASS_1, ml2 = POLE_HALF_LEN_2 * POLE_MASS_2;
	double t1 = POLE_MU * st[3] / ml1, t2 = POLE_MU * st[5] / ml2;
	double fi1 = ml1 * st[3] * st[3] * s1 + 0.75 * POLE_MASS_1 * c1 * (t1 + POLE_GRAVITY * s1);
	double fi2 = ml2 * st[5] * st[5] * s2 + 0.75 * POLE_MASS_2 * c2 * (t2 + POLE_GRAVITY * s2);
	double mi1 = POLE_MASS_1 * (1.0 - 0.75 * c1 * c1);
	double mi2 = POLE_MASS_2 * (1.0 - 0.75 * c2 * c2);

	d[0] = st[1];
	d[1] = (force + fi1 + fi2) / (mi1 + mi2 + POLE_MASS_CART);
	d[2] = st[3];
	d[3] = -0.75 * (d[1] * c1 + POLE_GRAVITY * s1 + t1) / POLE_HALF_LEN_1;
	d[4] = st[5];
	d[5] = -0.75 * (d[1] * c2 + POLE_GRAVITY * s2 + t2) / POLE_HALF_LEN_2;
}

STEP_FN void step_pole_rk4(double *st, double force, double dt)
{
	double k1[POLE_STATE], k2[POLE_STATE], k3[POLE_STATE], k4[POLE_STATE], tmp[POLE_STATE];
	int i;

	step_pole_derivs(st, force, k1);
	for (i = 0; i < POLE_STATE; i++)
		tmp[i] = st[i] + 0.5 * dt * k1[i];
	step_pole_derivs(tmp, force, k2);
	for (i = 0; i < POLE_STATE; i++)
		tmp[i] = st[i] + 0.5 * dt * k2[i];
	step_pole_derivs(tmp, force, k3);
	for (i = 0; i < POLE_STATE; i++)
		tmp[i] = st[i] + dt * k3[i];
	step_pole_derivs(tmp, force, k4);
	for (i = 0; i < POLE_STATE; i++)
		st[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
}

STEP_FN int step_pole_failed(const double *st)
{
	return fabs(st[0]) > POLE_X_LIMIT || fabs(st[2]) > POLE_ANGLE_LIMIT ||
	       fabs(st[4]) > POLE_ANGLE_LIMIT;
}

/* the network's 6 inputs: the state scaled to about [-1, 1] */
STEP_FN void step_pole_inputs(const double *st, float *in)
{
	in[0] = (float)(st[0] / 4.8);
	in[1] = (float)(st[1] / 2.0);
	in[2] = (float)(st[2] / 0.52);
	in[3] = (float)(st[3] / 2.0);
	in[4] = (float)(st[4] / 0.52);
	in[5] = (float)(st[5] / 2.0);
}

/* the output in [0, 1] mapped to a force of +-POLE_FORCE_MAG */
STEP_FN double step_pole_force(float out)
{
	return ((double)out - 0.5) * 2.0 * POLE_FORCE_MAG;
}

/*
 * A prepared dynamic network as the forward pass reads it (struct plan, engine/net.h): host
 * pointers into the plan, or the kernel's pointers into the packed population.
 */
struct plan_view {
	uint32_t n_in, n_out, n_order;
	const uint32_t *order;     /* node indices to compute, in order */
	const uint32_t *start;     /* n_order + 1 offsets into src[] and w[] */
	const uint32_t *src;
	const float *w;
};

/* act[] has a slot per node; inputs are in[0..n_in), the bias is 1 */
STEP_FN void step_forward_plan(const struct plan_view *v, const float *in, float *act, float *out)
{
	uint32_t i, k, e;

	for (i = 0; i < v->n_in; i++)
		act[i] = in[i];
	act[v->n_in] = 1.0f;
	for (k = 0; k < v->n_order; k++) {
		float sum = 0.0f;

		for (e = v->start[k]; e < v->start[k + 1]; e++)
			sum += v->w[e] * act[v->src[e]];
		act[v->order[k]] = step_sigmoid(sum);
	}
	for (i = 0; i < v->n_out; i++)
		out[i] = act[v->n_in + 1 + i];
}

/*
 * y = act(W x + b) for one input row, W n_out x n_in row-major: the static perceptron's
 * layer as the kernel runs it (the engine's CPU path runs the product in OpenBLAS instead)
 */
STEP_FN void step_dense_row(const float *x, uint32_t n_in, const float *w, const float *b,
			    uint32_t n_out, float *y, int hidden_layer)
{
	uint32_t j, k;

	for (j = 0; j < n_out; j++) {
		float sum = 0.0f;

		for (k = 0; k < n_in; k++)
			sum += x[k] * w[j * n_in + k];
		sum += b[j];
		y[j] = hidden_layer ? tanhf(sum) : step_sigmoid(sum);
	}
}

/* a static network's output for one input row; h holds 2 * hidden floats */
STEP_FN void step_forward_mlp(const float *w, const struct mlp_shape *s, const float *in,
			      float *h, float *out)
{
	float *h2 = h + s->hidden;

	step_dense_row(in, s->n_in, w + s->w1, w + s->b1, s->hidden, h, 1);
	step_dense_row(h, s->hidden, w + s->w2, w + s->b2, s->hidden, h2, 1);
	step_dense_row(h2, s->hidden, w + s->w3, w + s->b3, s->n_out, out, 0);
}

/* one network as an episode reads it: a dynamic network's plan, or a static one's weights */
struct step_net {
	int mlp;                   /* 1: static (w, shape); 0: dynamic (plan) */
	struct plan_view plan;
	const float *w;
	struct mlp_shape shape;
};

/* the network's one output (the pole task's) for one input row; scratch: a slot per node
   (dynamic) or 2 * hidden floats (static) */
STEP_FN float step_forward(const struct step_net *n, const float *in, float *scratch)
{
	float out;

	if (n->mlp)
		step_forward_mlp(n->w, &n->shape, in, scratch, &out);
	else
		step_forward_plan(&n->plan, in, scratch, &out);
	return out;
}

/* The steps a network survives from one start state, up to steps. */
STEP_FN int step_episode(const struct step_net *n, const float *start, int steps, float *scratch)
{
	double st[POLE_STATE];
	float in[POLE_STATE];
	int i, step;

	for (i = 0; i < POLE_STATE; i++)
		st[i] = start[i];
	for (step = 0; step < steps; step++) {
		step_pole_inputs(st, in);
		step_pole_rk4(st, step_pole_force(step_forward(n, in, scratch)), POLE_DT);
		if (step_pole_failed(st))
			break;
	}
	return step;
}

/* fitness: the mean over episodes of the share of steps survived, summed in episode order */
STEP_FN float step_pole_fitness(const int *survived, int episodes, int steps)
{
	double total = 0.0;
	int e;

	for (e = 0; e < episodes; e++)
		total += (double)survived[e] / steps;
	return (float)(total / episodes);
}

/* the physics steps an episode ran: the steps it survived and, unless it lasted, the failing one */
STEP_FN int step_pole_steps_run(int survived, int steps)
{
	return survived < steps ? survived + 1 : survived;
}

/* the steps a network's episodes ran, summed */
STEP_FN long step_pole_work(const int *survived, int episodes, int steps)
{
	long total = 0;
	int e;

	for (e = 0; e < episodes; e++)
		total += step_pole_steps_run(survived[e], steps);
	return total;
}

#ifndef __CUDA_ARCH__
/* the view of a host network's plan */
static inline void step_plan_view(struct plan_view *v, const struct net *n)
{
	v->n_in = n->n_in;
	v->n_out = n->n_out;
	v->n_order = n->plan.n_order;
	v->order = n->plan.order;
	v->start = n->plan.start;
	v->src = n->plan.src;
	v->w = n->plan.w;
}
#endif

#endif
