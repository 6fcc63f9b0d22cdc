/*
 * Trial workers as forked processes (see farm_procs.h), on proc/pool: each is in the search's
 * process group, dies with the main process, owes its result within --trial-timeout and is
 * reaped on every path.
 */
#include <cblas.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/search/farm_procs.h"

int farm_procs_start(struct farm_procs *fp, struct farm *f, const char *name, int n,
		     pool_fn fn, void *ctx)
{
	struct pool_spec spec = { .n = n, .fn = fn, .ctx = ctx, .timeout_s = f->o->trial_timeout_s,
				  .timeout_name = "--trial-timeout" };
	char why[sizeof(f->err) - 64];
	int i, rc;

	/* the caller's settings (blas_threads) stay: the workers read them after fork */
	fp->f = f;
	fp->name = name;
	fp->trial = malloc((size_t)n * sizeof(*fp->trial));
	if (!fp->trial) {
		snprintf(f->err, sizeof(f->err), "%s: out of memory", name);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		fp->trial[i] = -1;
	rc = pool_start(&fp->pool, &spec, why, sizeof(why));
	if (rc) {
		snprintf(f->err, sizeof(f->err), "%s: %s", name, why);
		farm_procs_stop(fp);
	}
	return rc;
}

/* A worker failed: reap it if it ended, and say which, its pid, its trial and how. */
static int procs_fail(struct farm_procs *fp, int w, int rc)
{
	struct worker_fail wf;

	if (rc == -EINTR)
		return rc;         /* a stop signal: the caller reports it */
	rc = pool_fail(&fp->pool, w, rc, &wf);
	if (wf.code == -ETIMEDOUT)
		snprintf(wf.how, sizeof(wf.how), "not done within --trial-timeout %g s",
			 fp->f->o->trial_timeout_s);
	fp->f->fail_worker = w;
	fp->f->fail_pid = wf.pid;
	snprintf(fp->f->err, sizeof(fp->f->err), "%s worker %d (pid %ld) running trial %d: %s",
		 fp->name, w, wf.pid, fp->trial[w], wf.how);
	return rc;
}

int farm_procs_wait(struct farm_procs *fp, int *w)
{
	int rc = pool_wait_any(&fp->pool, w);

	if (rc == -ETIMEDOUT)
		return procs_fail(fp, *w, rc);
	if (rc && rc != -EINTR && rc != -ENOENT)
		snprintf(fp->f->err, sizeof(fp->f->err), "%s: poll: %s", fp->name, strerror(-rc));
	return rc;
}

int farm_procs_recv(struct farm_procs *fp, int w, struct trial_result *r)
{
	const uint8_t *in;
	uint32_t type;
	size_t len;
	int rc = pool_recv(&fp->pool, w, &type, &in, &len);

	if (!rc && (type != FM_RESULT || len != sizeof(*r)))
		rc = -EBADMSG;
	if (!rc) {
		memcpy(r, in, sizeof(*r));
		if (r->id != fp->trial[w])
			rc = -EBADMSG;
	}
	return rc ? procs_fail(fp, w, rc) : 0;
}

int farm_procs_send(struct chan *c, const struct trial_result *r)
{
	uint8_t *out = chan_reserve(c, sizeof(*r));

	if (!out)
		return -ENOMEM;
	memcpy(out, r, sizeof(*r));
	return chan_send(c, FM_RESULT, sizeof(*r));
}

void farm_procs_stop(struct farm_procs *fp)
{
	pool_stop(&fp->pool, 0);
	free(fp->trial);
	fp->trial = NULL;
}

/* ---- the queue: persistent and thread-limited ------------------------------------- */

/* A queue worker: run each trial id it is sent until the main process closes the pipe. */
static int queue_worker(void *ctx, struct chan *c, int id)
{
	struct farm_procs *fp = ctx;
	struct trial_result r;
	const uint8_t *in;
	uint32_t type;
	size_t len;
	int32_t trial;

	if (fp->blas_threads > 0)
		openblas_set_num_threads(fp->blas_threads);
	for (;;) {
		int rc = chan_recv(c, &type, &in, &len);

		if (rc == -EPIPE)
			return 0;      /* the main process is done with this worker */
		if (rc || type != FM_TRIAL || len != sizeof(trial))
			return 4;
		memcpy(&trial, in, sizeof(trial));
		trial_run(fp->f, trial, id, &r);
		if (farm_procs_send(c, &r))
			return 5;
	}
}

/* Hand worker w the next trial not yet recorded, if any is left. */
static int queue_hand(struct farm_procs *fp, int w, int *next, int *in_flight)
{
	uint8_t *out;
	int32_t id;
	int rc;

	*next = farm_next_trial(fp->f, *next);
	if (*next >= fp->f->o->trials)
		return 0;
	id = *next;
	fp->trial[w] = id;
	farm_handed(fp->f, id);
	out = chan_reserve(&fp->pool.w[w].ch, sizeof(id));
	if (!out)
		return procs_fail(fp, w, -ENOMEM);
	memcpy(out, &id, sizeof(id));
	/* the trial's deadline starts now */
	rc = pool_send(&fp->pool, w, FM_TRIAL, sizeof(id));
	if (rc)
		return procs_fail(fp, w, rc);
	(*next)++;
	(*in_flight)++;
	return 0;
}

int farm_procs_queue(struct farm *f, const char *name, int blas_threads)
{
	struct farm_procs fp = { .blas_threads = blas_threads };
	struct trial_result r;
	int n = f->o->jobs, pending = 0, next = 0, in_flight = 0, w, rc;

	for (w = farm_next_trial(f, 0); w < f->o->trials; w = farm_next_trial(f, w + 1))
		pending++;
	if (n > pending)
		n = pending;   /* a worker with no trial to run is not worth a fork */
	if (!n)
		return 0;
	rc = farm_procs_start(&fp, f, name, n, queue_worker, &fp);
	if (rc)
		return rc;
	f->worker_blas_threads = blas_threads;
	for (w = 0; !rc && w < n; w++)
		rc = queue_hand(&fp, w, &next, &in_flight);
	while (!rc && in_flight) {
		rc = farm_procs_wait(&fp, &w);
		if (!rc)
			rc = farm_procs_recv(&fp, w, &r);
		if (rc)
			break;
		fp.trial[w] = -1;
		in_flight--;
		rc = f->emit(f, &r);
		if (!rc)
			rc = queue_hand(&fp, w, &next, &in_flight);
	}
	farm_procs_stop(&fp);
	return rc;
}
