/*
 * islands --migration mpi: a failure of the rank plumbing (mpi_ranks.h) made this run's
 * message and its failed worker; every file of the strategy reports through these, and after
 * any of them the run is broken (no clean MPI_Finalize).
 */
#include <errno.h>
#include <stdio.h>

#include "strategies/common/islands_mpi.h"

/* After any of these no clean MPI_Finalize is possible: the run is broken. */
int islands_mpi_failed(struct strategy *s, struct islands_mpi *m, int rc,
		       const struct mpi_failure *f, const char *phase, int gen)
{
	m->broken = 1;
	if (rc == -EIO) {
		snprintf(s->err, sizeof(s->err), "mpi: %s", f->how);
	} else if (rc == -ECHILD) {
		s->fail_worker = f->rank;
		s->fail_pid = f->pid;
		snprintf(s->err, sizeof(s->err), "island %d (mpi rank %d, pid %ld, host %.64s) died "
			 "in %s of generation %d; mpirun ends the job and says how", f->rank,
			 f->rank, f->pid, f->host, phase, gen);
	} else if (rc == -EINTR) {
		snprintf(s->err, sizeof(s->err), "interrupted");
	}
	/* -ETIMEDOUT: the caller says what was not done in time */
	return rc;
}

/* A wait for island r gave up: named with its pid and host where this rank knows them (0). */
int islands_mpi_timed_out(struct strategy *s, struct islands_mpi *m, int r, const char *what,
			  const char *phase, int gen)
{
	struct mpi_failure f;

	mpi_ranks_fail(&f, &m->ranks, r, -ETIMEDOUT, "timed out", MPI_SUCCESS);
	m->broken = 1;
	s->fail_worker = r;
	s->fail_pid = f.pid;
	if (f.pid)
		snprintf(s->err, sizeof(s->err), "island %d (mpi rank %d, pid %ld) gave no %s in %s "
			 "of generation %d within %g s (--worker-timeout); it runs on host %.64s", r, r,
			 f.pid, what, phase, gen, s->cfg->worker_timeout_s, f.host);
	else
		snprintf(s->err, sizeof(s->err), "island %d (mpi rank %d) gave no %s in %s of "
			 "generation %d within %g s (--worker-timeout)", r, r, what, phase, gen,
			 s->cfg->worker_timeout_s);
	return -ETIMEDOUT;
}

int islands_mpi_call_failed(struct strategy *s, struct islands_mpi *m, int mpi_code,
			    const char *what)
{
	struct mpi_failure f;

	return islands_mpi_failed(s, m, mpi_ranks_fail(&f, &m->ranks, -1, -EIO, what, mpi_code),
				  &f, "", 0);
}
