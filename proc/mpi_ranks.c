/*
 * The ranks of one MPI job: the pid and host table gathered at start with a link from every
 * rank on another host, the sleeping wait, the dead-rank check, and the one routine that
 * records a failure for the caller's message.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "proc/mpi_ranks.h"
#include "proc/proc.h"

#define IDLE_MIN_NS 20000L
#define IDLE_MAX_NS 1000000L
#define CHECK_EVERY_S 0.1          /* rank 0 looks for dead ranks this often */
#define LINK_ADDRS 16              /* rank 0's IPv4 addresses offered to the other hosts */
#define LINK_CONNECT_MS 2000       /* a rank tries each address this long */
#define LINK_ACCEPT_S 5.0          /* rank 0 waits this long for the links announced */

/* What rank 0 broadcasts so that the ranks on other hosts can link to it. */
struct link_offer {
	char host[64];             /* rank 0's host: ranks on any other link */
	uint64_t token;            /* this job's, so that rank 0 takes no stranger's connection */
	uint32_t n_addr;
	uint32_t addr[LINK_ADDRS]; /* network order */
	uint16_t port;             /* network order; 0: no listener, no links */
};

/* A linked rank's only message: who it is. Afterwards it never writes. */
struct link_hello {
	uint64_t token;
	int32_t rank;
	int32_t pad;
};

int mpi_ranks_fail(struct mpi_failure *f, const struct mpi_ranks *r, int rank, int rc,
		   const char *how, int mpi_code)
{
	char words[MPI_MAX_ERROR_STRING] = "";
	int len = 0;

	memset(f, 0, sizeof(*f));
	f->rank = rank;
	/* only rank 0 holds the table */
	if (rank >= 0 && r && r->all && r->rank == 0 && rank < r->size) {
		f->pid = r->all[rank].pid;
		snprintf(f->host, sizeof(f->host), "%s", r->all[rank].host);
	}
	if (mpi_code == MPI_SUCCESS) {
		snprintf(f->how, sizeof(f->how), "%s", how);
		return rc;
	}
	MPI_Error_string(mpi_code, words, &len);
	snprintf(f->how, sizeof(f->how), "%s: %s", how, words);
	return rc;
}

int mpi_ranks_init(struct mpi_ranks *r)
{
	int i;

	MPI_Comm_rank(MPI_COMM_WORLD, &r->rank);
	MPI_Comm_size(MPI_COMM_WORLD, &r->size);
	r->own_link = -1;
	r->all = calloc((size_t)r->size, sizeof(*r->all));
	r->link = calloc((size_t)r->size, sizeof(*r->link));
	if (!r->all || !r->link)
		return -ENOMEM;
	for (i = 0; i < r->size; i++)
		r->link[i] = -1;
	return 0;
}

/* A rank's own link stays open: closed before the process ends, it would read as a death. */
void mpi_ranks_release(struct mpi_ranks *r)
{
	int i;

	for (i = 0; r->link && r->rank == 0 && i < r->size; i++)
		if (r->link[i] >= 0)
			close(r->link[i]);
	free(r->link);
	free(r->all);
	r->link = NULL;
	r->all = NULL;
}

/* ---- links: rank 0 listens, every rank on another host connects and says who it is --------- */

/* Rank 0: a listening socket on every address, and the offer naming them; -1 where none. */
static int link_listen(struct link_offer *o)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	struct ifaddrs *ifs, *i;
	int fd;

	if (getifaddrs(&ifs))
		return -1;
	for (i = ifs; i && o->n_addr < LINK_ADDRS; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
		    (i->ifa_flags & IFF_UP) && !(i->ifa_flags & IFF_LOOPBACK)) {
			memcpy(&a, i->ifa_addr, sizeof(a));
			o->addr[o->n_addr++] = a.sin_addr.s_addr;
		}
	freeifaddrs(ifs);
	a = (struct sockaddr_in){ .sin_family = AF_INET };   /* any address, a free port */
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (!o->n_addr || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, SOMAXCONN) ||
	    getsockname(fd, (struct sockaddr *)&a, &len)) {
		close(fd);
		return -1;
	}
	o->port = a.sin_port;
	if (getrandom(&o->token, sizeof(o->token), 0) != (ssize_t)sizeof(o->token))
		o->token = (uint64_t)getpid() << 32 ^ (uint64_t)(proc_now_s() * 1e9);
	return fd;
}

/* Connect fd (non-blocking) to a within LINK_CONNECT_MS: 0, or -1. */
static int link_reach(int fd, const struct sockaddr_in *a)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int err = 0;

	if (!connect(fd, (const struct sockaddr *)a, sizeof(*a)))
		return 0;
	if (errno != EINPROGRESS || poll(&p, 1, LINK_CONNECT_MS) != 1)
		return -1;
	return getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) || err ? -1 : 0;
}

/* A rank on another host: the first of rank 0's addresses it reaches, hello sent; -1 none. */
static int link_connect(const struct link_offer *o, int rank)
{
	struct link_hello h = { .token = o->token, .rank = rank };
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = o->port };
	uint32_t i;
	int fd;

	for (i = 0; i < o->n_addr && i < LINK_ADDRS; i++) {
		a.sin_addr.s_addr = o->addr[i];
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0)
			return -1;
		/* 16 bytes into a new connection's empty buffer: never short */
		if (!link_reach(fd, &a) && write(fd, &h, sizeof(h)) == (ssize_t)sizeof(h))
			return fd;
		close(fd);
	}
	return -1;
}

/*
 * Rank 0: take the `expect` links the ranks announced; they connected before announcing, so
 * each waits in the listen queue. A connection that does not say this job's token is closed.
 */
static void link_accept(struct mpi_ranks *r, int lfd, const struct link_offer *o, int expect)
{
	double end = proc_now_s() + LINK_ACCEPT_S;
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	struct link_hello h;
	int fd, ms;

	while (expect > 0) {
		ms = (int)((end - proc_now_s()) * 1e3);
		if (ms <= 0 || poll(&p, 1, ms) != 1)
			return;
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)
			continue;
		if (!fd_read_full(fd, &h, sizeof(h), end) && h.token == o->token && h.rank > 0 &&
		    h.rank < r->size && !mpi_ranks_local(r, h.rank) && r->link[h.rank] < 0) {
			r->link[h.rank] = fd;
			expect--;
		} else {
			close(fd);
		}
	}
}

static int any_remote(const struct mpi_ranks *r)
{
	int i;

	for (i = 1; i < r->size; i++)
		if (!mpi_ranks_local(r, i))
			return 1;
	return 0;
}

/* Collective, after the table: a link from every rank on another host to rank 0. */
static int link_ranks(struct mpi_ranks *r, struct mpi_failure *f)
{
	struct link_offer o;
	int lfd = -1, linked = 0, expect = 0, rc;

	memset(&o, 0, sizeof(o));
	if (r->rank == 0) {
		memcpy(o.host, r->all[0].host, sizeof(o.host));
		if (any_remote(r))
			lfd = link_listen(&o);
	}
	rc = MPI_Bcast(&o, sizeof(o), MPI_BYTE, 0, MPI_COMM_WORLD);
	if (rc == MPI_SUCCESS && r->rank && o.port && strcmp(o.host, r->all[r->rank].host)) {
		r->own_link = link_connect(&o, r->rank);
		linked = r->own_link >= 0;
	}
	if (rc == MPI_SUCCESS)
		rc = MPI_Reduce(&linked, &expect, 1, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);
	if (rc == MPI_SUCCESS && lfd >= 0)
		link_accept(r, lfd, &o, expect);
	if (lfd >= 0)
		close(lfd);
	return rc == MPI_SUCCESS ? 0 : mpi_ranks_fail(f, r, -1, -EIO, "start-up exchange", rc);
}

/* Rank 0: has rank i's link closed? It never writes after its hello, so anything to read
 * is the end: EOF, or a reset. */
static int link_closed(const struct mpi_ranks *r, int i)
{
	struct pollfd p;

	if (!r->link || r->link[i] < 0)
		return 0;
	p = (struct pollfd){ .fd = r->link[i], .events = POLLIN };
	return poll(&p, 1, 0) == 1;
}

/* ---- the table and the check --------------------------------------------------------------- */

int mpi_ranks_gather(struct mpi_ranks *r, struct mpi_failure *f)
{
	struct mpi_rank me = { .pid = (int32_t)getpid() };
	int rc;

	gethostname(me.host, sizeof(me.host) - 1);
	rc = MPI_Gather(&me, sizeof(me), MPI_BYTE, r->all, sizeof(me), MPI_BYTE, 0,
			MPI_COMM_WORLD);
	if (rc != MPI_SUCCESS)
		return mpi_ranks_fail(f, r, -1, -EIO, "start-up exchange", rc);
	if (r->rank)
		r->all[r->rank] = me;   /* a rank knows itself, if no other */
	return link_ranks(r, f);
}

int mpi_ranks_local(const struct mpi_ranks *r, int i)
{
	return !strcmp(r->all[i].host, r->all[0].host);
}

int mpi_ranks_checked(const struct mpi_ranks *r, int i)
{
	return mpi_ranks_local(r, i) || (r->link && r->link[i] >= 0);
}

int mpi_ranks_check(const struct mpi_ranks *r, struct mpi_failure *f)
{
	int i;

	for (i = 1; i < r->size; i++)
		if (mpi_ranks_local(r, i) ? !proc_alive(r->all[i].pid) : link_closed(r, i))
			return mpi_ranks_fail(f, r, i, -ECHILD, "died", MPI_SUCCESS);
	return 0;
}

int mpi_ranks_stopped(const struct mpi_ranks *r, struct mpi_failure *f)
{
	if (r->rank == 0 && mpi_ranks_check(r, f))
		return -ECHILD;
	return mpi_ranks_fail(f, r, -1, -EINTR, "stopped by a signal", MPI_SUCCESS);
}

void mpi_idle_start(struct mpi_idle *w, double timeout_s, int watch_stop)
{
	double now = proc_now_s();

	w->deadline = timeout_s > 0 ? now + timeout_s : 0;
	w->check_at = now + CHECK_EVERY_S;
	w->ns = IDLE_MIN_NS;
	w->watch_stop = watch_stop;
}

int mpi_idle_step(const struct mpi_ranks *r, struct mpi_idle *w, struct mpi_failure *f)
{
	struct timespec ts = { 0, w->ns };
	double now = proc_now_s();

	if (w->watch_stop && proc_stop_requested)
		return mpi_ranks_stopped(r, f);
	if (r->rank == 0 && now > w->check_at) {
		if (mpi_ranks_check(r, f))
			return -ECHILD;
		w->check_at = now + CHECK_EVERY_S;
	}
	if (w->deadline > 0 && now > w->deadline)
		return mpi_ranks_fail(f, r, -1, -ETIMEDOUT, "timed out", MPI_SUCCESS);
	nanosleep(&ts, NULL);
	if (w->ns < IDLE_MAX_NS)
		w->ns *= 2;
	return 0;
}

int mpi_ranks_wait(const struct mpi_ranks *r, MPI_Request *req, MPI_Status *st,
		   struct mpi_idle *w, struct mpi_failure *f)
{
	int done = 0, rc;

	for (;;) {
		rc = MPI_Test(req, &done, st);
		if (rc != MPI_SUCCESS)
			return mpi_ranks_fail(f, r, -1, -EIO, "MPI_Test", rc);
		if (done)
			return 0;
		rc = mpi_idle_step(r, w, f);
		if (rc)
			return rc;
	}
}
