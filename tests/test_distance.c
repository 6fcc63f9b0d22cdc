/*
 * Unit tests for engine/distance.c: NEAT's compatibility distance on genomes whose excess,
 * disjoint and matching genes are known, symmetry, the static form, and the population mean
 * over all pairs and over sampled pairs.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "engine/distance.h"

#define HID (NODE_HIDDEN_BIT | 5u)

/* inputs 0 and 1, bias 2, output 3; connections (0,3) (1,3) (2,3) with weights w */
static void minimal(struct net *n, float w)
{
	uint32_t i;

	net_init(n);
	assert_int_equal(net_dynamic_minimal(n, 2, 1), 0);
	for (i = 0; i < n->n_conns; i++)
		n->conns[i].weight = w;
}

static void test_identical_is_zero(void **state)
{
	struct net a, b;

	(void)state;
	minimal(&a, 0.3f);
	minimal(&b, 0.3f);
	assert_true(net_distance(&a, &b) == 0.0);
	assert_true(net_distance(&a, &a) == 0.0);
	net_release(&a);
	net_release(&b);
}

static void test_weights_only(void **state)
{
	struct net a, b;

	(void)state;
	minimal(&a, 0.25f);
	minimal(&b, -0.25f);
	/* every gene matches: the distance is the mean weight difference */
	assert_true(fabs(net_distance(&a, &b) - 0.5) < 1e-9);
	net_release(&a);
	net_release(&b);
}

/*
 * a: (0,3) (1,3) (2,3). b: (1,3) removed, a hidden node H on (0,H) (H,3). In innovation order
 * b is (0,3) (0,H) (2,3) (H,3): (0,H) and (1,3) are disjoint, (H,3) is excess, (0,3) and
 * (2,3) match; N = 4.
 */
static void test_excess_disjoint_matching(void **state)
{
	struct net a, b;
	double want;

	(void)state;
	minimal(&a, 1.0f);
	minimal(&b, 1.0f);
	b.conns[0].weight = 0.5f;                       /* (0,3): a difference of 0.5 */
	net_remove_conn_at(&b, (size_t)net_find_conn(&b, 1, 3));
	assert_int_equal(net_insert_node(&b, HID, NODE_HIDDEN), 0);
	assert_int_equal(net_insert_conn(&b, 0, HID, 2.0f, 1), 0);
	assert_int_equal(net_insert_conn(&b, HID, 3, 2.0f, 1), 0);
	assert_int_equal(b.n_conns, 4);
	want = 3.0 / 4.0 + (0.5 + 0.0) / 2.0;
	assert_true(fabs(net_distance(&a, &b) - want) < 1e-9);
	assert_true(net_distance(&a, &b) == net_distance(&b, &a));
	net_release(&a);
	net_release(&b);
}

static void test_no_connections(void **state)
{
	struct net a, b;

	(void)state;
	minimal(&a, 1.0f);
	minimal(&b, 1.0f);
	while (a.n_conns)
		net_remove_conn_at(&a, 0);
	/* nothing matches: every one of b's three genes is excess */
	assert_true(fabs(net_distance(&a, &b) - 1.0) < 1e-9);
	while (b.n_conns)
		net_remove_conn_at(&b, 0);
	assert_true(net_distance(&a, &b) == 0.0);
	net_release(&a);
	net_release(&b);
}

static void test_static(void **state)
{
	struct net a, b, c;
	uint32_t i;

	(void)state;
	net_init(&a);
	net_init(&b);
	net_init(&c);
	assert_int_equal(net_static_alloc(&a, 6, 4, 1), 0);
	assert_int_equal(net_static_alloc(&b, 6, 4, 1), 0);
	assert_int_equal(net_static_alloc(&c, 6, 8, 1), 0);
	for (i = 0; i < a.n_weights; i++) {
		a.weights[i] = (float)i;
		b.weights[i] = (float)i + (i % 2 ? 1.0f : -1.0f);
	}
	assert_true(fabs(net_distance(&a, &b) - 1.0) < 1e-9);
	assert_true(net_distance(&a, &c) == HUGE_VAL);
	net_release(&c);
	minimal(&c, 0.0f);
	assert_true(net_distance(&a, &c) == HUGE_VAL);   /* another kind */
	net_release(&a);
	net_release(&b);
	net_release(&c);
}

/* n networks, the first `odd` of them with weights w1, the rest w0 */
static void make_pop(struct population *p, struct evo_config *cfg, int n, int odd)
{
	int i;

	evo_config_defaults(cfg);
	p->cfg = cfg;
	p->n = n;
	p->nets = calloc((size_t)n, sizeof(*p->nets));
	assert_non_null(p->nets);
	for (i = 0; i < n; i++)
		minimal(&p->nets[i], i < odd ? 1.0f : 0.0f);
}

static void free_pop(struct population *p)
{
	int i;

	for (i = 0; i < p->n; i++)
		net_release(&p->nets[i]);
	free(p->nets);
}

static void test_population_all_pairs(void **state)
{
	struct population p;
	struct evo_config cfg;

	(void)state;
	/* 4 networks, one apart from the rest by 1: 3 of the 6 pairs differ */
	make_pop(&p, &cfg, 4, 1);
	assert_true(fabs(population_mean_distance(&p) - 0.5) < 1e-9);
	free_pop(&p);
	make_pop(&p, &cfg, 1, 0);
	assert_true(population_mean_distance(&p) == 0.0);
	free_pop(&p);
}

static void test_population_sampled(void **state)
{
	struct population p;
	struct evo_config cfg;
	double d1, d2;

	(void)state;
	/* past DISTANCE_ALL_PAIRS: sampled pairs never pair a network with itself */
	make_pop(&p, &cfg, DISTANCE_ALL_PAIRS + 1, 0);
	assert_true(population_mean_distance(&p) == 0.0);
	free_pop(&p);
	/* half apart: a pair differs with probability about one half */
	make_pop(&p, &cfg, 2 * DISTANCE_ALL_PAIRS, DISTANCE_ALL_PAIRS);
	d1 = population_mean_distance(&p);
	d2 = population_mean_distance(&p);
	assert_true(d1 == d2);
	assert_true(fabs(d1 - 0.5) < 0.01);
	free_pop(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identical_is_zero),
		cmocka_unit_test(test_weights_only),
		cmocka_unit_test(test_excess_disjoint_matching),
		cmocka_unit_test(test_no_connections),
		cmocka_unit_test(test_static),
		cmocka_unit_test(test_population_all_pairs),
		cmocka_unit_test(test_population_sampled),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
