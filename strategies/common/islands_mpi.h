/*
 * The pieces of islands --migration mpi|mpi-async (strategies/islands_mpi.c has the hooks):
 * one rank's state, its waits and messages (islands_mpi_messages.c), reports to rank 0
 * (islands_mpi_reports.c).
 */
#ifndef EVOPAR_ISLANDS_MPI_H
#define EVOPAR_ISLANDS_MPI_H

#include <mpi.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "proc/mpi_ranks.h"
#include "proc/proc.h"
#include "strategies/common/island.h"
#include "strategies/strategy.h"

/*
 * Messages: migrants (a migration file's bytes, migration.h) from island to island, and an
 * island's report (a head, then its parts) to rank 0. Between one pair of ranks MPI keeps
 * messages of one tag in order, which is all sync needs: the next migrants message from a
 * source is that generation's.
 */
enum { TAG_MIGRANTS = 1, TAG_REPORT = 2 };
enum { REPORT_STATS = 1, REPORT_NETS = 2 };

/* Migrants on their way out: one buffer for all destinations, freed once every send is done. */
struct outgoing {
	uint8_t *buf;
	MPI_Request req[1];        /* really n_dest of them: allocated with the struct */
};

struct islands_mpi {
	struct island isl;
	struct mpi_ranks ranks;    /* this rank, the job's size; rank 0: every rank's pid, host */
	int sync;                  /* wait for each source's migrants of this generation */
	int *lo;                   /* island i owns nets [lo[i], lo[i + 1]) of the population */
	int *dests;                /* the islands this one sends to */
	int n_dests;
	int *received;             /* migrants messages taken from each island */
	char *pending;             /* rank 0: a report is still due from this rank */
	struct outgoing **out;     /* migrants not yet sent, oldest first */
	int n_out;
	uint8_t *report;           /* this island's report: sent from here */
	size_t report_len, report_cap;
	MPI_Request report_req;
	uint8_t *in, *newest;      /* received bytes: a message, and async's newest of a source */
	size_t in_cap, newest_cap, newest_len;
	struct fault fault;
	double nodes, conns;       /* rank 0: genome sizes summed over the last reports */
	uint64_t work_sent;        /* engine_work_done() when this rank last reported its stats */
	int broken;                /* a wait failed: no clean MPI_Finalize is possible */
	int initialised;
	struct sigaction old_int, old_term;
	int signals_saved;
};

/* islands_mpi_failures.c: a failure of the shared rank plumbing as this run's message; returns rc */
int islands_mpi_failed(struct strategy *s, struct islands_mpi *m, int rc,
		       const struct mpi_failure *f, const char *phase, int gen);
int islands_mpi_call_failed(struct strategy *s, struct islands_mpi *m, int mpi_code,
			    const char *what);
/* island r sent no `what` (report, migrants) in time; returns -ETIMEDOUT */
int islands_mpi_timed_out(struct strategy *s, struct islands_mpi *m, int r, const char *what,
			  const char *phase, int gen);

/* islands_mpi_messages.c: waits, receiving, migrants */
void islands_mpi_wait_start(struct mpi_idle *w, const struct islands_mpi *m, double timeout_s);
int islands_mpi_tick(struct strategy *s, struct islands_mpi *m, struct mpi_idle *w,
		     const char *phase, int gen);
int islands_mpi_wait_request(struct strategy *s, struct islands_mpi *m, MPI_Request *req,
			     const char *phase, int gen);
int islands_mpi_grow(uint8_t **buf, size_t *cap, size_t need);
int islands_mpi_try_recv(struct strategy *s, struct islands_mpi *m, int src, int tag,
			 size_t *len);
int islands_mpi_send_migrants(struct strategy *s, struct islands_mpi *m, int gen);
int islands_mpi_take_exact(struct strategy *s, struct islands_mpi *m, int gen);
int islands_mpi_take_arrived(struct strategy *s, struct islands_mpi *m, int gen);
int islands_mpi_drain(struct strategy *s, struct islands_mpi *m);

/* islands_mpi_reports.c: every island's stats (kind REPORT_STATS) or networks (REPORT_NETS)
   into rank 0's population and records */
int islands_mpi_exchange_reports(struct strategy *s, struct islands_mpi *m, struct population *p,
				 int kind, const char *phase);

#endif
