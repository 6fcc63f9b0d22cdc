/*
 * Encode and decode networks in the wire format of serial.h. The decoder checks the magic,
 * version, lengths and checksum, then the genome's invariants, before it returns success.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "engine/config.h"
#include "engine/serial.h"

#define NODE_BYTES 5
#define CONN_BYTES 13

/* slicing-by-8 (Intel's, as zlib has it): table k is the CRC of a byte followed by k zero
   bytes, so eight bytes are folded per step; the checksum is the plain CRC-32's */
static uint32_t crc_table[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
	uint32_t i, k, c;

	for (i = 0; i < 256; i++) {
		for (c = i, k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[0][i] = c;
	}
	for (i = 0; i < 256; i++)
		for (k = 1; k < 8; k++)
			crc_table[k][i] = crc_table[0][crc_table[k - 1][i] & 0xff] ^ (crc_table[k - 1][i] >> 8);
}

uint32_t serial_crc32(const uint8_t *p, size_t len)
{
	uint32_t c = 0xffffffffu;

	pthread_once(&crc_once, crc_init);
	for (; len >= 8; len -= 8, p += 8) {
		uint32_t lo = c ^ le32_get(p), hi = le32_get(p + 4);

		c = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
		    crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^
		    crc_table[3][hi & 0xff] ^ crc_table[2][(hi >> 8) & 0xff] ^
		    crc_table[1][(hi >> 16) & 0xff] ^ crc_table[0][hi >> 24];
	}
	while (len--)
		c = crc_table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

static uint32_t float_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

static float bits_float(uint32_t u)
{
	float f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

static size_t payload_size(int mode, uint32_t a, uint32_t b)
{
	if (mode == MODE_STATIC)
		return (size_t)b * 4;
	return (size_t)a * NODE_BYTES + (size_t)b * CONN_BYTES;
}

size_t serial_size(const struct net *n)
{
	uint32_t a = n->mode == MODE_STATIC ? n->hidden : n->n_nodes;
	uint32_t b = n->mode == MODE_STATIC ? n->n_weights : n->n_conns;

	return SERIAL_HEADER + payload_size(n->mode, a, b) + 4;
}

size_t serial_write(const struct net *n, uint8_t *buf)
{
	uint8_t *p = buf + SERIAL_HEADER;
	uint32_t i;

	memcpy(buf, SERIAL_MAGIC, 4);
	buf[4] = SERIAL_VERSION & 0xff;
	buf[5] = SERIAL_VERSION >> 8;
	buf[6] = (uint8_t)n->mode;
	buf[7] = n->elite ? 1 : 0;
	le32_put(buf + 8, n->origin);
	le32_put(buf + 12, float_bits(n->fitness));
	le32_put(buf + 16, n->n_in);
	le32_put(buf + 20, n->n_out);
	if (n->mode == MODE_STATIC) {
		le32_put(buf + 24, n->hidden);
		le32_put(buf + 28, n->n_weights);
		for (i = 0; i < n->n_weights; i++, p += 4)
			le32_put(p, float_bits(n->weights[i]));
	} else {
		le32_put(buf + 24, n->n_nodes);
		le32_put(buf + 28, n->n_conns);
		for (i = 0; i < n->n_nodes; i++, p += NODE_BYTES) {
			le32_put(p, n->nodes[i].id);
			p[4] = n->nodes[i].kind;
		}
		for (i = 0; i < n->n_conns; i++, p += CONN_BYTES) {
			le32_put(p, n->conns[i].in);
			le32_put(p + 4, n->conns[i].out);
			le32_put(p + 8, float_bits(n->conns[i].weight));
			p[12] = n->conns[i].enabled;
		}
	}
	le32_put(p, serial_crc32(buf, (size_t)(p - buf)));
	return (size_t)(p - buf) + 4;
}

static int bad(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "network record: %s", msg);
	return -EINVAL;
}

static int read_static(struct net *n, const uint8_t *p, uint32_t hidden, uint32_t count,
		       char *err, size_t errlen)
{
	struct mlp_shape s;
	uint32_t i;

	mlp_shape_of(&s, n->n_in, hidden, n->n_out);
	if (hidden == 0 || hidden > SERIAL_MAX_IO || count != s.total)
		return bad(err, errlen, "weight count does not match the layer sizes");
	if (n->n_weights != count) {
		float *w = realloc(n->weights, (size_t)count * sizeof(*w));

		if (!w)
			return -ENOMEM;
		n->weights = w;
		n->n_weights = count;
	}
	n->hidden = hidden;
	for (i = 0; i < count; i++, p += 4) {
		n->weights[i] = bits_float(le32_get(p));
		if (!isfinite(n->weights[i]))
			return bad(err, errlen, "a weight is not a finite number");
	}
	return 0;
}

static int read_dynamic(struct net *n, const uint8_t *p, uint32_t nodes, uint32_t conns,
			char *err, size_t errlen)
{
	char why[160];
	uint32_t i;

	if (nodes > SERIAL_MAX_NODES || conns > SERIAL_MAX_CONNS)
		return bad(err, errlen, "more genes than the format allows");
	if (net_reserve(n, nodes, conns))
		return -ENOMEM;
	for (i = 0; i < nodes; i++, p += NODE_BYTES) {
		if (p[4] > NODE_HIDDEN)
			return bad(err, errlen, "unknown node kind");
		n->nodes[i] = (struct node_gene){ .id = le32_get(p), .kind = p[4] };
	}
	for (i = 0; i < conns; i++, p += CONN_BYTES) {
		if (p[12] > 1)
			return bad(err, errlen, "connection flag is neither 0 nor 1");
		n->conns[i] = (struct conn_gene){ .in = le32_get(p), .out = le32_get(p + 4),
						  .weight = bits_float(le32_get(p + 8)),
						  .enabled = p[12] };
		if (!isfinite(n->conns[i].weight))
			return bad(err, errlen, "a weight is not a finite number");
	}
	n->n_nodes = nodes;
	n->n_conns = conns;
	n->plan.valid = 0;
	if (net_check(n, why, sizeof(why))) {
		n->n_nodes = n->n_conns = 0;
		return bad(err, errlen, why);
	}
	return 0;
}

int serial_check(const uint8_t *buf, size_t len, size_t *used, char *err, size_t errlen)
{
	uint32_t version, mode, a, b;
	size_t total;

	if (len < SERIAL_HEADER + 4)
		return bad(err, errlen, "truncated header");
	if (memcmp(buf, SERIAL_MAGIC, 4))
		return bad(err, errlen, "bad magic (not an evopar network)");
	version = (uint32_t)buf[4] | (uint32_t)buf[5] << 8;
	if (version != SERIAL_VERSION) {
		if (err && errlen)
			snprintf(err, errlen, "network record: version %u, this build reads %u",
				 version, SERIAL_VERSION);
		return -EINVAL;
	}
	mode = buf[6];
	if (mode != MODE_DYNAMIC && mode != MODE_STATIC)
		return bad(err, errlen, "unknown network mode");
	if (buf[7] > 1)
		return bad(err, errlen, "unknown flags");
	a = le32_get(buf + 24);
	b = le32_get(buf + 28);
	if (le32_get(buf + 16) == 0 || le32_get(buf + 16) > SERIAL_MAX_IO ||
	    le32_get(buf + 20) == 0 || le32_get(buf + 20) > SERIAL_MAX_IO)
		return bad(err, errlen, "input or output count out of range");
	if (b > SERIAL_MAX_CONNS || (mode == MODE_DYNAMIC && a > SERIAL_MAX_NODES))
		return bad(err, errlen, "length out of range");
	total = SERIAL_HEADER + payload_size((int)mode, a, b) + 4;
	if (len < total)
		return bad(err, errlen, "truncated payload");
	if (le32_get(buf + total - 4) != serial_crc32(buf, total - 4))
		return bad(err, errlen, "checksum mismatch (corrupted)");
	*used = total;
	return 0;
}

void serial_set_fitness(uint8_t *rec, size_t len, float fitness)
{
	le32_put(rec + 12, float_bits(fitness));
	le32_put(rec + len - 4, serial_crc32(rec, len - 4));
}

int serial_read(struct net *n, const uint8_t *buf, size_t len, size_t *used,
		char *err, size_t errlen)
{
	uint32_t mode, a, b;
	size_t total;
	int rc = serial_check(buf, len, &total, err, errlen);

	if (rc)
		return rc;
	mode = buf[6];
	a = le32_get(buf + 24);
	b = le32_get(buf + 28);
	n->mode = (int)mode;
	n->elite = buf[7];
	n->origin = le32_get(buf + 8);
	n->fitness = bits_float(le32_get(buf + 12));
	n->n_in = le32_get(buf + 16);
	n->n_out = le32_get(buf + 20);
	if (mode == MODE_STATIC)
		rc = read_static(n, buf + SERIAL_HEADER, a, b, err, errlen);
	else
		rc = read_dynamic(n, buf + SERIAL_HEADER, a, b, err, errlen);
	if (rc == -ENOMEM)
		bad(err, errlen, "out of memory");
	if (!rc && used)
		*used = total;
	return rc;
}
