/*
 * Unit tests for engine/serial.c: round trips are byte-exact, and every damaged record
 * (truncated, bit-flipped, wrong version or magic, valid checksum over a broken genome,
 * lengths out of range) is refused with a message and without a crash (see make asan-tests);
 * random and mutated records are test_serial_fuzz.c's.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/serial_fixtures.h"

#define H(k) (NODE_HIDDEN_BIT | (uint32_t)(k))

/* a decode that must fail: -EINVAL and a message; returns the message */
static const char *refused(const uint8_t *buf, size_t len, const char *what)
{
	static char err[256];
	struct net n;
	size_t used = 12345;
	int rc;

	net_init(&n);
	err[0] = '\0';
	rc = serial_read(&n, buf, len, &used, err, sizeof(err));
	if (rc == 0)
		fail_msg("%s: accepted", what);
	assert_int_equal(rc, -EINVAL);
	if (!err[0])
		fail_msg("%s: refused without a message", what);
	assert_int_equal(used, 12345);          /* untouched on failure */
	net_release(&n);
	return err;
}

/* damage of the header, lengths or checksum: serial_check refuses it as the decoder does */
static const char *refused_checked(const uint8_t *buf, size_t len, const char *what)
{
	static char err[256];
	size_t used = 12345;
	int rc;

	err[0] = '\0';
	rc = serial_check(buf, len, &used, err, sizeof(err));
	if (rc == 0)
		fail_msg("%s: accepted by serial_check", what);
	assert_int_equal(rc, -EINVAL);
	if (!err[0])
		fail_msg("%s: refused by serial_check without a message", what);
	assert_int_equal(used, 12345);
	return refused(buf, len, what);
}

static void test_round_trip(void **state)
{
	struct net src[3], dst, reused;
	size_t k;

	(void)state;
	grown_net(&src[0], 60);
	static_net(&src[1]);
	net_init(&src[2]);                       /* the minimal genome, fitness NaN */
	assert_int_equal(net_dynamic_minimal(&src[2], 2, 3), 0);
	src[2].fitness = NAN;
	assert_true(net_hidden_count(&src[0]) >= 3);
	net_init(&reused);
	grown_net(&reused, 150);                 /* bigger arrays, overwritten below */
	for (k = 0; k < 3; k++) {
		size_t len, len2, used = 0;
		uint8_t *a = encode(&src[k], &len), *b, *padded;
		char err[256] = "";

		net_init(&dst);
		assert_int_equal(serial_read(&dst, a, len, &used, err, sizeof(err)), 0);
		assert_int_equal(used, len);
		assert_int_equal(dst.mode, src[k].mode);
		assert_memory_equal(&dst.fitness, &src[k].fitness, sizeof(float));
		assert_int_equal(dst.origin, src[k].origin);
		assert_int_equal(dst.elite, src[k].elite);
		assert_int_equal(dst.n_in, src[k].n_in);
		assert_int_equal(dst.n_out, src[k].n_out);
		if (src[k].mode == MODE_STATIC) {
			assert_int_equal(dst.hidden, src[k].hidden);
			assert_int_equal(dst.n_weights, src[k].n_weights);
			assert_memory_equal(dst.weights, src[k].weights,
					    src[k].n_weights * sizeof(float));
		} else {
			assert_int_equal(dst.n_nodes, src[k].n_nodes);
			assert_int_equal(dst.n_conns, src[k].n_conns);
			assert_int_equal(dst.plan.valid, 0);
			assert_int_equal(net_check(&dst, NULL, 0), 0);
		}
		b = encode(&dst, &len2);
		assert_int_equal(len2, len);
		assert_memory_equal(a, b, len);
		free(b);

		/* into a network that held something else */
		assert_int_equal(serial_read(&reused, a, len, &used, err, sizeof(err)), 0);
		b = encode(&reused, &len2);
		assert_int_equal(len2, len);
		assert_memory_equal(a, b, len);
		free(b);

		/* trailing bytes are the next record's business: used says where this one ends */
		padded = calloc(len + 100, 1);
		assert_non_null(padded);
		memcpy(padded, a, len);
		assert_int_equal(serial_read(&dst, padded, len + 100, &used, NULL, 0), 0);
		assert_int_equal(used, len);
		free(padded);
		free(a);
		net_release(&dst);
		net_release(&src[k]);
	}
	net_release(&reused);
}

/* two records back to back are read one after the other */
static void test_stream_of_records(void **state)
{
	struct net a, b, got;
	size_t la, lb, used = 0;
	uint8_t *ra, *rb, *both, *again;

	(void)state;
	grown_net(&a, 30);
	static_net(&b);
	ra = encode(&a, &la);
	rb = encode(&b, &lb);
	both = malloc(la + lb);
	assert_non_null(both);
	memcpy(both, ra, la);
	memcpy(both + la, rb, lb);
	net_init(&got);
	assert_int_equal(serial_read(&got, both, la + lb, &used, NULL, 0), 0);
	assert_int_equal(used, la);
	assert_int_equal(serial_read(&got, both + la, lb, &used, NULL, 0), 0);
	assert_int_equal(used, lb);
	again = encode(&got, &used);
	assert_int_equal(used, lb);
	assert_memory_equal(again, rb, lb);
	free(again);
	free(both);
	free(ra);
	free(rb);
	net_release(&a);
	net_release(&b);
	net_release(&got);
}

static void test_every_truncation(void **state)
{
	struct net n[2];
	int k;

	(void)state;
	grown_net(&n[0], 40);
	static_net(&n[1]);
	for (k = 0; k < 2; k++) {
		size_t len, cut;
		uint8_t *rec = encode(&n[k], &len);

		for (cut = 0; cut < len; cut++) {
			/* a copy of exactly cut bytes, so ASan sees any read past the end */
			uint8_t *part = malloc(cut ? cut : 1);

			assert_non_null(part);
			memcpy(part, rec, cut);
			refused_checked(part, cut, "truncated record");
			free(part);
		}
		free(rec);
		net_release(&n[k]);
	}
}

static void test_every_bit_flip(void **state)
{
	struct net n[2];
	int k;

	(void)state;
	grown_net(&n[0], 25);
	static_net(&n[1]);
	for (k = 0; k < 2; k++) {
		size_t len, at;
		uint8_t *rec = encode(&n[k], &len);

		for (at = 0; at < len; at++) {
			int bit;

			for (bit = 0; bit < 8; bit++) {
				rec[at] ^= (uint8_t)(1u << bit);
				refused_checked(rec, len, "flipped bit");
				rec[at] ^= (uint8_t)(1u << bit);
			}
		}
		free(rec);
		net_release(&n[k]);
	}
}

static void test_wrong_version(void **state)
{
	static const uint16_t versions[] = { 0, 2, 3, 0x100, 0xffff };
	struct net n;
	size_t len, i;
	uint8_t *rec;

	(void)state;
	grown_net(&n, 10);
	rec = encode(&n, &len);
	assert_int_equal(rec[OFF_VERSION] | rec[OFF_VERSION + 1] << 8, SERIAL_VERSION);
	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		const char *err;

		rec[OFF_VERSION] = (uint8_t)versions[i];
		rec[OFF_VERSION + 1] = (uint8_t)(versions[i] >> 8);
		fix_crc(rec, len);                  /* so that the version is what fails */
		err = refused_checked(rec, len, "wrong version");
		if (!strstr(err, "version"))
			fail_msg("version %u: message '%s' does not name the version", versions[i], err);
	}
	free(rec);
	net_release(&n);
}

static void test_bad_magic(void **state)
{
	static const char *magics[] = { "EVPX", "evpn", "\0\0\0\0", "NPVE" };
	struct net n;
	size_t len, i;
	uint8_t *rec;

	(void)state;
	grown_net(&n, 10);
	rec = encode(&n, &len);
	for (i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
		const char *err;

		memcpy(rec, magics[i], 4);
		fix_crc(rec, len);
		err = refused_checked(rec, len, "bad magic");
		if (!strstr(err, "magic"))
			fail_msg("magic %zu: message '%s'", i, err);
	}
	free(rec);
	net_release(&n);
}

/*
 * Records whose checksum is right but whose content is not: each patch is applied to the
 * record of patch_net() and the checksum recomputed, so that the decoder's structural
 * checks must catch it.
 *
 * patch_net: inputs 0, 1, bias 2, output 3, hidden A = H(1) and B = H(2); connections in
 * order 0->3, 0->A, 1->3, 2->3, A->B, B->3 (indices 0..5).
 */
static void patch_net(struct net *n)
{
	net_init(n);
	assert_int_equal(net_dynamic_minimal(n, 2, 1), 0);
	assert_int_equal(net_insert_node(n, H(1), NODE_HIDDEN), 0);
	assert_int_equal(net_insert_node(n, H(2), NODE_HIDDEN), 0);
	assert_int_equal(net_insert_conn(n, 0, H(1), 0.5f, 1), 0);
	assert_int_equal(net_insert_conn(n, H(1), H(2), 0.5f, 1), 0);
	assert_int_equal(net_insert_conn(n, H(2), 3, 0.5f, 1), 0);
	assert_int_equal(net_check(n, NULL, 0), 0);
	assert_int_equal(n->n_conns, 6);
}

static uint8_t *node_at(uint8_t *rec, uint32_t i)
{
	return rec + SERIAL_HEADER + i * NODE_BYTES;
}

static uint8_t *conn_at(uint8_t *rec, uint32_t i)
{
	return rec + SERIAL_HEADER + le32_get(rec + OFF_A) * NODE_BYTES + i * CONN_BYTES;
}

static void p_cycle(uint8_t *r)      { le32_put(conn_at(r, 5) + 4, H(1)); }   /* B->A */
static void p_dup_conn(uint8_t *r)   { le32_put(conn_at(r, 3), 1); }          /* 1->3 twice */
static void p_unsorted(uint8_t *r)   { le32_put(conn_at(r, 1), 1); }          /* 1->A before 1->3 */
static void p_dangling(uint8_t *r)   { le32_put(conn_at(r, 5) + 4, H(9)); }
static void p_into_input(uint8_t *r) { le32_put(conn_at(r, 5) + 4, 1); }
static void p_into_bias(uint8_t *r)  { le32_put(conn_at(r, 5) + 4, 2); }
static void p_nan_weight(uint8_t *r) { le32_put(conn_at(r, 1) + 8, 0x7fc00000u); }
static void p_inf_weight(uint8_t *r) { le32_put(conn_at(r, 1) + 8, 0xff800000u); }
static void p_flag(uint8_t *r)       { conn_at(r, 3)[12] = 2; }
static void p_kind(uint8_t *r)       { node_at(r, 4)[4] = 9; }
static void p_kind_swap(uint8_t *r)  { node_at(r, 0)[4] = NODE_OUTPUT; }
static void p_hidden_bit(uint8_t *r) { le32_put(node_at(r, 5), 1000); }       /* also unsorted */
static void p_fixed_id(uint8_t *r)   { le32_put(node_at(r, 3), 4); }
static void p_dup_node(uint8_t *r)   { le32_put(node_at(r, 5), H(1)); }
static void p_mode(uint8_t *r)       { r[OFF_MODE] = 7; }
static void p_flags(uint8_t *r)      { r[OFF_FLAGS] = 2; }
static void p_no_inputs(uint8_t *r)  { le32_put(r + OFF_N_IN, 0); }
static void p_many_inputs(uint8_t *r) { le32_put(r + OFF_N_IN, SERIAL_MAX_IO + 1); }
static void p_no_outputs(uint8_t *r) { le32_put(r + OFF_N_OUT, 0); }
static void p_n_in_3(uint8_t *r)     { le32_put(r + OFF_N_IN, 3); }          /* node 3 an input? */
static void p_n_out_2(uint8_t *r)    { le32_put(r + OFF_N_OUT, 2); }         /* A an output? */
static void p_n_in_5(uint8_t *r)     { le32_put(r + OFF_N_IN, 5); }          /* more io than nodes */

static const struct {
	const char *name;
	void (*patch)(uint8_t *rec);
	const char *says;             /* a word the message must contain */
} dyn_patches[] = {
	{ "cycle", p_cycle, "cycle" },
	{ "duplicate connection", p_dup_conn, "duplicate" },
	{ "unsorted connections", p_unsorted, "unsorted" },
	{ "dangling endpoint", p_dangling, "dangling" },
	{ "connection into an input", p_into_input, "input" },
	{ "connection into the bias", p_into_bias, "input" },
	{ "NaN weight", p_nan_weight, "finite" },
	{ "infinite weight", p_inf_weight, "finite" },
	{ "enabled flag 2", p_flag, "flag" },
	{ "unknown node kind", p_kind, "kind" },
	{ "input of kind output", p_kind_swap, "kind" },
	{ "hidden id without the hidden bit", p_hidden_bit, "node" },
	{ "output with a wrong id", p_fixed_id, "id" },
	{ "duplicate node", p_dup_node, "increasing" },
	{ "unknown mode", p_mode, "mode" },
	{ "unknown flags", p_flags, "flags" },
	{ "no inputs", p_no_inputs, "range" },
	{ "too many inputs", p_many_inputs, "range" },
	{ "no outputs", p_no_outputs, "range" },
	{ "an output counted as input", p_n_in_3, "kind" },
	{ "a hidden node counted as output", p_n_out_2, "id" },
	{ "more inputs than nodes", p_n_in_5, "nodes" },
};

static void test_valid_crc_broken_genome(void **state)
{
	struct net n;
	size_t len, i;
	uint8_t *rec, *work;

	(void)state;
	patch_net(&n);
	rec = encode(&n, &len);
	work = malloc(len);
	assert_non_null(work);
	for (i = 0; i < sizeof(dyn_patches) / sizeof(dyn_patches[0]); i++) {
		const char *err;

		memcpy(work, rec, len);
		dyn_patches[i].patch(work);
		assert_memory_not_equal(work, rec, len - 4);
		fix_crc(work, len);
		err = refused(work, len, dyn_patches[i].name);
		if (!strstr(err, dyn_patches[i].says))
			fail_msg("%s: message '%s' lacks '%s'", dyn_patches[i].name, err,
				 dyn_patches[i].says);
	}
	free(work);
	free(rec);
	net_release(&n);
}

/* the same for static records: shape fields that disagree, weights that are not numbers */
static void test_valid_crc_broken_static(void **state)
{
	static const struct {
		const char *name;
		uint32_t offset, value;
		const char *says;
	} patches[] = {
		{ "hidden width off by one", OFF_A, 6, "count" },
		{ "hidden width 0", OFF_A, 0, "count" },
		{ "hidden width huge", OFF_A, 0xffffffffu, "count" },
		{ "outputs off by one", OFF_N_OUT, 3, "count" },
		{ "inputs off by one", OFF_N_IN, 5, "count" },
		{ "NaN weight", SERIAL_HEADER + 4 * 7, 0x7fc00001u, "finite" },
		{ "infinite weight", SERIAL_HEADER, 0x7f800000u, "finite" },
	};
	struct net n;
	size_t len, i;
	uint8_t *rec, *work;

	(void)state;
	static_net(&n);
	rec = encode(&n, &len);
	work = malloc(len);
	assert_non_null(work);
	for (i = 0; i < sizeof(patches) / sizeof(patches[0]); i++) {
		const char *err;

		memcpy(work, rec, len);
		le32_put(work + patches[i].offset, patches[i].value);
		fix_crc(work, len);
		err = refused(work, len, patches[i].name);
		if (!strstr(err, patches[i].says))
			fail_msg("%s: message '%s' lacks '%s'", patches[i].name, err, patches[i].says);
	}
	free(work);
	free(rec);
	net_release(&n);
}

/* lengths that promise more than the buffer holds, or more than the format allows */
static void test_lengths_out_of_range(void **state)
{
	static const struct { uint32_t a, b; } lens[] = {
		{ 7, 6 }, { 6, 7 }, { 1000, 6 }, { 6, 1000 }, { SERIAL_MAX_NODES + 1, 6 },
		{ 6, SERIAL_MAX_CONNS + 1 }, { 0xffffffffu, 0xffffffffu }, { 0, 0 }, { 5, 6 },
	};
	struct net n;
	size_t len, i;
	uint8_t *rec;

	(void)state;
	patch_net(&n);
	rec = encode(&n, &len);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		uint8_t *work = malloc(len);

		assert_non_null(work);
		memcpy(work, rec, len);
		le32_put(work + OFF_A, lens[i].a);
		le32_put(work + OFF_B, lens[i].b);
		fix_crc(work, len);          /* right for the old length: a shorter one must fail too */
		refused(work, len, "wrong lengths");
		free(work);
	}
	free(rec);
	net_release(&n);
}

static void test_crc32_known_value(void **state)
{
	(void)state;
	/* the standard CRC-32 check value */
	assert_int_equal(serial_crc32((const uint8_t *)"123456789", 9), 0xcbf43926u);
	assert_int_equal(serial_crc32((const uint8_t *)"", 0), 0);
}

/* the CRC-32 one bit at a time, as its definition reads */
static uint32_t crc32_bitwise(const uint8_t *p, size_t len)
{
	uint32_t c = 0xffffffffu;
	int k;

	while (len--)
		for (c ^= *p++, k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
	return c ^ 0xffffffffu;
}

/* eight bytes a step and the tail a byte a step: every length and start against the definition */
static void test_crc32_every_length(void **state)
{
	uint8_t buf[131];
	struct rng r;
	size_t start, len;

	(void)state;
	rng_init(&r, 77, 0, 0, RNG_INIT);
	for (len = 0; len < sizeof(buf); len++)
		buf[len] = (uint8_t)rng_next(&r);
	for (start = 0; start < 8; start++)
		for (len = 0; start + len <= sizeof(buf); len++)
			assert_int_equal(serial_crc32(buf + start, len), crc32_bitwise(buf + start, len));
}

/* a good record: serial_check takes its whole length; a new fitness decodes, checksum right */
static void test_check_and_set_fitness(void **state)
{
	struct net src[2], dst;
	int k;

	(void)state;
	grown_net(&src[0], 40);
	static_net(&src[1]);
	for (k = 0; k < 2; k++) {
		size_t len, len2, used = 0;
		uint8_t *rec = encode(&src[k], &len), *back;
		char err[256] = "";

		assert_int_equal(serial_check(rec, len, &used, err, sizeof(err)), 0);
		assert_int_equal(used, len);
		serial_set_fitness(rec, len, 0.625f);
		assert_int_equal(serial_check(rec, len, &used, err, sizeof(err)), 0);
		net_init(&dst);
		assert_int_equal(serial_read(&dst, rec, len, &used, err, sizeof(err)), 0);
		assert_true(dst.fitness == 0.625f);
		dst.fitness = src[k].fitness;             /* the rest is the record's as it was */
		back = encode(&dst, &len2);
		free(rec);
		rec = encode(&src[k], &len);
		assert_int_equal(len2, len);
		assert_memory_equal(back, rec, len);
		free(back);
		net_release(&dst);
		free(rec);
		net_release(&src[k]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32_known_value),
		cmocka_unit_test(test_crc32_every_length),
		cmocka_unit_test(test_check_and_set_fitness),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_stream_of_records),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_every_bit_flip),
		cmocka_unit_test(test_wrong_version),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_valid_crc_broken_genome),
		cmocka_unit_test(test_valid_crc_broken_static),
		cmocka_unit_test(test_lengths_out_of_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
