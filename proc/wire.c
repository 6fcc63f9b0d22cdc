/*
 * Whole reads and writes with deadlines, and framed messages (see wire.h). Waits wake at
 * least every 100 ms, so a stop signal ends any of them within that.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <unistd.h>

#include "proc/clock.h"
#include "proc/wire.h"

static double wire_spin_s;

void wire_set_spin(double seconds)
{
	wire_spin_s = seconds > 0 ? seconds : 0;
}

/* Poll fd without sleeping for up to wire_spin_s, never past the deadline: 1 when it
   became ready; the wait that follows sees a stop request or the deadline. */
static int spin_fd(int fd, short events, double deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	double end;

	if (wire_spin_s <= 0)
		return 0;
	end = proc_now_s() + wire_spin_s;
	if (deadline > 0 && deadline < end)
		end = deadline;
	do {
		if (poll(&pfd, 1, 0) > 0)
			return 1;
		proc_cpu_relax();
	} while (!proc_stop_requested && proc_now_s() < end);
	return 0;
}

/* Wait until fd is ready for events or the deadline passes. */
static int wait_fd(int fd, short events, double deadline)
{
	if (spin_fd(fd, events, deadline))
		return 0;
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = events };
		int ms = -1, r;

		if (proc_stop_requested)
			return -EINTR;
		if (deadline > 0) {
			double left = deadline - proc_now_s();

			if (left <= 0)
				return -ETIMEDOUT;
			ms = (int)(left * 1e3) + 1;
		}
		/* wake at least every 100 ms to notice a stop request */
		if (ms < 0 || ms > 100)
			ms = 100;
		r = poll(&pfd, 1, ms);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

int fd_write_full(int fd, const void *buf, size_t len, double deadline)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EPIPE)
			return -EPIPE;
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			return -errno;
		if (proc_stop_requested)
			return -EINTR;
		if (n < 0 && errno == EAGAIN) {
			int rc = wait_fd(fd, POLLOUT, deadline);

			if (rc)
				return rc;
		}
	}
	return 0;
}

int fd_read_full(int fd, void *buf, size_t len, double deadline)
{
	uint8_t *p = buf;

	while (len) {
		int rc = wait_fd(fd, POLLIN, deadline);
		ssize_t n;

		if (rc)
			return rc;
		n = read(fd, p, len);
		if (n == 0)
			return -EPIPE;
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Header and payload in one writev, so the reader wakes once for the whole message. */
int msg_send(int fd, uint32_t type, const void *payload, uint32_t len, double deadline)
{
	struct msg_header h = { .type = type, .len = len };
	struct iovec iov[2] = {
		{ .iov_base = &h, .iov_len = sizeof(h) },
		{ .iov_base = (void *)payload, .iov_len = len },
	};
	size_t head;
	ssize_t n;

	do
		n = writev(fd, iov, len ? 2 : 1);
	while (n < 0 && errno == EINTR && !proc_stop_requested);
	if (n < 0 && errno != EAGAIN)
		return errno == EPIPE ? -EPIPE : -errno;
	if (n < 0)
		n = 0;
	/* a short write (the pipe is full): the rest goes out with a deadline */
	head = (size_t)n < sizeof(h) ? (size_t)n : sizeof(h);
	if (head < sizeof(h)) {
		int rc = fd_write_full(fd, (uint8_t *)&h + head, sizeof(h) - head, deadline);

		if (rc)
			return rc;
	}
	if ((size_t)n >= sizeof(h) + len || !len)
		return 0;
	n -= (ssize_t)head;
	return fd_write_full(fd, (const uint8_t *)payload + n, len - (size_t)n, deadline);
}

int msg_recv(int fd, struct msg_header *h, uint8_t **buf, size_t *cap, size_t max_len,
	     double deadline)
{
	int rc = fd_read_full(fd, h, sizeof(*h), deadline);

	if (rc)
		return rc;
	if (h->len > max_len)
		return -EBADMSG;
	if (h->len > *cap) {
		uint8_t *nb = realloc(*buf, h->len);

		if (!nb)
			return -ENOMEM;
		*buf = nb;
		*cap = h->len;
	}
	return h->len ? fd_read_full(fd, *buf, h->len, deadline) : 0;
}
