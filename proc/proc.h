/*
 * Worker processes for the process strategies: start (fork, or fork+exec of `evopar
 * worker`), framed messages over pipes with deadlines, and a clean end: every worker in
 * one process group, dying with its parent, reaped, its end classified.
 */
#ifndef EVOPAR_PROC_H
#define EVOPAR_PROC_H

#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <sys/types.h>

struct worker {
	int id;
	pid_t pid;                 /* 0 once reaped */
	int to_fd;                 /* the main process writes commands here */
	int from_fd;               /* and reads replies here */
	int status;                /* wait status once reaped */
};

/* The group all of one run's workers join; the first worker started creates it. */
struct worker_group {
	pid_t pgid;                /* 0 until the first worker starts */
	struct worker *w;
	int n;
};

/* What a forked worker runs; its return value becomes its exit code. */
typedef int (*worker_main_fn)(void *ctx, int in_fd, int out_fd, int id);

int worker_fork(struct worker_group *g, int id, worker_main_fn fn, void *ctx,
		char *err, size_t errlen);
/* fork and exec argv (argv[0] the program) with the command pipe on fd 3 and replies on fd 4 */
int worker_spawn(struct worker_group *g, int id, char *const argv[], char *err, size_t errlen);
/* Kill every worker still running (SIGKILL to the group) and reap them all. */
void worker_group_stop(struct worker_group *g);
/* Wait up to timeout_s for one worker to exit; 0 once reaped, -ETIMEDOUT otherwise. */
int worker_reap(struct worker *w, double timeout_s);
/* How a reaped worker ended, in words: "exited with code 3", "killed by signal 9 (Killed)". */
void worker_describe_end(const struct worker *w, char *buf, size_t len);

/* A message: an 8-byte header (type, payload length), then the payload. */
struct msg_header {
	uint32_t type;
	uint32_t len;
};

/*
 * Whole reads and writes with an absolute deadline (now_s() based; <= 0: none). 0, or
 * -EPIPE (the other end closed), -ETIMEDOUT, -EINTR (a stop signal arrived) or -errno.
 */
int fd_write_full(int fd, const void *buf, size_t len, double deadline);
int fd_read_full(int fd, void *buf, size_t len, double deadline);
int msg_send(int fd, uint32_t type, const void *payload, uint32_t len, double deadline);
/* reads a header, then the payload into *buf (grown as needed, up to max_len) */
int msg_recv(int fd, struct msg_header *h, uint8_t **buf, size_t *cap, size_t max_len,
	     double deadline);

double proc_now_s(void);
/* is pid (on this machine) running? A zombie is not. */
int proc_alive(pid_t pid);
/* set by the harness's stop-signal handler: long waits give up with -EINTR */
extern volatile sig_atomic_t proc_stop_requested;

/* Fault injection for the tests: "kill|hang|garbage:WORKER:PHASE:GEN". */
enum fault_kind { FAULT_NONE, FAULT_KILL, FAULT_HANG, FAULT_GARBAGE };
struct fault {
	int kind;                  /* enum fault_kind */
	int worker;
	int phase;                 /* enum phase */
	int gen;
};
int fault_parse(const char *spec, struct fault *f, char *err, size_t errlen);
/* in a worker: act out the fault if it is due here; returns FAULT_GARBAGE to garble a reply */
int fault_strike(const struct fault *f, int worker, int phase, int gen);

#endif
