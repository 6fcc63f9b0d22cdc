/*
 * The --stall-timeout watchdog: a timer that, once no progress was reported for the timeout,
 * notes what the command was waiting for, marks it stalled and asks every long wait to give
 * up (proc_stop_requested), so the command ends as a failure instead of hanging silently.
 * A timer, not a thread: the thread counts a run records stay the run's own.
 */
#ifndef EVOPAR_STALL_H
#define EVOPAR_STALL_H

#include <signal.h>
#include <stddef.h>
#include <time.h>

struct stall {
	double timeout_s;
	/* NULL, or run as it fires, in a signal handler on the thread that started the watch:
	   async-signal-safe only (copy a few sig_atomic_t) */
	void (*on_fire)(void *ctx);
	void *ctx;
	timer_t timer;
	int started;
	volatile sig_atomic_t fired;
};

/*
 * Start watching (one watch per process at a time); timeout_s 0: none (stall_fired stays 0).
 * It fires on the calling thread, whose waits then end with EINTR. 0, or -errno with err.
 */
int stall_start(struct stall *s, double timeout_s, void (*on_fire)(void *ctx), void *ctx,
		char *err, size_t errlen);
/* something finished: the timeout counts again from now (any thread) */
void stall_progress(struct stall *s);
/* did the watchdog fire? */
int stall_fired(const struct stall *s);
/* stop watching; what fired stays fired */
void stall_stop(struct stall *s);

#endif
