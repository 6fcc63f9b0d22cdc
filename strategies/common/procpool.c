/*
 * The main-process side of the process strategies (see procpool.h).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "strategies/common/procpool.h"

/* a forked worker: its channel on the inherited pipes and shared regions */
static int forked_worker_main(void *ctx, int in_fd, int out_fd, int id)
{
	struct proc_pool *pp = ctx;
	struct chan c = { .rfd = in_fd, .wfd = out_fd };
	int rc;

	if (pp->shm[id]) {
		c.shm_rx = pp->shm[id];                   /* main -> worker */
		c.shm_tx = pp->shm[id] + pp->shm_cap;     /* worker -> main */
		c.shm_cap = pp->shm_cap;
	}
	rc = worker_serve(pp->p, &c, id, pp->fault);
	chan_release(&c);
	return rc;
}

/* an exec'd worker learns the config from its first message */
static int send_init(struct proc_pool *pp, struct strategy *s, int w)
{
	const char *fault = s->cfg->inject_fault ? s->cfg->inject_fault : "";
	size_t flen = strlen(fault), len = sizeof(struct strategy_config) + sizeof(int32_t) + flen;
	uint8_t *out = chan_reserve(&pp->ch[w], len);
	int32_t id = w;

	if (!out)
		return -ENOMEM;
	memcpy(out, s->cfg, sizeof(struct strategy_config));
	memcpy(out + sizeof(struct strategy_config), &id, sizeof(id));
	memcpy(out + sizeof(struct strategy_config) + sizeof(id), fault, flen);
	return chan_send(&pp->ch[w], WM_INIT, len);
}

static int start_one(struct proc_pool *pp, struct strategy *s, int w, int spawn)
{
	char *argv[] = { (char *)s->cfg->self_exe, "worker", NULL };
	struct chan *c = &pp->ch[w];
	int rc;

	if (spawn)
		rc = worker_spawn(&pp->g, w, argv, s->err, sizeof(s->err));
	else
		rc = worker_fork(&pp->g, w, forked_worker_main, pp, s->err, sizeof(s->err));
	if (rc)
		return rc;
	c->rfd = pp->g.w[w].from_fd;
	c->wfd = pp->g.w[w].to_fd;
	c->timeout_s = s->cfg->worker_timeout_s;
	if (pp->shm[w]) {
		c->shm_tx = pp->shm[w];
		c->shm_rx = pp->shm[w] + pp->shm_cap;
		c->shm_cap = pp->shm_cap;
	}
	return spawn ? send_init(pp, s, w) : 0;
}

int proc_pool_start(struct proc_pool *pp, struct strategy *s, struct population *p, int n,
		    int spawn, int use_shm)
{
	int w, rc = -ENOMEM;

	memset(pp, 0, sizeof(*pp));
	pp->p = p;
	pp->fault = s->cfg->inject_fault;
	pp->n = n;
	pp->shm_cap = PROCPOOL_SHM_BYTES;
	pp->g.n = n;
	pp->g.w = calloc((size_t)n, sizeof(*pp->g.w));
	pp->ch = calloc((size_t)n, sizeof(*pp->ch));
	pp->shm = calloc((size_t)n, sizeof(*pp->shm));
	if (!pp->g.w || !pp->ch || !pp->shm) {
		snprintf(s->err, sizeof(s->err), "%s: out of memory", s->ops->name);
		goto fail;
	}
	if (spawn && !s->cfg->self_exe) {
		snprintf(s->err, sizeof(s->err), "--start spawn: cannot find the evopar binary");
		rc = -ENOENT;
		goto fail;
	}
	for (w = 0; w < n; w++) {
		if (use_shm) {
			uint8_t *b;

			rc = chan_shm_create(&pp->shm[w], &b, pp->shm_cap, s->err, sizeof(s->err));
			if (rc)
				goto fail;
		}
		rc = start_one(pp, s, w, spawn);
		if (rc)
			goto fail;
	}
	return 0;
fail:
	proc_pool_stop(pp);
	return rc;
}

void proc_pool_stop(struct proc_pool *pp)
{
	int w;

	if (!pp->g.w)
		return;
	worker_group_stop(&pp->g);
	for (w = 0; w < pp->n; w++) {
		chan_release(&pp->ch[w]);
		chan_shm_destroy(pp->shm[w], NULL, pp->shm_cap);
	}
	free(pp->g.w);
	free(pp->ch);
	free(pp->shm);
	memset(pp, 0, sizeof(*pp));
}

/* Fill the failure report; a worker that hung up is reaped first to learn how it ended. */
int proc_pool_fail(struct proc_pool *pp, struct strategy *s, int w, int phase, int rc)
{
	struct worker *wk = &pp->g.w[w];
	char how[160];
	long pid = wk->pid;

	if (rc == -EINTR)
		return rc;           /* a stop signal: the harness reports it */
	if (rc == -EPIPE && !worker_reap(wk, 2.0)) {
		worker_describe_end(wk, how, sizeof(how));
		if (WIFSIGNALED(wk->status))
			s->fail_signal = WTERMSIG(wk->status);
	} else if (rc == -ETIMEDOUT) {
		snprintf(how, sizeof(how), "no reply within --worker-timeout %g s",
			 s->cfg->worker_timeout_s);
	} else if (rc == -EBADMSG) {
		snprintf(how, sizeof(how), "wrote a malformed message");
	} else {
		snprintf(how, sizeof(how), "%s", strerror(-rc));
	}
	s->fail_worker = w;
	s->fail_pid = pid;
	snprintf(s->err, sizeof(s->err), "%s worker %d (pid %ld) in %s: %s", s->ops->name, w, pid,
		 phase_names[phase], how);
	return rc ? rc : -EIO;
}

uint8_t *proc_pool_begin(struct proc_pool *pp, int w, const struct cmd_hdr *h, size_t len)
{
	uint8_t *out = chan_reserve(&pp->ch[w], sizeof(*h) + len);

	if (out)
		memcpy(out, h, sizeof(*h));
	return out ? out + sizeof(*h) : NULL;
}

int proc_pool_send(struct proc_pool *pp, struct strategy *s, int w, uint32_t type, size_t len,
		   int phase)
{
	int rc = chan_send(&pp->ch[w], type, sizeof(struct cmd_hdr) + len);

	return rc ? proc_pool_fail(pp, s, w, phase, rc) : 0;
}

int proc_pool_recv(struct proc_pool *pp, struct strategy *s, int w, const uint8_t **payload,
		   size_t *len, int phase)
{
	uint32_t type;
	int rc = chan_recv(&pp->ch[w], &type, payload, len);

	if (rc)
		return proc_pool_fail(pp, s, w, phase, rc);
	if (type == WM_ERR) {
		s->fail_worker = w;
		s->fail_pid = pp->g.w[w].pid;
		snprintf(s->err, sizeof(s->err), "%s worker %d (pid %ld) in %s: %.*s", s->ops->name,
			 w, (long)pp->g.w[w].pid, phase_names[phase], (int)*len, (const char *)*payload);
		return -EIO;
	}
	if (type != WM_OK)
		return proc_pool_fail(pp, s, w, phase, -EBADMSG);
	return 0;
}

int proc_pool_wait_any(struct proc_pool *pp, struct strategy *s, const int *busy,
		       const double *sent_at, int phase)
{
	struct pollfd pfd[pp->n];
	int map[pp->n], k, m, oldest;

	for (;;) {
		double now = proc_now_s();

		if (proc_stop_requested)
			return -EINTR;
		for (k = 0, m = 0, oldest = -1; k < pp->n; k++) {
			if (!busy[k])
				continue;
			if (oldest < 0 || sent_at[k] < sent_at[oldest])
				oldest = k;
			pfd[m] = (struct pollfd){ .fd = pp->ch[k].rfd, .events = POLLIN };
			map[m++] = k;
		}
		if (oldest < 0)
			return -EINVAL;
		if (now - sent_at[oldest] > s->cfg->worker_timeout_s)
			return proc_pool_fail(pp, s, oldest, phase, -ETIMEDOUT);
		if (poll(pfd, (nfds_t)m, 100) > 0)
			for (k = 0; k < m; k++)
				if (pfd[k].revents)
					return map[k];
	}
}
