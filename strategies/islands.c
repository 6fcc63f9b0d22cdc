/*
 * islands: K island processes, each evolving its own share of the population with its own
 * selection; every M generations each writes its chosen migrants to a migration file and
 * takes the newest of its sources (island i-1 on a ring, every other island when full) in
 * place of its worst. With --island-id I this process is island I alone, for islands
 * started by hand that share a directory. --migration mpi is islands_mpi.c.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/serial.h"
#include "strategies/common/island.h"
#include "strategies/common/migration.h"
#include "proc/proc.h"
#include "strategies/strategy.h"

/* Commands of the main process, one round per harness phase; the reply to c is REPLY(c). */
enum island_cmd {
	CMD_MUTATE = 1,
	CMD_PREPARE,
	CMD_EVALUATE,
	CMD_EMIGRATE,      /* sync: write this generation's migrants; the barrier follows */
	CMD_RESAMPLE,      /* take migrants (async: write first), select, build children */
	CMD_SYNC,          /* send every network, for the digest */
};
#define REPLY(cmd) (0x49530000u | (uint32_t)(cmd))
#define MAX_CMD 64
#define MAX_REPLY (1u << 30)
#define MAX_REPORTED 16
#define REAP_DEAD_S 2.0    /* a worker whose pipe closed has this long to be reaped */
#define QUIT_S 1.0         /* at the end, workers get this long to exit on their own */

struct cmd_body {
	uint32_t gen;
};

struct reply_head {
	uint32_t status;       /* 0, or a positive errno value; its message follows the warning */
	uint32_t gen;
	uint32_t n;            /* networks on the island */
	uint32_t warn_len;     /* bytes of warning text after the head */
	uint32_t err_len;      /* bytes of error text after the warning */
	uint32_t log_len;      /* bytes of migration records after the error */
	double io_ms;          /* migration file I/O during this command */
};

/* A bad file already reported, so that it is reported once. */
struct bad_file {
	int src;
	struct migration_file f;
};

/* An island whose migrants travel through files. */
struct file_island {
	struct island isl;
	const char *dir;
	int sync;                       /* take exactly this generation's file, after a barrier */
	char *consumed;                 /* async, per source island: a file was taken; last is it */
	struct migration_file *last;
	struct bad_file bad[MAX_REPORTED];   /* a ring */
	int n_bad;
};

/* The strategy's state in the main process. */
struct islands {
	const struct strategy_config *cfg;
	int k;
	int *lo;                        /* island i owns p->nets[lo[i] .. lo[i + 1]) */
	struct population *p;           /* the workers take their shares from it */
	struct worker_group g;
	long *pids;                     /* every worker's pid, kept after reaping */
	struct pollfd *pfd;
	int *who;                       /* island of each pfd entry */
	char *pending;                  /* island owes a reply in this round */
	char dir[PATH_MAX];
	int own_dir;                    /* made by mkdtemp: removed at close */
	int broken;                     /* a round failed: the workers' state is unknown */
	uint8_t *buf;
	size_t cap;
	double nodes, conns;            /* genome sizes summed over the last evaluate replies */
	double io_ms;                   /* the slowest island's migration I/O in this round */
	struct sigaction old_pipe;
	int pipe_saved;
	struct file_island *solo;       /* --island-id: the island this process runs */
};

/* ---- one island and its files, wherever it runs ------------------------------------ */

static int file_island_init(struct file_island *fi, const struct strategy_config *run_cfg, int id,
			    int n, const char *dir, int sync)
{
	int rc = island_init(&fi->isl, run_cfg, id, n);

	fi->dir = dir;
	fi->sync = sync;
	fi->n_bad = 0;
	fi->consumed = calloc((size_t)run_cfg->islands, 1);
	fi->last = calloc((size_t)run_cfg->islands, sizeof(*fi->last));
	return rc ? rc : fi->consumed && fi->last ? 0 : -ENOMEM;
}

static void file_island_release(struct file_island *fi)
{
	free(fi->consumed);
	free(fi->last);
	island_release(&fi->isl);
}

/* Write the chosen migrants; a failure to write is a migration lost, not a failed run. */
static void island_emigrate(struct file_island *fi, int gen)
{
	struct island *isl = &fi->isl;
	double t = proc_now_s();
	char why[STRATEGY_ERRLEN];

	if (!island_migrates(&isl->cfg, gen))
		return;
	island_pick_emigrants(isl, gen);
	if (migration_write(fi->dir, isl->id, gen, isl->emig, isl->cfg.migrants, why, sizeof(why)))
		text_append(isl->warning, sizeof(isl->warning),
			    "island %d: migrants of generation %d not written: %s", isl->id, gen, why);
	isl->io_ms += (proc_now_s() - t) * 1e3;
}

/*
 * Decode one file into the next free immigrant slots; the number of migrants, or 0 with the
 * reason in why. *sent gets the generation the file was written in.
 */
static int island_load(struct island *isl, const char *path, int src, int want_gen, int *sent,
		       char *why, size_t whylen)
{
	struct net *to = isl->imm + isl->n_imm;
	int count = 0, i;

	if (migration_read(path, src, to, isl->cfg.migrants, &count, sent, why, whylen))
		return 0;
	if (want_gen >= 0 && *sent != want_gen) {
		snprintf(why, whylen, "holds generation %d, expected %d", *sent, want_gen);
		return 0;
	}
	for (i = 0; i < count; i++)
		if (!island_fits(isl, &to[i])) {
			snprintf(why, whylen, "networks of another shape (--mode, --task or --hidden)");
			return 0;
		}
	if (!count)
		snprintf(why, whylen, "no networks in it");
	return count;
}

static int seen_bad(const struct file_island *fi, int src, const struct migration_file *f)
{
	int i, n = fi->n_bad < MAX_REPORTED ? fi->n_bad : MAX_REPORTED;

	for (i = 0; i < n; i++)
		if (fi->bad[i].src == src && fi->bad[i].f.gen == f->gen &&
		    !migration_newer(f, &fi->bad[i].f) && !migration_newer(&fi->bad[i].f, f))
			return 1;
	return 0;
}

/* sync: exactly src's file of this generation, which the barrier says is complete */
static int island_take_exact(struct file_island *fi, int src, int gen, int *sent)
{
	struct island *isl = &fi->isl;
	char path[PATH_MAX + 64], why[STRATEGY_ERRLEN];
	int count;

	migration_path(path, sizeof(path), fi->dir, src, gen);
	count = island_load(isl, path, src, gen, sent, why, sizeof(why));
	if (!count)
		text_append(isl->warning, sizeof(isl->warning),
			    "island %d: migrant file %s skipped: %s", isl->id, path, why);
	return count;
}

/*
 * async: the newest file of src not yet taken. Newest by the time it was renamed into
 * place, not by generation, so a stale file of an earlier run in the same directory is at
 * worst taken once and never hides the files this run writes. A bad file is reported once.
 */
static int island_take_newest(struct file_island *fi, int src, int *sent)
{
	struct island *isl = &fi->isl;
	struct migration_file *files;
	char path[PATH_MAX + 64], why[STRATEGY_ERRLEN];
	int n, i, count = 0;

	if (migration_list(fi->dir, src, &files, &n, why, sizeof(why))) {
		text_append(isl->warning, sizeof(isl->warning), "island %d: %s", isl->id, why);
		return 0;
	}
	for (i = 0; i < n && !count; i++) {
		if (fi->consumed[src] && !migration_newer(&files[i], &fi->last[src]))
			break;
		if (seen_bad(fi, src, &files[i]))
			continue;
		migration_path(path, sizeof(path), fi->dir, src, files[i].gen);
		count = island_load(isl, path, src, -1, sent, why, sizeof(why));
		if (count) {
			fi->last[src] = files[i];
			fi->consumed[src] = 1;
		} else {
			fi->bad[fi->n_bad++ % MAX_REPORTED] = (struct bad_file){ src, files[i] };
			text_append(isl->warning, sizeof(isl->warning),
				    "island %d: migrant file %s skipped: %s", isl->id, path, why);
		}
	}
	free(files);
	return count;
}

/* Take every source's migrants, log them, and put them in place of the worst. */
static int island_immigrate(struct file_island *fi, int gen)
{
	struct island *isl = &fi->isl;
	double t = proc_now_s();
	int i, src, sent, count, rc = 0;

	if (!island_migrates(&isl->cfg, gen))
		return 0;
	for (i = 0; i < isl->n_sources && !rc; i++) {
		src = isl->sources[i];
		count = fi->sync ? island_take_exact(fi, src, gen, &sent) :
				   island_take_newest(fi, src, &sent);
		if (count)
			rc = island_log_arrival(isl, gen, src, sent, isl->n_imm, count);
		isl->n_imm += count;
	}
	if (rc)
		island_failed(isl, "logging migrants", rc);
	else
		rc = island_replace_worst(isl);
	isl->io_ms += (proc_now_s() - t) * 1e3;
	return rc;
}

static int island_resample(struct file_island *fi, int gen, int write_first)
{
	int rc;

	if (write_first)
		island_emigrate(fi, gen);
	rc = island_immigrate(fi, gen);
	return rc ? rc : island_breed(&fi->isl, gen);
}

/* ---- the island's worker process ---------------------------------------------------- */

struct outbuf {
	uint8_t *b;
	size_t len, cap;
};

static void *outbuf_room(struct outbuf *o, size_t n)
{
	void *at;

	if (o->len + n > o->cap) {
		size_t nc = o->cap ? o->cap : 4096;
		uint8_t *nb;

		while (nc < o->len + n)
			nc *= 2;
		nb = realloc(o->b, nc);
		if (!nb)
			return NULL;
		o->b = nb;
		o->cap = nc;
	}
	at = o->b + o->len;
	o->len += n;
	return at;
}

static int outbuf_put(struct outbuf *o, const void *p, size_t n)
{
	void *at = outbuf_room(o, n);

	if (!at)
		return -ENOMEM;
	memcpy(at, p, n);
	return 0;
}

static int body_stats(const struct island *isl, struct outbuf *o)
{
	struct net_stat *st = outbuf_room(o, (size_t)isl->pop.n * sizeof(*st));

	if (!st)
		return -ENOMEM;
	island_stats(isl, st);
	return 0;
}

static int body_nets(const struct island *isl, struct outbuf *o)
{
	int j;

	for (j = 0; j < isl->pop.n; j++) {
		uint8_t *at = outbuf_room(o, serial_size(&isl->pop.nets[j]));

		if (!at)
			return -ENOMEM;
		serial_write(&isl->pop.nets[j], at);
	}
	return 0;
}

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
		island_emigrate(fi, gen);
		return 0;
	case CMD_RESAMPLE:
		return island_resample(fi, gen, !fi->sync);
	case CMD_SYNC:
		return 0;
	}
	snprintf(isl->err, sizeof(isl->err), "unknown command %u", cmd);
	return -EBADMSG;
}

/* Run one command and send its reply: head, warning, error, migration log, then the body. */
static int island_serve(struct file_island *fi, int out_fd, uint32_t cmd, int gen,
			struct outbuf *o)
{
	struct island *isl = &fi->isl;
	struct reply_head h = { .gen = (uint32_t)gen, .n = (uint32_t)isl->pop.n };
	struct msg_header mh;
	int rc;

	isl->io_ms = 0;
	isl->err[0] = 0;
	rc = island_command(fi, cmd, gen);
	/* room for the message header: the reply leaves in one write, not two */
	o->len = sizeof(struct msg_header);
	if (!outbuf_room(o, 0))
		return -ENOMEM;
	h.status = (uint32_t)-rc;
	h.warn_len = (uint32_t)strlen(isl->warning);
	h.err_len = rc ? (uint32_t)strlen(isl->err) : 0;
	h.log_len = (uint32_t)isl->log_len;
	h.io_ms = isl->io_ms;
	if (outbuf_put(o, &h, sizeof(h)) || outbuf_put(o, isl->warning, h.warn_len) ||
	    outbuf_put(o, isl->err, h.err_len) || outbuf_put(o, isl->log, h.log_len))
		return -ENOMEM;
	isl->warning[0] = 0;
	isl->log_len = 0;
	if (!rc && cmd == CMD_EVALUATE && body_stats(isl, o))
		return -ENOMEM;
	if (!rc && cmd == CMD_SYNC && body_nets(isl, o))
		return -ENOMEM;
	mh.type = REPLY(cmd);
	mh.len = (uint32_t)(o->len - sizeof(mh));
	memcpy(o->b, &mh, sizeof(mh));
	return fd_write_full(out_fd, o->b, o->len, 0);
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

/* The command loop of island id; the main process closing the pipe ends it. */
static int island_loop(struct file_island *fi, const struct fault *f, int in_fd, int out_fd)
{
	struct outbuf o = { 0 };
	uint8_t junk[64];
	struct msg_header h;
	struct cmd_body c;
	uint8_t *in = NULL;
	size_t in_cap = 0;
	int last[2] = { -1, -1 }, rc;

	memset(junk, 0xa5, sizeof(junk));
	for (;;) {
		/* no deadline: the main process decides how long a run lasts */
		rc = msg_recv(in_fd, &h, &in, &in_cap, MAX_CMD, 0);
		if (rc == -EPIPE) {
			rc = 0;
			break;
		}
		if (rc || h.len != sizeof(c)) {
			rc = rc ? rc : -EBADMSG;
			break;
		}
		memcpy(&c, in, sizeof(c));
		if (island_fault(f, fi->isl.id, h.type, (int)c.gen, last) == FAULT_GARBAGE)
			rc = fd_write_full(out_fd, junk, sizeof(junk), 0);
		else
			rc = island_serve(fi, out_fd, h.type, (int)c.gen, &o);
		if (rc)
			break;
	}
	free(in);
	free(o.b);
	return rc;
}

static int island_worker(void *ctx, int in_fd, int out_fd, int id)
{
	struct islands *d = ctx;
	struct file_island fi;
	struct fault f;
	char err[256];
	int rc;

	fault_parse(d->cfg->inject_fault, &f, err, sizeof(err));   /* supported() checked it */
	rc = file_island_init(&fi, d->cfg, id, d->lo[id + 1] - d->lo[id], d->dir,
			      d->cfg->migration == MIGRATION_SYNC);
	if (!rc)
		rc = island_take_share(&fi.isl, d->p, d->lo[id], d->lo[id + 1]);
	if (!rc)
		rc = island_loop(&fi, &f, in_fd, out_fd);
	file_island_release(&fi);
	return rc ? 1 : 0;
}

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
	struct worker *w = &d->g.w[i];
	char how[160];

	if (rc == -EINTR)
		return islands_interrupted(s, d);
	d->broken = 1;
	s->fail_worker = i;
	s->fail_pid = d->pids[i];
	s->fail_signal = 0;
	if (rc == -EPIPE) {
		snprintf(how, sizeof(how), "closed its pipe but did not exit");
		if (!worker_reap(w, REAP_DEAD_S)) {
			worker_describe_end(w, how, sizeof(how));
			if (WIFSIGNALED(w->status))
				s->fail_signal = WTERMSIG(w->status);
		}
		snprintf(s->err, sizeof(s->err), "island %d (pid %ld) died in %s of generation %d: %s",
			 i, d->pids[i], phase, gen, how);
		return -ECHILD;
	}
	if (rc == -ETIMEDOUT)
		snprintf(s->err, sizeof(s->err), "island %d (pid %ld) gave no reply in %s of "
			 "generation %d within %g s (--worker-timeout)", i, d->pids[i], phase, gen,
			 s->cfg->worker_timeout_s);
	else
		snprintf(s->err, sizeof(s->err), "island %d (pid %ld) failed in %s of generation %d: %.400s",
			 i, d->pids[i], phase, gen, detail ? detail : strerror(-rc));
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
			uint32_t cmd, const char *phase, double deadline)
{
	struct msg_header mh;
	struct reply_head h;
	char why[STRATEGY_ERRLEN];
	size_t rest;
	int rc;

	rc = msg_recv(d->g.w[i].from_fd, &mh, &d->buf, &d->cap, MAX_REPLY, deadline);
	if (rc == -EBADMSG || (!rc && (mh.type != REPLY(cmd) || mh.len < sizeof(h)))) {
		snprintf(why, sizeof(why), "garbled reply (type 0x%08x, %u bytes; expected type 0x%08x)",
			 mh.type, mh.len, REPLY(cmd));
		return island_lost(s, d, i, phase, p->gen, -EBADMSG, why);
	}
	if (rc)
		return island_lost(s, d, i, phase, p->gen, rc, NULL);
	memcpy(&h, d->buf, sizeof(h));
	rest = mh.len - sizeof(h);
	if (h.gen != (uint32_t)p->gen || h.n != (uint32_t)(d->lo[i + 1] - d->lo[i]) ||
	    (size_t)h.warn_len + h.err_len + h.log_len > rest || h.status > 4095 ||
	    (h.log_len && d->buf[sizeof(h) + h.warn_len + h.err_len + h.log_len - 1] != '\n')) {
		snprintf(why, sizeof(why), "garbled reply head (generation %u, %u networks)", h.gen, h.n);
		return island_lost(s, d, i, phase, p->gen, -EBADMSG, why);
	}
	if (h.warn_len)
		text_append(s->warning, sizeof(s->warning), "%.*s", (int)h.warn_len,
			    (const char *)d->buf + sizeof(h));
	if (h.status) {
		snprintf(why, sizeof(why), "%.*s", (int)h.err_len,
			 (const char *)d->buf + sizeof(h) + h.warn_len);
		return island_lost(s, d, i, phase, p->gen, -(int)h.status, why);
	}
	if (h.io_ms > d->io_ms)
		d->io_ms = h.io_ms;
	if (h.log_len && strategy_add_records(s, (const char *)d->buf + sizeof(h) + h.warn_len +
					      h.err_len, h.log_len))
		return island_lost(s, d, i, phase, p->gen, -ENOMEM, "keeping its migration log");
	rest -= (size_t)h.warn_len + h.err_len + h.log_len;
	rc = island_body(d, p, i, cmd, d->buf + mh.len - rest, rest, why, sizeof(why));
	return rc ? island_lost(s, d, i, phase, p->gen, rc, why) : 0;
}

/* Wait until some pending island has something to read; > 0, -EINTR or -ETIMEDOUT. */
static int islands_wait(struct pollfd *pfd, int np, double deadline)
{
	for (;;) {
		double left = deadline - proc_now_s();
		int ms, r;

		if (proc_stop_requested)
			return -EINTR;
		if (left <= 0)
			return -ETIMEDOUT;
		/* wake at least every 100 ms to notice a stop request */
		ms = left * 1e3 > 100 ? 100 : (int)(left * 1e3) + 1;
		r = poll(pfd, (nfds_t)np, ms);
		if (r > 0)
			return r;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
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
	double deadline = proc_now_s() + s->cfg->worker_timeout_s, t = proc_now_s();
	struct cmd_body c = { .gen = (uint32_t)p->gen };
	int i, j, np, left = d->k, rc;

	d->io_ms = 0;
	for (i = 0; i < d->k; i++) {
		rc = msg_send(d->g.w[i].to_fd, cmd, &c, sizeof(c), deadline);
		if (rc)
			return island_lost(s, d, i, name, p->gen, rc, NULL);
		d->pending[i] = 1;
	}
	add_comm(s, phase, t);
	while (left > 0) {
		for (i = np = 0; i < d->k; i++)
			if (d->pending[i]) {
				d->pfd[np] = (struct pollfd){ .fd = d->g.w[i].from_fd, .events = POLLIN };
				d->who[np++] = i;
			}
		rc = islands_wait(d->pfd, np, deadline);
		if (rc < 0)
			return island_lost(s, d, d->who[0], name, p->gen, rc, NULL);
		for (j = 0; j < np; j++) {
			if (!d->pfd[j].revents)
				continue;
			t = proc_now_s();
			rc = island_reply(s, d, p, d->who[j], cmd, name, deadline);
			if (rc)
				return rc;
			add_comm(s, phase, t);
			d->pending[d->who[j]] = 0;
			left--;
		}
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
		return solo_done(s, d, p, island_resample(solo_enter(d, p), p->gen, 1));
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
	if (fault_parse(c->inject_fault, &f, why, sizeof(why)))
		return why;
	return NULL;
}

/* The migration directory: the one given (made if missing), or a private temp one. */
static int islands_dir(struct strategy *s, struct islands *d)
{
	const char *dir = s->cfg->migration_dir, *tmp = getenv("TMPDIR");
	struct stat st;

	if (!dir) {
		snprintf(d->dir, sizeof(d->dir), "%s/evopar-islands-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(d->dir)) {
			snprintf(s->err, sizeof(s->err), "islands: mkdtemp %.300s: %s", d->dir, strerror(errno));
			return -errno;
		}
		d->own_dir = 1;
		return 0;
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
	d->solo = calloc(1, sizeof(*d->solo));
	if (!d->solo || file_island_init(d->solo, c, id, p->n, d->dir, 0)) {
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

static int islands_alloc(struct islands *d, int k)
{
	d->lo = calloc((size_t)k + 1, sizeof(*d->lo));
	d->pids = calloc((size_t)k, sizeof(*d->pids));
	d->pfd = calloc((size_t)k, sizeof(*d->pfd));
	d->who = calloc((size_t)k, sizeof(*d->who));
	d->pending = calloc((size_t)k, 1);
	d->g.w = calloc((size_t)k, sizeof(*d->g.w));
	return d->lo && d->pids && d->pfd && d->who && d->pending && d->g.w ? 0 : -ENOMEM;
}

static void islands_close(struct strategy *s);

static int islands_open(struct strategy *s, struct population *p)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };
	struct islands *d = calloc(1, sizeof(*d));
	int i, j, rc;

	s->data = d;
	if (!d) {
		snprintf(s->err, sizeof(s->err), "islands: out of memory");
		return -ENOMEM;
	}
	d->cfg = s->cfg;
	d->p = p;
	d->k = s->cfg->islands;
	s->workers = s->cfg->island_id >= 0 ? 1 : d->k;   /* one process per island */
	if (s->cfg->island_id >= 0) {
		rc = solo_open(s, d, p);
		goto done;
	}
	rc = islands_alloc(d, d->k);
	if (rc) {
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
	d->g.n = d->k;
	for (i = 0; i < d->k && !rc; i++) {
		rc = worker_fork(&d->g, i, island_worker, d, s->err, sizeof(s->err));
		d->pids[i] = d->g.w[i].pid;
	}
done:
	if (rc)
		islands_close(s);   /* the harness closes only what opened */
	return rc;
}

/* Workers first get the chance to exit on their own (their command pipe closes); then
 * whatever is left is killed and every one reaped. */
static void islands_stop(struct islands *d)
{
	int i;

	if (!d->g.w)
		return;
	for (i = 0; i < d->g.n; i++)
		if (d->g.w[i].pid && d->g.w[i].to_fd > 0) {
			close(d->g.w[i].to_fd);
			d->g.w[i].to_fd = -1;
		}
	for (i = 0; i < d->g.n && !d->broken; i++)
		worker_reap(&d->g.w[i], QUIT_S);
	worker_group_stop(&d->g);
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
	if (d->dir[0] && d->own_dir)
		migration_remove_dir(d->dir);
	else if (d->dir[0] && d->pids)
		migration_tidy(d->dir, d->pids, d->k);
	if (d->pipe_saved)
		sigaction(SIGPIPE, &d->old_pipe, NULL);
	free(d->g.w);
	free(d->lo);
	free(d->pids);
	free(d->pfd);
	free(d->who);
	free(d->pending);
	free(d->buf);
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
