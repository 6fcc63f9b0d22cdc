/*
 * Unit tests for engine/crossover.c: a dynamic child has the fitter parent's nodes and
 * connection set, each matching gene's weight from one parent or the other, and a valid
 * genome; a static child takes each weight from one of its parents.
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

static void grow_config(struct evo_config *cfg)
{
	evo_config_defaults(cfg);
	cfg->seed = 31;
	cfg->p_weights = 0.9;
	cfg->p_add_conn = 0.6;
	cfg->p_add_node = 0.3;
	cfg->p_toggle = 0.2;
	cfg->p_prune_conn = 0.05;
	cfg->p_prune_node = 0.05;
}

/* two relatives: the same minimal ancestor, then gens generations apart */
static void make_parents(struct net *a, struct net *b, const struct evo_config *cfg, int gens)
{
	struct rng r;
	uint32_t i;
	int g;

	net_init(a);
	net_init(b);
	assert_int_equal(net_dynamic_minimal(a, 6, 1), 0);
	rng_init(&r, 3, 0, 0, RNG_INIT);
	for (i = 0; i < a->n_conns; i++)
		a->conns[i].weight = rng_gauss(&r);
	assert_int_equal(net_copy(b, a), 0);
	for (g = 0; g < gens; g++) {
		net_mutate(a, cfg, (uint64_t)g, 1);
		net_mutate(b, cfg, (uint64_t)g, 2);
	}
	a->fitness = 0.9f;
	b->fitness = 0.4f;
}

static int same_bytes(const struct net *x, const struct net *y)
{
	size_t lx = serial_size(x), ly = serial_size(y);
	uint8_t *bx = malloc(lx), *by = malloc(ly);
	int same;

	assert_non_null(bx);
	assert_non_null(by);
	serial_write(x, bx);
	serial_write(y, by);
	same = lx == ly && !memcmp(bx, by, lx);
	free(bx);
	free(by);
	return same;
}

struct tally {
	uint32_t matching, from_a, from_b;     /* matching genes, and whose weight they took */
	uint32_t half_disabled, reenabled;     /* genes disabled in one parent, and re-enabled */
};

/* child = crossover(a, b), a the fitter: check every promise, count the choices */
static void check_child(const struct net *child, const struct net *a, const struct net *b,
			struct tally *t)
{
	char why[160];
	uint32_t i;

	if (net_check(child, why, sizeof(why)))
		fail_msg("child genome invalid: %s", why);
	assert_int_equal(child->mode, MODE_DYNAMIC);
	assert_int_equal(child->n_in, a->n_in);
	assert_int_equal(child->n_out, a->n_out);
	assert_int_equal(child->n_nodes, a->n_nodes);
	assert_memory_equal(child->nodes, a->nodes, a->n_nodes * sizeof(*a->nodes));
	assert_int_equal(child->n_conns, a->n_conns);
	assert_int_equal(child->plan.valid, 0);
	for (i = 0; i < a->n_conns; i++) {
		const struct conn_gene *c = &child->conns[i], *ga = &a->conns[i];
		long j = net_find_conn(b, ga->in, ga->out);

		assert_int_equal(conn_innovation(c), conn_innovation(ga));
		if (j < 0) {
			/* disjoint or excess: the fitter parent's gene as it is */
			assert_true(c->weight == ga->weight);
			assert_int_equal(c->enabled, ga->enabled);
			continue;
		}
		t->matching++;
		if (c->weight == ga->weight)
			t->from_a++;
		else if (c->weight == b->conns[j].weight)
			t->from_b++;
		else
			fail_msg("gene %u->%u: weight %g from neither parent (%g, %g)", ga->in,
				 ga->out, c->weight, ga->weight, b->conns[j].weight);
		if (ga->enabled && b->conns[j].enabled) {
			assert_int_equal(c->enabled, 1);
		} else {
			t->half_disabled++;
			t->reenabled += c->enabled;
		}
	}
}

static void test_dynamic_child(void **state)
{
	struct evo_config cfg;
	struct net a, b, child, again;
	struct tally t = { 0 };
	int i;

	(void)state;
	grow_config(&cfg);
	make_parents(&a, &b, &cfg, 40);
	/* the parents really differ in structure, and share genes */
	assert_true(a.n_nodes != b.n_nodes || a.n_conns != b.n_conns);
	net_init(&child);
	net_init(&again);
	for (i = 0; i < 300; i++) {
		assert_int_equal(net_crossover(&child, &a, &b, &cfg, 5, (uint64_t)i), 0);
		check_child(&child, &a, &b, &t);
		/* the same key gives the same child */
		assert_int_equal(net_crossover(&again, &a, &b, &cfg, 5, (uint64_t)i), 0);
		assert_true(same_bytes(&child, &again));
	}
	assert_true(t.matching >= 300 * 5);
	/* a fair coin per matching gene */
	assert_true(t.from_a + t.from_b == t.matching);
	assert_true(t.from_b > t.matching / 3 && t.from_a > t.matching / 3);
	/* NEAT's rule: a gene disabled in a parent is re-enabled about one time in four */
	assert_true(t.half_disabled > 100);
	assert_true(t.reenabled > t.half_disabled / 8 && t.reenabled < t.half_disabled / 2);

	/* the roles swapped: now b's structure */
	{
		struct tally u = { 0 };

		assert_int_equal(net_crossover(&child, &b, &a, &cfg, 5, 0), 0);
		check_child(&child, &b, &a, &u);
	}
	net_release(&a);
	net_release(&b);
	net_release(&child);
	net_release(&again);
}

/* a child net that held a bigger genome before comes out the same as a fresh one */
static void test_dynamic_child_reuses_storage(void **state)
{
	struct evo_config cfg;
	struct net a, b, big, fresh, scrap;
	struct scratch s = { 0 };

	(void)state;
	grow_config(&cfg);
	make_parents(&a, &b, &cfg, 25);
	make_parents(&big, &scrap, &cfg, 120);
	assert_true(big.n_conns > a.n_conns && big.n_nodes > a.n_nodes);
	assert_int_equal(net_prepare(&big, 1, &s), 0);     /* a valid plan to go stale */
	net_init(&fresh);
	assert_int_equal(net_crossover(&big, &a, &b, &cfg, 8, 17), 0);
	assert_int_equal(net_crossover(&fresh, &a, &b, &cfg, 8, 17), 0);
	assert_true(same_bytes(&big, &fresh));
	assert_int_equal(big.plan.valid, 0);
	net_release(&a);
	net_release(&b);
	net_release(&big);
	net_release(&fresh);
	net_release(&scrap);
	scratch_release(&s);
}

/* identical parents give a child identical to them (but for the stale plan) */
static void test_dynamic_identical_parents(void **state)
{
	struct evo_config cfg;
	struct net a, b, child;
	uint32_t i;

	(void)state;
	grow_config(&cfg);
	make_parents(&a, &b, &cfg, 30);
	/* make every gene enabled so that the 3-in-4 rule does not apply */
	for (i = 0; i < a.n_conns; i++)
		a.conns[i].enabled = 1;
	assert_int_equal(net_check(&a, NULL, 0), 0);
	net_init(&child);
	assert_int_equal(net_crossover(&child, &a, &a, &cfg, 1, 1), 0);
	assert_true(same_bytes(&child, &a));
	net_release(&a);
	net_release(&b);
	net_release(&child);
}

static void test_static_child(void **state)
{
	struct evo_config cfg;
	struct net a, b, child, again;
	uint32_t i, from_a = 0, from_b = 0;
	int k;

	(void)state;
	evo_config_defaults(&cfg);
	net_init(&a);
	net_init(&b);
	net_init(&child);
	net_init(&again);
	assert_int_equal(net_static_alloc(&a, 6, 16, 1), 0);
	assert_int_equal(net_static_alloc(&b, 6, 16, 1), 0);
	for (i = 0; i < a.n_weights; i++) {
		a.weights[i] = (float)i + 1.0f;          /* every weight tells its parent */
		b.weights[i] = -(float)i - 1.0f;
	}
	for (k = 0; k < 50; k++) {
		uint32_t ka = 0, kb = 0;

		assert_int_equal(net_crossover(&child, &a, &b, &cfg, 2, (uint64_t)k), 0);
		assert_int_equal(child.mode, MODE_STATIC);
		assert_int_equal(child.n_weights, a.n_weights);
		assert_int_equal(child.hidden, 16);
		for (i = 0; i < a.n_weights; i++) {
			if (child.weights[i] == a.weights[i])
				ka++;
			else if (child.weights[i] == b.weights[i])
				kb++;
			else
				fail_msg("weight %u: %g from neither parent", i, child.weights[i]);
		}
		assert_int_equal(ka + kb, a.n_weights);
		/* each of the 401 weights is a fair coin: far from all one way */
		assert_true(ka > a.n_weights / 3 && kb > a.n_weights / 3);
		from_a += ka;
		from_b += kb;
		assert_int_equal(net_crossover(&again, &a, &b, &cfg, 2, (uint64_t)k), 0);
		assert_memory_equal(again.weights, child.weights, a.n_weights * sizeof(float));
	}
	/* the last weights (past the last full 64) are mixed too */
	for (i = a.n_weights - a.n_weights % 64, k = 0; i < a.n_weights; i++)
		k += child.weights[i] == b.weights[i];
	assert_true(a.n_weights % 64 == 0 || (k > 0 && k < (int)(a.n_weights % 64)));
	assert_true(from_a > 0 && from_b > 0);
	/* a different key gives a different child */
	assert_int_equal(net_crossover(&again, &a, &b, &cfg, 3, 0), 0);
	assert_int_equal(net_crossover(&child, &a, &b, &cfg, 2, 0), 0);
	assert_memory_not_equal(again.weights, child.weights, a.n_weights * sizeof(float));
	net_release(&a);
	net_release(&b);
	net_release(&child);
	net_release(&again);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dynamic_child),
		cmocka_unit_test(test_dynamic_child_reuses_storage),
		cmocka_unit_test(test_dynamic_identical_parents),
		cmocka_unit_test(test_static_child),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
