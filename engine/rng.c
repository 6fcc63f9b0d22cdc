/*
 * Counter-based random streams (see rng.h) and the Gaussian draw that mutation uses.
 */
#include <math.h>

#include "engine/rng.h"

void rng_init(struct rng *r, uint64_t seed, uint64_t gen, uint64_t index, enum rng_purpose purpose)
{
	uint64_t k = rng_mix64(seed ^ 0x6a09e667f3bcc909ULL);

	k = rng_mix64(k ^ (gen + 0x3c6ef372fe94f82bULL));
	k = rng_mix64(k ^ (index + 0xa54ff53a5f1d36f1ULL));
	r->key = rng_mix64(k ^ ((uint64_t)purpose << 56));
	r->ctr = 0;
	r->has_spare = 0;
	r->spare = 0.0f;
}

/* Box-Muller: two normal values per pair of uniforms; the second is kept for the next call. */
float rng_gauss(struct rng *r)
{
	float u1, u2, rad, s, c;

	if (r->has_spare) {
		r->has_spare = 0;
		return r->spare;
	}
	u1 = ((float)(rng_next(r) >> 40) + 1.0f) * (1.0f / 16777216.0f);   /* (0, 1] */
	u2 = rng_uniform(r);
	rad = sqrtf(-2.0f * logf(u1));
	s = sinf(6.28318530718f * u2);
	c = cosf(6.28318530718f * u2);
	r->spare = rad * s;
	r->has_spare = 1;
	return rad * c;
}
