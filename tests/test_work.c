/*
 * Unit tests for the work evaluate counts (engine/work.c): pole's physics steps lie between
 * the steps survived (read back from fitness) and that plus one failing step per episode; xor
 * counts one per network; the GPU threads' count, run on the host, equals the engine's.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "engine/engine.h"
#include "engine/task.h"
#include "gpu/gpu.h"

/* the work of evaluating p's networks in this thread */
static uint64_t evaluate_work(struct population *p, struct scratch *s)
{
	uint64_t before = engine_work_done();

	assert_int_equal(engine_evaluate_range(p, s, 0, p->n), 0);
	return engine_work_done() - before;
}

/* the steps survived, from fitness (the mean share of steps survived over the episodes) */
static double survived_steps(const struct population *p)
{
	double total = 0.0;
	int i;

	for (i = 0; i < p->n; i++)
		total += round((double)p->nets[i].fitness * p->cfg->episodes * p->cfg->steps);
	return total;
}

/* gens generations of cfg; check(p, work) after each evaluate */
static void evolve_checking(const struct evo_config *cfg,
			    void (*check)(struct population *p, uint64_t work))
{
	struct population p;
	struct scratch s = { 0 };
	char err[ENGINE_ERRLEN];

	assert_int_equal(population_init(&p, cfg, err, sizeof(err)), 0);
	for (p.gen = 0; p.gen < cfg->gens; p.gen++) {
		population_begin_generation(&p);
		engine_mutate_range(&p, 0, p.n);
		assert_int_equal(engine_prepare_range(&p, &s, 0, p.n), 0);
		check(&p, evaluate_work(&p, &s));
		engine_select(&p);
		assert_int_equal(engine_build_children(&p, 0, p.n), 0);
		population_swap(&p);
	}
	population_release(&p);
	scratch_release(&s);
}

static void check_pole(struct population *p, uint64_t work)
{
	double lived = survived_steps(p), episodes = (double)p->n * p->cfg->episodes;

	assert_true((double)work >= lived);
	assert_true((double)work <= lived + episodes);
	assert_true((double)work >= episodes);    /* every episode runs at least one step */
}

static void check_xor(struct population *p, uint64_t work)
{
	assert_int_equal(work, (uint64_t)p->n);
}

/* the GPU threads on the host count what the engine counted, network for network */
static void check_gpu_host(struct population *p, uint64_t work)
{
	struct gpu_times t;
	char err[GPU_ERRLEN];
	uint64_t before = engine_work_done();

	check_pole(p, work);
	assert_int_equal(gpu_host_evaluate(p, &t, err, sizeof(err)), 0);
	assert_int_equal(engine_work_done() - before, work);
	assert_true(fabs(t.steps - (double)work) < 0.5);
}

static void config(struct evo_config *cfg, int mode, int task)
{
	evo_config_defaults(cfg);
	cfg->mode = mode;
	cfg->task = task;
	cfg->pop = 40;
	cfg->gens = 6;
	cfg->steps = 300;
	cfg->seed = 11;
}

static void test_pole_dynamic(void **state)
{
	struct evo_config cfg;

	(void)state;
	config(&cfg, MODE_DYNAMIC, TASK_POLE);
	evolve_checking(&cfg, check_pole);
}

static void test_pole_static(void **state)
{
	struct evo_config cfg;

	(void)state;
	config(&cfg, MODE_STATIC, TASK_POLE);
	evolve_checking(&cfg, check_pole);
}

static void test_xor(void **state)
{
	struct evo_config cfg;

	(void)state;
	config(&cfg, MODE_DYNAMIC, TASK_XOR);
	evolve_checking(&cfg, check_xor);
}

static void test_gpu_host_counts_alike(void **state)
{
	struct evo_config cfg;

	(void)state;
	config(&cfg, MODE_DYNAMIC, TASK_POLE);
	cfg.prepare_cache = 0;
	evolve_checking(&cfg, check_gpu_host);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pole_dynamic),
		cmocka_unit_test(test_pole_static),
		cmocka_unit_test(test_xor),
		cmocka_unit_test(test_gpu_host_counts_alike),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
