/*
 * The ranks of one MPI job: the pid and host table gathered at start, the sleeping wait, the
 * dead-rank check, and the one routine that records a failure for the caller's message.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proc/mpi_ranks.h"
#include "proc/proc.h"

#define IDLE_MIN_NS 20000L
#define IDLE_MAX_NS 1000000L
#define CHECK_EVERY_S 0.1          /* rank 0 looks for dead ranks this often */

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
	MPI_Comm_rank(MPI_COMM_WORLD, &r->rank);
	MPI_Comm_size(MPI_COMM_WORLD, &r->size);
	r->all = calloc((size_t)r->size, sizeof(*r->all));
	return r->all ? 0 : -ENOMEM;
}

void mpi_ranks_release(struct mpi_ranks *r)
{
	free(r->all);
	r->all = NULL;
}

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
	return 0;
}

int mpi_ranks_local(const struct mpi_ranks *r, int i)
{
	return !strcmp(r->all[i].host, r->all[0].host);
}

int mpi_ranks_check(const struct mpi_ranks *r, struct mpi_failure *f)
{
	int i;

	for (i = 1; i < r->size; i++)
		if (mpi_ranks_local(r, i) && !proc_alive(r->all[i].pid))
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
