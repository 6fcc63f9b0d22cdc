/*
 * A channel between the main process and one worker: framed messages over a pipe pair,
 * with payloads either inline in the pipe or, for --transport shm, in a shared mapping
 * (one region per direction) so that bulk bytes are written once and never copied through
 * the kernel. The pipe always carries the header: it is the wake-up.
 */
#ifndef EVOPAR_CHAN_H
#define EVOPAR_CHAN_H

#include <stddef.h>
#include <stdint.h>

#include "proc/wire.h"

#define CHAN_MAX_MSG (256u << 20)

struct chan {
	int rfd, wfd;
	uint8_t *shm_tx, *shm_rx;  /* NULL for pipe transport */
	size_t shm_cap;            /* bytes of each shared region */
	uint8_t *buf;              /* heap buffer: outgoing payload (pipe) and incoming (pipe) */
	size_t cap;
	uint8_t *in;               /* incoming payload buffer (pipe) */
	size_t in_cap;
	double timeout_s;          /* for each whole message; <= 0: none */
};

/* the two shared regions of one worker's channel, made before the fork */
int chan_shm_create(uint8_t **a, uint8_t **b, size_t cap, char *err, size_t errlen);
void chan_shm_destroy(uint8_t *a, uint8_t *b, size_t cap);

void chan_release(struct chan *c);
/* room for an outgoing payload of len bytes: in shared memory, or in a heap buffer */
uint8_t *chan_reserve(struct chan *c, size_t len);
int chan_send(struct chan *c, uint32_t type, size_t len);
/* *payload points at the message's bytes until the next receive; on -EBADMSG (a header
   promising too much) *type and *len still say what the header held */
int chan_recv(struct chan *c, uint32_t *type, const uint8_t **payload, size_t *len);

#endif
