/*
 * Trial workers as forked processes, the part the process backends (fork-pool, persistent,
 * thread-limited) share, on proc/pool: start them, wait for whichever has a result (each
 * within --trial-timeout of being handed its trial), read it, name the one that failed, and
 * stop and reap them all; and the queue that persistent and thread-limited are.
 */
#ifndef EVOPAR_FARM_PROCS_H
#define EVOPAR_FARM_PROCS_H

#include <stdint.h>

#include "proc/proc.h"
#include "harness/search/search.h"

/* message types between the main process and a trial worker */
enum { FM_TRIAL = 1, FM_RESULT = 2 };

struct farm_procs {
	struct farm *f;
	const char *name;          /* the backend, for messages */
	struct pool pool;
	int *trial;                /* per worker: the trial whose result is due next, -1 none */
	int blas_threads;          /* >0: each worker pins OpenBLAS to this many threads */
};

/* n workers each running fn(ctx, ...); on failure f->err says why and none is left */
int farm_procs_start(struct farm_procs *fp, struct farm *f, const char *name, int n,
		     pool_fn fn, void *ctx);
/* the next busy worker (its result due) that has something to read, in *w; a worker past
   its --trial-timeout fails the search */
int farm_procs_wait(struct farm_procs *fp, int *w);
/* worker w's result for trial[w]; a worker that ended or wrote nonsense fails the search */
int farm_procs_recv(struct farm_procs *fp, int w, struct trial_result *r);
/* in a worker: send one result */
int farm_procs_send(struct chan *c, const struct trial_result *r);
/* kill and reap every worker, free the state */
void farm_procs_stop(struct farm_procs *fp);

/* persistent and thread-limited: --jobs workers, each handed the next trial when it reports */
int farm_procs_queue(struct farm *f, const char *name, int blas_threads);

#endif
