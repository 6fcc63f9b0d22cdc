/*
 * The --stall-timeout watchdog (see stall.h). It only sets flags: the command's own thread
 * sees its wait end with -EINTR, reports the stall and stops and reaps its workers as on any
 * error, so a stall goes down the same path as every other failure.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "proc/proc.h"
#include "harness/stall.h"

static void *stall_main(void *arg)
{
	struct stall *s = arg;

	pthread_mutex_lock(&s->lock);
	while (!s->quit) {
		double due = s->last_s + s->timeout_s;
		struct timespec ts;

		if (proc_now_s() >= due) {
			if (s->on_fire)
				s->on_fire(s->ctx);
			atomic_store(&s->fired, 1);
			/* after fired: whoever sees the stop request also sees it was a stall */
			proc_stop_requested = 1;
			break;
		}
		ts.tv_sec = (time_t)due;
		ts.tv_nsec = (long)((due - (double)ts.tv_sec) * 1e9);
		pthread_cond_timedwait(&s->wake, &s->lock, &ts);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int stall_start(struct stall *s, double timeout_s, void (*on_fire)(void *ctx), void *ctx,
		char *err, size_t errlen)
{
	pthread_condattr_t ca;
	int rc;

	memset(s, 0, sizeof(*s));
	atomic_init(&s->fired, 0);
	if (timeout_s <= 0)
		return 0;
	s->timeout_s = timeout_s;
	s->on_fire = on_fire;
	s->ctx = ctx;
	s->last_s = proc_now_s();
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->wake, &ca);
	pthread_condattr_destroy(&ca);
	rc = pthread_create(&s->thread, NULL, stall_main, s);
	if (rc) {
		snprintf(err, errlen, "--stall-timeout: cannot start its watchdog: %s", strerror(rc));
		pthread_cond_destroy(&s->wake);
		pthread_mutex_destroy(&s->lock);
		return -rc;
	}
	s->started = 1;
	return 0;
}

void stall_progress(struct stall *s)
{
	if (!s->started)
		return;
	pthread_mutex_lock(&s->lock);
	s->last_s = proc_now_s();
	pthread_mutex_unlock(&s->lock);
}

int stall_fired(struct stall *s)
{
	return atomic_load(&s->fired);
}

void stall_stop(struct stall *s)
{
	if (!s->started)
		return;
	pthread_mutex_lock(&s->lock);
	s->quit = 1;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	s->started = 0;
}
