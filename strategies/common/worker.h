/*
 * The worker side of the process strategies: a loop that serves commands from the main
 * process over a channel, on a population of its own (inherited by fork, or built from the
 * config after exec). Both fork-pool and persistent speak this protocol.
 */
#ifndef EVOPAR_WORKER_H
#define EVOPAR_WORKER_H

#include <stdatomic.h>
#include <stdint.h>

#include "proc/chan.h"
#include "strategies/strategy.h"

enum worker_msg {
	WM_OK = 1,          /* reply: done; payload as the command defines */
	WM_ERR,             /* reply: failed; payload a message */
	WM_INIT,            /* exec'd worker: struct strategy_config bytes, int32 id, the fault spec */
	WM_MUTATE_NETS,     /* fork-pool: {gen, count} + net stream -> net stream */
	WM_EVAL_NETS,       /* fork-pool: {gen, count} + states + net stream -> fitness[count] */
	WM_OWN,             /* persistent: {count} + net stream: the shard this worker owns, in
			      the order of the stream (the main process's list of it) */
	WM_MUTATE_OWN,      /* {gen, scope} -> net stream of the shard (scope mutate) or nothing */
	WM_PREPARE_OWN,     /* {gen, count} + count indices of the shard (its networks in the
			      pool) -> net stream of those; evaluate leaves them out */
	WM_EVAL_OWN,        /* {gen, count} + states + the pool (count offsets, u32, of its
			      records in the net stream that follows) -> {fitness, nodes, conns,
			      origin} per network of the shard but the pool's, in its order;
			      then pool networks claimed from worker_shared, their fitness there */
	WM_EXPORT,          /* {gen, count} + indices -> net stream */
	WM_RESAMPLE_OWN,    /* {gen, count, n_own} + fitness of the shard + the next shard
			      (n_own indices, then their plans) + net stream of the count
			      parents it holds not -> nothing; the children become the shard */
	WM_GATHER,          /* -> net stream of the shard */
	WM_EXIT,
};

/*
 * Every WM_OK reply ends in the worker's busy time on the command (a double, wall ms from
 * the command's arrival to the reply) and the work its evaluations did (a uint64_t,
 * engine_work_done's units), which proc_pool_recv takes off and adds to the strategy's
 * busy_ms and work: the payloads above are what comes before them.
 */
#define WM_BUSY_BYTES (sizeof(double) + sizeof(uint64_t))

/* Every command's payload starts with this; the fields a command does not use are 0. */
struct cmd_hdr {
	int32_t gen;
	int32_t count;             /* networks (or indices) that follow */
	int32_t lo, hi;            /* unused: 0 */
	int32_t scope;             /* WM_MUTATE_OWN: enum worker_scope */
	int32_t n_states;          /* floats of start states that follow (evaluate) */
	int32_t n_own;             /* WM_RESAMPLE_OWN: networks of the next shard */
};

/* a per-network result of WM_EVAL_OWN */
struct eval_result {
	float fitness;
	uint32_t nodes, conns, origin;
};

/*
 * What persistent's forked workers share with the main process (an anonymous shared mapping
 * made before the fork): the pool's claim counter, reset before each evaluate, and what
 * evaluate found of each pool place (the main process holds those networks only as their
 * records, strategies/common/net_bytes.h). A worker done with its shard claims pool places until none is left, so no
 * worker idles while work is left and no claim costs a round trip.
 */
struct worker_shared {
	atomic_int next;           /* the next pool place to claim */
	struct eval_result res[];  /* per pool place, what evaluate found */
};

/* what WM_EVAL_OWN reports of an evaluated network */
void eval_result_of(const struct net *n, struct eval_result *r);

/* A net stream: for each network, its index (u32) then its serialised bytes. */
size_t net_stream_size(const struct population *p, const int32_t *idx, int count);
size_t net_stream_write(const struct population *p, const int32_t *idx, int count, uint8_t *out);
/* decode count networks into p->nets[index]; 0 or -EINVAL with a message */
int net_stream_read(struct population *p, const uint8_t *in, size_t len, int count,
		    char *err, size_t errlen);

/*
 * Serve commands until WM_EXIT or the channel closes; returns the exit code. p is the
 * worker's own population (full size; only the networks it is sent or owns are current);
 * shared is persistent's region (NULL elsewhere: a pool in WM_EVAL_OWN is then refused).
 */
int worker_serve(struct population *p, struct chan *c, int id, const char *fault_spec,
		 struct worker_shared *shared);

/* `evopar worker`: an exec'd worker on fds 3 and 4, configured by WM_INIT */
int worker_exec_main(void);

#endif
