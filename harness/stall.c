/*
 * The --stall-timeout watchdog (see stall.h): a CLOCK_MONOTONIC timer re-armed at every
 * progress, whose SIGALRM goes to the thread that started it. The handler only sets flags:
 * the command's own thread sees its wait end with -EINTR, reports the stall and stops and
 * reaps its workers as on any error, so a stall goes down the path of every other failure.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proc/proc.h"
#include "harness/stall.h"

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

static struct stall *volatile watched;    /* the watch a SIGALRM is for; NULL: none */

static void on_alarm(int sig)
{
	struct stall *s = watched;

	(void)sig;
	if (!s || s->fired)
		return;         /* a late signal of a watch already stopped */
	if (s->on_fire)
		s->on_fire(s->ctx);
	s->fired = 1;
	/* after fired: whoever sees the stop request also sees it was a stall */
	proc_stop_requested = 1;
}

static int stall_arm(struct stall *s)
{
	struct itimerspec its = { 0 };

	its.it_value.tv_sec = (time_t)s->timeout_s;
	its.it_value.tv_nsec = (long)((s->timeout_s - (double)its.it_value.tv_sec) * 1e9);
	if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
		its.it_value.tv_nsec = 1;
	return timer_settime(s->timer, 0, &its, NULL);
}

int stall_start(struct stall *s, double timeout_s, void (*on_fire)(void *ctx), void *ctx,
		char *err, size_t errlen)
{
	struct sigevent sev;
	struct sigaction sa;
	int rc;

	memset(s, 0, sizeof(*s));
	if (timeout_s <= 0)
		return 0;
	s->timeout_s = timeout_s;
	s->on_fire = on_fire;
	s->ctx = ctx;
	/* left in place after the watch: a SIGALRM still in flight then finds nothing to do */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGALRM;
	sev.sigev_notify_thread_id = gettid();
	if (timer_create(CLOCK_MONOTONIC, &sev, &s->timer))
		goto fail;
	watched = s;
	if (stall_arm(s)) {
		timer_delete(s->timer);
		watched = NULL;
		goto fail;
	}
	s->started = 1;
	return 0;
fail:
	rc = -errno;
	snprintf(err, errlen, "--stall-timeout: cannot start its timer: %s", strerror(errno));
	return rc;
}

void stall_progress(struct stall *s)
{
	if (s->started && !s->fired)
		stall_arm(s);
}

int stall_fired(const struct stall *s)
{
	return s->fired;
}

void stall_stop(struct stall *s)
{
	if (!s->started)
		return;
	timer_delete(s->timer);
	watched = NULL;
	s->started = 0;
}
