/*
 * Unit tests for engine/net.c's net_check: each broken invariant of a genome, built by hand,
 * is caught and named, and valid genomes pass.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "engine/config.h"
#include "engine/net.h"
#include "tests/net_fixtures.h"

/* ---- net_check: each broken invariant, built by hand ---- */

static void brk_dup_conn(struct net *n)
{
	/* two genes with the same (in, out), written past the sorted insert */
	n->conns[1] = n->conns[0];
}

static void brk_unsorted_conns(struct net *n)
{
	struct conn_gene t = n->conns[0];

	n->conns[0] = n->conns[2];
	n->conns[2] = t;
}

static void brk_cycle(struct net *n)
{
	assert_int_equal(net_insert_node(n, H(1), NODE_HIDDEN), 0);
	assert_int_equal(net_insert_node(n, H(2), NODE_HIDDEN), 0);
	assert_int_equal(net_insert_conn(n, 0, H(1), 1.0f, 1), 0);
	assert_int_equal(net_insert_conn(n, H(1), H(2), 1.0f, 1), 0);
	assert_int_equal(net_insert_conn(n, H(2), H(1), 1.0f, 1), 0);
	assert_int_equal(net_insert_conn(n, H(2), 3, 1.0f, 1), 0);
}

static void brk_disabled_cycle(struct net *n)
{
	/* a disabled connection may be enabled later: it closes a cycle all the same */
	brk_cycle(n);
	n->conns[net_find_conn(n, H(2), H(1))].enabled = 0;
}

static void brk_self_loop(struct net *n)
{
	assert_int_equal(net_insert_node(n, H(1), NODE_HIDDEN), 0);
	assert_int_equal(net_insert_conn(n, H(1), H(1), 1.0f, 1), 0);
}

static void brk_output_cycle(struct net *n)
{
	assert_int_equal(net_insert_node(n, H(1), NODE_HIDDEN), 0);
	assert_int_equal(net_insert_conn(n, 3, H(1), 1.0f, 1), 0);
	assert_int_equal(net_insert_conn(n, H(1), 3, 1.0f, 1), 0);
}

static void brk_dangling_out(struct net *n)
{
	assert_int_equal(net_insert_conn(n, 0, H(5), 1.0f, 1), 0);
}

static void brk_dangling_in(struct net *n)
{
	assert_int_equal(net_insert_conn(n, H(5), 3, 1.0f, 1), 0);
}

static void brk_into_input(struct net *n)
{
	assert_int_equal(net_insert_conn(n, 3, 1, 1.0f, 1), 0);
}

static void brk_into_bias(struct net *n)
{
	assert_int_equal(net_insert_node(n, H(1), NODE_HIDDEN), 0);
	assert_int_equal(net_insert_conn(n, H(1), 2, 1.0f, 0), 0);
}

static void brk_input_to_input(struct net *n)
{
	assert_int_equal(net_insert_conn(n, 0, 1, 1.0f, 1), 0);
}

static void brk_no_hidden_bit(struct net *n)
{
	assert_int_equal(net_insert_node(n, 1000, NODE_HIDDEN), 0);
}

static void brk_hidden_kind_output(struct net *n)
{
	assert_int_equal(net_insert_node(n, H(1), NODE_OUTPUT), 0);
}

static void brk_wrong_fixed_kind(struct net *n)
{
	n->nodes[1].kind = NODE_BIAS;
}

static void brk_wrong_fixed_id(struct net *n)
{
	n->nodes[3].id = 7;
}

static void brk_unsorted_nodes(struct net *n)
{
	assert_int_equal(net_insert_node(n, H(1), NODE_HIDDEN), 0);
	assert_int_equal(net_insert_node(n, H(2), NODE_HIDDEN), 0);
	n->nodes[4].id = H(2);
	n->nodes[5].id = H(1);
}

static void brk_dup_node(struct net *n)
{
	assert_int_equal(net_insert_node(n, H(1), NODE_HIDDEN), 0);
	assert_int_equal(net_insert_node(n, H(2), NODE_HIDDEN), 0);
	n->nodes[5].id = H(1);
}

static void brk_too_few_nodes(struct net *n)
{
	n->n_nodes = 3;
	n->n_conns = 0;
}

static const struct {
	const char *name;
	void (*brk)(struct net *n);
	const char *says;            /* a word the reason must contain */
} broken[] = {
	{ "duplicate connection", brk_dup_conn, "duplicate" },
	{ "unsorted connections", brk_unsorted_conns, "unsorted" },
	{ "cycle of two hidden nodes", brk_cycle, "cycle" },
	{ "cycle closed by a disabled connection", brk_disabled_cycle, "cycle" },
	{ "self-loop", brk_self_loop, "cycle" },
	{ "cycle through the output", brk_output_cycle, "cycle" },
	{ "dangling target", brk_dangling_out, "dangling" },
	{ "dangling source", brk_dangling_in, "dangling" },
	{ "connection into an input", brk_into_input, "input" },
	{ "connection into the bias", brk_into_bias, "input" },
	{ "input to input", brk_input_to_input, "input" },
	{ "hidden node without the hidden bit", brk_no_hidden_bit, "hidden bit" },
	{ "hidden node of kind output", brk_hidden_kind_output, "kind" },
	{ "input of kind bias", brk_wrong_fixed_kind, "kind" },
	{ "output with a wrong id", brk_wrong_fixed_id, "id" },
	{ "unsorted nodes", brk_unsorted_nodes, "increasing" },
	{ "duplicate node", brk_dup_node, "increasing" },
	{ "fewer nodes than inputs, bias and outputs", brk_too_few_nodes, "nodes" },
};

static void test_check_catches_each_invariant(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		struct net n;
		char why[160] = "";

		xor_net(&n);
		assert_int_equal(net_check(&n, why, sizeof(why)), 0);
		broken[i].brk(&n);
		if (net_check(&n, why, sizeof(why)) != -EINVAL)
			fail_msg("net_check accepted: %s", broken[i].name);
		if (!strstr(why, broken[i].says))
			fail_msg("%s: reason '%s' lacks '%s'", broken[i].name, why, broken[i].says);
		/* without a buffer for the reason it still fails */
		assert_int_equal(net_check(&n, NULL, 0), -EINVAL);
		net_release(&n);
	}
}

/* a valid genome with hidden nodes, disabled genes and crossing paths passes */
static void test_check_accepts_valid(void **state)
{
	struct net n;
	char why[160] = "";

	(void)state;
	path_net(&n);
	assert_int_equal(net_insert_conn(&n, H(3), 3, -1.0f, 1), 0);
	assert_int_equal(net_insert_conn(&n, 2, H(3), 0.5f, 0), 0);
	assert_int_equal(net_check(&n, why, sizeof(why)), 0);
	assert_string_equal(why, "");
	net_release(&n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_catches_each_invariant),
		cmocka_unit_test(test_check_accepts_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
