/*
 * Unit tests for engine/select.c (and the child building of population.c that follows
 * it): elites are the top networks by fitness, crossover parents come fitter first,
 * tournaments favour fitness as their size grows, the plan is a function of seed and gen.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/engine.h"
#include "engine/rng.h"
#include "engine/serial.h"

/* An xor population of pop networks with distinct fitnesses in a scrambled order. */
static void make_pop(struct population *p, struct evo_config *cfg, int pop)
{
	char err[128];
	int i;

	evo_config_defaults(cfg);
	cfg->task = TASK_XOR;
	cfg->pop = pop;
	assert_int_equal(population_init(p, cfg, err, sizeof(err)), 0);
	for (i = 0; i < pop; i++)
		p->nets[i].fitness = (float)((i * 37 + 11) % pop) / (float)pop;  /* 37 coprime to pop */
}

/* rank of network i: how many networks are strictly fitter */
static int rank_of(const struct population *p, int i)
{
	int j, r = 0;

	for (j = 0; j < p->n; j++)
		r += p->nets[j].fitness > p->nets[i].fitness;
	return r;
}

static void test_elites_are_the_best(void **state)
{
	static const int elites[] = { 0, 1, 2, 5, 20 };
	struct population p;
	struct evo_config cfg;
	size_t e;

	(void)state;
	make_pop(&p, &cfg, 100);
	for (e = 0; e < sizeof(elites) / sizeof(elites[0]); e++) {
		int i;

		cfg.elite = elites[e];
		engine_select(&p);
		for (i = 0; i < cfg.elite; i++) {
			assert_int_equal(p.plan[i].elite, 1);
			assert_int_equal(p.plan[i].b, -1);
			assert_int_equal(rank_of(&p, p.plan[i].a), i);   /* best first */
		}
		for (; i < p.n; i++) {
			assert_int_equal(p.plan[i].elite, 0);
			assert_true(p.plan[i].a >= 0 && p.plan[i].a < p.n);
			assert_true(p.plan[i].b >= -1 && p.plan[i].b < p.n);
		}
	}
	population_release(&p);
}

/* equal fitness: the lower index is the better one, so the plan stays well defined */
static void test_elite_ties_lower_index(void **state)
{
	struct population p;
	struct evo_config cfg;
	int i;

	(void)state;
	make_pop(&p, &cfg, 30);
	for (i = 0; i < p.n; i++)
		p.nets[i].fitness = i == 17 ? 1.0f : 0.5f;
	cfg.elite = 4;
	engine_select(&p);
	assert_int_equal(p.plan[0].a, 17);
	assert_int_equal(p.plan[1].a, 0);
	assert_int_equal(p.plan[2].a, 1);
	assert_int_equal(p.plan[3].a, 2);
	population_release(&p);
}

/* a crossover's first parent is the fitter (or, tied, the lower index), never both the same */
static void test_crossover_parents_ordered(void **state)
{
	static const struct { int pop, tournament; int ties; } cases[] = {
		{ 100, 3, 0 }, { 100, 1, 0 }, { 64, 2, 1 }, { 200, 7, 1 },
	};
	size_t c;

	(void)state;
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct population p;
		struct evo_config cfg;
		int i, crossovers = 0;

		make_pop(&p, &cfg, cases[c].pop);
		if (cases[c].ties)                       /* only 4 distinct values */
			for (i = 0; i < p.n; i++)
				p.nets[i].fitness = (float)(i % 4);
		cfg.tournament = cases[c].tournament;
		cfg.p_crossover = 1.0;
		engine_select(&p);
		for (i = cfg.elite; i < p.n; i++) {
			const struct child_plan *k = &p.plan[i];
			float fa, fb;

			if (k->b < 0)
				continue;
			crossovers++;
			assert_true(k->a != k->b);
			fa = p.nets[k->a].fitness;
			fb = p.nets[k->b].fitness;
			assert_true(fa > fb || (fa == fb && k->a < k->b));
		}
		/* with p_crossover 1 only a tournament that picks a twice makes a copy */
		assert_true(crossovers > (p.n - cfg.elite) * 3 / 4);
		population_release(&p);
	}
}

static void test_no_crossover_means_copies(void **state)
{
	struct population p;
	struct evo_config cfg;
	int i;

	(void)state;
	make_pop(&p, &cfg, 50);
	cfg.p_crossover = 0.0;
	engine_select(&p);
	for (i = 0; i < p.n; i++)
		assert_int_equal(p.plan[i].b, -1);
	population_release(&p);
}

/*
 * Tournaments draw their contestants with replacement, so even a tournament as large as
 * the population can miss the best network (about 1/e of the time): the promise is a
 * pull towards fitness that grows with the size. Mean rank of the copied parents:
 * about pop/2 at size 1, pop/3 at 2, pop/6 at 5, under 1 at size pop.
 */
static void test_tournament_pressure(void **state)
{
	static const int sizes[] = { 1, 2, 5, 200 };
	struct population p;
	struct evo_config cfg;
	double last = 1e9;
	size_t s;

	(void)state;
	make_pop(&p, &cfg, 200);
	cfg.p_crossover = 0.0;
	cfg.elite = 0;
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		double mean = 0.0;
		int i, worst = 0, best_picked = 0;

		cfg.tournament = sizes[s];
		engine_select(&p);
		for (i = 0; i < p.n; i++) {
			int r = rank_of(&p, p.plan[i].a);

			mean += r;
			if (r > worst)
				worst = r;
			best_picked += r == 0;
		}
		mean /= p.n;
		assert_true(mean < last);
		last = mean;
		if (sizes[s] == 1)
			assert_true(mean > 70.0 && mean < 130.0);
		if (sizes[s] == 200) {
			/* each child misses the top 20 with probability 0.9^200, about 7e-10 */
			assert_true(worst < 20);
			/* and picks the very best about 63% of the time */
			assert_true(best_picked > p.n / 2 && best_picked < p.n * 3 / 4);
		}
	}
	population_release(&p);
}

/* plans compared field by field: the padding of struct child_plan is not theirs */
static int same_plan(const struct child_plan *x, const struct child_plan *y, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (x[i].a != y[i].a || x[i].b != y[i].b || x[i].elite != y[i].elite)
			return 0;
	return 1;
}

static void test_deterministic(void **state)
{
	struct population p;
	struct evo_config cfg;
	struct child_plan *first;
	size_t bytes;

	(void)state;
	make_pop(&p, &cfg, 120);
	bytes = (size_t)p.n * sizeof(*p.plan);
	first = malloc(bytes);
	assert_non_null(first);
	p.gen = 4;
	engine_select(&p);
	memcpy(first, p.plan, bytes);
	memset(p.plan, 0x55, bytes);
	engine_select(&p);
	assert_true(same_plan(first, p.plan, p.n));
	p.gen = 5;                                   /* another generation: another plan */
	engine_select(&p);
	assert_false(same_plan(first, p.plan, p.n));
	p.gen = 4;
	cfg.seed++;                                  /* another seed: another plan */
	engine_select(&p);
	assert_false(same_plan(first, p.plan, p.n));
	free(first);
	population_release(&p);
}

static int same_but_elite(const struct net *x, const struct net *y)
{
	size_t lx = serial_size(x), ly = serial_size(y);
	uint8_t *bx = malloc(lx), *by = malloc(ly);
	int same;

	assert_non_null(bx);
	assert_non_null(by);
	serial_write(x, bx);
	serial_write(y, by);
	bx[7] = by[7] = 0;                           /* the elite flag */
	same = lx == ly && !memcmp(bx, by, lx - 4);  /* and the checksum over it */
	free(bx);
	free(by);
	return same;
}

/* children follow the plan: copies are copies, elites flagged, crossovers have a's shape */
static void test_build_children_follow_plan(void **state)
{
	struct population p;
	struct evo_config cfg;
	int i, g;

	(void)state;
	make_pop(&p, &cfg, 40);
	cfg.p_add_node = 0.5;
	cfg.p_add_conn = 0.5;
	cfg.elite = 3;
	for (g = 0; g < 10; g++) {             /* some structure to tell networks apart */
		p.gen = g;
		engine_mutate_range(&p, 0, p.n);
	}
	engine_select(&p);
	assert_int_equal(engine_build_children(&p, 0, p.n), 0);
	for (i = 0; i < p.n; i++) {
		const struct child_plan *k = &p.plan[i];
		const struct net *child = &p.next[i], *a = &p.nets[k->a];

		assert_int_equal(child->elite, k->elite);
		if (k->b < 0) {
			assert_true(same_but_elite(child, a));
		} else {
			assert_int_equal(child->n_nodes, a->n_nodes);
			assert_memory_equal(child->nodes, a->nodes, a->n_nodes * sizeof(*a->nodes));
			assert_int_equal(child->n_conns, a->n_conns);
		}
	}
	population_swap(&p);
	for (i = 0; i < cfg.elite; i++)
		assert_int_equal(p.nets[i].elite, 1);
	population_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elites_are_the_best),
		cmocka_unit_test(test_elite_ties_lower_index),
		cmocka_unit_test(test_crossover_parents_ordered),
		cmocka_unit_test(test_no_crossover_means_copies),
		cmocka_unit_test(test_tournament_pressure),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_build_children_follow_plan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
