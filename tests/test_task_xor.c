/*
 * Unit tests for engine/task_xor.c: fitness is 1 - mean squared error over the four
 * cases, checked on networks whose outputs are known, dynamic and static.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/engine.h"
#include "engine/task.h"

#define H(k) (NODE_HIDDEN_BIT | (uint32_t)(k))

static double sig(double x)
{
	return 1.0 / (1.0 + exp(-4.9 * x));
}

static float evaluate(struct net *n, struct scratch *s)
{
	struct evo_config cfg;

	evo_config_defaults(&cfg);
	cfg.task = TASK_XOR;
	if (n->mode == MODE_DYNAMIC)
		assert_int_equal(net_prepare(n, 1, s), 0);
	return task_xor.evaluate(n, NULL, &cfg, s);
}

/* constant 1/2 on every case: squared error 1/4 each, fitness exactly 3/4 */
static void test_half_everywhere(void **state)
{
	struct scratch s = { 0 };
	struct net d, st;

	(void)state;
	net_init(&d);
	net_init(&st);
	assert_int_equal(net_dynamic_minimal(&d, 2, 1), 0);
	assert_int_equal(net_static_alloc(&st, 2, 4, 1), 0);
	assert_true(evaluate(&d, &s) == 0.75f);
	assert_true(evaluate(&st, &s) == 0.75f);
	net_release(&d);
	net_release(&st);
	scratch_release(&s);
}

/* out = sig(w0 x0 + w1 x1 + b): the fitness from the four outputs computed here */
static void test_linear_network(void **state)
{
	static const float w[][3] = { { 1, 1, -0.5f }, { -2, 3, 0.1f }, { 0.3f, -0.3f, 2 } };
	static const double xs[4][2] = { { 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 } };
	static const double ys[4] = { 0, 1, 1, 0 };
	struct scratch s = { 0 };
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(w) / sizeof(w[0]); k++) {
		struct net n;
		double err = 0.0;
		int c;

		net_init(&n);
		assert_int_equal(net_dynamic_minimal(&n, 2, 1), 0);
		for (c = 0; c < 3; c++)
			n.conns[c].weight = w[k][c];
		for (c = 0; c < 4; c++) {
			double o = sig(w[k][0] * xs[c][0] + w[k][1] * xs[c][1] + w[k][2]);

			err += (o - ys[c]) * (o - ys[c]);
		}
		assert_float_equal(evaluate(&n, &s), 1.0 - err / 4.0, 1e-5);
		net_release(&n);
	}
	scratch_release(&s);
}

/* a hand-wired solution (OR and not AND) scores near 1 */
static void test_solution_scores_high(void **state)
{
	struct scratch s = { 0 };
	struct net n;
	float f;

	(void)state;
	net_init(&n);
	assert_int_equal(net_dynamic_minimal(&n, 2, 1), 0);
	n.conns[0].weight = n.conns[1].weight = n.conns[2].weight = 0.0f;
	assert_int_equal(net_insert_node(&n, H(1), NODE_HIDDEN), 0);     /* OR */
	assert_int_equal(net_insert_node(&n, H(2), NODE_HIDDEN), 0);     /* AND */
	assert_int_equal(net_insert_conn(&n, 0, H(1), 4.0f, 1), 0);
	assert_int_equal(net_insert_conn(&n, 1, H(1), 4.0f, 1), 0);
	assert_int_equal(net_insert_conn(&n, 2, H(1), -2.0f, 1), 0);
	assert_int_equal(net_insert_conn(&n, 0, H(2), 4.0f, 1), 0);
	assert_int_equal(net_insert_conn(&n, 1, H(2), 4.0f, 1), 0);
	assert_int_equal(net_insert_conn(&n, 2, H(2), -6.0f, 1), 0);
	assert_int_equal(net_insert_conn(&n, H(1), 3, 4.0f, 1), 0);
	assert_int_equal(net_insert_conn(&n, H(2), 3, -4.0f, 1), 0);
	n.conns[net_find_conn(&n, 2, 3)].weight = -2.0f;
	f = evaluate(&n, &s);
	assert_true(f > 0.99f && f <= 1.0f);
	/* the same wiring with the output inverted is about as bad as can be */
	n.conns[net_find_conn(&n, H(1), 3)].weight = -4.0f;
	n.conns[net_find_conn(&n, H(2), 3)].weight = 4.0f;
	n.conns[net_find_conn(&n, 2, 3)].weight = 2.0f;
	n.plan.weights_dirty = 1;
	f = evaluate(&n, &s);
	assert_true(f >= 0.0f && f < 0.01f);
	net_release(&n);
	scratch_release(&s);
}

static void test_registered(void **state)
{
	(void)state;
	assert_ptr_equal(task_find("xor"), &task_xor);
	assert_ptr_equal(task_by_kind(TASK_XOR), &task_xor);
	assert_int_equal(task_xor.n_in, 2);
	assert_int_equal(task_xor.n_out, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_half_everywhere),
		cmocka_unit_test(test_linear_network),
		cmocka_unit_test(test_solution_scores_high),
		cmocka_unit_test(test_registered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
