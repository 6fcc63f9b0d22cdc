/*
 * Channels between the main process and a worker (see chan.h). The shared regions are
 * anonymous: shm_open'd, mapped and unlinked at once, so no name is left in /dev/shm on
 * any exit path, a SIGKILL of the main process included; forked workers inherit the maps.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "proc/chan.h"
#include "proc/clock.h"

int chan_shm_create(uint8_t **a, uint8_t **b, size_t cap, char *err, size_t errlen)
{
	static unsigned serial;
	char name[64];
	void *m;
	int fd;

	snprintf(name, sizeof(name), "/evopar-%ld-%u", (long)getpid(), serial++);
	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "shm_open %s: %s", name, strerror(errno));
		return -errno;
	}
	shm_unlink(name);
	if (ftruncate(fd, (off_t)(2 * cap))) {
		snprintf(err, errlen, "ftruncate of shared memory: %s", strerror(errno));
		close(fd);
		return -errno;
	}
	m = mmap(NULL, 2 * cap, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED) {
		snprintf(err, errlen, "mmap of shared memory: %s", strerror(errno));
		return -errno;
	}
	*a = m;
	*b = (uint8_t *)m + cap;
	return 0;
}

void chan_shm_destroy(uint8_t *a, uint8_t *b, size_t cap)
{
	(void)b;
	if (a)
		munmap(a, 2 * cap);
}

void chan_release(struct chan *c)
{
	free(c->buf);
	free(c->in);
	c->buf = c->in = NULL;
	c->cap = c->in_cap = 0;
}

uint8_t *chan_reserve(struct chan *c, size_t len)
{
	if (c->shm_tx)
		return len <= c->shm_cap ? c->shm_tx : NULL;
	if (len > c->cap) {
		uint8_t *nb = realloc(c->buf, len);

		if (!nb)
			return NULL;
		c->buf = nb;
		c->cap = len;
	}
	return c->buf;
}

static double deadline_of(const struct chan *c)
{
	return c->timeout_s > 0 ? proc_now_s() + c->timeout_s : 0;
}

int chan_send(struct chan *c, uint32_t type, size_t len)
{
	double deadline = deadline_of(c);

	if (len > CHAN_MAX_MSG)
		return -EMSGSIZE;
	if (c->shm_tx) {
		struct msg_header h = { .type = type, .len = (uint32_t)len };

		/* the payload is already in the shared region; the header says how long */
		return fd_write_full(c->wfd, &h, sizeof(h), deadline);
	}
	return msg_send(c->wfd, type, c->buf, (uint32_t)len, deadline);
}

int chan_recv(struct chan *c, uint32_t *type, const uint8_t **payload, size_t *len)
{
	struct msg_header h = { 0 };
	double deadline = deadline_of(c);
	int rc;

	if (c->shm_rx) {
		rc = fd_read_full(c->rfd, &h, sizeof(h), deadline);
		if (!rc && h.len > c->shm_cap)
			rc = -EBADMSG;
		*payload = c->shm_rx;
	} else {
		rc = msg_recv(c->rfd, &h, &c->in, &c->in_cap, CHAN_MAX_MSG, deadline);
		*payload = c->in;
	}
	if (rc && rc != -EBADMSG)
		return rc;
	*type = h.type;
	*len = h.len;
	return rc;
}
