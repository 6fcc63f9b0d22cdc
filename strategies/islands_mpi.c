/*
 * islands --migration mpi|mpi-async, run as `mpirun -np K evopar run --strategy islands
 * --migration mpi --islands K`: every rank is one island (rank 0 is island 0 and the only
 * one that writes records and prints), migrants travel as MPI messages, and rank 0 collects
 * each island's fitness, origins and sizes every generation and its networks at the end.
 * Here: the hooks, start and end; the messages, reports and failures are in
 * strategies/common/islands_mpi_*.c.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "strategies/common/islands_mpi.h"

/* ---- failures --------------------------------------------------------------------------- */

/* A stop signal: mpirun ending the job after a rank died (failed), or the user (interrupted). */
static int stopped(struct strategy *s, struct islands_mpi *m, const char *phase, int gen)
{
	struct mpi_failure f;

	return islands_mpi_failed(s, m, mpi_ranks_stopped(&m->ranks, &f), &f, phase, gen);
}

/* ---- hooks ------------------------------------------------------------------------------- */

static void add_comm(struct strategy *s, int phase, double t0)
{
	s->comm_ms[phase] += (proc_now_s() - t0) * 1e3;
}

/* The end of every hook: an island's error in s->err, an injected fault, a stop signal. */
static int hook_done(struct strategy *s, struct islands_mpi *m, int phase, int gen, int rc)
{
	if (rc && !s->err[0])
		snprintf(s->err, sizeof(s->err), "island %d: %.480s", m->ranks.rank, m->isl.err);
	if (!rc && proc_stop_requested)
		rc = stopped(s, m, phase_names[phase], gen);
	if (rc)
		m->broken = 1;
	return rc;
}

static int mpi_mutate(struct strategy *s, struct population *p)
{
	struct islands_mpi *m = s->data;

	s->err[0] = 0;
	fault_strike(&m->fault, m->ranks.rank, PHASE_MUTATE, p->gen);
	return hook_done(s, m, PHASE_MUTATE, p->gen, island_mutate(&m->isl, p->gen));
}

static int mpi_prepare(struct strategy *s, struct population *p)
{
	struct islands_mpi *m = s->data;

	s->err[0] = 0;
	fault_strike(&m->fault, m->ranks.rank, PHASE_PREPARE, p->gen);
	return hook_done(s, m, PHASE_PREPARE, p->gen, island_prepare(&m->isl, p->gen));
}

/* Evaluate the island, then every island's fitness, origins and sizes go to rank 0. */
static int mpi_evaluate(struct strategy *s, struct population *p)
{
	struct islands_mpi *m = s->data;
	double t;
	int rc;

	s->err[0] = 0;
	fault_strike(&m->fault, m->ranks.rank, PHASE_EVALUATE, p->gen);
	rc = island_evaluate(&m->isl, p->gen);
	if (rc)
		return hook_done(s, m, PHASE_EVALUATE, p->gen, rc);
	t = proc_now_s();
	m->nodes = m->conns = 0;
	rc = islands_mpi_exchange_reports(s, m, p, REPORT_STATS, "evaluate");
	add_comm(s, PHASE_EVALUATE, t);
	return hook_done(s, m, PHASE_EVALUATE, p->gen, rc);
}

/* Migrants out, migrants in (sync: this generation's, waited for), then selection. */
static int mpi_resample(struct strategy *s, struct population *p)
{
	struct islands_mpi *m = s->data;
	double t = proc_now_s();
	int rc = 0;

	s->err[0] = 0;
	fault_strike(&m->fault, m->ranks.rank, PHASE_RESAMPLE, p->gen);
	if (island_migrates(s->cfg, p->gen)) {
		rc = islands_mpi_send_migrants(s, m, p->gen);
		if (!rc)
			rc = m->sync ? islands_mpi_take_exact(s, m, p->gen) :
					islands_mpi_take_arrived(s, m, p->gen);
		if (!rc)
			rc = island_replace_worst(&m->isl);
		add_comm(s, PHASE_RESAMPLE, t);
	}
	if (!rc)
		rc = island_breed(&m->isl, p->gen);
	return hook_done(s, m, PHASE_RESAMPLE, p->gen, rc);
}

/* Every island's networks into rank 0's population, for the digest and the diversity. */
static int mpi_sync(struct strategy *s, struct population *p)
{
	struct islands_mpi *m = s->data;
	int rc;

	if (m->broken || proc_stop_requested) {
		snprintf(s->err, sizeof(s->err), "islands: the population was not gathered");
		return -ECANCELED;
	}
	s->err[0] = 0;
	rc = islands_mpi_drain(s, m);
	if (!rc)
		rc = islands_mpi_exchange_reports(s, m, p, REPORT_NETS, "the end");
	if (!rc && m->ranks.rank)
		rc = islands_mpi_wait_request(s, m, &m->report_req, "the end", p->gen);
	if (rc)
		m->broken = 1;
	return rc;
}

static void mpi_sizes(struct strategy *s, const struct population *p, double *nodes,
		      double *conns)
{
	struct islands_mpi *m = s->data;

	*nodes = m->nodes / p->n;
	*conns = m->conns / p->n;
}

/* ---- open and close ---------------------------------------------------------------------- */

/* mpirun tells each process its rank before MPI_Init: only rank 0 opens --out and prints */
static int mpi_writes_records(const struct strategy_config *c)
{
	const char *r = getenv("OMPI_COMM_WORLD_RANK");

	(void)c;
	return !r || atoi(r) == 0;
}

static const char *mpi_supported(const struct strategy_config *c)
{
	static char why[400];
	const char *size = getenv("OMPI_COMM_WORLD_SIZE");
	struct fault f;

	if (!size) {
		snprintf(why, sizeof(why), "--migration %s runs under mpirun, one island a rank: "
			 "mpirun -np K evopar run --strategy islands --islands K --migration %s ... "
			 "(as root add --allow-run-as-root; --oversubscribe where K exceeds the cores)",
			 c->migration == MIGRATION_MPI ? "mpi" : "mpi-async",
			 c->migration == MIGRATION_MPI ? "mpi" : "mpi-async");
		return why;
	}
	if (atoi(size) != c->islands) {
		snprintf(why, sizeof(why), "--islands %d, but mpirun started %s ranks: every rank is "
			 "one island (give -np %d or --islands %s)", c->islands, size, c->islands, size);
		return why;
	}
	if (island_config_check(c, why, sizeof(why)))
		return why;
	if (c->island_id >= 0)
		return "--island-id: not with --migration mpi (each rank's island is its rank)";
	if (c->migration_dir)
		return "--migration-dir: not with --migration mpi (migrants travel as MPI messages)";
	if (fault_parse(c->inject_fault, &f, why, sizeof(why)))
		return why;
	if (f.kind == FAULT_GARBAGE)
		return "--inject-fault garbage: not with --migration mpi (kill and hang are)";
	return NULL;
}

/* The islands this one sends to: the ones whose sources include it. */
static void find_dests(struct islands_mpi *m, const struct strategy_config *c)
{
	int i;

	m->n_dests = 0;
	if (c->islands < 2)
		return;
	if (c->topology == TOPOLOGY_FULL) {
		for (i = 0; i < c->islands; i++)
			if (i != m->ranks.rank)
				m->dests[m->n_dests++] = i;
	} else {
		m->dests[m->n_dests++] = (m->ranks.rank + 1) % c->islands;
	}
}

static int mpi_alloc(struct islands_mpi *m, int k)
{
	m->lo = calloc((size_t)k + 1, sizeof(*m->lo));
	m->dests = calloc((size_t)k, sizeof(*m->dests));
	m->received = calloc((size_t)k, sizeof(*m->received));
	m->pending = calloc((size_t)k, 1);
	return m->lo && m->dests && m->received && m->pending ? 0 : -ENOMEM;
}

/* This rank's island takes its share; the population keeps empty networks in its place. */
static int take_share(struct islands_mpi *m, const struct strategy_config *c, struct population *p)
{
	int i, j, lo, hi, rc;

	for (i = 0; i <= m->ranks.size; i++)
		m->lo[i] = island_lo(i, m->ranks.size, p->n);
	for (i = 0; i < m->ranks.size; i++)
		for (j = m->lo[i]; j < m->lo[i + 1]; j++)
			p->nets[j].origin = (uint32_t)i;
	lo = m->lo[m->ranks.rank];
	hi = m->lo[m->ranks.rank + 1];
	rc = island_init(&m->isl, c, m->ranks.rank, hi - lo);
	if (!rc)
		rc = island_take_share(&m->isl, p, lo, hi);
	if (rc)
		return rc;
	for (j = lo; j < hi; j++)
		net_init(&p->nets[j]);
	return 0;
}

/*
 * The other ranks leave stopping to rank 0: mpirun passes an interrupt on to every rank, and a
 * rank that ended at once would look dead to rank 0 (a failed run, not an interrupted one) and
 * make mpirun kill rank 0 before its summary is written. They run on until mpirun's SIGKILL.
 */
static void ignore_stop_signals(struct islands_mpi *m)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };

	/* and should mpirun (or its daemon) itself die, the rank goes with it */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &m->old_int);
	sigaction(SIGTERM, &ign, &m->old_term);
	m->signals_saved = 1;
}

/* Every rank's pid and host to rank 0, to name a rank that dies. */
static int gather_ranks(struct strategy *s, struct islands_mpi *m)
{
	struct mpi_failure f;
	int rc = mpi_ranks_gather(&m->ranks, &f);

	return rc ? islands_mpi_failed(s, m, rc, &f, "start-up", 0) : 0;
}

static void mpi_close(struct strategy *s);

static int mpi_open(struct strategy *s, struct population *p)
{
	const struct strategy_config *c = s->cfg;
	struct islands_mpi *m = calloc(1, sizeof(*m));
	int provided, rc;

	s->data = m;
	if (!m) {
		snprintf(s->err, sizeof(s->err), "islands: out of memory");
		return -ENOMEM;
	}
	m->report_req = MPI_REQUEST_NULL;
	m->work_sent = engine_work_done();
	m->sync = c->migration == MIGRATION_MPI;
	fault_parse(c->inject_fault, &m->fault, s->err, sizeof(s->err));   /* supported() checked */
	rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
	if (rc != MPI_SUCCESS) {
		rc = islands_mpi_call_failed(s, m, rc, "MPI_Init");
		goto done;
	}
	m->initialised = 1;
	/* errors come back as codes, so rank 0 can still write its summary */
	MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
	rc = mpi_ranks_init(&m->ranks);
	if (rc) {
		snprintf(s->err, sizeof(s->err), "islands: out of memory");
		goto done;
	}
	s->workers = m->ranks.size;   /* one process per island */
	if (m->ranks.size != c->islands) {
		snprintf(s->err, sizeof(s->err), "--islands %d, but MPI_COMM_WORLD has %d ranks",
			 c->islands, m->ranks.size);
		rc = -EINVAL;
		goto done;
	}
	rc = mpi_alloc(m, m->ranks.size);
	if (!rc)
		rc = take_share(m, c, p);
	if (rc) {
		snprintf(s->err, sizeof(s->err), "islands: out of memory");
		goto done;
	}
	find_dests(m, c);
	rc = gather_ranks(s, m);
	if (!rc && m->ranks.rank)
		ignore_stop_signals(m);
done:
	if (rc) {
		m->broken = 1;
		mpi_close(s);   /* the harness closes only what opened */
	}
	return rc;
}

/* A barrier that sleeps: a rank done early must not spin in MPI_Finalize beside an island. */
static int quiet_barrier(struct strategy *s, struct islands_mpi *m)
{
	MPI_Request req;
	int rc = MPI_Ibarrier(MPI_COMM_WORLD, &req);

	if (rc != MPI_SUCCESS)
		return islands_mpi_call_failed(s, m, rc, "MPI_Ibarrier");
	return islands_mpi_wait_request(s, m, &req, "the end", s->cfg->evo.gens);
}

/*
 * MPI_Finalize waits for every rank: after a failure or a stop some may be dead, so then the
 * process ends without it and mpirun, which ends the job anyway, says so.
 */
static void mpi_close(struct strategy *s)
{
	struct islands_mpi *m = s->data;
	int i;

	if (!m)
		return;
	if (m->initialised && !m->broken && !proc_stop_requested && !quiet_barrier(s, m))
		MPI_Finalize();
	if (m->signals_saved) {
		sigaction(SIGINT, &m->old_int, NULL);
		sigaction(SIGTERM, &m->old_term, NULL);
	}
	for (i = 0; i < m->n_out; i++) {
		free(m->out[i]->buf);
		free(m->out[i]);
	}
	free(m->out);
	island_release(&m->isl);
	free(m->lo);
	free(m->dests);
	free(m->received);
	mpi_ranks_release(&m->ranks);
	free(m->pending);
	free(m->report);
	free(m->in);
	free(m->newest);
	free(m);
	s->data = NULL;
}

/* Not in the registry's table: `--strategy islands --migration mpi` resolves to it. */
const struct strategy_ops strategy_islands_mpi = {
	.name = "islands",
	.summary = "islands under mpirun: one island a rank, migrants as MPI messages",
	.writes_records = mpi_writes_records,
	.supported = mpi_supported,
	.open = mpi_open,
	.mutate = mpi_mutate,
	.prepare = mpi_prepare,
	.evaluate = mpi_evaluate,
	.resample = mpi_resample,
	.sync = mpi_sync,
	.sizes = mpi_sizes,
	.close = mpi_close,
};
