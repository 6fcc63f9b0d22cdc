/*
 * islands --migration mpi: how a rank waits for a message without spinning, receives one, and
 * moves migrants: sent to every island that takes from it, taken (sync: this generation's,
 * waited for; async: the newest arrived), and at the end drained so every send completes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strategies/common/islands_mpi.h"
#include "strategies/common/migration.h"
#include "strategies/strategy.h"

/*
 * The other ranks wait twice as long as rank 0: rank 0 watches every island, so when one
 * hangs it is rank 0 that gives up first and names it, not a neighbour left waiting.
 */
void islands_mpi_wait_start(struct mpi_idle *w, const struct islands_mpi *m, double timeout_s)
{
	mpi_idle_start(w, m->ranks.rank ? 2 * timeout_s : timeout_s, 1);
}

/* One idle step of a wait: 0 to go on, or why to give up (-EINTR, -ECHILD, -ETIMEDOUT). */
int islands_mpi_tick(struct strategy *s, struct islands_mpi *m, struct mpi_idle *w,
		     const char *phase, int gen)
{
	struct mpi_failure f;
	int rc = mpi_idle_step(&m->ranks, w, &f);

	return rc ? islands_mpi_failed(s, m, rc, &f, phase, gen) : 0;
}

int islands_mpi_wait_request(struct strategy *s, struct islands_mpi *m, MPI_Request *req,
			     const char *phase, int gen)
{
	struct mpi_failure f;
	struct mpi_idle w;
	int rc;

	islands_mpi_wait_start(&w, m, s->cfg->worker_timeout_s);
	rc = mpi_ranks_wait(&m->ranks, req, MPI_STATUS_IGNORE, &w, &f);
	if (!rc)
		return 0;
	rc = islands_mpi_failed(s, m, rc, &f, phase, gen);
	if (rc == -ETIMEDOUT)
		snprintf(s->err, sizeof(s->err), "island %d: a message it sent in %s of generation "
			 "%d was not taken within %g s (--worker-timeout)", m->ranks.rank, phase, gen,
			 s->cfg->worker_timeout_s);
	return rc;
}

/* the strategies' one buffer growth, for the messages' bytes */
int islands_mpi_grow(uint8_t **buf, size_t *cap, size_t need)
{
	char *b = (char *)*buf;
	int rc = strategy_text_room(&b, cap, need);

	*buf = (uint8_t *)b;
	return rc;
}

/* Take the message from src with tag into m->in if one has come: 1 taken (its length in
 * *len), 0 none yet, or a negative error. */
int islands_mpi_try_recv(struct strategy *s, struct islands_mpi *m, int src, int tag,
			 size_t *len)
{
	MPI_Status st;
	int flag = 0, n = 0, rc;

	rc = MPI_Iprobe(src, tag, MPI_COMM_WORLD, &flag, &st);
	if (rc != MPI_SUCCESS)
		return islands_mpi_call_failed(s, m, rc, "MPI_Iprobe");
	if (!flag)
		return 0;
	MPI_Get_count(&st, MPI_BYTE, &n);
	if (n < 0 || islands_mpi_grow(&m->in, &m->in_cap, (size_t)n + 1)) {
		m->broken = 1;
		snprintf(s->err, sizeof(s->err), "mpi: out of memory for a %d-byte message", n);
		return -ENOMEM;
	}
	rc = MPI_Recv(m->in, n, MPI_BYTE, src, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
	if (rc != MPI_SUCCESS)
		return islands_mpi_call_failed(s, m, rc, "MPI_Recv");
	*len = (size_t)n;
	return 1;
}

/* Wait for a migrants message from src and receive it into m->in; its length in *len. */
static int recv_migrants(struct strategy *s, struct islands_mpi *m, int src, size_t *len,
			 const char *phase, int gen)
{
	struct mpi_idle w;
	int rc;

	islands_mpi_wait_start(&w, m, s->cfg->worker_timeout_s);
	while (!(rc = islands_mpi_try_recv(s, m, src, TAG_MIGRANTS, len))) {
		rc = islands_mpi_tick(s, m, &w, phase, gen);
		if (rc == -ETIMEDOUT)
			return islands_mpi_timed_out(s, m, src, "migrants", phase, gen);
		if (rc)
			return rc;
	}
	if (rc < 0)
		return rc;
	m->received[src]++;
	return 0;
}

/* Free the buffers of migrants whose sends are done, oldest first. */
static int reap_sends(struct strategy *s, struct islands_mpi *m)
{
	int i, j, done, rc;

	for (i = j = 0; i < m->n_out; i++) {
		rc = MPI_Testall(m->n_dests, m->out[i]->req, &done, MPI_STATUSES_IGNORE);
		if (rc != MPI_SUCCESS)
			return islands_mpi_call_failed(s, m, rc, "MPI_Testall");
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
int islands_mpi_send_migrants(struct strategy *s, struct islands_mpi *m, int gen)
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
			free(o->buf);
			free(o);
			return islands_mpi_call_failed(s, m, rc, "MPI_Isend of migrants");
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
int islands_mpi_take_exact(struct strategy *s, struct islands_mpi *m, int gen)
{
	size_t len;
	int i, src, rc;

	for (i = 0; i < m->isl.n_sources; i++) {
		src = m->isl.sources[i];
		rc = recv_migrants(s, m, src, &len, "resample", gen);
		if (!rc)
			rc = take_migrants(m, m->in, len, src, gen, gen);
		if (rc)
			return rc;
	}
	return 0;
}

/* async: whatever each source has sent by now, its newest message only; no waiting. */
int islands_mpi_take_arrived(struct strategy *s, struct islands_mpi *m, int gen)
{
	uint8_t *t;
	size_t len, tc;
	int i, src, rc;

	for (i = 0; i < m->isl.n_sources; i++) {
		src = m->isl.sources[i];
		m->newest_len = 0;
		while ((rc = islands_mpi_try_recv(s, m, src, TAG_MIGRANTS, &len))) {
			if (rc < 0)
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
int islands_mpi_drain(struct strategy *s, struct islands_mpi *m)
{
	int want = migrations_in_run(s->cfg), gen = s->cfg->evo.gens, i, j, src, rc;
	struct mpi_failure f;
	struct mpi_idle w;
	size_t len;

	for (i = 0; i < m->isl.n_sources; i++) {
		src = m->isl.sources[i];
		while (m->received[src] < want) {
			rc = recv_migrants(s, m, src, &len, "the end", gen);
			if (rc)
				return rc;
		}
	}
	for (i = 0; i < m->n_out; i++) {
		islands_mpi_wait_start(&w, m, s->cfg->worker_timeout_s);
		for (j = rc = 0; j < m->n_dests && !rc; j++)
			rc = mpi_ranks_wait(&m->ranks, &m->out[i]->req[j], MPI_STATUS_IGNORE, &w, &f);
		if (!rc)
			continue;
		rc = islands_mpi_failed(s, m, rc, &f, "the end", gen);
		if (rc == -ETIMEDOUT)
			snprintf(s->err, sizeof(s->err), "island %d: its last migrants were not taken "
				 "within %g s", m->ranks.rank, s->cfg->worker_timeout_s);
		return rc;
	}
	return reap_sends(s, m);
}
