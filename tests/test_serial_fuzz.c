/*
 * Unit tests for engine/serial.c on generated input: random bytes, a valid header over a
 * random tail, and valid records with a few bytes changed. Whatever decodes must be a valid
 * genome that re-encodes to the same bytes; the rest is refused with a message.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/serial_fixtures.h"

/*
 * What an accepted record must be: a valid genome that encodes back to exactly the bytes
 * it was read from.
 */
static void check_accepted(const struct net *n, const uint8_t *buf, size_t used)
{
	size_t len;
	uint8_t *again = encode(n, &len);

	assert_int_equal(len, used);
	assert_memory_equal(again, buf, used);
	assert_int_equal(net_check(n, NULL, 0), 0);
	free(again);
}

static void decode_any(struct net *n, const uint8_t *buf, size_t len, int *accepted)
{
	char err[256] = "";
	size_t used = 0;
	int rc = serial_read(n, buf, len, &used, err, sizeof(err));

	if (rc == 0) {
		check_accepted(n, buf, used);
		(*accepted)++;
		return;
	}
	assert_true(rc == -EINVAL || rc == -ENOMEM);
	assert_true(err[0] != '\0');
}

static void test_random_bytes(void **state)
{
	struct rng r;
	struct net n;
	int i, accepted = 0;

	(void)state;
	rng_init(&r, 1, 0, 0, RNG_EPISODE);
	net_init(&n);
	for (i = 0; i < 5000; i++) {
		size_t len = rng_below(&r, 600), k;
		uint8_t *buf = malloc(len ? len : 1);

		assert_non_null(buf);
		for (k = 0; k < len; k++)
			buf[k] = (uint8_t)rng_next(&r);
		if (i % 2 && len >= 4)
			memcpy(buf, SERIAL_MAGIC, 4);   /* half of them get past the magic */
		decode_any(&n, buf, len, &accepted);
		free(buf);
	}
	assert_int_equal(accepted, 0);
	net_release(&n);
}

/* a valid header (of a dynamic or a static record), then random bytes */
static void test_valid_header_random_tail(void **state)
{
	struct net src[2], n;
	uint8_t *hdr[2];
	size_t hl[2];
	struct rng r;
	int i, accepted[2] = { 0, 0 };

	(void)state;
	grown_net(&src[0], 20);
	static_net(&src[1]);
	hdr[0] = encode(&src[0], &hl[0]);
	hdr[1] = encode(&src[1], &hl[1]);
	rng_init(&r, 2, 0, 0, RNG_EPISODE);
	net_init(&n);
	for (i = 0; i < 5000; i++) {
		int which = i % 2;
		size_t len = SERIAL_HEADER + rng_below(&r, (uint32_t)hl[which] + 64), k;
		uint8_t *buf = malloc(len);

		assert_non_null(buf);
		memcpy(buf, hdr[which], SERIAL_HEADER);
		for (k = SERIAL_HEADER; k < len; k++)
			buf[k] = (uint8_t)rng_next(&r);
		/* a quarter of them with small random lengths, and a checksum where it belongs */
		if (i % 4 >= 2) {
			le32_put(buf + OFF_A, rng_below(&r, 40));
			le32_put(buf + OFF_B, rng_below(&r, 200));
		}
		if (i % 8 >= 4) {
			uint32_t a = le32_get(buf + OFF_A), b = le32_get(buf + OFF_B);
			size_t total = SERIAL_HEADER + 4 + (which ? (size_t)b * 4 :
				(size_t)a * NODE_BYTES + (size_t)b * CONN_BYTES);

			if (total <= len)
				fix_crc(buf, total);
		}
		decode_any(&n, buf, len, &accepted[which]);
		free(buf);
	}
	/*
	 * Junk genomes with good checksums must not pass as networks; a static record is any
	 * finite weights of the right count, so random ones may, and did round-trip above.
	 */
	assert_int_equal(accepted[0], 0);
	free(hdr[0]);
	free(hdr[1]);
	net_release(&src[0]);
	net_release(&src[1]);
	net_release(&n);
}

/*
 * Valid records with a few bytes changed and the checksum made right again: what gets
 * through must be a valid genome that re-encodes to the same bytes.
 */
static void test_mutated_records(void **state)
{
	struct net src[2], n;
	uint8_t *rec[2];
	size_t rl[2];
	struct rng r;
	int i, accepted = 0;

	(void)state;
	grown_net(&src[0], 50);
	static_net(&src[1]);
	rec[0] = encode(&src[0], &rl[0]);
	rec[1] = encode(&src[1], &rl[1]);
	rng_init(&r, 3, 0, 0, RNG_EPISODE);
	net_init(&n);
	for (i = 0; i < 5000; i++) {
		int which = i % 2, changes = 1 + (int)rng_below(&r, 4), c;
		size_t len = rl[which];
		uint8_t *buf = malloc(len);
		uint32_t a, b;
		size_t total;

		assert_non_null(buf);
		memcpy(buf, rec[which], len);
		for (c = 0; c < changes; c++) {
			size_t at = rng_below(&r, (uint32_t)(len - 4));

			/* sometimes a small value (kinds, flags, ids), else any byte */
			buf[at] = rng_chance(&r, 0.5) ? (uint8_t)rng_below(&r, 4) : (uint8_t)rng_next(&r);
		}
		a = le32_get(buf + OFF_A);
		b = le32_get(buf + OFF_B);
		total = SERIAL_HEADER + 4 + (buf[OFF_MODE] == MODE_STATIC ? (size_t)b * 4 :
			(size_t)a * NODE_BYTES + (size_t)b * CONN_BYTES);
		if (total <= len)
			fix_crc(buf, total);
		decode_any(&n, buf, len, &accepted);
		free(buf);
	}
	/* some changes are harmless (a weight, the fitness): those pass and round-trip */
	assert_true(accepted > 100);
	free(rec[0]);
	free(rec[1]);
	net_release(&src[0]);
	net_release(&src[1]);
	net_release(&n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_valid_header_random_tail),
		cmocka_unit_test(test_mutated_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
