/*
 * Trial workers as forked processes (see farm_procs.h). Workers come from proc.c, so each is
 * in the search's process group, dies with the main process and is reaped on every path.
 */
#include <cblas.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/search/farm_procs.h"

#define SEND_TIMEOUT_S 10.0        /* a trial id is 12 bytes into an empty pipe: never slow */

int farm_procs_start(struct farm_procs *fp, struct farm *f, const char *name, int n,
		     worker_main_fn fn, void *ctx)
{
	int i, rc = -ENOMEM;

	/* the caller's settings (blas_threads) stay: the workers read them after fork */
	fp->f = f;
	fp->name = name;
	fp->g = (struct worker_group){ .w = calloc((size_t)n, sizeof(*fp->g.w)) };
	fp->buf = NULL;
	fp->cap = 0;
	fp->trial = malloc((size_t)n * sizeof(*fp->trial));
	if (!fp->g.w || !fp->trial) {
		snprintf(f->err, sizeof(f->err), "%s: out of memory", name);
		goto fail;
	}
	/* set before any fork: each child closes the pipes of the workers started before it */
	fp->g.n = n;
	for (i = 0; i < n; i++)
		fp->trial[i] = -1;
	for (i = 0; i < n; i++) {
		rc = worker_fork(&fp->g, i, fn, ctx, f->err, sizeof(f->err));
		if (rc)
			goto fail;
	}
	return 0;
fail:
	farm_procs_stop(fp);
	return rc;
}

/* A worker failed: reap it if it ended, and say which, its pid, its trial and how. */
static int procs_fail(struct farm_procs *fp, int w, int rc)
{
	struct worker *wk = &fp->g.w[w];
	long pid = wk->pid;
	char how[160];

	if (rc == -EINTR)
		return rc;         /* a stop signal: the caller reports it */
	if (rc == -EPIPE && !worker_reap(wk, 2.0))
		worker_describe_end(wk, how, sizeof(how));
	else if (rc == -EBADMSG)
		snprintf(how, sizeof(how), "wrote a malformed message");
	else
		snprintf(how, sizeof(how), "%s", strerror(-rc));
	fp->f->fail_worker = w;
	fp->f->fail_pid = pid;
	snprintf(fp->f->err, sizeof(fp->f->err), "%s worker %d (pid %ld) running trial %d: %s",
		 fp->name, w, pid, fp->trial[w], how);
	return rc ? rc : -EIO;
}

int farm_procs_wait(struct farm_procs *fp, int *w)
{
	struct pollfd pfd[fp->g.n];
	int map[fp->g.n], i, m, r;

	for (;;) {
		if (proc_stop_requested)
			return -EINTR;
		for (i = 0, m = 0; i < fp->g.n; i++)
			if (fp->trial[i] >= 0) {
				pfd[m] = (struct pollfd){ .fd = fp->g.w[i].from_fd, .events = POLLIN };
				map[m++] = i;
			}
		if (!m)
			return -ENOENT;
		/* a stop signal interrupts poll; the timeout covers one that lands just before it */
		r = poll(pfd, (nfds_t)m, 100);
		if (r < 0 && errno != EINTR) {
			snprintf(fp->f->err, sizeof(fp->f->err), "%s: poll: %s", fp->name, strerror(errno));
			return -errno;
		}
		for (i = 0; r > 0 && i < m; i++)
			if (pfd[i].revents) {
				*w = map[i];
				return 0;
			}
	}
}

int farm_procs_recv(struct farm_procs *fp, int w, struct trial_result *r)
{
	struct msg_header h;
	int rc = msg_recv(fp->g.w[w].from_fd, &h, &fp->buf, &fp->cap, sizeof(*r), 0);

	if (!rc && (h.type != FM_RESULT || h.len != sizeof(*r)))
		rc = -EBADMSG;
	if (!rc) {
		memcpy(r, fp->buf, sizeof(*r));
		if (r->id != fp->trial[w])
			rc = -EBADMSG;
	}
	return rc ? procs_fail(fp, w, rc) : 0;
}

int farm_procs_send(int out_fd, const struct trial_result *r)
{
	return msg_send(out_fd, FM_RESULT, r, sizeof(*r), 0);
}

void farm_procs_stop(struct farm_procs *fp)
{
	if (fp->g.w)
		worker_group_stop(&fp->g);
	free(fp->g.w);
	free(fp->trial);
	free(fp->buf);
	fp->g.w = NULL;
	fp->trial = NULL;
	fp->buf = NULL;
}

/* ---- the queue: persistent and thread-limited ------------------------------------- */

/* A queue worker: run each trial id it is sent until the main process closes the pipe. */
static int queue_worker(void *ctx, int in_fd, int out_fd, int id)
{
	struct farm_procs *fp = ctx;
	struct trial_result r;
	struct msg_header h;
	uint8_t *buf = NULL;
	size_t cap = 0;
	int32_t trial;
	int rc;

	if (fp->blas_threads > 0)
		openblas_set_num_threads(fp->blas_threads);
	for (;;) {
		rc = msg_recv(in_fd, &h, &buf, &cap, sizeof(trial), 0);
		if (rc == -EPIPE) {
			rc = 0;        /* the main process is done with this worker */
			break;
		}
		if (rc || h.type != FM_TRIAL || h.len != sizeof(trial)) {
			rc = 4;
			break;
		}
		memcpy(&trial, buf, sizeof(trial));
		trial_run(fp->f, trial, id, &r);
		if (farm_procs_send(out_fd, &r)) {
			rc = 5;
			break;
		}
	}
	free(buf);
	return rc;
}

/* Hand worker w the next trial not yet recorded, if any is left. */
static int queue_hand(struct farm_procs *fp, int w, int *next, int *in_flight)
{
	int32_t id;
	int rc;

	*next = farm_next_trial(fp->f, *next);
	if (*next >= fp->f->o->trials)
		return 0;
	id = *next;
	fp->trial[w] = id;
	rc = msg_send(fp->g.w[w].to_fd, FM_TRIAL, &id, sizeof(id), proc_now_s() + SEND_TIMEOUT_S);
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
