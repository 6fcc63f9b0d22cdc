/*
 * ONE worker pool for everything that farms work out to processes: N workers (a function in
 * a fork, or a program exec'd with its channel on fds 3 and 4) in one process group, each
 * with a channel; a wait on whichever busy worker answers first, each with its own deadline;
 * one failure record that says which worker failed and how; and a stop that leaves nothing.
 * The pool knows no phases, trials or strategies: callers word a failure their own way.
 */
#ifndef EVOPAR_POOL_H
#define EVOPAR_POOL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proc/chan.h"
#include "proc/child.h"

/* What a forked worker runs, on its end of the channel; its return value is its exit code. */
typedef int (*pool_fn)(void *ctx, struct chan *c, int id);

struct pool_spec {
	int n;                     /* workers */
	pool_fn fn;                /* fork: each worker runs fn(ctx, its channel, its id) */
	void *ctx;
	char *const *argv;         /* or exec argv (argv[0] a path): the channel on fds 3 and 4 */
	size_t shm_bytes;          /* fork only, > 0: payloads through shared regions this big
				      (per direction per worker) instead of the pipes */
	double timeout_s;          /* a busy worker's deadline, and each message's; <= 0: none */
	const char *timeout_name;  /* the option that set timeout_s, for the words of a timeout */
};

struct pool_worker {
	struct child c;            /* the process: c.pid is 0 once reaped, c.status how it ended */
	long pid;                  /* its pid, kept after reaping for the messages */
	struct chan ch;            /* this process's end of its channel */
	uint8_t *shm;              /* the base of its two shared regions, or NULL */
	int busy;                  /* a reply (or a result) is due from it */
	double due;                /* busy: when, on proc_now_s(); 0: no deadline */
};

struct pool {
	struct pool_worker *w;
	int n;                     /* workers started (all of them, once pool_start returns 0) */
	pid_t pgid;                /* their process group: the first worker's pid */
	struct pool_spec spec;
	int scan;                  /* pool_wait_any looks here first, so no worker starves */
};

/* One failed worker, as the pool saw it end; callers turn it into their own message. */
struct worker_fail {
	int worker;                /* its id; -1: none failed */
	long pid;
	int signal;                /* the signal that ended it; 0: it exited, or is not reaped */
	int code;                  /* negative errno: -EPIPE it hung up, -ETIMEDOUT it was late,
				      -EBADMSG it wrote nonsense, or another error of the channel */
	char how[160];             /* how it ended, in words: "killed by signal 9 (Killed)",
				      "no reply within --worker-timeout 2 s", "wrote a malformed message" */
};

/* Start spec->n workers; 0, or -errno with err set and nothing left running. */
int pool_start(struct pool *pl, const struct pool_spec *spec, char *err, size_t errlen);
/*
 * Close every channel, give the workers grace_s seconds in all to exit on their own (0: no
 * time), SIGKILL the group and reap every worker. Safe on a zeroed or stopped pool.
 */
void pool_stop(struct pool *pl, double grace_s);

/* send a message whose payload was written through chan_reserve(&pl->w[w].ch, len); the
   worker is then busy, its reply due within the timeout */
int pool_send(struct pool *pl, int w, uint32_t type, size_t len);
/* worker w's next message (*payload valid until the next receive from w); the worker is
   then idle. On -EBADMSG *type and *len hold the header that was refused. */
int pool_recv(struct pool *pl, int w, uint32_t *type, const uint8_t **payload, size_t *len);
/* worker w owes a message from now on, within the timeout (a worker that reports unasked) */
void pool_busy(struct pool *pl, int w);

/*
 * The first busy worker with something to read (or that hung up: its receive says so): 0
 * and *w. -ETIMEDOUT with *w the busy worker whose deadline passed first, -EINTR on a stop
 * request, -ENOENT when no worker is busy.
 */
int pool_wait_any(struct pool *pl, int *w);
/* Wait up to timeout_s for worker w to exit: 0 once reaped, -ETIMEDOUT while it runs. */
int pool_reap(struct pool *pl, int w, double timeout_s);

/*
 * Fill f for worker w, which failed with rc: a worker that hung up is reaped first (a short
 * wait) to say how it ended. Returns rc, or -EIO for an rc of 0.
 */
int pool_fail(struct pool *pl, int w, int rc, struct worker_fail *f);

#endif
