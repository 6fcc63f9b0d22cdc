/*
 * Unit tests for strategies/island.c: whom an island takes from (ring, full), which networks
 * it sends (the best, or a keyed draw), that immigrants take the places of the worst and never
 * of each other, the migration record it logs, and the checks every form of islands makes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/engine.h"
#include "strategies/common/island.h"

struct fixture {
	struct strategy_config cfg;
	struct population p;
	struct island isl;
};

/* island 1 of k, holding the first n networks of a population, fitness of net j = j / n */
static struct fixture *make(int k, int n, int migrants, int topology, int select)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[200];
	int j;

	assert_non_null(f);
	strategy_config_defaults(&f->cfg);
	f->cfg.evo.task = TASK_XOR;
	f->cfg.evo.pop = n * k;
	f->cfg.islands = k;
	f->cfg.migrants = migrants;
	f->cfg.topology = topology;
	f->cfg.migrant_select = select;
	assert_int_equal(population_init(&f->p, &f->cfg.evo, err, sizeof(err)), 0);
	assert_int_equal(island_init(&f->isl, &f->cfg, 1, n), 0);
	assert_int_equal(island_take_share(&f->isl, &f->p, 0, n), 0);
	for (j = 0; j < n; j++) {
		net_init(&f->p.nets[j]);           /* the island owns them now */
		f->isl.pop.nets[j].fitness = (float)j / (float)n;
		f->isl.pop.nets[j].origin = 1;
	}
	return f;
}

static void release(struct fixture *f)
{
	island_release(&f->isl);
	population_release(&f->p);
	free(f);
}

static void test_sources(void **state)
{
	struct fixture *f;

	(void)state;
	f = make(4, 10, 2, TOPOLOGY_RING, MIGRANTS_BEST);
	assert_int_equal(f->isl.n_sources, 1);
	assert_int_equal(f->isl.sources[0], 0);                 /* island i-1 */
	assert_int_equal(island_max_immigrants(&f->cfg), 2);
	release(f);
	f = make(4, 10, 2, TOPOLOGY_FULL, MIGRANTS_BEST);
	assert_int_equal(f->isl.n_sources, 3);
	assert_int_equal(f->isl.sources[0], 0);
	assert_int_equal(f->isl.sources[1], 2);
	assert_int_equal(f->isl.sources[2], 3);
	assert_int_equal(island_max_immigrants(&f->cfg), 6);
	release(f);
}

static void test_best_emigrants(void **state)
{
	struct fixture *f = make(2, 10, 3, TOPOLOGY_RING, MIGRANTS_BEST);

	(void)state;
	island_pick_emigrants(&f->isl, 4);
	assert_ptr_equal(f->isl.emig[0], &f->isl.pop.nets[9]);
	assert_ptr_equal(f->isl.emig[1], &f->isl.pop.nets[8]);
	assert_ptr_equal(f->isl.emig[2], &f->isl.pop.nets[7]);
	release(f);
}

static void test_random_emigrants(void **state)
{
	struct fixture *f = make(2, 20, 5, TOPOLOGY_RING, MIGRANTS_RANDOM);
	const struct net *first[5];
	int i, j, best_only = 1, same = 1;

	(void)state;
	island_pick_emigrants(&f->isl, 4);
	memcpy(first, f->isl.emig, sizeof(first));
	for (i = 0; i < 5; i++) {
		for (j = 0; j < i; j++)
			assert_ptr_not_equal(first[i], first[j]);      /* distinct */
		best_only &= first[i] >= &f->isl.pop.nets[15];
	}
	assert_false(best_only);
	island_pick_emigrants(&f->isl, 4);                     /* the same key, the same draw */
	for (i = 0; i < 5; i++)
		assert_ptr_equal(f->isl.emig[i], first[i]);
	island_pick_emigrants(&f->isl, 9);                     /* another generation, another */
	for (i = 0; i < 5; i++)
		same &= f->isl.emig[i] == first[i];
	assert_false(same);
	release(f);
}

static void test_replace_worst(void **state)
{
	struct fixture *f = make(4, 10, 2, TOPOLOGY_FULL, MIGRANTS_BEST);
	int i, j, from0 = 0;

	(void)state;
	/* three sources' two migrants each, fitter than everyone: six places, the six worst */
	for (i = 0; i < 6; i++) {
		assert_int_equal(net_copy(&f->isl.imm[i], &f->isl.pop.nets[9]), 0);
		f->isl.imm[i].fitness = 2.0f + (float)i;
		f->isl.imm[i].origin = i < 2 ? 0 : i < 4 ? 2 : 3;
	}
	f->isl.n_imm = 6;
	assert_int_equal(island_log_arrival(&f->isl, 4, 0, 4, 0, 2), 0);
	assert_int_equal(island_replace_worst(&f->isl), 0);
	assert_int_equal(f->isl.n_imm, 0);
	for (j = 0; j < 6; j++)
		assert_true(f->isl.pop.nets[j].fitness >= 2.0f);   /* the worst six went */
	for (j = 6; j < 10; j++)
		assert_true(f->isl.pop.nets[j].fitness == (float)j / 10.0f);
	for (j = 0; j < 10; j++)
		from0 += f->isl.pop.nets[j].origin == 0;
	assert_int_equal(from0, 2);
	/* the log: one record, source 0 to island 1, the two migrants' fitness */
	assert_non_null(strstr(f->isl.log, "\"type\":\"migration\""));
	assert_non_null(strstr(f->isl.log, "\"gen\":4,\"sent_gen\":4,\"src\":0,\"dst\":1,"
				   "\"fitness\":[2.0,3.0]}\n"));
	release(f);
}

static void test_config_check(void **state)
{
	static const struct {
		int islands, pop, migrants, topology;
		const char *want;      /* NULL: accepted */
	} cases[] = {
		{ 2, 40, 2, TOPOLOGY_RING, NULL },
		{ 4, 7, 1, TOPOLOGY_RING, "fewer than 2 networks per island" },
		{ 2, 10, 5, TOPOLOGY_RING, "--migrants 5: expected fewer than the 5 networks" },
		{ 4, 40, 3, TOPOLOGY_FULL, NULL },
		{ 4, 40, 4, TOPOLOGY_FULL, "brings 12 immigrants" },
		{ 4, 40, 3, TOPOLOGY_RING, NULL },
	};
	struct strategy_config c;
	char why[300];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		strategy_config_defaults(&c);
		c.islands = cases[i].islands;
		c.evo.pop = cases[i].pop;
		c.migrants = cases[i].migrants;
		c.topology = cases[i].topology;
		why[0] = 0;
		if (!cases[i].want) {
			assert_int_equal(island_config_check(&c, why, sizeof(why)), 0);
		} else {
			assert_int_not_equal(island_config_check(&c, why, sizeof(why)), 0);
			assert_non_null(strstr(why, cases[i].want));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_best_emigrants),
		cmocka_unit_test(test_random_emigrants),
		cmocka_unit_test(test_replace_worst),
		cmocka_unit_test(test_config_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
