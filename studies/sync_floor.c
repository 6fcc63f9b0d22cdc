/*
 * This machine's floors for the study's primitives, measured in the same run as they are:
 * an uncontended (private) mutex lock/unlock, an atomic exchange, and a futex wake across
 * two cores (a ping-pong between two pinned threads, half a round trip per wake).
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc/clock.h"
#include "studies/sync.h"

#define FLOOR_OPS 2000            /* operations per sample of the mutex and exchange floors */
#define WAKE_TRIPS 50             /* round trips per sample of the wake floor */

static void floor_mutex(double *ns, int batches)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	int b, i;

	for (b = 0; b < batches; b++) {
		uint64_t t0 = sync_now_ns();

		for (i = 0; i < FLOOR_OPS; i++) {
			pthread_mutex_lock(&m);
			pthread_mutex_unlock(&m);
		}
		ns[b] = (double)(sync_now_ns() - t0) / FLOOR_OPS;
	}
	pthread_mutex_destroy(&m);
}

static void floor_xchg(double *ns, int batches)
{
	_Atomic int word = 0;
	int b, i;

	for (b = 0; b < batches; b++) {
		uint64_t t0 = sync_now_ns();

		for (i = 0; i < FLOOR_OPS; i++)
			atomic_exchange(&word, i);
		ns[b] = (double)(sync_now_ns() - t0) / FLOOR_OPS;
	}
}

/* the ping-pong: the word says whose turn it is; each side sleeps in the futex until then */
struct pingpong {
	_Atomic unsigned turn;    /* counts up: even for the pinger, odd for the ponger */
	int rounds;
	_Atomic int abort;
};

static void wait_turn(struct pingpong *p, unsigned want)
{
	unsigned v;

	while ((v = atomic_load(&p->turn)) != want && !atomic_load(&p->abort))
		syscall(SYS_futex, (unsigned *)&p->turn, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
}

static void pass_turn(struct pingpong *p)
{
	atomic_fetch_add(&p->turn, 1);
	syscall(SYS_futex, (unsigned *)&p->turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *ponger(void *arg)
{
	struct pingpong *p = arg;
	int i;

	sync_pin(1);
	for (i = 0; i < p->rounds && !atomic_load(&p->abort); i++) {
		wait_turn(p, 2u * (unsigned)i + 1);
		pass_turn(p);
	}
	return NULL;
}

static int floor_wake(double *ns, int batches, char *err, size_t errlen)
{
	struct pingpong p = { .rounds = batches * WAKE_TRIPS };
	pthread_t th;
	int b, i, rc;

	rc = pthread_create(&th, NULL, ponger, &p);
	if (rc) {
		snprintf(err, errlen, "the wake floor's thread: %s", strerror(rc));
		return -1;
	}
	sync_pin(0);
	for (b = 0; b < batches; b++) {
		uint64_t t0 = sync_now_ns();

		for (i = 0; i < WAKE_TRIPS; i++) {
			unsigned r = 2u * (unsigned)(b * WAKE_TRIPS + i);

			pass_turn(&p);
			wait_turn(&p, r + 2);
		}
		ns[b] = (double)(sync_now_ns() - t0) / (2.0 * WAKE_TRIPS);
	}
	pthread_join(th, NULL);
	return 0;
}

/* the calling thread's affinity, put back after the pinned floor */
static int with_affinity_restored(double *ns, int batches, char *err, size_t errlen)
{
	cpu_set_t saved;
	int rc;

	if (sched_getaffinity(0, sizeof(saved), &saved)) {
		snprintf(err, errlen, "sched_getaffinity: %s", strerror(errno));
		return -1;
	}
	rc = floor_wake(ns, batches, err, errlen);
	sched_setaffinity(0, sizeof(saved), &saved);
	return rc;
}

int sync_floors(struct output *out, const struct sync_ops_config *c, char *err, size_t errlen)
{
	double *ns = calloc((size_t)c->batches, sizeof(*ns));
	struct jw w = { 0 };
	int rc = -1;

	if (!ns) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	floor_mutex(ns, c->batches);
	sync_write_samples(&w, "sync_floor", "mutex", ns, c->batches);
	output_write(out, &w);
	floor_xchg(ns, c->batches);
	sync_write_samples(&w, "sync_floor", "xchg", ns, c->batches);
	output_write(out, &w);
	if (proc_usable_cpus() < 2) {
		jw_begin(&w, "sync_floor");
		jw_str(&w, "name", "wake");
		jw_str(&w, "skipped", "one core: no wake across cores to measure");
		jw_end(&w);
		output_write(out, &w);
	} else {
		if (with_affinity_restored(ns, c->batches, err, errlen))
			goto free_ns;
		sync_write_samples(&w, "sync_floor", "wake", ns, c->batches);
		output_write(out, &w);
	}
	rc = out->error ? -1 : 0;
	if (rc)
		snprintf(err, errlen, "writing the records: %s", strerror(out->error));
free_ns:
	jw_release(&w);
	free(ns);
	return rc;
}
