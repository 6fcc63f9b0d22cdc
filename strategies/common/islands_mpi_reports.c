/*
 * islands --migration mpi: what every island reports to rank 0, after evaluate (fitness,
 * origins, sizes) and at the end (its networks, for the digest), and how rank 0 takes it in.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "engine/serial.h"
#include "strategies/common/islands_mpi.h"

#define REPORT_MAGIC 0x45565250u     /* "EVRP" */

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
	uint64_t work;             /* REPORT_STATS: engine_work_done's units since the last one */
};

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
		h.work = engine_work_done() - m->work_sent;
		m->work_sent += h.work;
	} else {
		for (j = 0; j < isl->pop.n; j++)
			h.body_len += serial_size(&isl->pop.nets[j]);
		h.cpu_s = cpu_seconds();
	}
	if (islands_mpi_grow(&m->report, &m->report_cap, sizeof(h) + h.warn_len + h.log_len + h.body_len))
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
	if (r != 0)                /* rank 0's own work is this process's: the harness counts it */
		s->work += h.work;
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
	s->fail_pid = m->ranks.all[r].pid;
	snprintf(s->err, sizeof(s->err), "island %d (mpi rank %d) sent a garbled report in %s of "
		 "generation %d: %.300s", r, r, phase, p->gen, why);
	return rc;
}

/* An island other than rank 0: its report on its way (non-blocking, so the island may run
 * ahead of rank 0 by one report). */
static int send_report(struct strategy *s, struct islands_mpi *m, int kind, const char *phase,
		       int gen)
{
	/* the previous report's buffer is free once its send is done */
	int rc = islands_mpi_wait_request(s, m, &m->report_req, phase, gen);

	if (!rc && pack_report(m, kind, gen))
		rc = -ENOMEM;
	if (!rc && MPI_Isend(m->report, (int)m->report_len, MPI_BYTE, 0, TAG_REPORT,
			     MPI_COMM_WORLD, &m->report_req) != MPI_SUCCESS)
		rc = -EIO;
	if (rc == -ENOMEM || rc == -EIO)
		snprintf(s->err, sizeof(s->err), "island %d: its report could not be sent",
			 m->ranks.rank);
	return rc;
}

/* Rank 0: take each other island's report as it arrives, naming one that gave none in time. */
static int collect_reports(struct strategy *s, struct islands_mpi *m, struct population *p,
			   int kind, const char *phase)
{
	int size = m->ranks.size, r, left = size - 1, rc = 0;
	struct mpi_idle w;
	size_t len;

	memset(m->pending + 1, 1, (size_t)size - 1);
	islands_mpi_wait_start(&w, m, s->cfg->worker_timeout_s);
	while (!rc && left) {
		for (r = 1; r < size && !rc; r++) {
			if (!m->pending[r])
				continue;
			rc = islands_mpi_try_recv(s, m, r, TAG_REPORT, &len);
			if (rc < 0)
				return rc;
			if (!rc)
				continue;
			rc = take_report(s, m, p, r, m->in, len, kind, phase);
			m->pending[r] = 0;
			left--;
			islands_mpi_wait_start(&w, m, s->cfg->worker_timeout_s);
		}
		if (!rc && left)
			rc = islands_mpi_tick(s, m, &w, phase, p->gen);
	}
	if (rc == -ETIMEDOUT) {
		for (r = 1; !m->pending[r]; r++)
			;
		return islands_mpi_timed_out(s, m, r, "report", phase, p->gen);
	}
	return rc;
}

/* Every island reports to rank 0, and rank 0 takes its own before the others'. */
int islands_mpi_exchange_reports(struct strategy *s, struct islands_mpi *m, struct population *p,
				 int kind, const char *phase)
{
	int rc;

	if (m->ranks.rank)
		return send_report(s, m, kind, phase, p->gen);
	if (pack_report(m, kind, p->gen)) {
		snprintf(s->err, sizeof(s->err), "island 0: out of memory for its report");
		return -ENOMEM;
	}
	rc = take_report(s, m, p, 0, m->report, m->report_len, kind, phase);
	return rc ? rc : collect_reports(s, m, p, kind, phase);
}
