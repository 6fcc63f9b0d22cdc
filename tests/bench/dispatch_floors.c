/*
 * The floors every dispatch is divided by: a one-byte pipe round trip (unpinned, on one
 * core, across two), fork and wait, thread create and join.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dispatch.h"

static double floor_calibrated_us;

/* --- the floor every overhead is divided by: a one-byte pipe round trip ------------- */

/* A child that echoes bytes until its pipe closes. */
struct echo {
	pid_t pid;
	int to, from;
};

static void echo_child(int in, int out, int cpu)
{
	cpu_set_t m;
	char c;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (cpu >= 0) {
		CPU_ZERO(&m);
		CPU_SET(cpu, &m);
		if (sched_setaffinity(0, sizeof(m), &m))
			_exit(3);
	}
	while (read(in, &c, 1) == 1)
		if (write(out, &c, 1) != 1)
			_exit(2);
	_exit(0);
}

static int echo_start(struct echo *e, int cpu)
{
	int a[2], b[2], rc;

	if (pipe2(a, O_CLOEXEC))
		return -errno;
	if (pipe2(b, O_CLOEXEC)) {
		close(a[0]);
		close(a[1]);
		return -errno;
	}
	e->pid = fork();
	rc = e->pid < 0 ? -errno : 0;
	if (e->pid == 0) {
		close(a[1]);
		close(b[0]);
		echo_child(a[0], b[1], cpu);
	}
	close(a[0]);
	close(b[1]);
	e->to = a[1];
	e->from = b[0];
	if (rc) {
		close(e->to);
		close(e->from);
	}
	return rc;
}

static int echo_once(struct echo *e)
{
	char c = 'x';

	errno = 0;
	if (write(e->to, &c, 1) != 1 || read(e->from, &c, 1) != 1)
		return errno ? -errno : -EPIPE;
	return 0;
}

/* Closing the pipe ends the child; it is reaped here on every path. */
static void echo_stop(struct echo *e)
{
	close(e->to);
	close(e->from);
	while (waitpid(e->pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* Only when floor/pipe_roundtrip was filtered out: a quick median of a few batches. */
static double floor_calibrate(void)
{
	struct echo e;
	double batch[5];
	int k, i;

	if (floor_calibrated_us > 0 || echo_start(&e, -1))
		return floor_calibrated_us;
	for (k = 0; k < 5; k++) {
		double t0 = now_us();

		for (i = 0; i < CALIBRATE_RT; i++)
			if (echo_once(&e))
				break;
		batch[k] = (now_us() - t0) / CALIBRATE_RT;
	}
	echo_stop(&e);
	floor_calibrated_us = median(batch, 5);
	return floor_calibrated_us;
}

/* the pipe round trip floors, by placement (enum pin); set up by register_all */
struct record *floor_rec[3];

/* The floor of a placement; unpinned, measured on the spot if it was filtered out. */
double floor_us(int pin)
{
	if (floor_rec[pin] && floor_rec[pin]->calls)
		return record_median(floor_rec[pin]);
	return pin == PIN_NONE ? floor_calibrate() : -1;
}

/* --- floors ------------------------------------------------------------------------- */

void bench_pipe_roundtrip(struct gbench_state *st, struct dbench *b)
{
	int child_cpu = b->pin == PIN_SAME ? cpu_a : b->pin == PIN_CROSS ? cpu_b : -1;
	struct echo e;
	struct sleeps z;
	int failed = 0, rc;
	double t0;
	char label[64];

	if (b->pin != PIN_NONE && (rc = pin_self(cpu_a))) {
		fail(st, "sched_setaffinity", rc);
		return;
	}
	rc = echo_start(&e, child_cpu);
	if (rc) {
		fail(st, "fork of the echo child", rc);
		goto unpin;
	}
	rc = echo_once(&e);        /* the child is running and pinned before the clock starts */
	sleeps_begin(&z, &e.pid, 1);
	t0 = now_us();
	while (gbench_keep_running(st))
		if (!failed && (rc || (rc = echo_once(&e))))
			failed = fail(st, "pipe round trip", rc);
	finish(st, b, t0, failed);
	sleeps_end(st, &z);
	echo_stop(&e);
	if (b->pin != PIN_NONE) {
		snprintf(label, sizeof(label), "main on cpu %d, child on cpu %d", cpu_a, child_cpu);
		gbench_set_label(st, label);
	}
unpin:
	if (b->pin != PIN_NONE)
		sched_setaffinity(0, sizeof(base_mask), &base_mask);
}

/* Fork of this process, as the fork-pool forks it (before the dispatch workload is made). */
void bench_fork_wait(struct gbench_state *st, struct dbench *b)
{
	int failed = 0;
	double t0 = now_us();

	while (gbench_keep_running(st)) {
		pid_t pid;

		if (failed)
			continue;
		pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid < 0) {
			failed = fail(st, "fork", -errno);
			continue;
		}
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	finish(st, b, t0, failed);
}

static void *thread_noop(void *arg)
{
	return arg;
}

void bench_thread_create_join(struct gbench_state *st, struct dbench *b)
{
	int failed = 0;
	double t0 = now_us();

	while (gbench_keep_running(st)) {
		pthread_t t;
		int rc;

		if (failed)
			continue;
		rc = pthread_create(&t, NULL, thread_noop, NULL);
		if (rc) {
			failed = fail(st, "pthread_create", -rc);
			continue;
		}
		pthread_join(t, NULL);
	}
	finish(st, b, t0, failed);
}
