/*
 * Predicted costs and the assignment of networks to workers (see balance.h): a few pure
 * functions over arrays, shared by threads, persistent and fork-pool, and unit-tested alone.
 */
#include <stdlib.h>

#include "strategies/common/balance.h"

/*
 * One step of pole costs the RK4 physics (four derivative evaluations, about as much as a
 * pass over a network of this many genes) and one forward pass over the network.
 */
#define STEP_PHYSICS 32.0

double balance_net_cost(const struct evo_config *cfg, double fitness, double size)
{
	double steps;

	if (cfg->task == TASK_SPIN)
		return 1.0 + size + cfg->spin;
	if (cfg->task != TASK_POLE)
		return 1.0 + size;
	if (fitness < 0)
		fitness = 0;
	/* at least the failing step of every episode */
	steps = cfg->episodes * (1.0 + fitness * cfg->steps);
	return steps * (STEP_PHYSICS + size);
}

double balance_net_size(const struct net *n)
{
	return n->mode == MODE_STATIC ? (double)n->n_weights : (double)n->n_nodes + n->n_conns;
}

void balance_predict(const struct population *p, double *cost)
{
	int i;

	for (i = 0; i < p->n; i++) {
		int a = p->plan[i].a;
		double fit = p->gen > 0 && a >= 0 && a < p->n ? p->next[a].fitness : 0.0;

		cost[i] = p->gen > 0 ? balance_net_cost(p->cfg, fit, balance_net_size(&p->nets[i])) : 1.0;
	}
}

static int by_cost_desc(const void *a, const void *b)
{
	const struct balance_key *x = a, *y = b;

	if (x->cost != y->cost)
		return x->cost < y->cost ? 1 : -1;
	return (x->index > y->index) - (x->index < y->index);
}

void balance_order(const double *cost, int n, struct balance_key *keys, int *order)
{
	int i;

	for (i = 0; i < n; i++)
		keys[i] = (struct balance_key){ .cost = cost[i], .index = i };
	qsort(keys, (size_t)n, sizeof(*keys), by_cost_desc);
	for (i = 0; i < n; i++)
		order[i] = keys[i].index;
}

int balance_least_loaded(const double *load, int workers)
{
	int w, best = 0;

	for (w = 1; w < workers; w++)
		if (load[w] < load[best])
			best = w;
	return best;
}

void balance_lpt(const double *cost, const int *order, int n, int workers, const int *prefer,
		double tol, int *owner, double *load)
{
	int k, w;

	for (w = 0; w < workers; w++)
		load[w] = 0;
	for (k = 0; k < n; k++) {
		int i = order[k], to = balance_least_loaded(load, workers);

		if (prefer && prefer[i] >= 0 && prefer[i] < workers && load[prefer[i]] <= load[to] + tol)
			to = prefer[i];
		owner[i] = to;
		load[to] += cost ? cost[i] : 1.0;
	}
}

long balance_guided_end(const double *prefix, long n, long lo, int workers)
{
	long a, b, take;
	double want;

	if (!prefix) {
		take = (n - lo + 2L * workers - 1) / (2L * workers);
		return lo + (take > 0 ? take : 1);
	}
	/* the first end whose claimed cost reaches the share: a binary search on the prefix */
	want = prefix[lo] + (prefix[n] - prefix[lo]) / (2.0 * workers);
	for (a = lo + 1, b = n; a < b;) {
		long mid = a + (b - a) / 2;

		if (prefix[mid] >= want)
			b = mid;
		else
			a = mid + 1;
	}
	return a;
}

double balance_imbalance(const double *x, int n)
{
	double sum = 0, max = 0;
	int i;

	for (i = 0; i < n; i++) {
		sum += x[i];
		if (x[i] > max)
			max = x[i];
	}
	return sum > 0 ? max / (sum / n) : 1.0;
}
