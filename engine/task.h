/*
 * The tasks a network plays. Each task is a table of functions found by name; the engine
 * calls them without knowing which one it runs.
 */
#ifndef EVOPAR_TASK_H
#define EVOPAR_TASK_H

#include <stddef.h>

#include "engine/config.h"

struct net;
struct scratch;

struct task {
	const char *name;
	const char *summary;
	int n_in, n_out;           /* network inputs (bias excluded) and outputs */
	int state_floats;          /* floats of one episode's start state */
	/* the start states of this generation's episodes, the same for every network */
	void (*make_states)(float *states, const struct evo_config *cfg, int gen);
	/* fitness in [0, 1] of a prepared network */
	float (*evaluate)(struct net *n, const float *states, const struct evo_config *cfg,
			  struct scratch *s);
};

const struct task *task_find(const char *name);
const struct task *task_by_kind(int kind);
extern const struct task task_pole;
extern const struct task task_xor;
extern const struct task task_spin;

/* double-pole physics, exposed for tests */
#define POLE_STATE 6
void pole_derivs(const double *st, double force, double *d);
void pole_rk4(double *st, double force, double dt);
int pole_failed(const double *st);

#endif
