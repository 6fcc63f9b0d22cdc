/*
 * Trial backend `mpi`, run as `mpirun -np K evopar search --backend mpi ...`: rank 0 writes the
 * records and schedules trials dynamically, a trial id to each other rank and the next one to
 * whichever returns a result, failing the search on a rank that dies or overruns
 * --trial-timeout; with -np 1 rank 0 runs the trials itself.
 */
#include <errno.h>
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc/clock.h"
#include "proc/mpi_ranks.h"
#include "proc/proc.h"
#include "harness/search/search.h"

enum { TAG_TRIAL = 1, TAG_RESULT = 2 };
#define STOP_ID (-1)               /* the trial id that tells a rank to finish */

struct mpi_farm {
	struct farm *f;
	struct mpi_ranks ranks;    /* this rank, the job's size; rank 0: every rank's pid, host */
	int32_t *busy;             /* rank 0: per rank, the trial it runs, -1 none */
	double *since;             /* rank 0: per rank, when that trial was handed to it */
};

static const char *mpi_supported(const struct search_options *o)
{
	(void)o;
	if (getenv("OMPI_COMM_WORLD_SIZE"))
		return NULL;
	return "not under mpirun: run it as `mpirun -np K evopar search --backend mpi ...` "
	       "(rank 0 schedules, ranks 1..K-1 run trials; as root add --allow-run-as-root, "
	       "and --oversubscribe where K exceeds the cores)";
}

/* mpirun tells each process its rank before MPI_Init: only rank 0 opens --out and prints */
static int mpi_writes_records(void)
{
	const char *r = getenv("OMPI_COMM_WORLD_RANK");

	return !r || atoi(r) == 0;
}

/*
 * A failure of the shared rank plumbing as the search's message: -EIO (a rank died, overran
 * its trial, or an MPI call failed), or -EINTR (stopped).
 */
static int failed(struct mpi_farm *m, int rc, const struct mpi_failure *fl)
{
	struct farm *f = m->f;
	int r, unchecked = 0;

	if (fl->rank > 0) {
		f->fail_worker = fl->rank;
		f->fail_pid = fl->pid;
	}
	if (rc == -ECHILD) {
		snprintf(f->err, sizeof(f->err), "mpi rank %d (pid %ld, host %s) died while running "
			 "trial %d; mpirun ends the job and names how it died", fl->rank, fl->pid,
			 fl->host, (int)m->busy[fl->rank]);
		return -EIO;
	}
	if (rc == -ETIMEDOUT && fl->rank > 0) {
		snprintf(f->err, sizeof(f->err), "mpi rank %d (pid %ld, host %s) gave no result for "
			 "trial %d within %g s (--trial-timeout)", fl->rank, fl->pid, fl->host,
			 (int)m->busy[fl->rank], f->o->trial_timeout_s);
		return -EIO;
	}
	if (rc != -EINTR) {
		snprintf(f->err, sizeof(f->err), "mpi: %s", fl->how);
		return -EIO;
	}
	for (r = 1; r < m->ranks.size; r++)
		unchecked |= !mpi_ranks_checked(&m->ranks, r);
	if (unchecked)
		snprintf(f->err, sizeof(f->err), "stopped by a signal: a user's interrupt, or "
			 "mpirun ending the job after a rank on another host died (its message says)");
	return -EINTR;
}

static int call_failed(struct mpi_farm *m, int mpi_code, const char *what)
{
	struct mpi_failure fl;

	return failed(m, mpi_ranks_fail(&fl, &m->ranks, -1, -EIO, what, mpi_code), &fl);
}

/*
 * Wait for a request without spinning, up to timeout_s (0: no limit). Rank 0 gives up on a
 * stop signal and watches for dead ranks; the other ranks ignore signals and wait for rank 0
 * or for mpirun's SIGKILL, so that rank 0 never mistakes a rank that obeyed an interrupt for
 * one that died. A time-out names rank late (0: none).
 */
static int wait_req(struct mpi_farm *m, MPI_Request *req, MPI_Status *st, double timeout_s,
		    int late)
{
	struct mpi_failure fl;
	struct mpi_idle w;
	int rc;

	mpi_idle_start(&w, timeout_s, m->ranks.rank == 0);
	rc = mpi_ranks_wait(&m->ranks, req, st, &w, &fl);
	if (rc == -ETIMEDOUT && late > 0)
		mpi_ranks_fail(&fl, &m->ranks, late, rc, "timed out", MPI_SUCCESS);
	return rc ? failed(m, rc, &fl) : 0;
}

/* Rank 0: the rank whose trial has run longest, and how long that trial may still run. */
static int oldest(const struct mpi_farm *m, double *left)
{
	int r, o = 0;

	for (r = 1; r < m->ranks.size; r++)
		if (m->busy[r] != STOP_ID && (!o || m->since[r] < m->since[o]))
			o = r;
	*left = m->since[o] + m->f->o->trial_timeout_s - proc_now_s();
	/* a timeout of 0 would be none: one already due is a moment */
	if (*left < 1e-6)
		*left = 1e-6;
	return o;
}

/* Rank 0: send rank r the next trial not yet recorded, or STOP_ID when none is left. */
static int hand(struct mpi_farm *m, int r, int *next, int *in_flight)
{
	struct farm *f = m->f;
	int32_t id;
	int rc;

	*next = farm_next_trial(f, *next);
	id = *next < f->o->trials ? (*next)++ : STOP_ID;
	rc = MPI_Send(&id, 1, MPI_INT32_T, r, TAG_TRIAL, MPI_COMM_WORLD);
	if (rc != MPI_SUCCESS)
		return call_failed(m, rc, "MPI_Send of a trial");
	m->busy[r] = id;
	m->since[r] = proc_now_s();
	*in_flight += id != STOP_ID;
	return 0;
}

static int schedule(struct mpi_farm *m)
{
	struct farm *f = m->f;
	struct trial_result res;
	MPI_Request req;
	MPI_Status st;
	int next = 0, in_flight = 0, r, n, late, rc = 0;
	double left;

	for (r = 1; !rc && r < m->ranks.size; r++)
		rc = hand(m, r, &next, &in_flight);
	while (!rc && in_flight) {
		rc = MPI_Irecv(&res, sizeof(res), MPI_BYTE, MPI_ANY_SOURCE, TAG_RESULT,
			       MPI_COMM_WORLD, &req);
		if (rc != MPI_SUCCESS)
			return call_failed(m, rc, "MPI_Irecv");
		late = oldest(m, &left);
		rc = wait_req(m, &req, &st, left, late);
		if (rc)
			break;
		r = st.MPI_SOURCE;
		MPI_Get_count(&st, MPI_BYTE, &n);
		if (n != (int)sizeof(res) || res.id != m->busy[r]) {
			snprintf(f->err, sizeof(f->err), "mpi rank %d sent a malformed result", r);
			return -EBADMSG;
		}
		in_flight--;
		rc = f->emit(f, &res);
		if (!rc)
			rc = hand(m, r, &next, &in_flight);
	}
	return rc;
}

/* Ranks 1..K-1: run the trials rank 0 sends until it sends STOP_ID. */
static int serve(struct mpi_farm *m)
{
	struct trial_result res;
	MPI_Request req;
	int32_t id;
	int rc;

	for (;;) {
		rc = MPI_Irecv(&id, 1, MPI_INT32_T, 0, TAG_TRIAL, MPI_COMM_WORLD, &req);
		if (rc != MPI_SUCCESS)
			return call_failed(m, rc, "MPI_Irecv");
		rc = wait_req(m, &req, MPI_STATUS_IGNORE, 0, 0);
		if (rc || id == STOP_ID)
			return rc;
		trial_run(m->f, id, m->ranks.rank, &res);
		rc = MPI_Send(&res, sizeof(res), MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD);
		if (rc != MPI_SUCCESS)
			return call_failed(m, rc, "MPI_Send of a result");
	}
}

/*
 * Every rank's pid and host to rank 0 (to name a dead one), rank 0's clock and host to all:
 * trials on rank 0's host time themselves from its t0, elsewhere from the moment it arrives.
 */
static int exchange(struct mpi_farm *m)
{
	struct { double t0; char host[64]; } start = { .t0 = m->f->t0 };
	const char *me = m->ranks.all[m->ranks.rank].host;
	struct mpi_failure fl;
	int rc;

	rc = mpi_ranks_gather(&m->ranks, &fl);
	if (rc)
		return failed(m, rc, &fl);
	memcpy(start.host, me, sizeof(start.host));
	rc = MPI_Bcast(&start, sizeof(start), MPI_BYTE, 0, MPI_COMM_WORLD);
	if (rc != MPI_SUCCESS)
		return call_failed(m, rc, "start-up exchange");
	if (m->ranks.rank)
		m->f->t0 = strcmp(start.host, me) ? proc_now_s() : start.t0;
	return 0;
}

/* A barrier that sleeps: a rank done early must not spin in MPI_Finalize beside a trial. */
static int quiet_barrier(struct mpi_farm *m)
{
	MPI_Request req;
	int rc = MPI_Ibarrier(MPI_COMM_WORLD, &req);

	if (rc != MPI_SUCCESS)
		return call_failed(m, rc, "MPI_Ibarrier");
	return wait_req(m, &req, MPI_STATUS_IGNORE, 0, 0);
}

static int mpi_run(struct farm *f)
{
	struct mpi_farm m = { .f = f };
	int size, rc;

	rc = MPI_Init(NULL, NULL);
	if (rc != MPI_SUCCESS)
		return call_failed(&m, rc, "MPI_Init");
	/* errors come back as codes, so rank 0 can still write its summary */
	MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
	rc = mpi_ranks_init(&m.ranks);
	size = m.ranks.size;
	f->mpi_ranks = size;
	f->jobs = size > 1 ? size - 1 : 1;
	m.busy = malloc((size_t)size * sizeof(*m.busy));
	m.since = calloc((size_t)size, sizeof(*m.since));
	if (rc || !m.busy || !m.since) {
		snprintf(f->err, sizeof(f->err), "mpi: out of memory");
		rc = -ENOMEM;
		goto out;
	}
	memset(m.busy, 0xff, (size_t)size * sizeof(*m.busy));   /* -1: none */
	rc = exchange(&m);
	if (!rc && size == 1)
		rc = farm_sequential.run(f);
	else if (!rc)
		rc = m.ranks.rank ? serve(&m) : schedule(&m);
	if (!rc)
		rc = quiet_barrier(&m);
	/* MPI_Finalize waits for every rank: after a failure or a stop some may be dead */
	if (!rc)
		MPI_Finalize();
out:
	mpi_ranks_release(&m.ranks);
	free(m.since);
	free(m.busy);
	return rc;
}

const struct farm_ops farm_mpi = {
	.name = "mpi",
	.summary = "under mpirun: rank 0 hands the next trial to whichever rank finishes one",
	.supported = mpi_supported,
	.writes_records = mpi_writes_records,
	.run = mpi_run,
};
