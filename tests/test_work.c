/*
 * Unit tests for the work evaluate counts (the engine's work.c): pole's physics steps lie between
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

/* one workload and what its every generation's count must satisfy */
struct work_case {
	int mode, task;
	void (*check)(struct population *p, uint64_t work);
};

static const struct work_case cases[] = {
	{ MODE_DYNAMIC, TASK_POLE, check_pole },
	{ MODE_STATIC, TASK_POLE, check_pole },
	{ MODE_DYNAMIC, TASK_XOR, check_xor },
	{ MODE_DYNAMIC, TASK_POLE, check_gpu_host },
};

static void test_work_case(void **state)
{
	const struct work_case *c = *state;
	struct evo_config cfg;

	evo_config_defaults(&cfg);
	cfg.mode = c->mode;
	cfg.task = c->task;
	cfg.pop = 40;
	cfg.gens = 6;
	cfg.steps = 300;
	cfg.seed = 11;
	cfg.prepare_cache = c->check != check_gpu_host;   /* the GPU threads build no plans */
	evolve_checking(&cfg, c->check);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate(test_work_case, (void *)&cases[0]),
		cmocka_unit_test_prestate(test_work_case, (void *)&cases[1]),
		cmocka_unit_test_prestate(test_work_case, (void *)&cases[2]),
		cmocka_unit_test_prestate(test_work_case, (void *)&cases[3]),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
