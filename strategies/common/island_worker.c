/*
 * An island process of the islands strategy (see island_worker.h): it takes its share of the
 * population, then runs each command of the main process on its file island and replies.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/serial.h"
#include "strategies/common/file_island.h"
#include "strategies/common/island_worker.h"

static int island_command(struct file_island *fi, uint32_t cmd, int gen)
{
	struct island *isl = &fi->isl;

	switch (cmd) {
	case CMD_MUTATE:
		return island_mutate(isl, gen);
	case CMD_PREPARE:
		return island_prepare(isl, gen);
	case CMD_EVALUATE:
		return island_evaluate(isl, gen);
	case CMD_EMIGRATE:
		file_island_emigrate(fi, gen);
		return 0;
	case CMD_RESAMPLE:
		return file_island_resample(fi, gen, !fi->sync);
	case CMD_SYNC:
		return 0;
	}
	snprintf(isl->err, sizeof(isl->err), "unknown command %u", cmd);
	return -EBADMSG;
}

/* The bytes of a command's body: the stats after evaluate, every network for sync. */
static size_t body_size(const struct island *isl, uint32_t cmd)
{
	size_t n = 0;
	int j;

	if (cmd == CMD_EVALUATE)
		return (size_t)isl->pop.n * sizeof(struct net_stat);
	for (j = 0; cmd == CMD_SYNC && j < isl->pop.n; j++)
		n += serial_size(&isl->pop.nets[j]);
	return n;
}

static void body_write(const struct island *isl, uint32_t cmd, uint8_t *at)
{
	int j;

	if (cmd == CMD_EVALUATE)
		island_stats(isl, (struct net_stat *)at);
	for (j = 0; cmd == CMD_SYNC && j < isl->pop.n; j++)
		at += serial_write(&isl->pop.nets[j], at);
}

static uint8_t *put(uint8_t *at, const void *p, size_t n)
{
	memcpy(at, p, n);
	return at + n;
}

/* Run one command and send its reply: head, warning, error, migration log, then the body. */
static int island_serve(struct file_island *fi, struct chan *c, uint32_t cmd, int gen)
{
	struct island *isl = &fi->isl;
	struct reply_head h = { .gen = (uint32_t)gen, .n = (uint32_t)isl->pop.n };
	size_t body, len;
	uint8_t *out;
	int rc;

	isl->io_ms = 0;
	isl->err[0] = 0;
	h.work = engine_work_done();
	rc = island_command(fi, cmd, gen);
	h.work = engine_work_done() - h.work;
	h.status = (uint32_t)-rc;
	h.warn_len = (uint32_t)strlen(isl->warning);
	h.err_len = rc ? (uint32_t)strlen(isl->err) : 0;
	h.log_len = (uint32_t)isl->log_len;
	h.io_ms = isl->io_ms;
	body = rc ? 0 : body_size(isl, cmd);
	len = sizeof(h) + h.warn_len + h.err_len + h.log_len + body;
	out = chan_reserve(c, len);
	if (!out)
		return -ENOMEM;
	out = put(out, &h, sizeof(h));
	out = put(out, isl->warning, h.warn_len);
	out = put(out, isl->err, h.err_len);
	out = put(out, isl->log, h.log_len);
	if (body)
		body_write(isl, cmd, out);
	isl->warning[0] = 0;
	isl->log_len = 0;
	return chan_send(c, REPLY(cmd), len);
}

static int cmd_phase(uint32_t cmd)
{
	switch (cmd) {
	case CMD_MUTATE:
		return PHASE_MUTATE;
	case CMD_PREPARE:
		return PHASE_PREPARE;
	case CMD_EVALUATE:
		return PHASE_EVALUATE;
	case CMD_EMIGRATE:
	case CMD_RESAMPLE:
		return PHASE_RESAMPLE;
	}
	return -1;
}

/* An injected fault strikes once, at the first command of its phase and generation. */
static int island_fault(const struct fault *f, int id, uint32_t cmd, int gen, int *last)
{
	int phase = cmd_phase(cmd);

	if (phase < 0 || (last[0] == phase && last[1] == gen))
		return FAULT_NONE;
	last[0] = phase;
	last[1] = gen;
	return fault_strike(f, id, phase, gen);
}

/* The command loop of island id; the main process closing the channel ends it. */
static int island_loop(struct file_island *fi, const struct fault *f, struct chan *c)
{
	uint8_t junk[64];
	struct cmd_body body;
	int last[2] = { -1, -1 };

	memset(junk, 0xa5, sizeof(junk));
	for (;;) {
		const uint8_t *in;
		uint32_t type;
		size_t len;
		/* no deadline: the main process decides how long a run lasts */
		int rc = chan_recv(c, &type, &in, &len);

		if (rc == -EPIPE)
			return 0;
		if (rc || len != sizeof(body))
			return rc ? rc : -EBADMSG;
		memcpy(&body, in, sizeof(body));
		if (island_fault(f, fi->isl.id, type, (int)body.gen, last) == FAULT_GARBAGE)
			rc = fd_write_full(c->wfd, junk, sizeof(junk), 0);
		else
			rc = island_serve(fi, c, type, (int)body.gen);
		if (rc)
			return rc;
	}
}

int island_worker_main(void *ctx, struct chan *c, int id)
{
	const struct island_job *job = ctx;
	const int *lo = job->lo;
	struct file_island fi;
	struct fault f;
	char err[256];
	int rc;

	fault_parse(job->cfg->inject_fault, &f, err, sizeof(err));   /* supported() checked it */
	rc = file_island_init(&fi, job->cfg, id, lo[id + 1] - lo[id], job->dir, job->run,
			      job->cfg->migration == MIGRATION_SYNC);
	if (!rc)
		rc = island_take_share(&fi.isl, job->p, lo[id], lo[id + 1]);
	if (!rc)
		rc = island_loop(&fi, &f, c);
	file_island_release(&fi);
	return rc ? 1 : 0;
}
