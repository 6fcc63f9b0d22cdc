/*
 * Unit tests for engine/forward.c: the static perceptron's batched forward pass against
 * hand-computed values (tanh hidden layers, NEAT's sigmoid out), row by row, and a
 * dynamic network with several outputs in output order.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/engine.h"

#define H(k) (NODE_HIDDEN_BIT | (uint32_t)(k))

static double sig(double x)
{
	return 1.0 / (1.0 + exp(-4.9 * x));
}

/* y = act(W x + b), W n_out x n_in row-major, in double */
static void layer(const float *w, const float *b, const double *x, int n_in, int n_out,
		  double *y, int hidden)
{
	int j, i;

	for (j = 0; j < n_out; j++) {
		double v = b[j];

		for (i = 0; i < n_in; i++)
			v += (double)w[j * n_in + i] * x[i];
		y[j] = hidden ? tanh(v) : sig(v);
	}
}

/* a 3-4-4-2 perceptron with distinct weights, over 5 rows at once and one at a time */
static void test_static_forward(void **state)
{
	enum { IN = 3, HID = 4, OUT = 2, ROWS = 5 };
	static const float x[ROWS][IN] = {
		{ 0, 0, 0 }, { 1, 0, 0 }, { 0.5f, -0.5f, 0.25f }, { -1, 2, -3 }, { 0.1f, 0.2f, 0.3f },
	};
	struct mlp_shape s;
	struct net n;
	float tmp[2 * ROWS * HID], out[ROWS * OUT], one[OUT];
	uint32_t i;
	int r, j;

	(void)state;
	net_init(&n);
	assert_int_equal(net_static_alloc(&n, IN, HID, OUT), 0);
	mlp_shape_of(&s, IN, HID, OUT);
	for (i = 0; i < n.n_weights; i++)
		n.weights[i] = (float)sin(1.0 + i * 0.7) * 0.8f;
	net_forward_static(&n, &x[0][0], ROWS, tmp, out);
	for (r = 0; r < ROWS; r++) {
		double in[IN], h1[HID], h2[HID], want[OUT];

		for (j = 0; j < IN; j++)
			in[j] = x[r][j];
		layer(n.weights + s.w1, n.weights + s.b1, in, IN, HID, h1, 1);
		layer(n.weights + s.w2, n.weights + s.b2, h1, HID, HID, h2, 1);
		layer(n.weights + s.w3, n.weights + s.b3, h2, HID, OUT, want, 0);
		for (j = 0; j < OUT; j++)
			assert_float_equal(out[r * OUT + j], want[j], 1e-5);
		/* a row alone gives the same as in the batch */
		net_forward_static(&n, x[r], 1, tmp, one);
		for (j = 0; j < OUT; j++)
			assert_float_equal(one[j], out[r * OUT + j], 1e-6);
	}
	/* the two outputs differ: the layout really has two output rows */
	assert_true(fabsf(out[2] - out[3]) > 1e-3f);
	net_release(&n);
}

/* all weights zero: tanh(0) = 0 and every output exactly 1/2 */
static void test_static_zero(void **state)
{
	float in[2 * 6] = { 1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5, -6 }, tmp[2 * 2 * 16], out[2];
	struct net n;

	(void)state;
	net_init(&n);
	assert_int_equal(net_static_alloc(&n, 6, 16, 1), 0);
	net_forward_static(&n, in, 2, tmp, out);
	assert_true(out[0] == 0.5f && out[1] == 0.5f);
	net_release(&n);
}

/* a dynamic 2-in 3-out network: each output its own sum, in output order */
static void test_dynamic_outputs_in_order(void **state)
{
	static const float w_out[3][3] = {        /* from x0, x1, bias into outputs 3, 4, 5 */
		{ 1.0f, 0.0f, 0.0f }, { 0.0f, -1.0f, 0.5f }, { 0.25f, 0.25f, -0.25f },
	};
	struct scratch s = { 0 };
	struct net n;
	float in[2] = { 0.3f, 0.7f }, act[8], out[3];
	double hid;
	uint32_t i, o;

	(void)state;
	net_init(&n);
	assert_int_equal(net_dynamic_minimal(&n, 2, 3), 0);
	for (i = 0; i < 3; i++)
		for (o = 0; o < 3; o++)
			n.conns[net_find_conn(&n, i, 3 + o)].weight = w_out[o][i];
	/* and a hidden node between x1 and output 5 */
	assert_int_equal(net_insert_node(&n, H(1), NODE_HIDDEN), 0);
	assert_int_equal(net_insert_conn(&n, 1, H(1), 2.0f, 1), 0);
	assert_int_equal(net_insert_conn(&n, H(1), 5, -1.5f, 1), 0);
	assert_int_equal(net_prepare(&n, 1, &s), 0);
	net_forward_dynamic(&n, in, act, out);
	hid = sig(2.0 * 0.7);
	assert_float_equal(out[0], sig(0.3), 1e-6);
	assert_float_equal(out[1], sig(-0.7 + 0.5), 1e-6);
	assert_float_equal(out[2], sig(0.25 * 0.3 + 0.25 * 0.7 - 0.25 - 1.5 * hid), 1e-6);
	/* act holds every node: inputs as given, the bias 1 */
	assert_true(act[0] == 0.3f && act[1] == 0.7f && act[2] == 1.0f);
	assert_float_equal(act[6], hid, 1e-6);
	net_release(&n);
	scratch_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_static_forward),
		cmocka_unit_test(test_static_zero),
		cmocka_unit_test(test_dynamic_outputs_in_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
