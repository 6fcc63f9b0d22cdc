/*
 * Counter-based random streams. A stream is keyed by (run seed, generation, network index,
 * purpose), so what a network draws never depends on which thread or process handles it or when.
 */
#ifndef EVOPAR_RNG_H
#define EVOPAR_RNG_H

#include <stdint.h>

enum rng_purpose {
	RNG_INIT = 1,     /* initial weights */
	RNG_MUTATE,       /* mutation of one network */
	RNG_SELECT,       /* the tournament for one child */
	RNG_CROSSOVER,    /* gene choices of one child */
	RNG_EPISODE,      /* start states of the task's episodes */
	RNG_SEARCH,       /* a hyperparameter of one trial of a search */
	RNG_MIGRATE,      /* the emigrants a sub-population picks at random */
	RNG_MEASURE,      /* pairs sampled for a measurement (genomic distance) */
};

struct rng {
	uint64_t key;     /* the mixed stream key */
	uint64_t ctr;     /* how many numbers were drawn */
	float spare;      /* second Box-Muller value, valid when has_spare */
	int has_spare;
};

void rng_init(struct rng *r, uint64_t seed, uint64_t gen, uint64_t index, enum rng_purpose purpose);

/* splitmix64's finaliser: output n of a stream is mix(key + n * golden ratio) */
static inline uint64_t rng_mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t rng_next(struct rng *r)
{
	return rng_mix64(r->key + ++r->ctr * 0x9e3779b97f4a7c15ULL);
}

/* uniform in [0, 1) with 24 bits, exact in a float */
static inline float rng_uniform(struct rng *r)
{
	return (float)(rng_next(r) >> 40) * (1.0f / 16777216.0f);
}

/* uniform integer in [0, n), n > 0; Lemire's multiply-shift, bias below 2^-32 */
static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static inline int rng_chance(struct rng *r, double p)
{
	return rng_uniform(r) < (float)p;
}

float rng_gauss(struct rng *r);

#endif
