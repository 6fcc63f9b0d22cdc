/*
 * Unit tests for strategies/common/net_bytes.c: networks passed on as their records come out
 * byte for byte as the net stream of the networks themselves would, in any order; a damaged
 * or misaddressed record is refused with a message; a new fitness reaches the decoder.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "strategies/common/net_bytes.h"
#include "strategies/common/worker.h"
#include "tests/serial_fixtures.h"

#define POP 6

/* a population of POP networks to stream: dynamic ones of several sizes, one static */
static void make_pop(struct population *p, struct net *nets)
{
	int i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < POP - 1; i++) {
		grown_net(&nets[i], 40 + 30 * i);
		nets[i].fitness = 0.1f * (float)i;
	}
	static_net(&nets[POP - 1]);
	p->nets = nets;
	p->n = POP;
}

static void free_pop(struct net *nets)
{
	int i;

	for (i = 0; i < POP; i++)
		net_release(&nets[i]);
}

/* the stream of idx[0..count) as the networks themselves write it */
static uint8_t *stream_of(const struct population *p, const int32_t *idx, int count, size_t *len)
{
	uint8_t *out;

	*len = net_stream_size(p, idx, count);
	out = malloc(*len ? *len : 1);
	assert_non_null(out);
	assert_int_equal(net_stream_write(p, idx, count, out), *len);
	return out;
}

static void test_passed_on_as_written(void **state)
{
	static const int32_t first[] = { 4, 1, 5 }, second[] = { 0, 3 }, out_order[] = { 5, 0, 3, 4 };
	struct net nets[POP];
	struct population p;
	struct net_bytes b;
	size_t len1, len2, want_len, got_len;
	uint8_t *s1, *s2, *want, *got;
	char err[256] = "";

	(void)state;
	make_pop(&p, nets);
	s1 = stream_of(&p, first, 3, &len1);
	s2 = stream_of(&p, second, 2, &len2);
	assert_int_equal(net_bytes_init(&b, POP), 0);
	/* two streams taken, as from two workers; the buffer grows past its first size */
	assert_int_equal(net_bytes_take(&b, s1, len1, 3, err, sizeof(err)), 0);
	assert_int_equal(net_bytes_take(&b, s2, len2, 2, err, sizeof(err)), 0);
	assert_true(b.cap > 4096 && b.len == len1 + len2);
	want = stream_of(&p, out_order, 4, &want_len);
	assert_int_equal(net_bytes_size(&b, out_order, 4), want_len);
	got = malloc(want_len);
	assert_non_null(got);
	got_len = net_bytes_write(&b, out_order, 4, got);
	assert_int_equal(got_len, want_len);
	assert_memory_equal(got, want, want_len);
	/* cleared, then one taken again: only what was taken since */
	net_bytes_clear(&b);
	assert_int_equal(net_bytes_size(&b, out_order, 4), 0);
	assert_int_equal(net_bytes_take(&b, s2, len2, 2, err, sizeof(err)), 0);
	assert_int_equal(net_bytes_size(&b, second, 2), len2);
	free(got);
	free(want);
	free(s1);
	free(s2);
	net_bytes_release(&b);
	free_pop(nets);
}

static void test_refused(void **state)
{
	static const int32_t idx[] = { 2, 3 };
	struct net nets[POP];
	struct population p;
	struct net_bytes b;
	size_t len, cut;
	uint8_t *s;
	char err[256];
	int32_t bad = POP;

	(void)state;
	make_pop(&p, nets);
	s = stream_of(&p, idx, 2, &len);
	assert_int_equal(net_bytes_init(&b, POP), 0);
	for (cut = 0; cut < len; cut++) {
		err[0] = '\0';
		assert_int_equal(net_bytes_take(&b, s, cut, 2, err, sizeof(err)), -EINVAL);
		assert_true(err[0] != '\0');
	}
	s[len - 1] ^= 1;                           /* the second record's checksum */
	err[0] = '\0';
	assert_int_equal(net_bytes_take(&b, s, len, 2, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "checksum"));
	s[len - 1] ^= 1;
	memcpy(s, &bad, 4);                        /* an index past the population */
	assert_int_equal(net_bytes_take(&b, s, len, 2, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "out of range"));
	free(s);
	net_bytes_release(&b);
	free_pop(nets);
}

static void test_set_fitness_reaches_the_decoder(void **state)
{
	static const int32_t idx[] = { 1, 5 };
	struct net nets[POP], back[POP];
	struct population p, q;
	struct net_bytes b;
	size_t len, out_len;
	uint8_t *s, *out;
	char err[256] = "";
	int i;

	(void)state;
	make_pop(&p, nets);
	s = stream_of(&p, idx, 2, &len);
	assert_int_equal(net_bytes_init(&b, POP), 0);
	assert_int_equal(net_bytes_take(&b, s, len, 2, err, sizeof(err)), 0);
	net_bytes_set_fitness(&b, 5, 0.75f);
	out_len = net_bytes_size(&b, idx, 2);
	out = malloc(out_len);
	assert_non_null(out);
	net_bytes_write(&b, idx, 2, out);
	for (i = 0; i < POP; i++)
		net_init(&back[i]);
	q = p;
	q.nets = back;
	assert_int_equal(net_stream_read(&q, out, out_len, 2, err, sizeof(err)), 0);
	assert_true(back[5].fitness == 0.75f);
	assert_true(back[1].fitness == nets[1].fitness);
	assert_int_equal(back[5].n_weights, nets[5].n_weights);
	for (i = 0; i < POP; i++)
		net_release(&back[i]);
	free(out);
	free(s);
	net_bytes_release(&b);
	free_pop(nets);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_passed_on_as_written),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_set_fitness_reaches_the_decoder),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
