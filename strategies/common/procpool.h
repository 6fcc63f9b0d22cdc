/*
 * The main-process side shared by the process strategies: start N workers (fork, or exec
 * of `evopar worker`), talk to them over channels, turn any failure into a report naming
 * the worker, its pid, the phase, the generation and the signal or error, and stop them.
 */
#ifndef EVOPAR_PROCPOOL_H
#define EVOPAR_PROCPOOL_H

#include "proc/chan.h"
#include "proc/proc.h"
#include "strategies/strategy.h"
#include "strategies/common/worker.h"

struct proc_pool {
	struct worker_group g;
	struct chan *ch;             /* one per worker */
	uint8_t **shm;               /* per worker: the base of its two regions, or NULL */
	size_t shm_cap;
	struct population *p;
	const char *fault;           /* --inject-fault, for the workers to act out */
	int n;
};

#define PROCPOOL_SHM_BYTES (64u << 20)   /* per direction per worker; sparse until used */

int proc_pool_start(struct proc_pool *pp, struct strategy *s, struct population *p, int n,
		    int spawn, int use_shm);
void proc_pool_stop(struct proc_pool *pp);
/* send a command whose payload the caller wrote through chan_reserve() */
int proc_pool_send(struct proc_pool *pp, struct strategy *s, int w, uint32_t type, size_t len,
		   int phase);
int proc_pool_recv(struct proc_pool *pp, struct strategy *s, int w, const uint8_t **payload,
		   size_t *len, int phase);
/* the first of the busy workers with a reply ready; -1 with s->err on failure or timeout */
int proc_pool_wait_any(struct proc_pool *pp, struct strategy *s, const int *busy,
		       const double *sent_at, int phase);
/* a command header plus room for len more bytes; NULL without memory */
uint8_t *proc_pool_begin(struct proc_pool *pp, int w, const struct cmd_hdr *h, size_t len);
int proc_pool_fail(struct proc_pool *pp, struct strategy *s, int w, int phase, int rc);

#endif
