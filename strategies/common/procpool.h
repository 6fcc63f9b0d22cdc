/*
 * The strategy side of the process strategies' worker pool (proc/pool.h): start N workers
 * (fork, or exec of `evopar worker`) on the run's population, send commands that start with
 * a cmd_hdr, and turn any failure into a report naming the worker, its pid, the phase and
 * the signal or error (s->err and s->fail_*).
 */
#ifndef EVOPAR_PROCPOOL_H
#define EVOPAR_PROCPOOL_H

#include "proc/proc.h"
#include "strategies/strategy.h"
#include "strategies/common/worker.h"

struct proc_pool {
	struct pool pool;
	struct population *p;        /* forked workers start from a copy of it */
	const char *fault;           /* --inject-fault, for the workers to act out */
	struct worker_shared *shared;  /* for forked workers, or NULL */
	int n;
	int spin;                    /* waits spin before they sleep (proc_spin_budget_s) */
};

#define PROCPOOL_SHM_BYTES (64u << 20)   /* per direction per worker; sparse until used */

int proc_pool_start(struct proc_pool *pp, struct strategy *s, struct population *p, int n,
		    int spawn, int use_shm);
/* the same, forked workers sharing `shared` (worker.h) with this process: a pool kept for the
   run, whose commands go back and forth every phase, so its waits (the main process's and
   the workers') spin before they sleep where proc_spin_budget_s allows */
int proc_pool_start_shared(struct proc_pool *pp, struct strategy *s, struct population *p, int n,
			   int use_shm, struct worker_shared *shared);
/* kill and reap every worker, free the state; safe on a zeroed pool */
void proc_pool_stop(struct proc_pool *pp);
/* send a command whose payload the caller wrote through proc_pool_begin() */
int proc_pool_send(struct proc_pool *pp, struct strategy *s, int w, uint32_t type, size_t len,
		   int phase);
/* a reply: WM_OK's payload without the busy time it ends in, which goes to s->busy_ms */
int proc_pool_recv(struct proc_pool *pp, struct strategy *s, int w, const uint8_t **payload,
		   size_t *len, int phase);
/* the first busy worker with a reply ready; < 0 with s->err on failure or timeout */
int proc_pool_wait_any(struct proc_pool *pp, struct strategy *s, int phase);
/* a command header plus room for len more bytes; NULL without memory */
uint8_t *proc_pool_begin(struct proc_pool *pp, int w, const struct cmd_hdr *h, size_t len);
int proc_pool_fail(struct proc_pool *pp, struct strategy *s, int w, int phase, int rc);

#endif
