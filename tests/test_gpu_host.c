/*
 * Unit tests for gpu/pack.c and the GPU threads' code run on the host: packed through the
 * very path the kernel reads (gpu/packed.h, engine/step.h), a dynamic population's fitness
 * equals the engine's bit for bit, generation after generation as the networks grow; a static
 * population shares the physics but not the product (OpenBLAS on the CPU, plain loops on the
 * GPU), so there the test measures how far the two are apart. Plus the block's layout and the
 * counts (steps, lane use) the device reports.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/engine.h"
#include "engine/task.h"
#include "gpu/gpu.h"
#include "gpu/packed.h"

struct agreement {
	int nets, equal;           /* networks compared, and with the same fitness bits */
	double max_diff, sum_diff;
	double best;               /* the best fitness seen: long episodes were compared too */
};

/* The engine's fitness, then the GPU threads' (on the host) for the same prepared networks. */
static void compare_generation(struct population *p, float *engine_fit, struct agreement *a)
{
	struct scratch s = { 0 };
	struct gpu_times t;
	char err[GPU_ERRLEN];
	int i;

	assert_int_equal(engine_evaluate_range(p, &s, 0, p->n), 0);
	for (i = 0; i < p->n; i++)
		engine_fit[i] = p->nets[i].fitness;
	assert_int_equal(gpu_host_evaluate(p, &t, err, sizeof(err)), 0);
	for (i = 0; i < p->n; i++) {
		double d = fabs((double)p->nets[i].fitness - engine_fit[i]);

		a->nets++;
		if (engine_fit[i] > a->best)
			a->best = engine_fit[i];
		a->equal += !memcmp(&p->nets[i].fitness, &engine_fit[i], sizeof(float));
		a->sum_diff += d;
		if (d > a->max_diff)
			a->max_diff = d;
		p->nets[i].fitness = engine_fit[i];   /* evolution goes on from the engine's */
	}
	scratch_release(&s);
}

/* gens generations of cfg, each evaluated both ways */
static void evolve_compare(const struct evo_config *cfg, struct agreement *a)
{
	struct population p;
	struct scratch s = { 0 };
	char err[ENGINE_ERRLEN];
	float *fit = malloc((size_t)cfg->pop * sizeof(float));

	assert_non_null(fit);
	assert_int_equal(population_init(&p, cfg, err, sizeof(err)), 0);
	memset(a, 0, sizeof(*a));
	for (p.gen = 0; p.gen < cfg->gens; p.gen++) {
		population_begin_generation(&p);
		engine_mutate_range(&p, 0, p.n);
		assert_int_equal(engine_prepare_range(&p, &s, 0, p.n), 0);
		compare_generation(&p, fit, a);
		engine_select(&p);
		assert_int_equal(engine_build_children(&p, 0, p.n), 0);
		population_swap(&p);
	}
	population_release(&p);
	scratch_release(&s);
	free(fit);
}

static void dynamic_config(struct evo_config *cfg)
{
	evo_config_defaults(cfg);
	cfg->pop = 120;
	cfg->gens = 25;
	cfg->steps = 2000;
	cfg->episodes = 5;
	cfg->p_add_node = 0.3;     /* grown networks: hidden nodes, long plans */
	cfg->p_add_conn = 0.4;
}

/* The promise: dynamic networks, bit for bit, including ones that balance for long. */
static void test_dynamic_bit_for_bit(void **state)
{
	struct evo_config cfg;
	struct agreement a;

	(void)state;
	dynamic_config(&cfg);
	evolve_compare(&cfg, &a);
	printf("dynamic: %d of %d networks bit for bit (best fitness %.3f)\n", a.equal, a.nets,
	       a.best);
	assert_int_equal(a.equal, a.nets);
	assert_true(a.best > 0.5);
	assert_int_equal(a.nets, cfg.pop * cfg.gens);
}

/* One cached plan, another rebuilt every generation: the packing reads both the same way. */
static void test_dynamic_without_cache(void **state)
{
	struct evo_config cfg;
	struct agreement a;

	(void)state;
	dynamic_config(&cfg);
	cfg.prepare_cache = 0;
	cfg.gens = 8;
	cfg.seed = 7;
	evolve_compare(&cfg, &a);
	assert_int_equal(a.equal, a.nets);
}

/*
 * Static networks: the physics is the shared code, the product is not (OpenBLAS's kernel
 * against the GPU's plain loop, in float), so fitness may differ where an episode's outcome
 * turns on the last bits of the force. Measured and bounded, not equal.
 */
static void test_static_close(void **state)
{
	struct evo_config cfg;
	struct agreement a;

	(void)state;
	evo_config_defaults(&cfg);
	cfg.mode = MODE_STATIC;
	cfg.pop = 100;
	cfg.gens = 10;
	evolve_compare(&cfg, &a);
	printf("static: %d of %d networks bit for bit, max |diff| %.3g, mean |diff| %.3g\n",
	       a.equal, a.nets, a.max_diff, a.sum_diff / a.nets);
	assert_true(a.equal >= a.nets * 8 / 10);
	assert_true(a.sum_diff / a.nets < 0.01);
}

/* The block: 8-aligned parts in order, the plans' entries counted, nothing past its end. */
static void test_layout(void **state)
{
	struct evo_config cfg;
	struct population p;
	struct scratch s = { 0 };
	struct gpu_layout l;
	char err[ENGINE_ERRLEN];
	size_t order = 0, edges = 0;
	int i;

	(void)state;
	dynamic_config(&cfg);
	cfg.pop = 30;
	assert_int_equal(population_init(&p, &cfg, err, sizeof(err)), 0);
	population_begin_generation(&p);
	for (i = 0; i < 3; i++)
		engine_mutate_range(&p, 0, p.n);
	assert_int_equal(engine_prepare_range(&p, &s, 0, p.n), 0);
	assert_int_equal(gpu_layout_of(&l, &p, err, sizeof(err)), 0);
	for (i = 0; i < p.n; i++) {
		order += p.nets[i].plan.n_order;
		edges += p.nets[i].plan.n_edges;
	}
	assert_int_equal(l.n_order, order);
	assert_int_equal(l.n_edges, edges);
	assert_int_equal(l.n_start, order + (size_t)p.n);
	assert_true(l.nets >= (size_t)cfg.episodes * POLE_STATE * sizeof(float));
	assert_true(l.order >= l.nets + p.n * sizeof(struct gpu_net));
	assert_true(l.start >= l.order + order * 4 && l.src >= l.start + l.n_start * 4);
	assert_true(l.w >= l.src + edges * 4 && l.bytes >= l.w + edges * 4);
	assert_int_equal((l.nets | l.order | l.start | l.src | l.w | l.bytes) % 8, 0);
	population_release(&p);
	scratch_release(&s);
}

/* steps counts the failing step of each episode; lane use is 1 for equal episodes */
static void test_counts(void **state)
{
	struct evo_config cfg;
	struct population p;
	struct gpu_layout l = { .n = 2, .episodes = 32, .steps = 100 };
	struct gpu_times t;
	char err[ENGINE_ERRLEN];
	int survived[64], i;

	(void)state;
	evo_config_defaults(&cfg);
	cfg.pop = 2;
	assert_int_equal(population_init(&p, &cfg, err, sizeof(err)), 0);
	for (i = 0; i < 64; i++)
		survived[i] = 9;           /* every episode failed at its tenth step */
	gpu_unpack(&l, &p, survived, &t);
	assert_true(t.steps == 640.0 && t.lane_use == 1.0 && t.threads == 64.0);
	assert_true(p.nets[0].fitness == (float)(9.0 / 100.0));
	survived[0] = 100;                 /* one lane runs to the limit, its warp waits */
	gpu_unpack(&l, &p, survived, &t);
	assert_true(t.steps == 730.0);     /* it lasted: no failing step */
	assert_true(fabs(t.lane_use - 730.0 / (100.0 * 32 + 10.0 * 32)) < 1e-12);
	population_release(&p);
}

static void test_xor_refused(void **state)
{
	struct evo_config cfg;
	struct population p;
	struct gpu_layout l;
	char err[ENGINE_ERRLEN];

	(void)state;
	evo_config_defaults(&cfg);
	cfg.task = TASK_XOR;
	cfg.pop = 4;
	assert_int_equal(population_init(&p, &cfg, err, sizeof(err)), 0);
	assert_int_equal(gpu_layout_of(&l, &p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "pole"));
	population_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dynamic_bit_for_bit),
		cmocka_unit_test(test_dynamic_without_cache),
		cmocka_unit_test(test_static_close),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_xor_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
