/*
 * One child API for everything that starts a process (git's run-command.c): start a function
 * in a fork or a program by exec, with its standard streams, process group, death signal and
 * signal mask set in one place; wait with a deadline; end it (TERM, a grace, then KILL); and
 * say how it ended, as words and as the exit code a shell would give (128+signal).
 */
#ifndef EVOPAR_CHILD_H
#define EVOPAR_CHILD_H

#include <signal.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

#define CHILD_INHERIT (-1)        /* a standard stream stays this process's */
#define CHILD_NULL (-2)           /* a standard stream goes to /dev/null */

struct child {
	/* what to run: fn(ctx) in the forked child (its return is the exit code), or argv by exec */
	int (*fn)(void *ctx);
	void *ctx;
	char *const *argv;         /* argv[0] is looked up on PATH unless exe is set */
	const char *exe;           /* exec this file, with argv as its arguments */

	/* the child's standard streams: CHILD_INHERIT (0 in a zeroed struct: see child_init),
	   CHILD_NULL, or a descriptor of this process to put there */
	int std_in, std_out, std_err;
	const char *out_path;      /* set: stdout to this file (created, truncated or appended) */
	const char *err_path;      /* set: stderr to this file */
	int append;                /* out_path and err_path are appended to, not truncated */
	int fd3, fd4;              /* >= 0: these become descriptors 3 and 4 of an exec'd child */

	pid_t pgid;                /* 0: a new process group led by the child; > 0: join it;
				      -1: stay in this process's group */
	int death_signal;          /* sent to the child when this process dies; 0: none */
	const sigset_t *sigmask;   /* the child's signal mask; NULL: the caller's */
	void (*in_child)(void *ctx); /* runs in the child first (closing what is not its own) */

	/* filled in */
	pid_t pid;                 /* 0 before the start and once reaped */
	int status;                /* wait status, once reaped */
	struct rusage ru;          /* of the child and the descendants it reaped, once reaped */
};

/* every stream inherited, no extra descriptors, a new group, SIGKILL on this one's death */
void child_init(struct child *c);
/* 0, or -errno with a message in err; the child is in its group before this returns */
int child_start(struct child *c, char *err, size_t errlen);
/* Reap the child if it ended within timeout_s seconds (0: just look; < 0: wait for ever):
   0 once reaped, -ETIMEDOUT while it runs, -EINTR where proc_stop_requested cut a wait short */
int child_wait(struct child *c, double timeout_s);
/* End a child still running: SIGTERM, up to grace_s to go, then SIGKILL; always reaped. */
void child_end(struct child *c, double grace_s);
/* the exit code a shell reports: the child's own, or 128 + the signal that ended it */
int child_exit_code(const struct child *c);
/* the signal that ended a reaped child, or 0 where it exited */
int child_signal(const struct child *c);
/* "exited with code 3", "killed by signal 9 (Killed)" */
void child_describe(const struct child *c, char *buf, size_t len);
/* the same from a bare wait status, for those reaped elsewhere */
void child_describe_status(int status, char *buf, size_t len);

#endif
