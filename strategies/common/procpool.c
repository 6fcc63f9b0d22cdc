/*
 * The strategy side of the process strategies' worker pool (see procpool.h): proc/pool.c
 * does the processes, this file the commands and the words of a failure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strategies/common/procpool.h"

/* a forked worker: its channel on the inherited pipes (and shared regions) */
static int forked_worker_main(void *ctx, struct chan *c, int id)
{
	struct proc_pool *pp = ctx;

	if (pp->spin)
		wire_set_spin(proc_spin_budget_s(id + 1, pp->n));
	return worker_serve(pp->p, c, id, pp->fault, pp->shared);
}

/* an exec'd worker learns the config from its first message */
static int send_init(struct proc_pool *pp, struct strategy *s, int w)
{
	const char *fault = s->cfg->inject_fault ? s->cfg->inject_fault : "";
	size_t flen = strlen(fault), len = sizeof(struct strategy_config) + sizeof(int32_t) + flen;
	uint8_t *out = chan_reserve(&pp->pool.w[w].ch, len);
	int32_t id = w;

	if (!out)
		return -ENOMEM;
	memcpy(out, s->cfg, sizeof(struct strategy_config));
	memcpy(out + sizeof(struct strategy_config), &id, sizeof(id));
	memcpy(out + sizeof(struct strategy_config) + sizeof(id), fault, flen);
	return chan_send(&pp->pool.w[w].ch, WM_INIT, len);
}

/* the pool, its workers forked (with `shared`) or exec'd */
static int start_pool(struct proc_pool *pp, struct strategy *s, struct population *p, int n,
		      int spawn, int use_shm, struct worker_shared *shared, int spin)
{
	char *argv[] = { (char *)s->cfg->self_exe, "worker", NULL };
	struct pool_spec spec = {
		.n = n,
		.fn = spawn ? NULL : forked_worker_main,
		.ctx = pp,
		.argv = argv,
		.shm_bytes = use_shm ? PROCPOOL_SHM_BYTES : 0,
		.timeout_s = s->cfg->worker_timeout_s,
		.timeout_name = "--worker-timeout",
	};
	int w, rc;

	memset(pp, 0, sizeof(*pp));
	pp->p = p;
	pp->fault = s->cfg->inject_fault;
	pp->shared = shared;
	pp->n = n;
	pp->spin = spin;
	if (spin)
		wire_set_spin(proc_spin_budget_s(0, n));
	if (spawn && !s->cfg->self_exe) {
		snprintf(s->err, sizeof(s->err), "--start spawn: cannot find the evopar binary");
		return -ENOENT;
	}
	rc = pool_start(&pp->pool, &spec, s->err, sizeof(s->err));
	for (w = 0; !rc && spawn && w < n; w++) {
		rc = send_init(pp, s, w);
		if (rc)
			proc_pool_fail(pp, s, w, PHASE_MUTATE, rc);
	}
	if (rc)
		proc_pool_stop(pp);
	return rc;
}

int proc_pool_start(struct proc_pool *pp, struct strategy *s, struct population *p, int n,
		    int spawn, int use_shm)
{
	return start_pool(pp, s, p, n, spawn, use_shm, NULL, 0);
}

int proc_pool_start_shared(struct proc_pool *pp, struct strategy *s, struct population *p, int n,
			   int use_shm, struct worker_shared *shared)
{
	return start_pool(pp, s, p, n, 0, use_shm, shared, 1);
}

void proc_pool_stop(struct proc_pool *pp)
{
	pool_stop(&pp->pool, 0);
	if (pp->spin)
		wire_set_spin(0);
	memset(pp, 0, sizeof(*pp));
}

/* Fill the failure report; a worker that hung up is reaped first to learn how it ended. */
int proc_pool_fail(struct proc_pool *pp, struct strategy *s, int w, int phase, int rc)
{
	struct worker_fail f;

	if (rc == -EINTR)
		return rc;           /* a stop signal: the harness reports it */
	rc = pool_fail(&pp->pool, w, rc, &f);
	if (f.signal)
		s->fail_signal = f.signal;
	s->fail_worker = w;
	s->fail_pid = f.pid;
	snprintf(s->err, sizeof(s->err), "%s worker %d (pid %ld) in %s: %s", s->ops->name, w, f.pid,
		 phase_names[phase], f.how);
	return rc;
}

uint8_t *proc_pool_begin(struct proc_pool *pp, int w, const struct cmd_hdr *h, size_t len)
{
	uint8_t *out = chan_reserve(&pp->pool.w[w].ch, sizeof(*h) + len);

	if (out)
		memcpy(out, h, sizeof(*h));
	return out ? out + sizeof(*h) : NULL;
}

int proc_pool_send(struct proc_pool *pp, struct strategy *s, int w, uint32_t type, size_t len,
		   int phase)
{
	int rc = pool_send(&pp->pool, w, type, sizeof(struct cmd_hdr) + len);

	return rc ? proc_pool_fail(pp, s, w, phase, rc) : 0;
}

int proc_pool_recv(struct proc_pool *pp, struct strategy *s, int w, const uint8_t **payload,
		   size_t *len, int phase)
{
	uint32_t type;
	uint64_t work;
	int rc = pool_recv(&pp->pool, w, &type, payload, len);

	if (rc)
		return proc_pool_fail(pp, s, w, phase, rc);
	if (type == WM_ERR) {
		s->fail_worker = w;
		s->fail_pid = pp->pool.w[w].pid;
		snprintf(s->err, sizeof(s->err), "%s worker %d (pid %ld) in %s: %.*s", s->ops->name,
			 w, pp->pool.w[w].pid, phase_names[phase], (int)*len, (const char *)*payload);
		return -EIO;
	}
	if (type != WM_OK || *len < WM_BUSY_BYTES)
		return proc_pool_fail(pp, s, w, phase, -EBADMSG);
	*len -= WM_BUSY_BYTES;
	if (w < STRATEGY_MAX_WORKERS) {
		double busy_ms;

		memcpy(&busy_ms, *payload + *len, sizeof(busy_ms));
		s->busy_ms[phase][w] += busy_ms;
	}
	memcpy(&work, *payload + *len + sizeof(double), sizeof(work));
	s->work += work;
	return 0;
}

int proc_pool_wait_any(struct proc_pool *pp, struct strategy *s, int phase)
{
	int w, rc = pool_wait_any(&pp->pool, &w);

	if (rc == -ETIMEDOUT)
		return proc_pool_fail(pp, s, w, phase, rc);
	if (rc == -ENOENT)
		return -EINVAL;       /* a caller waiting with nothing sent: a bug */
	return rc ? rc : w;
}
