/*
 * Unit tests for engine/rng.h and rng.c: a stream is a pure function of its key, keys
 * that differ in any part give different streams, and the draws have their stated ranges
 * and (loosely) their stated distributions.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/rng.h"

struct key {
	uint64_t seed, gen, index;
	enum rng_purpose purpose;
};

/* a base key and keys that each differ from it in one part */
static const struct key keys[] = {
	{ 42, 3, 7, RNG_MUTATE },
	{ 43, 3, 7, RNG_MUTATE },
	{ 42, 4, 7, RNG_MUTATE },
	{ 42, 3, 8, RNG_MUTATE },
	{ 42, 3, 7, RNG_INIT },
	{ 42, 3, 7, RNG_SELECT },
	{ 42, 3, 7, RNG_CROSSOVER },
	{ 42, 3, 7, RNG_EPISODE },
	{ 0, 0, 0, RNG_MUTATE },
	{ 0, 0, 1, RNG_MUTATE },
	{ 0, 1, 0, RNG_MUTATE },
	{ 1, 0, 0, RNG_MUTATE },
	{ 42, 7, 3, RNG_MUTATE },   /* gen and index swapped */
};
#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

static void test_same_key_same_stream(void **state)
{
	size_t k;
	int i;

	(void)state;
	for (k = 0; k < N_KEYS; k++) {
		struct rng a, b;

		rng_init(&a, keys[k].seed, keys[k].gen, keys[k].index, keys[k].purpose);
		rng_init(&b, keys[k].seed, keys[k].gen, keys[k].index, keys[k].purpose);
		for (i = 0; i < 1000; i++)
			assert_true(rng_next(&a) == rng_next(&b));
		/* a stream started again replays from its first number */
		rng_init(&b, keys[k].seed, keys[k].gen, keys[k].index, keys[k].purpose);
		rng_init(&a, keys[k].seed, keys[k].gen, keys[k].index, keys[k].purpose);
		for (i = 0; i < 3; i++)
			assert_true(rng_gauss(&a) == rng_gauss(&b));
		assert_true(rng_next(&a) == rng_next(&b));
	}
}

/* the first 8 outputs of every key differ from those of every other key */
static void test_different_keys_differ(void **state)
{
	uint64_t first[N_KEYS][8];
	size_t k, j;
	int i, m;

	(void)state;
	for (k = 0; k < N_KEYS; k++) {
		struct rng r;

		rng_init(&r, keys[k].seed, keys[k].gen, keys[k].index, keys[k].purpose);
		for (i = 0; i < 8; i++)
			first[k][i] = rng_next(&r);
	}
	for (k = 0; k < N_KEYS; k++)
		for (j = k + 1; j < N_KEYS; j++)
			for (i = 0; i < 8; i++)
				for (m = 0; m < 8; m++)
					assert_true(first[k][i] != first[j][m]);
}

/* Indices 0..999 of one (seed, gen, purpose): no two streams start with the same number. */
static void test_neighbouring_indices_differ(void **state)
{
	static uint64_t v[1000];
	int i, j;

	(void)state;
	for (i = 0; i < 1000; i++) {
		struct rng r;

		rng_init(&r, 1, 0, (uint64_t)i, RNG_SELECT);
		v[i] = rng_next(&r);
	}
	for (i = 0; i < 1000; i++)
		for (j = i + 1; j < 1000; j++)
			assert_true(v[i] != v[j]);
}

static void test_uniform_range(void **state)
{
	struct rng r;
	double sum = 0.0;
	int i, low = 0;

	(void)state;
	rng_init(&r, 9, 1, 2, RNG_MUTATE);
	for (i = 0; i < 100000; i++) {
		float u = rng_uniform(&r);

		assert_true(u >= 0.0f && u < 1.0f);
		sum += u;
		low += u < 0.5f;
	}
	assert_true(fabs(sum / 100000 - 0.5) < 0.01);
	assert_in_range(low, 49000, 51000);
}

static void test_below_range(void **state)
{
	static const uint32_t bounds[] = { 1, 2, 3, 7, 10, 1000, 65537, 0x80000001u, UINT32_MAX };
	size_t b;
	int i;

	(void)state;
	for (b = 0; b < sizeof(bounds) / sizeof(bounds[0]); b++) {
		uint32_t n = bounds[b], max = 0;
		int hits[10] = { 0 };
		struct rng r;

		rng_init(&r, 5, b, 0, RNG_SELECT);
		for (i = 0; i < 20000; i++) {
			uint32_t v = rng_below(&r, n);

			assert_true(v < n);
			if (v > max)
				max = v;
			if (n <= 10)
				hits[v]++;
		}
		/* small bounds: every value turns up, roughly equally often */
		for (i = 0; n <= 10 && i < (int)n; i++)
			assert_true(fabs(hits[i] - 20000.0 / n) < 0.1 * 20000.0 / n);
		/* large bounds: the top of the range is reached */
		if (n > 10)
			assert_true(max > n / 10 * 9);
	}
}

static void test_gauss_moments(void **state)
{
	struct rng r;
	double sum = 0.0, sq = 0.0, mean, var;
	int i, beyond3 = 0;

	(void)state;
	rng_init(&r, 1234, 0, 0, RNG_MUTATE);
	for (i = 0; i < 100000; i++) {
		float g = rng_gauss(&r);

		assert_true(isfinite(g));
		sum += g;
		sq += (double)g * g;
		beyond3 += fabsf(g) > 3.0f;
	}
	mean = sum / 100000;
	var = sq / 100000 - mean * mean;
	assert_true(fabs(mean) < 0.02);
	assert_true(fabs(var - 1.0) < 0.03);
	/* a normal distribution puts 0.27% beyond 3 sigma: 270 expected */
	assert_in_range(beyond3, 150, 400);
}

static void test_chance_extremes(void **state)
{
	struct rng r;
	int i, yes = 0;

	(void)state;
	rng_init(&r, 77, 0, 0, RNG_MUTATE);
	for (i = 0; i < 10000; i++) {
		assert_false(rng_chance(&r, 0.0));
		assert_true(rng_chance(&r, 1.0));
		yes += rng_chance(&r, 0.25);
	}
	assert_in_range(yes, 2300, 2700);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_key_same_stream),
		cmocka_unit_test(test_different_keys_differ),
		cmocka_unit_test(test_neighbouring_indices_differ),
		cmocka_unit_test(test_uniform_range),
		cmocka_unit_test(test_below_range),
		cmocka_unit_test(test_gauss_moments),
		cmocka_unit_test(test_chance_extremes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
