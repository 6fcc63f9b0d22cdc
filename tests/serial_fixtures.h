/*
 * What the serial tests (test_serial.c, test_serial_fuzz.c) share: the wire layout's offsets,
 * a record's checksum made right, and two genomes to encode (little-endian words are
 * serial.h's le32_put and le32_get).
 */
#ifndef EVOPAR_TESTS_SERIAL_FIXTURES_H
#define EVOPAR_TESTS_SERIAL_FIXTURES_H

#include "engine/engine.h"
#include "engine/rng.h"
#include "engine/serial.h"

/* the wire layout (serial.h, serial.c): a header, 5-byte nodes, 13-byte connections */
#define OFF_VERSION 4
#define OFF_MODE 6
#define OFF_FLAGS 7
#define OFF_N_IN 16
#define OFF_N_OUT 20
#define OFF_A 24            /* nodes, or hidden width */
#define OFF_B 28            /* connections, or weights */
#define NODE_BYTES 5
#define CONN_BYTES 13

/* recompute the checksum of a record of len bytes in place */
static inline void fix_crc(uint8_t *buf, size_t len)
{
	le32_put(buf + len - 4, serial_crc32(buf, len - 4));
}

static inline uint8_t *encode(const struct net *n, size_t *len)
{
	uint8_t *b = malloc(serial_size(n));

	assert_non_null(b);
	*len = serial_write(n, b);
	assert_int_equal(*len, serial_size(n));
	return b;
}

/* a dynamic genome grown by mutation: hidden nodes, disabled genes */
static inline void grown_net(struct net *n, int gens)
{
	struct evo_config cfg;
	int g;

	evo_config_defaults(&cfg);
	cfg.p_add_conn = 0.6;
	cfg.p_add_node = 0.3;
	cfg.p_toggle = 0.2;
	net_init(n);
	assert_int_equal(net_dynamic_minimal(n, 6, 1), 0);
	for (g = 0; g < gens; g++)
		net_mutate(n, &cfg, (uint64_t)g, 0);
	n->fitness = 0.8125f;
	n->origin = 3;
	n->elite = 1;
}

static inline void static_net(struct net *n)
{
	struct rng r;
	uint32_t i;

	net_init(n);
	assert_int_equal(net_static_alloc(n, 6, 5, 2), 0);
	rng_init(&r, 4, 0, 0, RNG_INIT);
	for (i = 0; i < n->n_weights; i++)
		n->weights[i] = rng_gauss(&r);
	n->fitness = -0.0f;
	n->origin = 0xdeadbeef;
}

#endif
