/*
 * Trial backend `threads`: --jobs threads in one process, each pulling the next trial from
 * an atomic counter: the shape of Optuna's n_jobs. The trials share the process, and with it
 * the OpenBLAS thread pool and the allocator, which is what this backend exists to expose.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc/proc.h"
#include "harness/search/search.h"

struct tfarm {
	struct farm *f;
	atomic_int next;
	pthread_mutex_t emit_lock;     /* records are written one at a time */
	int rc;                        /* first error, under emit_lock */
};

struct tjob {
	struct tfarm *t;
	int worker;
};

static void *job_main(void *arg)
{
	struct tjob *j = arg;
	struct tfarm *t = j->t;
	struct trial_result r;

	for (;;) {
		int id = atomic_fetch_add(&t->next, 1), rc;

		if (id >= t->f->o->trials || proc_stop_requested)
			break;
		if (t->f->skip[id])
			continue;
		farm_handed(t->f, id);
		trial_run(t->f, id, j->worker, &r);
		pthread_mutex_lock(&t->emit_lock);
		rc = t->rc ? t->rc : t->f->emit(t->f, &r);
		if (rc && !t->rc)
			t->rc = rc;
		pthread_mutex_unlock(&t->emit_lock);
		if (rc)
			break;
	}
	return NULL;
}

static int threads_run(struct farm *f)
{
	struct tfarm t = { .f = f };
	struct tjob *jobs = calloc((size_t)f->o->jobs, sizeof(*jobs));
	pthread_t *tid = calloc((size_t)f->o->jobs, sizeof(*tid));
	int i, started = 0, rc = 0;

	if (!jobs || !tid) {
		rc = -ENOMEM;
		snprintf(f->err, sizeof(f->err), "threads: out of memory");
		goto out;
	}
	atomic_init(&t.next, 0);
	pthread_mutex_init(&t.emit_lock, NULL);
	for (i = 0; i < f->o->jobs; i++) {
		jobs[i] = (struct tjob){ .t = &t, .worker = i };
		rc = -pthread_create(&tid[i], NULL, job_main, &jobs[i]);
		if (rc) {
			snprintf(f->err, sizeof(f->err), "threads: pthread_create: %s", strerror(-rc));
			break;
		}
		started++;
	}
	if (rc)
		atomic_store(&t.next, f->o->trials);   /* the started ones stop at their next trial */
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	pthread_mutex_destroy(&t.emit_lock);
	if (!rc)
		rc = t.rc;
	if (!rc && proc_stop_requested)
		rc = -EINTR;
out:
	free(jobs);
	free(tid);
	return rc;
}

const struct farm_ops farm_threads = {
	.name = "threads",
	.summary = "a thread per job in one process, trials from a shared counter (Optuna's n_jobs)",
	.run = threads_run,
};
