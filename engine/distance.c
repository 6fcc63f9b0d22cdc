/*
 * Genomic distance (see distance.h): a merge of two innovation-sorted connection lists for
 * dynamic genomes, a weight-by-weight difference for static ones, and a mean over pairs.
 */
#include <math.h>

#include "engine/distance.h"
#include "engine/rng.h"

static double dynamic_distance(const struct net *a, const struct net *b)
{
	uint32_t i = 0, j = 0, matching = 0, disjoint = 0, excess, n;
	double wdiff = 0.0;

	/* both lists are sorted by innovation: a merge finds the matching genes */
	while (i < a->n_conns && j < b->n_conns) {
		uint64_t x = conn_innovation(&a->conns[i]), y = conn_innovation(&b->conns[j]);

		if (x == y) {
			wdiff += fabs((double)a->conns[i++].weight - (double)b->conns[j++].weight);
			matching++;
		} else {
			disjoint++;
			if (x < y)
				i++;
			else
				j++;
		}
	}
	/* what is left of one list lies past the other's last innovation */
	excess = (a->n_conns - i) + (b->n_conns - j);
	n = a->n_conns > b->n_conns ? a->n_conns : b->n_conns;
	return (n ? (double)(excess + disjoint) / n : 0.0) + (matching ? wdiff / matching : 0.0);
}

static double static_distance(const struct net *a, const struct net *b)
{
	double sum = 0.0;
	uint32_t i;

	if (a->n_weights != b->n_weights || a->hidden != b->hidden)
		return HUGE_VAL;
	for (i = 0; i < a->n_weights; i++)
		sum += fabs((double)a->weights[i] - (double)b->weights[i]);
	return a->n_weights ? sum / a->n_weights : 0.0;
}

double net_distance(const struct net *a, const struct net *b)
{
	if (a->mode != b->mode || a->n_in != b->n_in || a->n_out != b->n_out)
		return HUGE_VAL;
	return a->mode == MODE_STATIC ? static_distance(a, b) : dynamic_distance(a, b);
}

double population_mean_distance(const struct population *p)
{
	double sum = 0.0;
	long long pairs = 0;
	struct rng r;
	int i, j;

	if (p->n < 2)
		return 0.0;
	if (p->n <= DISTANCE_ALL_PAIRS) {
		for (i = 0; i < p->n; i++)
			for (j = i + 1; j < p->n; j++, pairs++)
				sum += net_distance(&p->nets[i], &p->nets[j]);
		return sum / (double)pairs;
	}
	rng_init(&r, p->cfg->seed, 0, 0, RNG_MEASURE);
	for (pairs = 0; pairs < DISTANCE_SAMPLES; pairs++) {
		i = (int)rng_below(&r, (uint32_t)p->n);
		j = (int)rng_below(&r, (uint32_t)p->n - 1);
		sum += net_distance(&p->nets[i], &p->nets[j + (j >= i)]);   /* j != i */
	}
	return sum / (double)pairs;
}
