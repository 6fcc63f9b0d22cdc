/*
 * islands: K island processes, each evolving its own share of the population with its own
 * selection; every M generations each writes its chosen migrants to a migration file and
 * takes the newest of its sources (island i-1 on a ring, every other island when full) in
 * place of its worst. With --island-id I this process is island I alone, for islands
 * started by hand that share a directory. Every migrant file names its run (fresh per run;
 * --run-id by hand), so runs sharing a directory skip each other's. --migration mpi is
 * islands_mpi.c. This file is the main process's side; the island processes are
 * strategies/common/island_worker.c, workers of proc/pool.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/serial.h"
#include "proc/proc.h"
#include "strategies/common/file_island.h"
#include "strategies/common/island_worker.h"
#include "proc/private_dir.h"
#include "strategies/strategy.h"

#define QUIT_S 1.0         /* at the end, the islands get this long to exit on their own */

/* The strategy's state in the main process. */
struct islands {
	const struct strategy_config *cfg;
	int k;
	int *lo;                        /* island i owns p->nets[lo[i] .. lo[i + 1]) */
	struct island_job job;          /* what the island processes start from */
	struct pool pool;               /* island i is worker i */
	char dir[PATH_MAX];
	struct private_dir own;         /* no --migration-dir: the run's own, removed at close */
	char run[MIGRATION_RUN_BYTES];  /* the identity in this run's migrant files */
	int broken;                     /* a round failed: the workers' state is unknown */
	double nodes, conns;            /* genome sizes summed over the last evaluate replies */
	double io_ms;                   /* the slowest island's migration I/O in this round */
	struct sigaction old_pipe;
	int pipe_saved;
	struct file_island *solo;       /* --island-id: the island this process runs */
};

/* ---- the main process: one round of commands and replies per phase -------------- */

static int islands_interrupted(struct strategy *s, struct islands *d)
{
	d->broken = 1;
	snprintf(s->err, sizeof(s->err), "interrupted");
	return -EINTR;
}

/*
 * Island i failed: name it, its pid, the phase, the generation and how it ended, in
 * s->err and the fail fields. Returns the error to hand to the harness (never -EINTR).
 */
static int island_lost(struct strategy *s, struct islands *d, int i, const char *phase,
		       int gen, int rc, const char *detail)
{
	struct worker_fail f;

	if (rc == -EINTR)
		return islands_interrupted(s, d);
	d->broken = 1;
	pool_fail(&d->pool, i, rc, &f);
	s->fail_worker = i;
	s->fail_pid = f.pid;
	s->fail_signal = f.signal;
	if (rc == -EPIPE) {
		snprintf(s->err, sizeof(s->err), "island %d (pid %ld) died in %s of generation %d: %s",
			 i, f.pid, phase, gen, f.how);
		return -ECHILD;
	}
	if (rc == -ETIMEDOUT)
		snprintf(s->err, sizeof(s->err), "island %d (pid %ld) gave no reply in %s of "
			 "generation %d within %g s (--worker-timeout)", i, f.pid, phase, gen,
			 s->cfg->worker_timeout_s);
	else
		snprintf(s->err, sizeof(s->err), "island %d (pid %ld) failed in %s of generation %d: %.400s",
			 i, f.pid, phase, gen, detail ? detail : f.how);
	return rc ? rc : -EPROTO;
}

/* A reply's body, once its head checked out: fitness and origins, or whole networks. */
static int island_body(struct islands *d, struct population *p, int i, uint32_t cmd,
		       const uint8_t *body, size_t len, char *why, size_t whylen)
{
	int lo = d->lo[i], n = d->lo[i + 1] - lo, j;
	size_t at = 0, used;

	if (cmd == CMD_EVALUATE) {
		if (len != (size_t)n * sizeof(struct net_stat)) {
			snprintf(why, whylen, "garbled reply: %zu bytes of fitness for %d networks", len, n);
			return -EBADMSG;
		}
		island_apply_stats(p->nets + lo, body, n, &d->nodes, &d->conns);
		return 0;
	}
	if (cmd == CMD_SYNC) {
		for (j = 0; j < n; j++, at += used) {
			char e[200];

			if (serial_read(&p->nets[lo + j], body + at, len - at, &used, e, sizeof(e))) {
				snprintf(why, whylen, "garbled network %d: %s", lo + j, e);
				return -EBADMSG;
			}
		}
	}
	if (at != len) {
		snprintf(why, whylen, "garbled reply: %zu unexpected bytes", len - at);
		return -EBADMSG;
	}
	return 0;
}

/* Read and check island i's reply to cmd; 0, or the island is lost. */
static int island_reply(struct strategy *s, struct islands *d, struct population *p, int i,
			uint32_t cmd, const char *phase)
{
	struct reply_head h;
	char why[STRATEGY_ERRLEN];
	const uint8_t *in;
	uint32_t type = 0;
	size_t len = 0, rest;
	int rc;

	rc = pool_recv(&d->pool, i, &type, &in, &len);
	if (rc == -EBADMSG || (!rc && (type != REPLY(cmd) || len < sizeof(h)))) {
		snprintf(why, sizeof(why), "garbled reply (type 0x%08x, %zu bytes; expected type 0x%08x)",
			 type, len, REPLY(cmd));
		return island_lost(s, d, i, phase, p->gen, -EBADMSG, why);
	}
	if (rc)
		return island_lost(s, d, i, phase, p->gen, rc, NULL);
	memcpy(&h, in, sizeof(h));
	rest = len - sizeof(h);
	if (h.gen != (uint32_t)p->gen || h.n != (uint32_t)(d->lo[i + 1] - d->lo[i]) ||
	    (size_t)h.warn_len + h.err_len + h.log_len > rest || h.status > 4095 ||
	    (h.log_len && in[sizeof(h) + h.warn_len + h.err_len + h.log_len - 1] != '\n')) {
		snprintf(why, sizeof(why), "garbled reply head (generation %u, %u networks)", h.gen, h.n);
		return island_lost(s, d, i, phase, p->gen, -EBADMSG, why);
	}
	if (h.warn_len)
		text_append(s->warning, sizeof(s->warning), "%.*s", (int)h.warn_len,
			    (const char *)in + sizeof(h));
	if (h.status) {
		snprintf(why, sizeof(why), "%.*s", (int)h.err_len,
			 (const char *)in + sizeof(h) + h.warn_len);
		return island_lost(s, d, i, phase, p->gen, -(int)h.status, why);
	}
	if (h.io_ms > d->io_ms)
		d->io_ms = h.io_ms;
	s->work += h.work;
	if (h.log_len && strategy_add_records(s, (const char *)in + sizeof(h) + h.warn_len +
					      h.err_len, h.log_len))
		return island_lost(s, d, i, phase, p->gen, -ENOMEM, "keeping its migration log");
	rest -= (size_t)h.warn_len + h.err_len + h.log_len;
	rc = island_body(d, p, i, cmd, in + len - rest, rest, why, sizeof(why));
	return rc ? island_lost(s, d, i, phase, p->gen, rc, why) : 0;
}

static void add_comm(struct strategy *s, int phase, double t0)
{
	if (phase >= 0)
		s->comm_ms[phase] += (proc_now_s() - t0) * 1e3;
}

/*
 * Send cmd to every island, then take the replies in whatever order they come, so a
 * dead island is noticed at once. Every island must answer within --worker-timeout.
 */
static int islands_round(struct strategy *s, struct islands *d, struct population *p,
			 uint32_t cmd, int phase)
{
	const char *name = phase >= 0 ? phase_names[phase] : "sync";
	struct cmd_body c = { .gen = (uint32_t)p->gen };
	double t = proc_now_s();
	int i, left, rc;

	d->io_ms = 0;
	for (i = 0; i < d->k; i++) {
		uint8_t *out = chan_reserve(&d->pool.w[i].ch, sizeof(c));

		if (out)
			memcpy(out, &c, sizeof(c));
		rc = out ? pool_send(&d->pool, i, cmd, sizeof(c)) : -ENOMEM;
		if (rc)
			return island_lost(s, d, i, name, p->gen, rc, NULL);
	}
	add_comm(s, phase, t);
	for (left = d->k; left > 0; left--) {
		i = 0;
		rc = pool_wait_any(&d->pool, &i);
		if (rc)
			return island_lost(s, d, i, name, p->gen, rc, NULL);
		t = proc_now_s();
		rc = island_reply(s, d, p, i, cmd, name);
		if (rc)
			return rc;
		add_comm(s, phase, t);
	}
	return 0;
}

/* ---- --island-id: one island in this process ------------------------------------ */

/* The island works on the harness's arrays; resample swaps them, so they go back after. */
static struct file_island *solo_enter(struct islands *d, struct population *p)
{
	struct island *isl = &d->solo->isl;

	isl->pop.nets = p->nets;
	isl->pop.next = p->next;
	isl->pop.plan = p->plan;
	isl->pop.episode_states = p->episode_states;
	return d->solo;
}

static int solo_done(struct strategy *s, struct islands *d, struct population *p, int rc)
{
	struct island *isl = &d->solo->isl;

	p->nets = isl->pop.nets;
	p->next = isl->pop.next;
	if (isl->warning[0]) {
		text_append(s->warning, sizeof(s->warning), "%s", isl->warning);
		isl->warning[0] = 0;
	}
	if (!rc && isl->log_len) {
		rc = strategy_add_records(s, isl->log, isl->log_len);
		if (rc)
			island_failed(isl, "keeping the migration log", rc);
		isl->log_len = 0;
	}
	if (rc)
		snprintf(s->err, sizeof(s->err), "island %d: %.480s", isl->id, isl->err);
	s->comm_ms[PHASE_RESAMPLE] += isl->io_ms;
	isl->io_ms = 0;
	return rc;
}

/* ---- hooks ------------------------------------------------------------------------ */

static int islands_mutate(struct strategy *s, struct population *p)
{
	struct islands *d = s->data;

	if (d->solo)
		return solo_done(s, d, p, island_mutate(&solo_enter(d, p)->isl, p->gen));
	return islands_round(s, d, p, CMD_MUTATE, PHASE_MUTATE);
}

static int islands_prepare(struct strategy *s, struct population *p)
{
	struct islands *d = s->data;

	if (d->solo)
		return solo_done(s, d, p, island_prepare(&solo_enter(d, p)->isl, p->gen));
	return islands_round(s, d, p, CMD_PREPARE, PHASE_PREPARE);
}

static int islands_evaluate(struct strategy *s, struct population *p)
{
	struct islands *d = s->data;

	if (d->solo)
		return solo_done(s, d, p, island_evaluate(&solo_enter(d, p)->isl, p->gen));
	d->nodes = d->conns = 0;
	return islands_round(s, d, p, CMD_EVALUATE, PHASE_EVALUATE);
}

/* sync: every island writes its migrants and replies before any reads (the barrier). */
static int islands_resample(struct strategy *s, struct population *p)
{
	struct islands *d = s->data;
	int rc;

	if (d->solo)
		return solo_done(s, d, p, file_island_resample(solo_enter(d, p), p->gen, 1));
	if (d->cfg->migration == MIGRATION_SYNC && island_migrates(d->cfg, p->gen)) {
		rc = islands_round(s, d, p, CMD_EMIGRATE, PHASE_RESAMPLE);
		if (rc)
			return rc;
		s->comm_ms[PHASE_RESAMPLE] += d->io_ms;
	}
	rc = islands_round(s, d, p, CMD_RESAMPLE, PHASE_RESAMPLE);
	if (!rc)
		s->comm_ms[PHASE_RESAMPLE] += d->io_ms;
	return rc;
}

/* Gather every island's networks into p->nets, so the digest covers the final population. */
static int islands_sync(struct strategy *s, struct population *p)
{
	struct islands *d = s->data;

	if (d->solo)
		return 0;
	if (d->broken || proc_stop_requested) {
		snprintf(s->err, sizeof(s->err), "islands: the population was not gathered");
		return -ECANCELED;
	}
	return islands_round(s, d, p, CMD_SYNC, -1);
}

/* Mean genome sizes from the last evaluate replies: p->nets holds only fitness and origin. */
static void islands_sizes(struct strategy *s, const struct population *p, double *nodes,
			  double *conns)
{
	struct islands *d = s->data;

	if (d->solo)
		return;
	*nodes = d->nodes / p->n;
	*conns = d->conns / p->n;
}

/* ---- open and close --------------------------------------------------------------- */

static const char *islands_supported(const struct strategy_config *c)
{
	static char why[256];
	char e[160];
	struct fault f;

	if (island_config_check(c, why, sizeof(why)))
		return why;
	if (c->island_id >= c->islands) {
		snprintf(why, sizeof(why), "--island-id %d: expected less than --islands %d",
			 c->island_id, c->islands);
		return why;
	}
	if (c->island_id >= 0 && !c->migration_dir) {
		snprintf(why, sizeof(why), "--island-id needs --migration-dir, the directory the "
			 "islands share");
		return why;
	}
	if (c->run_id && c->island_id < 0) {
		snprintf(why, sizeof(why), "--run-id is for islands started by hand (--island-id); "
			 "the islands of one run share an identity of their own");
		return why;
	}
	if (c->run_id && migration_run_check(c->run_id, e, sizeof(e))) {
		snprintf(why, sizeof(why), "--run-id: %s", e);
		return why;
	}
	if (fault_parse(c->inject_fault, &f, why, sizeof(why)))
		return why;
	return NULL;
}

/*
 * The migration directory: the one given (made if missing), or a private temp one, which
 * first tidies what killed runs of this user left.
 */
static int islands_dir(struct strategy *s, struct islands *d)
{
	const char *dir = s->cfg->migration_dir;
	struct stat st;
	char why[STRATEGY_ERRLEN - 16];
	int rc;

	if (!dir) {
		rc = private_dir_make(&d->own, "evopar-islands-", why, sizeof(why));
		if (rc)
			snprintf(s->err, sizeof(s->err), "islands: %s", why);
		else
			snprintf(d->dir, sizeof(d->dir), "%s", d->own.path);
		return rc;
	}
	if (snprintf(d->dir, sizeof(d->dir), "%s", dir) >= (int)sizeof(d->dir)) {
		snprintf(s->err, sizeof(s->err), "--migration-dir: path too long");
		return -ENAMETOOLONG;
	}
	if (mkdir(d->dir, 0777) && errno != EEXIST) {
		snprintf(s->err, sizeof(s->err), "--migration-dir %.300s: %s", d->dir, strerror(errno));
		return -errno;
	}
	if (stat(d->dir, &st) || !S_ISDIR(st.st_mode) || access(d->dir, W_OK | X_OK)) {
		snprintf(s->err, sizeof(s->err), "--migration-dir %.300s: not a writable directory", d->dir);
		return -ENOTDIR;
	}
	return 0;
}

/*
 * --island-id I: keep only island I's share [I*pop/K, (I+1)*pop/K) of the population, so
 * the records and the digest describe this island alone and --pop means what it means
 * with K islands in one run. Migration is always async: there is no one to hold a barrier.
 */
static int solo_open(struct strategy *s, struct islands *d, struct population *p)
{
	const struct strategy_config *c = s->cfg;
	int id = c->island_id, lo = island_lo(id, c->islands, p->n);
	int hi = island_lo(id + 1, c->islands, p->n), j, rc;

	for (j = 0; j < p->n; j++)
		if (j < lo || j >= hi)
			net_release(&p->nets[j]);
	memmove(p->nets, p->nets + lo, (size_t)(hi - lo) * sizeof(*p->nets));
	memset(p->nets + (hi - lo), 0, (size_t)(p->n - (hi - lo)) * sizeof(*p->nets));
	p->n = hi - lo;
	for (j = 0; j < p->n; j++)
		p->nets[j].origin = (uint32_t)id;
	rc = islands_dir(s, d);
	if (rc)
		return rc;
	/* islands started by hand agree on an identity without talking: the one they are given */
	if (c->run_id)
		snprintf(d->run, sizeof(d->run), "%s", c->run_id);
	else
		snprintf(d->run, sizeof(d->run), "seed-%" PRIu64, (uint64_t)c->evo.seed);
	d->solo = calloc(1, sizeof(*d->solo));
	if (!d->solo || file_island_init(d->solo, c, id, p->n, d->dir, d->run, 0)) {
		snprintf(s->err, sizeof(s->err), "islands: out of memory");
		return -ENOMEM;
	}
	d->solo->isl.pop = *p;
	d->solo->isl.pop.cfg = &d->solo->isl.cfg.evo;
	if (c->migration == MIGRATION_SYNC)
		snprintf(s->warning, sizeof(s->warning), "--island-id: migration is async (islands "
			 "started by hand have no coordinator to hold a barrier)");
	return 0;
}

static void islands_close(struct strategy *s);

static int islands_open(struct strategy *s, struct population *p)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };
	struct islands *d = calloc(1, sizeof(*d));
	struct pool_spec spec = { .fn = island_worker_main, .timeout_s = s->cfg->worker_timeout_s,
				  .timeout_name = "--worker-timeout" };
	char why[STRATEGY_ERRLEN - 16];
	int i, j, rc;

	s->data = d;
	if (!d) {
		snprintf(s->err, sizeof(s->err), "islands: out of memory");
		return -ENOMEM;
	}
	d->cfg = s->cfg;
	d->k = s->cfg->islands;
	s->workers = s->cfg->island_id >= 0 ? 1 : d->k;   /* one process per island */
	if (s->cfg->island_id >= 0) {
		rc = solo_open(s, d, p);
		goto done;
	}
	rc = -ENOMEM;
	d->lo = calloc((size_t)d->k + 1, sizeof(*d->lo));
	if (!d->lo) {
		snprintf(s->err, sizeof(s->err), "islands: out of memory");
		goto done;
	}
	for (i = 0; i <= d->k; i++)
		d->lo[i] = island_lo(i, d->k, p->n);
	for (i = 0; i < d->k; i++)
		for (j = d->lo[i]; j < d->lo[i + 1]; j++)
			p->nets[j].origin = (uint32_t)i;
	rc = islands_dir(s, d);
	if (rc)
		goto done;
	/* a dead island's pipe must be an error to report, not a signal that ends the run */
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &d->old_pipe);
	d->pipe_saved = 1;
	migration_run_fresh(d->run);
	d->job = (struct island_job){ .cfg = s->cfg, .lo = d->lo, .p = p, .dir = d->dir,
				      .run = d->run };
	spec.n = d->k;
	spec.ctx = &d->job;
	rc = pool_start(&d->pool, &spec, why, sizeof(why));
	if (rc)
		snprintf(s->err, sizeof(s->err), "islands: %s", why);
done:
	if (rc)
		islands_close(s);   /* the harness closes only what opened */
	return rc;
}

/*
 * The islands first get the chance to exit on their own (their command pipes close); then
 * whatever is left is killed and every one reaped. Temp files of islands killed mid-write
 * go with them.
 */
static void islands_stop(struct islands *d)
{
	long pids[d->pool.n > 0 ? d->pool.n : 1];
	int i, n = d->pool.n;

	for (i = 0; i < n; i++)
		pids[i] = d->pool.w[i].pid;
	pool_stop(&d->pool, d->broken ? 0 : QUIT_S);
	if (n && d->dir[0] && !d->own.path[0])
		migration_tidy(d->dir, pids, n);
}

static void islands_close(struct strategy *s)
{
	struct islands *d = s->data;

	if (!d)
		return;
	islands_stop(d);
	if (d->solo) {
		file_island_release(d->solo);
		free(d->solo);
	}
	private_dir_remove(&d->own);
	if (d->pipe_saved)
		sigaction(SIGPIPE, &d->old_pipe, NULL);
	free(d->lo);
	free(d);
	s->data = NULL;
}

/* --migration mpi has hooks of its own: islands_mpi.c */
static const struct strategy_ops *islands_resolve(const struct strategy_config *c)
{
	if (c->migration == MIGRATION_MPI || c->migration == MIGRATION_MPI_ASYNC)
		return &strategy_islands_mpi;
	return &strategy_islands;
}

const struct strategy_ops strategy_islands = {
	.name = "islands",
	.summary = "K island processes, own selection, migrants every M gens through files or MPI",
	.resolve = islands_resolve,
	.supported = islands_supported,
	.open = islands_open,
	.mutate = islands_mutate,
	.prepare = islands_prepare,
	.evaluate = islands_evaluate,
	.resample = islands_resample,
	.sync = islands_sync,
	.sizes = islands_sizes,
	.close = islands_close,
};
