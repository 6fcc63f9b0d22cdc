/*
 * islands --migration mpi|mpi-async, run as `mpirun -np K evopar run --strategy islands
 * --migration mpi --islands K`: every rank is one island (rank 0 is island 0 and the only
 * one that writes records and prints), migrants travel as MPI messages, and rank 0 collects
 * each island's fitness, origins and sizes every generation and its networks at the end.
 */
#include <errno.h>
#include <mpi.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "engine/serial.h"
#include "strategies/common/island.h"
#include "strategies/common/migration.h"
#include "proc/proc.h"
#include "strategies/strategy.h"

/*
 * Messages: migrants (a migration file's bytes, migration.h) from island to island, and an
 * island's report (struct report_head, then its parts) to rank 0. Between one pair of ranks
 * MPI keeps messages of one tag in order, which is all sync needs: the next migrants message
 * from a source is that generation's.
 */
enum { TAG_MIGRANTS = 1, TAG_REPORT = 2 };
enum { REPORT_STATS = 1, REPORT_NETS = 2 };
#define REPORT_MAGIC 0x45565250u     /* "EVRP" */

/* Waits poll with a sleep that doubles up to a millisecond: Open MPI's blocking calls spin
 * a core, and with as many ranks as cores that core belongs to an island. */
#define IDLE_MIN_NS 20000L
#define IDLE_MAX_NS 1000000L
#define CHECK_EVERY_S 0.1          /* rank 0 looks for dead ranks this often */

/* What an island tells rank 0 after evaluate (stats) and at the end (networks). Raw
 * structs: the ranks of one run share an architecture. */
struct report_head {
	uint32_t magic;
	uint32_t kind;             /* REPORT_STATS or REPORT_NETS */
	uint32_t gen;
	uint32_t n;                /* networks on the island */
	uint32_t warn_len;         /* warning text after the head */
	uint32_t log_len;          /* migration records after the warning */
	uint64_t body_len;         /* n struct net_stat, or n serialised networks */
	double cpu_s;              /* REPORT_NETS: the rank's CPU seconds */
};

struct rank_info {
	int32_t pid;
	char host[64];
};

/* Migrants on their way out: one buffer for all destinations, freed once every send is done. */
struct outgoing {
	uint8_t *buf;
	MPI_Request req[1];        /* really n_dest of them: allocated with the struct */
};

struct waiter {
	double deadline, check_at;
	long ns;
};

struct islands_mpi {
	struct island isl;
	int rank, size;
	int sync;                  /* wait for each source's migrants of this generation */
	int *lo;                   /* island i owns nets [lo[i], lo[i + 1]) of the population */
	int *dests;                /* the islands this one sends to */
	int n_dests;
	int *received;             /* migrants messages taken from each island */
	struct rank_info *ranks;   /* rank 0: every rank's pid and host */
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
	int broken;                /* a wait failed: no clean MPI_Finalize is possible */
	int initialised;
	struct sigaction old_int, old_term;
	int signals_saved;
};

/* ---- waiting without spinning, and naming a rank that died ---------------------------- */

static int mpi_fail(struct strategy *s, int code, const char *what)
{
	char msg[MPI_MAX_ERROR_STRING] = "";
	int len = 0;

	MPI_Error_string(code, msg, &len);
	snprintf(s->err, sizeof(s->err), "mpi: %s: %s", what, msg);
	return -EIO;
}

/*
 * Rank 0: a rank on this host that has died fails the run, named. Without ULFM MPI itself
 * cannot say; mpirun sees the death and ends the job, and rank 0 has the moment between
 * mpirun's SIGTERM and its SIGKILL to write the failed summary.
 */
static int check_ranks(struct strategy *s, struct islands_mpi *m, const char *phase, int gen)
{
	int r;

	for (r = 1; r < m->size; r++) {
		if (strcmp(m->ranks[r].host, m->ranks[0].host) || proc_alive(m->ranks[r].pid))
			continue;
		s->fail_worker = r;
		s->fail_pid = m->ranks[r].pid;
		snprintf(s->err, sizeof(s->err), "island %d (mpi rank %d, pid %ld, host %.64s) died "
			 "in %s of generation %d; mpirun ends the job and says how", r, r,
			 (long)m->ranks[r].pid, m->ranks[r].host, phase, gen);
		return -ECHILD;
	}
	return 0;
}

/* A stop signal: mpirun ending the job after a rank died (failed), or the user (interrupted). */
static int stopped(struct strategy *s, struct islands_mpi *m, const char *phase, int gen)
{
	m->broken = 1;
	if (m->rank == 0 && check_ranks(s, m, phase, gen))
		return -ECHILD;
	snprintf(s->err, sizeof(s->err), "interrupted");
	return -EINTR;
}

/*
 * The other ranks wait twice as long as rank 0: rank 0 watches every island, so when one
 * hangs it is rank 0 that gives up first and names it, not a neighbour left waiting.
 */
static void waiter_start(struct waiter *w, const struct islands_mpi *m, double timeout_s)
{
	double now = proc_now_s();

	w->deadline = now + (m->rank ? 2 * timeout_s : timeout_s);
	w->check_at = now + CHECK_EVERY_S;
	w->ns = IDLE_MIN_NS;
}

/* One idle step of a wait: 0 to go on, or why to give up (-EINTR, -ECHILD, -ETIMEDOUT). */
static int waiter_tick(struct strategy *s, struct islands_mpi *m, struct waiter *w,
		       const char *phase, int gen)
{
	struct timespec ts = { 0, w->ns };
	double now = proc_now_s();
	int rc;

	if (proc_stop_requested)
		return stopped(s, m, phase, gen);
	if (m->rank == 0 && now > w->check_at) {
		rc = check_ranks(s, m, phase, gen);
		if (rc) {
			m->broken = 1;
			return rc;
		}
		w->check_at = now + CHECK_EVERY_S;
	}
	if (now > w->deadline) {
		m->broken = 1;
		return -ETIMEDOUT;
	}
	nanosleep(&ts, NULL);
	if (w->ns < IDLE_MAX_NS)
		w->ns *= 2;
	return 0;
}

static int wait_request(struct strategy *s, struct islands_mpi *m, MPI_Request *req,
			const char *phase, int gen)
{
	struct waiter w;
	int done = 0, rc;

	waiter_start(&w, m, s->cfg->worker_timeout_s);
	for (;;) {
		rc = MPI_Test(req, &done, MPI_STATUS_IGNORE);
		if (rc != MPI_SUCCESS) {
			m->broken = 1;
			return mpi_fail(s, rc, "MPI_Test");
		}
		if (done)
			return 0;
		rc = waiter_tick(s, m, &w, phase, gen);
		if (rc == -ETIMEDOUT)
			snprintf(s->err, sizeof(s->err), "island %d: a message it sent in %s of "
				 "generation %d was not taken within %g s (--worker-timeout)", m->rank,
				 phase, gen, s->cfg->worker_timeout_s);
		if (rc)
			return rc;
	}
}

static int grow(uint8_t **buf, size_t *cap, size_t need)
{
	uint8_t *b;
	size_t c = *cap ? *cap : 4096;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	b = realloc(*buf, c);
	if (!b)
		return -ENOMEM;
	*buf = b;
	*cap = c;
	return 0;
}

/* Receive the message a probe found into *buf; its length in *len. */
static int recv_probed(struct strategy *s, struct islands_mpi *m, MPI_Status *st, uint8_t **buf,
		       size_t *cap, size_t *len)
{
	int n = 0, rc;

	MPI_Get_count(st, MPI_BYTE, &n);
	if (n < 0 || grow(buf, cap, (size_t)n + 1)) {
		m->broken = 1;
		snprintf(s->err, sizeof(s->err), "mpi: out of memory for a %d-byte message", n);
		return -ENOMEM;
	}
	rc = MPI_Recv(*buf, n, MPI_BYTE, st->MPI_SOURCE, st->MPI_TAG, MPI_COMM_WORLD,
		      MPI_STATUS_IGNORE);
	if (rc != MPI_SUCCESS) {
		m->broken = 1;
		return mpi_fail(s, rc, "MPI_Recv");
	}
	*len = (size_t)n;
	return 0;
}

/* Wait for a message from src with tag; 0 once one has arrived (st describes it). */
static int wait_message(struct strategy *s, struct islands_mpi *m, int src, int tag,
			MPI_Status *st, const char *phase, int gen)
{
	struct waiter w;
	int flag = 0, rc;

	waiter_start(&w, m, s->cfg->worker_timeout_s);
	for (;;) {
		rc = MPI_Iprobe(src, tag, MPI_COMM_WORLD, &flag, st);
		if (rc != MPI_SUCCESS) {
			m->broken = 1;
			return mpi_fail(s, rc, "MPI_Iprobe");
		}
		if (flag)
			return 0;
		rc = waiter_tick(s, m, &w, phase, gen);
		if (rc == -ETIMEDOUT) {
			s->fail_worker = src;
			s->fail_pid = m->rank == 0 ? m->ranks[src].pid : 0;
			snprintf(s->err, sizeof(s->err), "island %d (mpi rank %d) gave no %s in %s of "
				 "generation %d within %g s (--worker-timeout)", src, src,
				 tag == TAG_MIGRANTS ? "migrants" : "report", phase, gen,
				 s->cfg->worker_timeout_s);
		}
		if (rc)
			return rc;
	}
}

/* ---- migrants --------------------------------------------------------------------------- */

/* Free the buffers of migrants whose sends are done, oldest first. */
static int reap_sends(struct strategy *s, struct islands_mpi *m)
{
	int i, j, done, rc;

	for (i = j = 0; i < m->n_out; i++) {
		rc = MPI_Testall(m->n_dests, m->out[i]->req, &done, MPI_STATUSES_IGNORE);
		if (rc != MPI_SUCCESS) {
			m->broken = 1;
			return mpi_fail(s, rc, "MPI_Testall");
		}
		if (done) {
			free(m->out[i]->buf);
			free(m->out[i]);
		} else {
			m->out[j++] = m->out[i];
		}
	}
	m->n_out = j;
	return 0;
}

/* Send this island's chosen migrants to every island that takes from it, without waiting. */
static int send_migrants(struct strategy *s, struct islands_mpi *m, int gen)
{
	struct island *isl = &m->isl;
	struct outgoing *o, **grown;
	size_t len;
	int i, rc;

	rc = reap_sends(s, m);
	if (rc)
		return rc;
	island_pick_emigrants(isl, gen);
	o = calloc(1, sizeof(*o) + (size_t)m->n_dests * sizeof(MPI_Request));
	grown = realloc(m->out, (size_t)(m->n_out + 1) * sizeof(*m->out));
	if (grown)
		m->out = grown;
	if (o && grown)
		o->buf = migration_encode(isl->id, gen, isl->emig, isl->cfg.migrants, &len);
	if (!o || !grown || !o->buf) {
		free(o);
		snprintf(s->err, sizeof(s->err), "island %d: out of memory for migrants", isl->id);
		return -ENOMEM;
	}
	for (i = 0; i < m->n_dests; i++) {
		rc = MPI_Isend(o->buf, (int)len, MPI_BYTE, m->dests[i], TAG_MIGRANTS, MPI_COMM_WORLD,
			       &o->req[i]);
		if (rc != MPI_SUCCESS) {
			m->broken = 1;
			free(o->buf);
			free(o);
			return mpi_fail(s, rc, "MPI_Isend of migrants");
		}
	}
	m->out[m->n_out++] = o;
	return 0;
}

/*
 * Decode src's migrants into the next free immigrant slots and log them. A message that does
 * not decode or does not fit is a migration lost, with a warning, like a bad migration file.
 */
static int take_migrants(struct islands_mpi *m, const uint8_t *buf, size_t len, int src,
			 int want_gen, int gen)
{
	struct island *isl = &m->isl;
	struct net *to = isl->imm + isl->n_imm;
	char why[200];
	int count = 0, sent = -1, i;

	if (migration_decode(buf, len, src, to, isl->cfg.migrants, &count, &sent, why, sizeof(why)))
		goto skip;
	if (want_gen >= 0 && sent != want_gen) {
		snprintf(why, sizeof(why), "sent in generation %d, expected %d", sent, want_gen);
		goto skip;
	}
	for (i = 0; i < count; i++)
		if (!island_fits(isl, &to[i])) {
			snprintf(why, sizeof(why), "networks of another shape");
			goto skip;
		}
	if (!count)
		return 0;
	i = island_log_arrival(isl, gen, src, sent, isl->n_imm, count);
	isl->n_imm += count;
	return i;
skip:
	text_append(isl->warning, sizeof(isl->warning), "island %d: migrants from island %d "
		    "skipped: %s", isl->id, src, why);
	return 0;
}

/* sync: each source's migrants of this generation, waited for (the barrier). */
static int take_exact(struct strategy *s, struct islands_mpi *m, int gen)
{
	MPI_Status st;
	size_t len;
	int i, src, rc;

	for (i = 0; i < m->isl.n_sources; i++) {
		src = m->isl.sources[i];
		rc = wait_message(s, m, src, TAG_MIGRANTS, &st, "resample", gen);
		if (!rc)
			rc = recv_probed(s, m, &st, &m->in, &m->in_cap, &len);
		if (rc)
			return rc;
		m->received[src]++;
		rc = take_migrants(m, m->in, len, src, gen, gen);
		if (rc)
			return rc;
	}
	return 0;
}

/* async: whatever each source has sent by now, its newest message only; no waiting. */
static int take_arrived(struct strategy *s, struct islands_mpi *m, int gen)
{
	MPI_Status st;
	uint8_t *t;
	size_t len, tc;
	int i, src, flag, rc;

	for (i = 0; i < m->isl.n_sources; i++) {
		src = m->isl.sources[i];
		m->newest_len = 0;
		for (;;) {
			rc = MPI_Iprobe(src, TAG_MIGRANTS, MPI_COMM_WORLD, &flag, &st);
			if (rc != MPI_SUCCESS) {
				m->broken = 1;
				return mpi_fail(s, rc, "MPI_Iprobe");
			}
			if (!flag)
				break;
			rc = recv_probed(s, m, &st, &m->in, &m->in_cap, &len);
			if (rc)
				return rc;
			m->received[src]++;
			/* keep it as the newest: swap the buffers rather than copy */
			t = m->newest, m->newest = m->in, m->in = t;
			tc = m->newest_cap, m->newest_cap = m->in_cap, m->in_cap = tc;
			m->newest_len = len;
		}
		if (m->newest_len) {
			rc = take_migrants(m, m->newest, m->newest_len, src, -1, gen);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* How many migrants messages an island sends in the whole run. */
static int migrations_in_run(const struct strategy_config *c)
{
	int g, n = 0;

	for (g = 0; g < c->evo.gens; g++)
		n += island_migrates(c, g);
	return n;
}

/* At the end: take (and drop) what is still on its way, so every send completes. */
static int drain(struct strategy *s, struct islands_mpi *m)
{
	int want = migrations_in_run(s->cfg), i, src, rc;
	MPI_Status st;
	size_t len;

	for (i = 0; i < m->isl.n_sources; i++) {
		src = m->isl.sources[i];
		while (m->received[src] < want) {
			rc = wait_message(s, m, src, TAG_MIGRANTS, &st, "the end", s->cfg->evo.gens);
			if (!rc)
				rc = recv_probed(s, m, &st, &m->in, &m->in_cap, &len);
			if (rc)
				return rc;
			m->received[src]++;
		}
	}
	for (i = 0; i < m->n_out; i++) {
		struct waiter w;
		int done = 0;

		waiter_start(&w, m, s->cfg->worker_timeout_s);
		while (!done) {
			rc = MPI_Testall(m->n_dests, m->out[i]->req, &done, MPI_STATUSES_IGNORE);
			if (rc != MPI_SUCCESS) {
				m->broken = 1;
				return mpi_fail(s, rc, "MPI_Testall");
			}
			rc = done ? 0 : waiter_tick(s, m, &w, "the end", s->cfg->evo.gens);
			if (rc == -ETIMEDOUT)
				snprintf(s->err, sizeof(s->err), "island %d: its last migrants were not "
					 "taken within %g s", m->rank, s->cfg->worker_timeout_s);
			if (rc)
				return rc;
		}
	}
	return reap_sends(s, m);
}

/* ---- reports to rank 0 ------------------------------------------------------------------- */

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
}

/* This island's report in m->report: head, warning, migration log, then stats or networks. */
static int pack_report(struct islands_mpi *m, int kind, int gen)
{
	struct island *isl = &m->isl;
	struct report_head h = {
		.magic = REPORT_MAGIC, .kind = (uint32_t)kind, .gen = (uint32_t)gen,
		.n = (uint32_t)isl->pop.n, .warn_len = (uint32_t)strlen(isl->warning),
		.log_len = (uint32_t)isl->log_len,
	};
	size_t at;
	int j;

	if (kind == REPORT_STATS) {
		h.body_len = (uint64_t)isl->pop.n * sizeof(struct net_stat);
	} else {
		for (j = 0; j < isl->pop.n; j++)
			h.body_len += serial_size(&isl->pop.nets[j]);
		h.cpu_s = cpu_seconds();
	}
	if (grow(&m->report, &m->report_cap, sizeof(h) + h.warn_len + h.log_len + h.body_len))
		return -ENOMEM;
	memcpy(m->report, &h, sizeof(h));
	at = sizeof(h);
	memcpy(m->report + at, isl->warning, h.warn_len);
	at += h.warn_len;
	if (h.log_len)
		memcpy(m->report + at, isl->log, h.log_len);
	at += h.log_len;
	if (kind == REPORT_STATS)
		island_stats(isl, (struct net_stat *)(m->report + at));
	else
		for (j = 0; j < isl->pop.n; j++)
			at += serial_write(&isl->pop.nets[j], m->report + at);
	m->report_len = sizeof(h) + h.warn_len + h.log_len + h.body_len;
	isl->warning[0] = 0;
	isl->log_len = 0;
	return 0;
}

static int report_body(struct population *p, struct islands_mpi *m, int r,
		       const struct report_head *h, const uint8_t *body, char *why, size_t whylen)
{
	size_t at = 0, used;
	int j, lo = m->lo[r];

	if (h->kind == REPORT_STATS) {
		if (h->body_len != (uint64_t)h->n * sizeof(struct net_stat)) {
			snprintf(why, whylen, "%llu bytes of fitness for %u networks",
				 (unsigned long long)h->body_len, h->n);
			return -EBADMSG;
		}
		island_apply_stats(p->nets + lo, body, (int)h->n, &m->nodes, &m->conns);
		return 0;
	}
	for (j = 0; j < (int)h->n; j++, at += used)
		if (serial_read(&p->nets[lo + j], body + at, h->body_len - at, &used, why, whylen))
			return -EBADMSG;
	return at == h->body_len ? 0 : -EBADMSG;
}

/* Rank 0: take island r's report into the population, the warning and the records. */
static int take_report(struct strategy *s, struct islands_mpi *m, struct population *p, int r,
		       const uint8_t *buf, size_t len, int kind, const char *phase)
{
	struct report_head h;
	char why[200] = "garbled head";
	const char *text = (const char *)buf + sizeof(h);
	int rc = -EBADMSG;

	if (len < sizeof(h))
		goto bad;
	memcpy(&h, buf, sizeof(h));
	if (h.magic != REPORT_MAGIC || h.kind != (uint32_t)kind || h.gen != (uint32_t)p->gen ||
	    h.n != (uint32_t)(m->lo[r + 1] - m->lo[r]) ||
	    sizeof(h) + (uint64_t)h.warn_len + h.log_len + h.body_len != len ||
	    (h.log_len && text[h.warn_len + h.log_len - 1] != '\n'))
		goto bad;
	if (h.warn_len)
		text_append(s->warning, sizeof(s->warning), "%.*s", (int)h.warn_len, text);
	if (h.log_len && strategy_add_records(s, text + h.warn_len, h.log_len)) {
		snprintf(s->err, sizeof(s->err), "out of memory for the migration log");
		return -ENOMEM;
	}
	if (kind == REPORT_NETS && r > 0)
		s->other_cpu_s += h.cpu_s;
	rc = report_body(p, m, r, &h, (const uint8_t *)text + h.warn_len + h.log_len, why,
			 sizeof(why));
	if (!rc)
		return 0;
bad:
	m->broken = 1;
	s->fail_worker = r;
	s->fail_pid = m->ranks[r].pid;
	snprintf(s->err, sizeof(s->err), "island %d (mpi rank %d) sent a garbled report in %s of "
		 "generation %d: %.300s", r, r, phase, p->gen, why);
	return rc;
}

/*
 * Every island reports to rank 0: the others send theirs (non-blocking, so an island may
 * run ahead of rank 0 by one report), rank 0 takes its own and then each as it arrives.
 */
static int exchange_reports(struct strategy *s, struct islands_mpi *m, struct population *p,
			    int kind, const char *phase)
{
	MPI_Status st;
	size_t len;
	int r, left, flag, rc;
	struct waiter w;

	if (m->rank) {
		/* the previous report's buffer is free once its send is done */
		rc = wait_request(s, m, &m->report_req, phase, p->gen);
		if (!rc && pack_report(m, kind, p->gen))
			rc = -ENOMEM;
		if (!rc && MPI_Isend(m->report, (int)m->report_len, MPI_BYTE, 0, TAG_REPORT,
				     MPI_COMM_WORLD, &m->report_req) != MPI_SUCCESS)
			rc = -EIO;
		if (rc == -ENOMEM || rc == -EIO)
			snprintf(s->err, sizeof(s->err), "island %d: its report could not be sent",
				 m->rank);
		return rc;
	}
	if (pack_report(m, kind, p->gen)) {
		snprintf(s->err, sizeof(s->err), "island 0: out of memory for its report");
		return -ENOMEM;
	}
	rc = take_report(s, m, p, 0, m->report, m->report_len, kind, phase);
	memset(m->pending + 1, 1, (size_t)m->size - 1);
	left = m->size - 1;
	waiter_start(&w, m, s->cfg->worker_timeout_s);
	while (!rc && left) {
		for (r = 1; r < m->size && !rc; r++) {
			if (!m->pending[r])
				continue;
			rc = MPI_Iprobe(r, TAG_REPORT, MPI_COMM_WORLD, &flag, &st);
			if (rc != MPI_SUCCESS)
				return mpi_fail(s, rc, "MPI_Iprobe");
			if (!flag)
				continue;
			rc = recv_probed(s, m, &st, &m->in, &m->in_cap, &len);
			if (!rc)
				rc = take_report(s, m, p, r, m->in, len, kind, phase);
			m->pending[r] = 0;
			left--;
			waiter_start(&w, m, s->cfg->worker_timeout_s);
		}
		if (!rc && left)
			rc = waiter_tick(s, m, &w, phase, p->gen);
	}
	if (rc == -ETIMEDOUT) {
		for (r = 1; !m->pending[r]; r++)
			;
		s->fail_worker = r;
		s->fail_pid = m->ranks[r].pid;
		snprintf(s->err, sizeof(s->err), "island %d (mpi rank %d, pid %ld) gave no report in "
			 "%s of generation %d within %g s (--worker-timeout)", r, r,
			 (long)m->ranks[r].pid, phase, p->gen, s->cfg->worker_timeout_s);
	}
	return rc;
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
		snprintf(s->err, sizeof(s->err), "island %d: %.480s", m->rank, m->isl.err);
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
	fault_strike(&m->fault, m->rank, PHASE_MUTATE, p->gen);
	return hook_done(s, m, PHASE_MUTATE, p->gen, island_mutate(&m->isl, p->gen));
}

static int mpi_prepare(struct strategy *s, struct population *p)
{
	struct islands_mpi *m = s->data;

	s->err[0] = 0;
	fault_strike(&m->fault, m->rank, PHASE_PREPARE, p->gen);
	return hook_done(s, m, PHASE_PREPARE, p->gen, island_prepare(&m->isl, p->gen));
}

/* Evaluate the island, then every island's fitness, origins and sizes go to rank 0. */
static int mpi_evaluate(struct strategy *s, struct population *p)
{
	struct islands_mpi *m = s->data;
	double t;
	int rc;

	s->err[0] = 0;
	fault_strike(&m->fault, m->rank, PHASE_EVALUATE, p->gen);
	rc = island_evaluate(&m->isl, p->gen);
	if (rc)
		return hook_done(s, m, PHASE_EVALUATE, p->gen, rc);
	t = proc_now_s();
	m->nodes = m->conns = 0;
	rc = exchange_reports(s, m, p, REPORT_STATS, "evaluate");
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
	fault_strike(&m->fault, m->rank, PHASE_RESAMPLE, p->gen);
	if (island_migrates(s->cfg, p->gen)) {
		rc = send_migrants(s, m, p->gen);
		if (!rc)
			rc = m->sync ? take_exact(s, m, p->gen) : take_arrived(s, m, p->gen);
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
	rc = drain(s, m);
	if (!rc)
		rc = exchange_reports(s, m, p, REPORT_NETS, "the end");
	if (!rc && m->rank)
		rc = wait_request(s, m, &m->report_req, "the end", p->gen);
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

/* Every rank's pid and host to rank 0, to name a rank that dies. */
static int exchange_ids(struct strategy *s, struct islands_mpi *m)
{
	struct rank_info me = { .pid = (int32_t)getpid() };
	int rc;

	gethostname(me.host, sizeof(me.host) - 1);
	rc = MPI_Gather(&me, sizeof(me), MPI_BYTE, m->ranks, sizeof(me), MPI_BYTE, 0,
			MPI_COMM_WORLD);
	return rc == MPI_SUCCESS ? 0 : mpi_fail(s, rc, "start-up exchange");
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
			if (i != m->rank)
				m->dests[m->n_dests++] = i;
	} else {
		m->dests[m->n_dests++] = (m->rank + 1) % c->islands;
	}
}

static int mpi_alloc(struct islands_mpi *m, int k)
{
	m->lo = calloc((size_t)k + 1, sizeof(*m->lo));
	m->dests = calloc((size_t)k, sizeof(*m->dests));
	m->received = calloc((size_t)k, sizeof(*m->received));
	m->ranks = calloc((size_t)k, sizeof(*m->ranks));
	m->pending = calloc((size_t)k, 1);
	return m->lo && m->dests && m->received && m->ranks && m->pending ? 0 : -ENOMEM;
}

/* This rank's island takes its share; the population keeps empty networks in its place. */
static int take_share(struct islands_mpi *m, const struct strategy_config *c, struct population *p)
{
	int i, j, lo, hi, rc;

	for (i = 0; i <= m->size; i++)
		m->lo[i] = island_lo(i, m->size, p->n);
	for (i = 0; i < m->size; i++)
		for (j = m->lo[i]; j < m->lo[i + 1]; j++)
			p->nets[j].origin = (uint32_t)i;
	lo = m->lo[m->rank];
	hi = m->lo[m->rank + 1];
	rc = island_init(&m->isl, c, m->rank, hi - lo);
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
	m->sync = c->migration == MIGRATION_MPI;
	fault_parse(c->inject_fault, &m->fault, s->err, sizeof(s->err));   /* supported() checked */
	rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
	if (rc != MPI_SUCCESS) {
		rc = mpi_fail(s, rc, "MPI_Init");
		goto done;
	}
	m->initialised = 1;
	/* errors come back as codes, so rank 0 can still write its summary */
	MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
	MPI_Comm_rank(MPI_COMM_WORLD, &m->rank);
	MPI_Comm_size(MPI_COMM_WORLD, &m->size);
	s->workers = m->size;   /* one process per island */
	if (m->size != c->islands) {
		snprintf(s->err, sizeof(s->err), "--islands %d, but MPI_COMM_WORLD has %d ranks",
			 c->islands, m->size);
		rc = -EINVAL;
		goto done;
	}
	rc = mpi_alloc(m, m->size);
	if (!rc)
		rc = take_share(m, c, p);
	if (rc) {
		snprintf(s->err, sizeof(s->err), "islands: out of memory");
		goto done;
	}
	find_dests(m, c);
	rc = exchange_ids(s, m);
	if (!rc && m->rank)
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
		return mpi_fail(s, rc, "MPI_Ibarrier");
	return wait_request(s, m, &req, "the end", s->cfg->evo.gens);
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
	free(m->ranks);
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
