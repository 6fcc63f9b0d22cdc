/*
 * Bytes between processes: whole reads and writes of a descriptor with an absolute deadline,
 * and framed messages (an 8-byte header, then the payload) over a pipe or a file.
 */
#ifndef EVOPAR_WIRE_H
#define EVOPAR_WIRE_H

#include <stddef.h>
#include <stdint.h>

/* A message: an 8-byte header (type, payload length), then the payload. */
struct msg_header {
	uint32_t type;
	uint32_t len;
};

/*
 * Whole reads and writes with an absolute deadline (proc_now_s() based; <= 0: none). 0, or
 * -EPIPE (the other end closed), -ETIMEDOUT, -EINTR (a stop signal arrived) or -errno.
 */
/* from now on, in this process and the children it forks, a wait for a descriptor polls it
   for up to `seconds` before it sleeps (0: sleeps at once; see proc_spin_budget_s) */
void wire_set_spin(double seconds);
int fd_write_full(int fd, const void *buf, size_t len, double deadline);
int fd_read_full(int fd, void *buf, size_t len, double deadline);
int msg_send(int fd, uint32_t type, const void *payload, uint32_t len, double deadline);
/* reads a header, then the payload into *buf (grown as needed, up to max_len); a header
   promising more than max_len is -EBADMSG, with *h still holding it */
int msg_recv(int fd, struct msg_header *h, uint8_t **buf, size_t *cap, size_t max_len,
	     double deadline);

#endif
