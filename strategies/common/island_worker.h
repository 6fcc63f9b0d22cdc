/*
 * The island processes of the islands strategy: the commands the main process sends, one
 * round per harness phase, the reply each island sends back, and the island's command loop,
 * which runs as a worker of proc/pool.
 */
#ifndef EVOPAR_ISLAND_WORKER_H
#define EVOPAR_ISLAND_WORKER_H

#include <stdint.h>

#include "proc/chan.h"
#include "strategies/strategy.h"

/* Commands of the main process; the reply to c is REPLY(c). */
enum island_cmd {
	CMD_MUTATE = 1,
	CMD_PREPARE,
	CMD_EVALUATE,
	CMD_EMIGRATE,      /* sync: write this generation's migrants; the barrier follows */
	CMD_RESAMPLE,      /* take migrants (async: write first), select, build children */
	CMD_SYNC,          /* send every network, for the digest */
};
#define REPLY(cmd) (0x49530000u | (uint32_t)(cmd))

struct cmd_body {
	uint32_t gen;
};

/* A reply: this head, the warning, the error, the migration log, then the command's body
   (CMD_EVALUATE: a struct net_stat per network; CMD_SYNC: every network serialised). */
struct reply_head {
	uint32_t status;       /* 0, or a positive errno value; its message follows the warning */
	uint32_t gen;
	uint32_t n;            /* networks on the island */
	uint32_t warn_len;     /* bytes of warning text after the head */
	uint32_t err_len;      /* bytes of error text after the warning */
	uint32_t log_len;      /* bytes of migration records after the error */
	double io_ms;          /* migration file I/O during this command */
	uint64_t work;         /* engine_work_done's units this command did */
};

/* What every island process starts from (copied into it by fork). */
struct island_job {
	const struct strategy_config *cfg;
	const int *lo;                  /* island i owns p->nets[lo[i] .. lo[i + 1]) */
	const struct population *p;
	const char *dir;                /* the migration directory */
	const char *run;                /* the run's identity, in every migrant file */
};

/* An island process (a pool_fn, ctx a struct island_job): serve commands until the main
   process closes the channel; 0, or 1 when the island failed. */
int island_worker_main(void *ctx, struct chan *c, int id);

#endif
