/*
 * The worker pool (see pool.h). Every worker is started by child_start, so it joins the
 * pool's group and dies with this process; the group is killed and every worker reaped on
 * every exit path, so none is left as an orphan or a zombie.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc/clock.h"
#include "proc/pool.h"

#define POOL_REAP_S 2.0            /* a worker that hung up has this long to be reaped */
#define POOL_WAKE_MS 100           /* waits wake this often to notice a stop request */

/* What a forked worker needs; it lives on the parent's stack, copied into the child by fork. */
struct pool_job {
	struct pool *pl;
	int id;
	int cmd[2], rep[2];        /* commands to the worker, replies from it */
};

/* In the forked child, first: the other workers' pipes and the parent's ends are not its own. */
static void job_close_others(void *ctx)
{
	struct pool_job *j = ctx;
	int i;

	for (i = 0; i < j->id; i++) {
		close(j->pl->w[i].ch.rfd);
		close(j->pl->w[i].ch.wfd);
	}
	close(j->cmd[1]);
	close(j->rep[0]);
}

/* The forked child's body: its end of the channel, the shared regions the other way round. */
static int job_run(void *ctx)
{
	struct pool_job *j = ctx;
	struct pool_worker *pw = &j->pl->w[j->id];
	struct chan c = { .rfd = j->cmd[0], .wfd = j->rep[1] };
	int rc;

	if (pw->shm) {
		c.shm_rx = pw->shm;                           /* main -> worker */
		c.shm_tx = pw->shm + j->pl->spec.shm_bytes;   /* worker -> main */
		c.shm_cap = j->pl->spec.shm_bytes;
	}
	rc = j->pl->spec.fn(j->pl->spec.ctx, &c, j->id);
	chan_release(&c);
	return rc;
}

static int open_pipes(int cmd[2], int rep[2], char *err, size_t errlen)
{
	int rc = 0;

	if (pipe2(cmd, O_CLOEXEC)) {
		rc = -errno;
	} else if (pipe2(rep, O_CLOEXEC)) {
		rc = -errno;
		close(cmd[0]);
		close(cmd[1]);
	}
	if (rc)
		snprintf(err, errlen, "pipe: %s", strerror(-rc));
	return rc;
}

/* Start worker id as a fork running spec.fn: the child closes what is not its own. */
static int worker_fork(struct pool *pl, struct pool_job *j, char *err, size_t errlen)
{
	struct child *c = &pl->w[j->id].c;

	c->fn = job_run;
	c->in_child = job_close_others;
	c->ctx = j;
	return child_start(c, err, errlen);
}

/* Start worker id by exec of spec.argv, its command pipe on fd 3 and its replies on fd 4. */
static int worker_spawn(struct pool *pl, struct pool_job *j, char *err, size_t errlen)
{
	struct child *c = &pl->w[j->id].c;

	c->argv = pl->spec.argv;
	c->exe = pl->spec.argv[0];
	c->fd3 = j->cmd[0];
	c->fd4 = j->rep[1];
	return child_start(c, err, errlen);
}

static int pool_start_one(struct pool *pl, int id, char *err, size_t errlen)
{
	struct pool_worker *pw = &pl->w[id];
	struct pool_job j = { .pl = pl, .id = id };
	char why[200];
	int rc;

	if (pl->spec.shm_bytes) {
		uint8_t *b;

		rc = chan_shm_create(&pw->shm, &b, pl->spec.shm_bytes, err, errlen);
		if (rc)
			return rc;
	}
	rc = open_pipes(j.cmd, j.rep, err, errlen);
	if (rc)
		return rc;
	child_init(&pw->c);
	pw->c.pgid = pl->pgid;     /* 0 for the first: it leads a new group the others join */
	rc = pl->spec.fn ? worker_fork(pl, &j, why, sizeof(why)) : worker_spawn(pl, &j, why, sizeof(why));
	close(j.cmd[0]);
	close(j.rep[1]);
	pw->c.ctx = NULL;          /* it pointed at j, gone when this returns */
	if (rc) {
		close(j.cmd[1]);
		close(j.rep[0]);
		snprintf(err, errlen, "worker %d: %s", id, why);
		return rc;
	}
	if (!pl->pgid)
		pl->pgid = pw->c.pid;
	pw->pid = pw->c.pid;
	/* never block on a full pipe to a hung worker: writes wait with a deadline instead */
	fcntl(j.cmd[1], F_SETFL, fcntl(j.cmd[1], F_GETFL) | O_NONBLOCK);
	pw->ch = (struct chan){ .rfd = j.rep[0], .wfd = j.cmd[1], .timeout_s = pl->spec.timeout_s };
	if (pw->shm) {
		pw->ch.shm_tx = pw->shm;
		pw->ch.shm_rx = pw->shm + pl->spec.shm_bytes;
		pw->ch.shm_cap = pl->spec.shm_bytes;
	}
	pl->n = id + 1;
	return 0;
}

int pool_start(struct pool *pl, const struct pool_spec *spec, char *err, size_t errlen)
{
	int i, rc;

	memset(pl, 0, sizeof(*pl));
	pl->spec = *spec;
	if (spec->n < 1 || (!spec->fn && (!spec->argv || !spec->argv[0]))) {
		snprintf(err, errlen, "pool: no workers, or nothing for them to run");
		return -EINVAL;
	}
	if (!spec->fn && spec->shm_bytes) {
		snprintf(err, errlen, "pool: shared memory is for forked workers only");
		return -EINVAL;
	}
	pl->w = calloc((size_t)spec->n, sizeof(*pl->w));
	if (!pl->w) {
		snprintf(err, errlen, "pool: out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < spec->n; i++) {
		rc = pool_start_one(pl, i, err, errlen);
		if (rc) {
			chan_shm_destroy(pl->w[i].shm, NULL, spec->shm_bytes);
			pl->w[i].shm = NULL;
			pool_stop(pl, 0);
			return rc;
		}
	}
	return 0;
}

void pool_stop(struct pool *pl, double grace_s)
{
	double until = proc_now_s() + grace_s;
	int i, running = 0;

	if (!pl->w)
		return;
	for (i = 0; i < pl->n; i++) {
		close(pl->w[i].ch.rfd);
		close(pl->w[i].ch.wfd);
		chan_release(&pl->w[i].ch);
	}
	/* a worker whose command pipe closed leaves on its own: grace_s for them all */
	for (i = 0; i < pl->n && grace_s > 0; i++) {
		double left = until - proc_now_s();

		child_wait(&pl->w[i].c, left > 0 ? left : 0);
	}
	for (i = 0; i < pl->n; i++)
		running |= pl->w[i].c.pid != 0;
	/* only while one of them lives is the group certainly still this pool's */
	if (running && pl->pgid)
		kill(-pl->pgid, SIGKILL);
	for (i = 0; i < pl->n; i++) {
		child_end(&pl->w[i].c, 0);
		chan_shm_destroy(pl->w[i].shm, NULL, pl->spec.shm_bytes);
	}
	free(pl->w);
	memset(pl, 0, sizeof(*pl));
}

static void pool_arm(struct pool_worker *pw, double timeout_s)
{
	pw->busy = 1;
	pw->due = timeout_s > 0 ? proc_now_s() + timeout_s : 0;
}

void pool_busy(struct pool *pl, int w)
{
	pool_arm(&pl->w[w], pl->spec.timeout_s);
}

int pool_send(struct pool *pl, int w, uint32_t type, size_t len)
{
	pool_arm(&pl->w[w], pl->spec.timeout_s);
	return chan_send(&pl->w[w].ch, type, len);
}

int pool_recv(struct pool *pl, int w, uint32_t *type, const uint8_t **payload, size_t *len)
{
	int rc = chan_recv(&pl->w[w].ch, type, payload, len);

	if (!rc)
		pl->w[w].busy = 0;
	return rc;
}

/* Poll the busy workers' reply pipes; the earliest deadline among them in *late (or -1). */
static int pool_poll(struct pool *pl, struct pollfd *pfd, int *map, int *late)
{
	int k, m = 0;

	*late = -1;
	for (k = 0; k < pl->n; k++) {
		int i = (pl->scan + k) % pl->n;
		const struct pool_worker *pw = &pl->w[i];

		if (!pw->busy)
			continue;
		if (pw->due > 0 && (*late < 0 || pw->due < pl->w[*late].due))
			*late = i;
		pfd[m] = (struct pollfd){ .fd = pw->ch.rfd, .events = POLLIN };
		map[m++] = i;
	}
	return m;
}

int pool_wait_any(struct pool *pl, int *w)
{
	struct pollfd pfd[pl->n > 0 ? pl->n : 1];
	int map[pl->n > 0 ? pl->n : 1];

	for (;;) {
		int late, m, k, r, ms = POOL_WAKE_MS;

		if (proc_stop_requested)
			return -EINTR;
		m = pool_poll(pl, pfd, map, &late);
		if (!m)
			return -ENOENT;
		if (late >= 0) {
			double left_ms = (pl->w[late].due - proc_now_s()) * 1e3;

			if (left_ms < ms)
				ms = left_ms > 0 ? (int)left_ms + 1 : 0;
		}
		/* a stop signal interrupts poll; the wake-up covers one that lands just before it */
		r = poll(pfd, (nfds_t)m, ms);
		if (r < 0 && errno != EINTR)
			return -errno;
		for (k = 0; r > 0 && k < m; k++)
			if (pfd[k].revents) {
				*w = map[k];
				pl->scan = (map[k] + 1) % pl->n;
				return 0;
			}
		/* an answer that came in time is taken above, even when it is read late */
		if (late >= 0 && proc_now_s() >= pl->w[late].due) {
			*w = late;
			return -ETIMEDOUT;
		}
	}
}

int pool_reap(struct pool *pl, int w, double timeout_s)
{
	return child_wait(&pl->w[w].c, timeout_s);
}

int pool_fail(struct pool *pl, int w, int rc, struct worker_fail *f)
{
	struct pool_worker *pw = &pl->w[w];

	*f = (struct worker_fail){ .worker = w, .pid = pw->pid, .code = rc };
	if (rc == -EPIPE) {
		snprintf(f->how, sizeof(f->how), "closed its pipe but did not exit");
		if (!child_wait(&pw->c, POOL_REAP_S)) {
			child_describe(&pw->c, f->how, sizeof(f->how));
			f->signal = child_signal(&pw->c);
		}
	} else if (rc == -ETIMEDOUT) {
		snprintf(f->how, sizeof(f->how), "no reply within %s%s%g s",
			 pl->spec.timeout_name ? pl->spec.timeout_name : "",
			 pl->spec.timeout_name ? " " : "", pl->spec.timeout_s);
	} else if (rc == -EBADMSG) {
		snprintf(f->how, sizeof(f->how), "wrote a malformed message");
	} else {
		snprintf(f->how, sizeof(f->how), "%s", strerror(rc ? -rc : EIO));
	}
	return rc ? rc : -EIO;
}
