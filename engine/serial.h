/*
 * The network wire format: magic, version, lengths, payload, CRC-32; little-endian. Every
 * process strategy, file of emigrants and checkpoint uses it. Decoding never trusts its input.
 */
#ifndef EVOPAR_SERIAL_H
#define EVOPAR_SERIAL_H

#include <stddef.h>
#include <stdint.h>

#include "engine/net.h"

#define SERIAL_MAGIC "EVPN"
#define SERIAL_VERSION 1
#define SERIAL_HEADER 32           /* bytes before the payload */
#define SERIAL_MAX_NODES (1u << 20)
#define SERIAL_MAX_CONNS (1u << 22)
#define SERIAL_MAX_IO 4096u        /* inputs or outputs of one network */

/* little-endian 32-bit fields, for this format and the files built on it */
static inline void le32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t le32_get(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

size_t serial_size(const struct net *n);
/* writes serial_size(n) bytes to buf and returns that count */
size_t serial_write(const struct net *n, uint8_t *buf);
/*
 * Decode one network from buf[0..len) into n (whose arrays are reused); *used gets the
 * bytes it took. 0, or -EINVAL / -ENOMEM with a message in err.
 */
int serial_read(struct net *n, const uint8_t *buf, size_t len, size_t *used,
		char *err, size_t errlen);
/*
 * serial_read's checks of a record (header, lengths, checksum) without the decoding: for a
 * process that passes records on; *used gets the record's length. The genome's invariants
 * are the decoder's to check.
 */
int serial_check(const uint8_t *buf, size_t len, size_t *used, char *err, size_t errlen);
/* a checked record of len bytes given another fitness, its checksum made anew */
void serial_set_fitness(uint8_t *rec, size_t len, float fitness);
uint32_t serial_crc32(const uint8_t *p, size_t len);

#endif
