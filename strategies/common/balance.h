/*
 * Balancing work over workers: each network's predicted evaluation cost (the steps its parent
 * simulated last generation times its size), the order by cost, a longest-processing-time-
 * first assignment over workers, and the imbalance of what they did. The assignment
 * functions are deterministic: equal costs go in index order, so the same
 * population always gets the same assignment.
 */
#ifndef EVOPAR_BALANCE_H
#define EVOPAR_BALANCE_H

#include "engine/engine.h"

/* one network's predicted cost from last generation's fitness and its size (nodes + conns;
   static: weights): pole steps simulated (fitness is the share survived) times the cost of a
   step, which is the physics plus one pass over the network; xor: its size */
double balance_net_cost(const struct evo_config *cfg, double fitness, double size);

/* the size balance_net_cost takes, of a network this process holds */
double balance_net_size(const struct net *n);

/*
 * cost[i] for every network of the generation being run, before its evaluate: child i's
 * parent (plan[i].a, whose fitness p->next still holds after the swap) played last
 * generation for that many steps, and the child is as large as it is now. Generation 0 has
 * no history: every network costs the same.
 */
void balance_predict(const struct population *p, double *cost);

struct balance_key {
	double cost;
	int index;
};

/* order[k], k < n: the indices by cost, largest first, ties in index order; keys: n of scratch */
void balance_order(const double *cost, int n, struct balance_key *keys, int *order);

/*
 * Longest processing time first: items taken in `order` (by cost, largest first; cost
 * NULL: each item costs 1), each to the least loaded of `workers` (ties: the lowest id). With prefer (per item a worker, or
 * NULL) an item stays on its preferred worker while that worker's load is within tol of the
 * least loaded one's: this keeps networks where they are (persistent) at a bounded cost in
 * balance (prefer may be owner itself). owner[i] out; load[w] (workers of them) out, the
 * predicted cost per worker.
 */
void balance_lpt(const double *cost, const int *order, int n, int workers, const int *prefer,
		double tol, int *owner, double *load);

/* the worker of least load (the first of equals): where list scheduling puts the next item */
int balance_least_loaded(const double *load, int workers);

/*
 * Guided self-scheduling: the end of the claim that starts at item lo of n, shared by
 * `workers`: 1/(2 x workers) of the work left, at least one item. prefix[k] is the cost of
 * the first k items in claim order (n + 1 of them); NULL counts items.
 */
long balance_guided_end(const double *prefix, long n, long lo, int workers);

/* max / mean of x[0..n); 1 when the mean is 0 (no work is balanced work) */
double balance_imbalance(const double *x, int n);

#endif
