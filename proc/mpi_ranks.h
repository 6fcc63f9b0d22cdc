/*
 * The ranks of one MPI job, for code that runs under mpirun: every rank's pid and host, a wait
 * for a message that sleeps instead of spinning, and rank 0's check for a rank that died (by
 * pid on its own host, by a TCP link the rank holds open on any other).
 */
#ifndef EVOPAR_MPI_RANKS_H
#define EVOPAR_MPI_RANKS_H

#include <mpi.h>
#include <stdint.h>

struct mpi_rank {
	int32_t pid;
	char host[64];
};

struct mpi_ranks {
	int rank, size;            /* this process's rank in MPI_COMM_WORLD, and how many */
	struct mpi_rank *all;      /* rank 0, after mpi_ranks_gather: every rank's pid and host */
	/*
	 * Rank 0: per rank on another host, its end of a TCP connection whose other end that
	 * rank's process holds until it exits, so the kernel closes it when the rank dies; -1
	 * none (rank 0 itself, a rank on its host, one that could not connect). NULL: no links.
	 */
	int *link;
	int own_link;              /* a rank on another host: its end, left open until it exits */
};

/*
 * What went wrong, filled by mpi_ranks_fail alone; the return code says which kind (-EIO an
 * MPI call failed, -ECHILD a rank died, -EINTR a stop signal, -ETIMEDOUT a wait's deadline),
 * and each caller turns the record into its own message.
 */
struct mpi_failure {
	int rank;                  /* the rank it names; -1: none (this rank's own call or wait) */
	long pid;                  /* that rank's pid where known (rank 0), else 0 */
	char host[64];             /* and its host, "" where not known */
	char how[MPI_MAX_ERROR_STRING + 64];   /* "died", or "MPI_Test: <MPI's own words>" */
};

/* The one failure routine: fill *f about rank (-1: none) and return rc. An MPI error code
 * other than MPI_SUCCESS adds MPI's own words to how. */
int mpi_ranks_fail(struct mpi_failure *f, const struct mpi_ranks *r, int rank, int rc,
		   const char *how, int mpi_code);

/* After MPI_Init: this process's rank, the job's size, room for the table. 0 or -ENOMEM. */
int mpi_ranks_init(struct mpi_ranks *r);
void mpi_ranks_release(struct mpi_ranks *r);
/*
 * Collective: every rank's pid and host to rank 0, then a link from every rank on another
 * host to rank 0 (rank 0 offers its IPv4 addresses and a port; a rank that reaches none is
 * left unlinked, unchecked). 0, or -EIO with *f.
 */
int mpi_ranks_gather(struct mpi_ranks *r, struct mpi_failure *f);
/* Rank 0: is rank i on this host? Only there can its pid say whether it lives. */
int mpi_ranks_local(const struct mpi_ranks *r, int i);
/* Rank 0: can it tell whether rank i lives: on its host, or linked? */
int mpi_ranks_checked(const struct mpi_ranks *r, int i);
/*
 * Rank 0: -ECHILD with *f naming the first rank whose process is gone (on this host: its pid;
 * elsewhere: its link closed), else 0. Without ULFM MPI itself cannot say; mpirun sees the
 * death and ends the job, and rank 0 has the moment between mpirun's SIGTERM and its SIGKILL
 * to report it.
 */
int mpi_ranks_check(const struct mpi_ranks *r, struct mpi_failure *f);
/* A stop signal arrived: -ECHILD where rank 0 finds a rank dead (mpirun ending the job after
 * a death: a failure), else -EINTR (an interrupt). */
int mpi_ranks_stopped(const struct mpi_ranks *r, struct mpi_failure *f);

/*
 * A wait polls with a sleep that doubles from 20 us up to a millisecond: Open MPI's blocking
 * calls spin a core, and with as many ranks as cores that core belongs to the work.
 */
struct mpi_idle {
	double deadline;           /* proc_now_s() time to give up; 0: none */
	double check_at;           /* rank 0: when to look for dead ranks next */
	long ns;                   /* the next sleep */
	int watch_stop;            /* give up when a stop signal arrives */
};

void mpi_idle_start(struct mpi_idle *w, double timeout_s, int watch_stop);
/* One idle moment of a wait: 0 to go on, or why to give up (-EINTR, -ECHILD, -ETIMEDOUT). */
int mpi_idle_step(const struct mpi_ranks *r, struct mpi_idle *w, struct mpi_failure *f);
/* Wait for req (st as for MPI_Test): 0 once done, -EIO, or what mpi_idle_step gave up with. */
int mpi_ranks_wait(const struct mpi_ranks *r, MPI_Request *req, MPI_Status *st,
		   struct mpi_idle *w, struct mpi_failure *f);

#endif
