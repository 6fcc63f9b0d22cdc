/*
 * The --stall-timeout watchdog: a thread that, once no progress was reported for the timeout,
 * notes what the command was waiting for, marks it stalled and asks every long wait to give
 * up (proc_stop_requested), so the command ends as a failure instead of hanging silently.
 */
#ifndef EVOPAR_STALL_H
#define EVOPAR_STALL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

struct stall {
	double timeout_s;
	void (*on_fire)(void *ctx);   /* NULL, or in the watchdog's thread as it fires: note what was awaited */
	void *ctx;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;          /* signalled by stall_stop; CLOCK_MONOTONIC waits */
	double last_s;                /* monotonic seconds of the last progress, under lock */
	int quit;                     /* under lock */
	int started;
	atomic_int fired;
};

/* Start watching; timeout_s 0: no watchdog (stall_fired stays 0). 0, or -errno with err. */
int stall_start(struct stall *s, double timeout_s, void (*on_fire)(void *ctx), void *ctx,
		char *err, size_t errlen);
/* something finished: the timeout counts again from now (any thread) */
void stall_progress(struct stall *s);
/* did the watchdog fire? */
int stall_fired(struct stall *s);
/* stop watching; what fired stays fired */
void stall_stop(struct stall *s);

#endif
