/*
 * Crossover of two parents, the first the fitter. Dynamic genomes align connections by
 * innovation: matching genes take either parent's weight, the rest come from the fitter
 * parent, whose nodes the child keeps (so its structure stays acyclic). Static networks
 * take each weight from either parent.
 */
#include <errno.h>

#include "engine/engine.h"
#include "engine/rng.h"

static int crossover_dynamic(struct net *child, const struct net *a, const struct net *b,
			     struct rng *r)
{
	uint32_t i, j = 0;

	if (net_copy(child, a))
		return -ENOMEM;
	child->plan.valid = 0;
	for (i = 0; i < child->n_conns; i++) {
		struct conn_gene *c = &child->conns[i];
		uint64_t key = conn_innovation(c);

		while (j < b->n_conns && conn_innovation(&b->conns[j]) < key)
			j++;
		if (j == b->n_conns)
			break;
		if (conn_innovation(&b->conns[j]) != key)
			continue;
		if (rng_uniform(r) < 0.5f)
			c->weight = b->conns[j].weight;
		/* NEAT: a gene disabled in either parent stays disabled three times in four */
		if (!c->enabled || !b->conns[j].enabled)
			c->enabled = rng_uniform(r) >= 0.75f;
	}
	return 0;
}

static int crossover_static(struct net *child, const struct net *a, const struct net *b,
			    struct rng *r)
{
	uint32_t i;

	if (net_copy(child, a))
		return -ENOMEM;
	/* one 64-bit draw gives the coin flips of 64 weights */
	for (i = 0; i < child->n_weights; i += 64) {
		uint64_t bits = rng_next(r);
		uint32_t k;

		for (k = 0; k < 64 && i + k < child->n_weights; k++)
			if (bits >> k & 1)
				child->weights[i + k] = b->weights[i + k];
	}
	return 0;
}

int net_crossover(struct net *child, const struct net *a, const struct net *b,
		  const struct evo_config *cfg, uint64_t gen, uint64_t index)
{
	struct rng r;

	rng_init(&r, cfg->seed, gen, index, RNG_CROSSOVER);
	if (a->mode == MODE_STATIC)
		return crossover_static(child, a, b, &r);
	return crossover_dynamic(child, a, b, &r);
}
