/*
 * The workloads that the benchmarks and the instruction-count probes measure: a population
 * evolved by the real engine phases, and pristine copies to restore it from, so that a long
 * measuring loop never lets the genomes drift away from what was measured.
 */
#ifndef EVOPAR_BENCH_WORKLOAD_H
#define EVOPAR_BENCH_WORKLOAD_H

#include <stddef.h>

#include "engine/engine.h"

#define WORKLOAD_ERRLEN 256

/* A population with its config (the population points at it) and scratch memory. */
struct workload {
	struct evo_config cfg;
	struct population pop;
	struct scratch scratch;
	struct net *pristine;      /* copies of pop.nets taken by workload_snapshot() */
	int pristine_gen;          /* pop.gen when the snapshot was taken */
	double setup_s;            /* wall seconds set-up took */
	char err[WORKLOAD_ERRLEN];
};

/* Size of a population, for reports. */
struct workload_size {
	double mean_nodes, mean_conns;
	unsigned max_nodes, max_conns;
};

/*
 * Make a population from cfg and run gens generations in the order of harness/run.c:
 * begin, mutate, prepare, evaluate, select, build children, swap. Then every plan is
 * prepared and elite flags cleared, so that every network mutates when measured.
 * 0, or a negative errno value with a message in w->err.
 */
int workload_evolve(struct workload *w, const struct evo_config *cfg, int gens);

/* Like workload_evolve, without evaluate and selection: structure grows by mutation alone. */
int workload_grow(struct workload *w, const struct evo_config *cfg, int gens);

/* One generation without evaluate: mutate, prepare, select, build children, swap. */
int workload_generation_no_eval(struct workload *w);

int workload_snapshot(struct workload *w);
int workload_restore(struct workload *w);
void workload_size_of(const struct workload *w, struct workload_size *s);
void workload_release(struct workload *w);

/* The default config of an evopar run (seed 42, 200 networks, pole), in a given mode. */
void workload_config(struct evo_config *cfg, int mode);

#endif
