/*
 * One island of the islands strategy, wherever it runs (a worker process, an MPI rank, a
 * process started by hand): its share of the population, selection within it, and the half
 * of migration that does not depend on how migrants travel: whom to send, whom to take
 * from, whom they replace, and the log of what arrived.
 */
#ifndef EVOPAR_ISLAND_H
#define EVOPAR_ISLAND_H

#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "strategies/strategy.h"
/* an island acts out an injected fault wherever it runs */
#include "strategies/common/fault.h"

struct ranked {
	float fitness;
	int index;
};

/* What an island reports per network after evaluate, so that the records cover it. */
struct net_stat {
	float fitness;
	uint32_t origin;
	uint32_t nodes, conns;
};

struct island {
	int id;
	int k;                          /* islands in the run */
	struct strategy_config cfg;              /* the run's, with this island's seed and size */
	const struct strategy_config *run_cfg;   /* the run's: every island plays the same episodes */
	struct population pop;
	int owns_pop;
	int states_gen;                 /* generation whose start states pop holds; -1: none */
	struct scratch scratch;
	struct ranked *rank;            /* pop.n entries */
	int *sources;                   /* the islands it takes migrants from (--topology) */
	int n_sources;
	struct net *imm;                /* immigrants of one migration, cfg.migrants per source */
	int n_imm;                      /* taken so far in this migration */
	const struct net **emig;        /* emigrants, cfg.migrants of them */
	double io_ms;                   /* moving migrants during the current command */
	char *log;                      /* migration records (JSON lines) not yet handed on */
	size_t log_len, log_cap;
	char warning[STRATEGY_ERRLEN];
	char err[STRATEGY_ERRLEN];
};

__attribute__((format(printf, 3, 4)))
void text_append(char *buf, size_t len, const char *fmt, ...);

uint64_t island_seed(uint64_t seed, int id);
int island_lo(int i, int k, int pop);
/* does gen end with a migration? */
int island_migrates(const struct strategy_config *cfg, int gen);
/* the most immigrants an island takes in one migration */
int island_max_immigrants(const struct strategy_config *cfg);

int island_init(struct island *isl, const struct strategy_config *run_cfg, int id, int n);
void island_release(struct island *isl);
/* move networks [lo, hi) of p (a copy this process owns: a fork's, a rank's) into the island */
int island_take_share(struct island *isl, const struct population *p, int lo, int hi);

int island_mutate(struct island *isl, int gen);
int island_prepare(struct island *isl, int gen);
int island_evaluate(struct island *isl, int gen);
/* selection within the island and its children; the immigrants are already in */
int island_breed(struct island *isl, int gen);
void island_stats(const struct island *isl, struct net_stat *st);
/* where the records are written: an island's n stats (bytes as sent) into its networks
   there, and its genome sizes added to *nodes and *conns */
void island_apply_stats(struct net *nets, const uint8_t *stats, int n, double *nodes,
			double *conns);

/* fill emig[0..cfg.migrants) by --migrant-select: the best, or a draw keyed by (seed, gen) */
void island_pick_emigrants(struct island *isl, int gen);
/* can a network that arrived live here (islands started with other --mode, --task, ...)? */
int island_fits(const struct island *isl, const struct net *n);
/* imm[first .. first+count) came from src, sent in generation sent_gen: log them */
int island_log_arrival(struct island *isl, int gen, int src, int sent_gen, int first, int count);
/* imm[0..n_imm) take the places of the worst networks, with the fitness they came with */
int island_replace_worst(struct island *isl);
int island_failed(struct island *isl, const char *what, int rc);

/* the checks every form of the strategy makes; 0, or -EINVAL with one line in why */
int island_config_check(const struct strategy_config *c, char *why, size_t len);

extern const struct strategy_ops strategy_islands;
extern const struct strategy_ops strategy_islands_mpi;

#endif
