/*
 * Genomic distance of two networks and the mean distance of a population: how diverse the
 * genomes are, for the question "did separately evolved sub-populations stay different?".
 */
#ifndef EVOPAR_DISTANCE_H
#define EVOPAR_DISTANCE_H

#include "engine/engine.h"

/*
 * Dynamic genomes: NEAT's compatibility distance with c1 = c2 = c3 = 1, that is
 * (excess + disjoint connection genes) / the larger genome's connection count, plus the
 * mean absolute weight difference of matching genes (genes match by innovation number).
 * Static networks: the mean absolute weight difference. Networks of different kinds or
 * shapes: HUGE_VAL.
 */
double net_distance(const struct net *a, const struct net *b);

/*
 * Mean distance over pairs of the population's networks: every pair up to
 * DISTANCE_ALL_PAIRS networks, beyond that DISTANCE_SAMPLES pairs drawn from a stream keyed
 * by the run seed (the same population gives the same value). 0 for fewer than 2 networks.
 */
#define DISTANCE_ALL_PAIRS 1000
#define DISTANCE_SAMPLES 500000
double population_mean_distance(const struct population *p);

#endif
