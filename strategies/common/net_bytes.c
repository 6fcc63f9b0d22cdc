/*
 * Networks held as the records they came in (see net_bytes.h): checked, copied into one
 * buffer, written out as they are.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/serial.h"
#include "strategies/common/net_bytes.h"

int net_bytes_init(struct net_bytes *b, int n)
{
	memset(b, 0, sizeof(*b));
	b->at = calloc((size_t)n, sizeof(*b->at));
	b->size = calloc((size_t)n, sizeof(*b->size));
	b->n = n;
	return b->at && b->size ? 0 : -ENOMEM;
}

void net_bytes_release(struct net_bytes *b)
{
	free(b->buf);
	free(b->at);
	free(b->size);
	memset(b, 0, sizeof(*b));
}

void net_bytes_clear(struct net_bytes *b)
{
	if (b->size)
		memset(b->size, 0, (size_t)b->n * sizeof(*b->size));
	b->len = 0;
}

static int reserve(struct net_bytes *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 4096;
	uint8_t *nb;

	if (b->len + more <= b->cap)
		return 0;
	while (cap < b->len + more)
		cap *= 2;
	nb = realloc(b->buf, cap);
	if (!nb)
		return -ENOMEM;
	b->buf = nb;
	b->cap = cap;
	return 0;
}

int net_stream_walk(const uint8_t *in, size_t len, int n, int count, net_record_fn fn, void *ctx,
		    char *err, size_t errlen)
{
	size_t at = 0, used;
	int i, rc;

	for (i = 0; i < count; i++) {
		int32_t idx;

		if (len - at < 4) {
			snprintf(err, errlen, "net stream: truncated at network %d of %d", i, count);
			return -EINVAL;
		}
		memcpy(&idx, in + at, 4);
		if (idx < 0 || idx >= n) {
			snprintf(err, errlen, "net stream: index %d out of range", idx);
			return -EINVAL;
		}
		rc = fn(ctx, idx, in + at + 4, len - at - 4, &used, err, errlen);
		if (rc)
			return rc;
		at += 4 + used;
	}
	return 0;
}

/* one record checked and kept, its index with it */
static int take_record(void *ctx, int32_t idx, const uint8_t *rec, size_t left, size_t *used,
		       char *err, size_t errlen)
{
	struct net_bytes *b = ctx;
	int rc = serial_check(rec, left, used, err, errlen);

	if (!rc)
		rc = reserve(b, 4 + *used);
	if (rc)
		return rc;
	memcpy(b->buf + b->len, rec - 4, 4 + *used);
	b->at[idx] = b->len;
	b->size[idx] = (uint32_t)(4 + *used);
	b->len += 4 + *used;
	return 0;
}

int net_bytes_take(struct net_bytes *b, const uint8_t *in, size_t len, int count,
		   char *err, size_t errlen)
{
	return net_stream_walk(in, len, b->n, count, take_record, b, err, errlen);
}

void net_bytes_set_fitness(struct net_bytes *b, int i, float f)
{
	serial_set_fitness(b->buf + b->at[i] + 4, b->size[i] - 4, f);
}

size_t net_bytes_size(const struct net_bytes *b, const int32_t *idx, int count)
{
	size_t n = 0;
	int i;

	for (i = 0; i < count; i++)
		n += b->size[idx[i]];
	return n;
}

size_t net_bytes_write(const struct net_bytes *b, const int32_t *idx, int count, uint8_t *out)
{
	uint8_t *o = out;
	int i;

	for (i = 0; i < count; i++) {
		memcpy(o, b->buf + b->at[idx[i]], b->size[idx[i]]);
		o += b->size[idx[i]];
	}
	return (size_t)(o - out);
}
