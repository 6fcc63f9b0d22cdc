/*
 * Networks held as their wire records (a net stream's: index, then the serial bytes). A
 * process that only passes networks on, as persistent's main process does under
 * --worker-scope all, checks each record and keeps its bytes: decoding and encoding it
 * again would cost it twice, while the workers wait.
 */
#ifndef EVOPAR_NET_BYTES_H
#define EVOPAR_NET_BYTES_H

#include <stddef.h>
#include <stdint.h>

struct net_bytes {
	uint8_t *buf;              /* the records, back to back */
	size_t len, cap;
	size_t *at;                /* per network: its record's offset in buf */
	uint32_t *size;            /* per network: its record's length; 0: not held */
	int n;
};

int net_bytes_init(struct net_bytes *b, int n);
void net_bytes_release(struct net_bytes *b);
/* hold nothing (the records of one generation are kept until the next's) */
void net_bytes_clear(struct net_bytes *b);
/*
 * fn on each of the count records of a net stream over n networks, in turn: its index,
 * checked to be in range, its serial bytes and how many the stream has left from them; fn
 * sets *used to the record's length. 0, or -EINVAL (a truncated stream, an index out of
 * range) with a message in err, or what fn returned.
 */
typedef int (*net_record_fn)(void *ctx, int32_t idx, const uint8_t *rec, size_t left,
			     size_t *used, char *err, size_t errlen);
int net_stream_walk(const uint8_t *in, size_t len, int n, int count, net_record_fn fn, void *ctx,
		    char *err, size_t errlen);
/*
 * The count records of a net stream, each checked (serial_check: header, lengths,
 * checksum), kept; a record of a network already held replaces it. 0, or -EINVAL with a
 * message in err, -ENOMEM.
 */
int net_bytes_take(struct net_bytes *b, const uint8_t *in, size_t len, int count,
		   char *err, size_t errlen);
/* held network i's record given fitness f: what selection read, where the record predates it */
void net_bytes_set_fitness(struct net_bytes *b, int i, float f);
/* the net stream of networks idx[0..count), all held: its size, and written to out */
size_t net_bytes_size(const struct net_bytes *b, const int32_t *idx, int count);
size_t net_bytes_write(const struct net_bytes *b, const int32_t *idx, int count, uint8_t *out);

#endif
