/*
 * Unit tests for engine/population.c: set-up for each mode and task, and the promise the
 * strategies rest on: N generations of the phases give one digest per (config, seed),
 * whether plans are cached or not and however each phase is cut into ranges.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/engine.h"
#include "engine/serial.h"
#include "engine/task.h"

#define MAX_RANGES 40

static void small_config(struct evo_config *cfg, int mode, int task)
{
	evo_config_defaults(cfg);
	cfg->mode = mode;
	cfg->task = task;
	cfg->pop = 30;
	cfg->gens = 8;
	cfg->seed = 12345;
	cfg->episodes = 2;
	cfg->steps = 100;
	cfg->hidden = 8;
	/* structure changes every generation, so plans are rebuilt, refreshed and copied */
	cfg->p_add_conn = 0.5;
	cfg->p_add_node = 0.2;
	cfg->p_toggle = 0.1;
	cfg->p_prune_conn = 0.05;
	cfg->p_prune_node = 0.05;
}

/*
 * How a run cuts each phase: bounds[0] = 0 < bounds[1] < ... < bounds[n] = pop, ranges
 * [bounds[i], bounds[i+1]) run in order, or last first when reverse is set.
 */
struct cut {
	const char *name;
	int n;                       /* ranges; 0: one range [0, pop) */
	int bounds[MAX_RANGES + 1];
	int reverse;
};

static void ranges_of(const struct cut *c, int pop, int *lo, int *hi, int *n)
{
	int i;

	if (c->n == 0) {
		lo[0] = 0;
		hi[0] = pop;
		*n = 1;
		return;
	}
	for (i = 0; i < c->n; i++) {
		int k = c->reverse ? c->n - 1 - i : i;

		lo[i] = c->bounds[k];
		hi[i] = c->bounds[k + 1];
	}
	*n = c->n;
}

/*
 * One generation in the order of harness/run.c's run_generation and the sequential
 * strategy: states, mutate, prepare, evaluate, select, build children, swap. Each range
 * has its own scratch, as each worker would. best gets the best fitness evaluated.
 */
static void run_generation(struct population *p, const struct cut *c, struct scratch *s,
			   float *best)
{
	int lo[MAX_RANGES], hi[MAX_RANGES], n, r, i;

	ranges_of(c, p->n, lo, hi, &n);
	population_begin_generation(p);
	for (r = 0; r < n; r++)
		engine_mutate_range(p, lo[r], hi[r]);
	for (r = 0; r < n; r++)
		assert_int_equal(engine_prepare_range(p, &s[r], lo[r], hi[r]), 0);
	for (r = 0; r < n; r++)
		assert_int_equal(engine_evaluate_range(p, &s[r], lo[r], hi[r]), 0);
	if (best) {
		*best = p->nets[0].fitness;
		for (i = 1; i < p->n; i++)
			if (p->nets[i].fitness > *best)
				*best = p->nets[i].fitness;
	}
	engine_select(p);
	for (r = 0; r < n; r++)
		assert_int_equal(engine_build_children(p, lo[r], hi[r]), 0);
	population_swap(p);
}

static uint64_t evolve(const struct evo_config *cfg, const struct cut *c)
{
	struct scratch s[MAX_RANGES];
	struct population p;
	char err[128];
	uint64_t d;
	int i;

	memset(s, 0, sizeof(s));
	assert_int_equal(population_init(&p, cfg, err, sizeof(err)), 0);
	for (p.gen = 0; p.gen < cfg->gens; p.gen++)
		run_generation(&p, c, s, NULL);
	d = population_digest(&p);
	population_release(&p);
	for (i = 0; i < MAX_RANGES; i++)
		scratch_release(&s[i]);
	return d;
}

static const struct cut whole = { "one range", 0, { 0 }, 0 };

static const struct { int mode, task; const char *name; } kinds[] = {
	{ MODE_DYNAMIC, TASK_POLE, "dynamic pole" },
	{ MODE_STATIC, TASK_POLE, "static pole" },
	{ MODE_DYNAMIC, TASK_XOR, "dynamic xor" },
	{ MODE_STATIC, TASK_XOR, "static xor" },
};
#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))

static void test_init(void **state)
{
	size_t k;

	(void)state;
	for (k = 0; k < N_KINDS; k++) {
		const struct task *t = task_by_kind(kinds[k].task);
		struct population p, q;
		struct evo_config cfg;
		char err[128] = "";
		int i;

		small_config(&cfg, kinds[k].mode, kinds[k].task);
		assert_int_equal(population_init(&p, &cfg, err, sizeof(err)), 0);
		assert_int_equal(p.n, cfg.pop);
		assert_ptr_equal(p.task, t);
		assert_ptr_equal(p.cfg, &cfg);
		assert_non_null(p.next);
		assert_non_null(p.plan);
		for (i = 0; i < p.n; i++) {
			const struct net *n = &p.nets[i];
			char why[160];

			assert_int_equal(n->mode, kinds[k].mode);
			assert_int_equal(n->n_in, (uint32_t)t->n_in);
			assert_int_equal(n->n_out, (uint32_t)t->n_out);
			assert_int_equal(n->elite, 0);
			if (n->mode == MODE_STATIC) {
				struct mlp_shape s;

				mlp_shape_of(&s, n->n_in, (uint32_t)cfg.hidden, n->n_out);
				assert_int_equal(n->hidden, (uint32_t)cfg.hidden);
				assert_int_equal(n->n_weights, s.total);
			} else {
				if (net_check(n, why, sizeof(why)))
					fail_msg("%s net %d: %s", kinds[k].name, i, why);
				assert_int_equal(net_hidden_count(n), 0);
				assert_int_equal(n->n_conns, (n->n_in + 1) * n->n_out);
			}
		}
		/* the networks start different from each other, the same for the same seed */
		{
			size_t l0 = serial_size(&p.nets[0]);
			uint8_t *b0 = malloc(l0), *b1 = malloc(l0);

			assert_non_null(b0);
			assert_non_null(b1);
			serial_write(&p.nets[0], b0);
			serial_write(&p.nets[1], b1);
			assert_memory_not_equal(b0, b1, l0);
			free(b0);
			free(b1);
		}
		assert_int_equal(population_init(&q, &cfg, err, sizeof(err)), 0);
		assert_true(population_digest(&p) == population_digest(&q));
		population_release(&q);
		cfg.seed++;
		assert_int_equal(population_init(&q, &cfg, err, sizeof(err)), 0);
		assert_true(population_digest(&p) != population_digest(&q));
		population_release(&q);
		population_release(&p);
		assert_null(p.nets);                       /* release leaves it empty */
	}
}

static void test_init_unknown_task(void **state)
{
	struct population p;
	struct evo_config cfg;
	char err[128] = "";

	(void)state;
	small_config(&cfg, MODE_DYNAMIC, 99);
	assert_int_equal(population_init(&p, &cfg, err, sizeof(err)), -EINVAL);
	assert_true(err[0] != '\0');
}

static void test_same_seed_same_digest(void **state)
{
	size_t k;

	(void)state;
	for (k = 0; k < N_KINDS; k++) {
		struct evo_config cfg;
		uint64_t a, b, c, none;

		small_config(&cfg, kinds[k].mode, kinds[k].task);
		a = evolve(&cfg, &whole);
		b = evolve(&cfg, &whole);
		if (a != b)
			fail_msg("%s: two runs of one seed differ", kinds[k].name);
		cfg.seed++;
		c = evolve(&cfg, &whole);
		if (a == c)
			fail_msg("%s: two seeds give one digest", kinds[k].name);
		/* and evolution did something */
		cfg.seed--;
		cfg.gens = 0;
		none = evolve(&cfg, &whole);
		assert_true(none != a);
	}
}

/* --prepare-cache off changes the work done, never the result */
static void test_cache_off_same_digest(void **state)
{
	size_t k;

	(void)state;
	for (k = 0; k < N_KINDS; k++) {
		struct evo_config cfg;
		uint64_t on, off;

		small_config(&cfg, kinds[k].mode, kinds[k].task);
		cfg.gens = 12;
		on = evolve(&cfg, &whole);
		cfg.prepare_cache = 0;
		off = evolve(&cfg, &whole);
		if (on != off)
			fail_msg("%s: cache on and off differ", kinds[k].name);
	}
}

/* the strategies' promise: any cut of the phases into ranges, in any order, one digest */
static void test_ranges_same_digest(void **state)
{
	static const struct cut cuts[] = {
		{ "[0,7) [7,30)", 2, { 0, 7, 30 }, 0 },
		{ "[7,30) then [0,7)", 2, { 0, 7, 30 }, 1 },
		{ "uneven four", 4, { 0, 1, 13, 14, 30 }, 0 },
		{ "uneven four reversed", 4, { 0, 1, 13, 14, 30 }, 1 },
		{ "one network each", 30, { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
					   16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30 }, 1 },
		{ "empty ranges between", 5, { 0, 0, 10, 10, 29, 30 }, 0 },
	};
	size_t k, c;

	(void)state;
	for (k = 0; k < N_KINDS; k++) {
		struct evo_config cfg;
		uint64_t ref;

		small_config(&cfg, kinds[k].mode, kinds[k].task);
		ref = evolve(&cfg, &whole);
		for (c = 0; c < sizeof(cuts) / sizeof(cuts[0]); c++)
			if (evolve(&cfg, &cuts[c]) != ref)
				fail_msg("%s cut %s: digest differs from one range", kinds[k].name,
					 cuts[c].name);
	}
}

/*
 * Elites survive unchanged into the next generation and xor's fitness does not depend on
 * the generation, so the best fitness never falls.
 */
static void test_elitism_keeps_best(void **state)
{
	static const int modes[] = { MODE_DYNAMIC, MODE_STATIC };
	size_t m;

	(void)state;
	for (m = 0; m < 2; m++) {
		struct scratch s[1] = { { 0 } };
		struct population p;
		struct evo_config cfg;
		char err[128];
		float best, last = -1.0f, first = 0.0f;

		small_config(&cfg, modes[m], TASK_XOR);
		cfg.elite = 1;
		assert_int_equal(population_init(&p, &cfg, err, sizeof(err)), 0);
		for (p.gen = 0; p.gen < 40; p.gen++) {
			run_generation(&p, &whole, s, &best);
			assert_true(best >= last);
			if (p.gen == 0)
				first = best;
			last = best;
		}
		assert_true(last > first);                 /* and it did learn something */
		population_release(&p);
		scratch_release(&s[0]);
	}
}

static void test_digest_sees_every_network(void **state)
{
	struct population p;
	struct evo_config cfg;
	char err[128];
	uint64_t d;
	int i;

	(void)state;
	small_config(&cfg, MODE_DYNAMIC, TASK_XOR);
	assert_int_equal(population_init(&p, &cfg, err, sizeof(err)), 0);
	d = population_digest(&p);
	assert_true(population_digest(&p) == d);
	for (i = 0; i < p.n; i += 7) {
		float f = p.nets[i].fitness, w = p.nets[i].conns[2].weight;

		p.nets[i].fitness = 0.5f;                  /* the fitness bits count */
		assert_true(population_digest(&p) != d);
		p.nets[i].fitness = f;
		p.nets[i].conns[2].weight = w + 1.0f;      /* and every weight */
		assert_true(population_digest(&p) != d);
		p.nets[i].conns[2].weight = w;
		assert_true(population_digest(&p) == d);
	}
	population_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_init_unknown_task),
		cmocka_unit_test(test_same_seed_same_digest),
		cmocka_unit_test(test_cache_off_same_digest),
		cmocka_unit_test(test_ranges_same_digest),
		cmocka_unit_test(test_elitism_keeps_best),
		cmocka_unit_test(test_digest_sees_every_network),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
