/*
 * Hand-built genomes shared by the net tests (test_net.c, test_net_check.c): the minimal
 * xor network and a path network with hidden nodes, each asserted as it is built.
 */
#ifndef EVOPAR_TESTS_NET_FIXTURES_H
#define EVOPAR_TESTS_NET_FIXTURES_H

#include "engine/net.h"

#define H(k) (NODE_HIDDEN_BIT | (uint32_t)(k))    /* a hand-made hidden id */

/* 2 inputs (0, 1), bias 2, output 3, wired 0->3, 1->3, 2->3 */
static inline void xor_net(struct net *n)
{
	net_init(n);
	assert_int_equal(net_dynamic_minimal(n, 2, 1), 0);
}

static inline void path_net(struct net *n)
{
	xor_net(n);
	assert_int_equal(net_insert_node(n, H(1), NODE_HIDDEN), 0);   /* A */
	assert_int_equal(net_insert_node(n, H(2), NODE_HIDDEN), 0);   /* B */
	assert_int_equal(net_insert_node(n, H(3), NODE_HIDDEN), 0);   /* C */
	assert_int_equal(net_insert_conn(n, 0, H(1), 1.0f, 1), 0);
	assert_int_equal(net_insert_conn(n, H(1), H(2), 1.0f, 1), 0);
	assert_int_equal(net_insert_conn(n, H(2), 3, 1.0f, 1), 0);
	assert_int_equal(net_insert_conn(n, 1, H(2), 1.0f, 1), 0);
	assert_int_equal(net_insert_conn(n, H(3), H(1), 1.0f, 0), 0);
}

#endif
