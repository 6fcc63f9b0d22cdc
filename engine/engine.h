/*
 * The engine's phases, each over any range of networks, so that a strategy can hand any
 * subset to any thread or process: mutate, prepare, evaluate, and the pieces of resample (selection
 * in the main process, building children anywhere).
 */
#ifndef EVOPAR_ENGINE_H
#define EVOPAR_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "engine/config.h"
#include "engine/net.h"

#define ENGINE_ERRLEN 256

struct task;

/* Per-thread scratch memory for prepare and evaluate; grows, never shrinks. */
struct scratch {
	void *buf;
	size_t cap;
	void *buf2;
	size_t cap2;
	uint64_t work;             /* evaluate's work of this thread, not yet in the process's count */
};
void scratch_release(struct scratch *s);
void *scratch_get(struct scratch *s, size_t bytes);
void *scratch_get2(struct scratch *s, size_t bytes);

/* How child i of the next generation is made. */
struct child_plan {
	int32_t a;                 /* parent copied, or the fitter parent of a crossover */
	int32_t b;                 /* the other parent, or -1 for a copy */
	uint8_t elite;             /* copied unchanged and protected from the next mutation */
};

struct population {
	const struct evo_config *cfg;
	const struct task *task;
	int n;
	int gen;                   /* the generation being run */
	struct net *nets;
	struct net *next;          /* resample writes here; then the two swap */
	struct child_plan *plan;   /* selection's output, n entries */
	float *episode_states;     /* the task's start states for this generation */
};

int population_init(struct population *p, const struct evo_config *cfg, char *err, size_t errlen);
void population_release(struct population *p);
void population_begin_generation(struct population *p);
void population_swap(struct population *p);
uint64_t population_digest(const struct population *p);

/* The four phases over nets [lo, hi). Each returns 0 or a negative errno value. */
void engine_mutate_range(struct population *p, int lo, int hi);
int engine_prepare_range(struct population *p, struct scratch *s, int lo, int hi);
int engine_evaluate_range(struct population *p, struct scratch *s, int lo, int hi);
void engine_select(struct population *p);
int engine_build_children(struct population *p, int lo, int hi);

/* A whole evolution in the calling thread, no records (a trial of a search). */
struct evolve_result {
	double best;               /* best fitness of any generation */
	double final_best;         /* best fitness of the last generation */
	int gens_done;
	uint64_t digest;           /* of the final population, as `evopar run` reports it */
};
int engine_evolve(const struct evo_config *cfg, struct evolve_result *res, char *err, size_t errlen);
/* the same with the evaluate phase played by the caller's hook: 0, or a negative errno with err */
struct evolve_hooks {
	int (*evaluate)(void *ctx, struct population *p, char *err, size_t errlen);
	void *ctx;
};
int engine_evolve_with(const struct evo_config *cfg, const struct evolve_hooks *hooks,
		       struct evolve_result *res, char *err, size_t errlen);

/*
 * Work counted by evaluate, in units that do not depend on who runs it: pole's physics steps
 * simulated (every episode's steps survived, and the failing one), xor's network evaluations.
 * A task adds to its thread's scratch (s->work), and engine_work_flush moves that into the
 * process's count once per range of networks, so threads evaluating at once do not share a
 * counter's cache line per network. engine_work_done is this process's total so far, every
 * flushed addition included; a run reads it around a generation (work.c, beside this header).
 */
void engine_work_add(uint64_t units);
void engine_work_flush(struct scratch *s);
uint64_t engine_work_done(void);

/* One network, for strategies and tests. */
void net_mutate(struct net *n, const struct evo_config *cfg, uint64_t gen, uint64_t index);
/* a dynamic genome grown by nodes splits of its enabled connections, drawn from r */
struct rng;
void net_grow(struct net *n, struct rng *r, int nodes);
int net_prepare(struct net *n, int cache, struct scratch *s);
int net_crossover(struct net *child, const struct net *a, const struct net *b,
		  const struct evo_config *cfg, uint64_t gen, uint64_t index);
float net_evaluate(struct net *n, const struct task *t, const float *states,
		   const struct evo_config *cfg, struct scratch *s);

/* forward passes: a prepared dynamic network (act[] holds n_nodes floats), and a static
 * network over rows inputs at once (tmp[] holds 2 * rows * hidden floats) */
void net_forward_dynamic(const struct net *n, const float *in, float *act, float *out);
void net_forward_static(const struct net *n, const float *in, int rows, float *tmp, float *out);

#endif
