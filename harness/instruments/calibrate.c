/*
 * The calibration floors of calibrate.h: each is timed a few hundred times around the
 * smallest version of one thing a strategy does (start a process, a thread, a round trip).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/instruments/calibrate.h"
#include "proc/clock.h"
#include "proc/floors.h"

/* repetitions per floor: enough for a stable median, few enough to stay well under a second */
#define REPS_PROCESS 200
#define REPS_SPAWN 100            /* an exec costs about a millisecond here */
#define REPS_SPAWN_EVOPAR 20      /* an exec of evopar loads OpenBLAS and PAPI: ms, not us */
#define REPS_THREAD 300
#define REPS_PIPE 400
_Static_assert(REPS_PIPE <= FLOOR_MAX_REPS && REPS_PROCESS <= FLOOR_MAX_REPS &&
	       REPS_THREAD <= FLOOR_MAX_REPS, "every floor's samples fit in struct floor_stat");

const char *const floor_names[FLOOR_COUNT] = {
	"fork_wait", "spawn_true_wait", "spawn_evopar_wait", "thread_create_join",
	"pipe_round_trip", "pipe_round_trip_same_core", "pipe_round_trip_cross_core",
};

const char *const floor_help[FLOOR_COUNT] = {
	"fork a child that exits at once, wait for it",
	"posix_spawn /bin/true, wait for it",
	"posix_spawn evopar --version, wait for it",
	"create an empty pthread, join it",
	"one byte there and back between two processes (unpinned)",
	"the same round trip, both processes pinned to one core",
	"the same round trip, the processes pinned to two cores (cross-core wake-up)",
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void summarise(struct floor_stat *f, double *us, int n)
{
	qsort(us, (size_t)n, sizeof(*us), cmp_double);
	memcpy(f->samples_us, us, (size_t)n * sizeof(*us));
	f->reps = n;
	f->min_us = us[0];
	f->max_us = us[n - 1];
	f->median_us = n % 2 ? us[n / 2] : (us[n / 2 - 1] + us[n / 2]) / 2;
}

static void *empty_thread(void *arg)
{
	return arg;
}

static int time_threads(double *us, int reps, char *err, size_t errlen)
{
	int i, rc;

	for (i = 0; i < reps; i++) {
		double t = proc_now_s();
		pthread_t th;

		rc = pthread_create(&th, NULL, empty_thread, NULL);
		if (rc) {
			snprintf(err, errlen, "pthread_create: %s", strerror(rc));
			return -rc;
		}
		pthread_join(th, NULL);
		us[i] = (proc_now_s() - t) * 1e6;
	}
	return 0;
}

/* The first two cores this process may run on; b is -1 when there is only one. */
static void pick_cores(int *a, int *b)
{
	cpu_set_t set;
	int i;

	*a = *b = -1;
	if (sched_getaffinity(0, sizeof(set), &set))
		return;
	for (i = 0; i < CPU_SETSIZE; i++) {
		if (!CPU_ISSET(i, &set))
			continue;
		if (*a < 0)
			*a = i;
		else if (*b < 0)
			*b = i;
	}
}

static int measure_one(struct calibration *c, enum floor_kind k, double *us, const char *self_exe,
		       char *err, size_t errlen)
{
	static char *const true_argv[] = { "true", NULL };
	char *evopar_argv[] = { "evopar", "--version", NULL };
	struct floor_stat *f = &c->floors[k];
	int reps, rc;

	switch (k) {
	case FLOOR_FORK_WAIT:
		rc = proc_floor_fork(us, reps = REPS_PROCESS, err, errlen);
		break;
	case FLOOR_SPAWN_TRUE:
		if (access("/bin/true", X_OK)) {
			snprintf(f->skipped, sizeof(f->skipped), "/bin/true is not executable here");
			return 0;
		}
		rc = proc_floor_spawn(us, reps = REPS_SPAWN, "/bin/true", true_argv, err, errlen);
		break;
	case FLOOR_SPAWN_EVOPAR:
		if (!self_exe || access(self_exe, X_OK)) {
			snprintf(f->skipped, sizeof(f->skipped), "the evopar binary is not known");
			return 0;
		}
		rc = proc_floor_spawn(us, reps = REPS_SPAWN_EVOPAR, self_exe, evopar_argv, err, errlen);
		break;
	case FLOOR_THREAD:
		rc = time_threads(us, reps = REPS_THREAD, err, errlen);
		break;
	case FLOOR_PIPE_RTT:
		rc = proc_floor_pipe(us, reps = REPS_PIPE, -1, -1, err, errlen);
		break;
	case FLOOR_PIPE_SAME_CORE:
		if (c->cpu_a < 0) {
			snprintf(f->skipped, sizeof(f->skipped), "the affinity mask could not be read");
			return 0;
		}
		rc = proc_floor_pipe(us, reps = REPS_PIPE, c->cpu_a, c->cpu_a, err, errlen);
		break;
	case FLOOR_PIPE_CROSS_CORE:
		if (c->cpu_b < 0) {
			snprintf(f->skipped, sizeof(f->skipped), "one core in this process's affinity mask");
			return 0;
		}
		rc = proc_floor_pipe(us, reps = REPS_PIPE, c->cpu_a, c->cpu_b, err, errlen);
		break;
	default:
		return 0;
	}
	if (!rc)
		summarise(f, us, reps);
	return rc;
}

int calibrate_measure(struct calibration *c, const char *self_exe, char *err, size_t errlen)
{
	double t0 = proc_now_s(), *us;
	int k, rc = 0;

	memset(c, 0, sizeof(*c));
	snprintf(c->capacity.skipped, sizeof(c->capacity.skipped), "not measured");
	us = malloc(sizeof(*us) * REPS_PIPE);
	if (!us) {
		snprintf(err, errlen, "calibration: out of memory");
		return -ENOMEM;
	}
	pick_cores(&c->cpu_a, &c->cpu_b);
	for (k = 0; k < FLOOR_COUNT && !rc; k++)
		rc = measure_one(c, (enum floor_kind)k, us, self_exe, err, errlen);
	c->elapsed_s = proc_now_s() - t0;
	free(us);
	return rc;
}

void calibrate_write(struct jw *w, const struct calibration *c)
{
	int k;

	jw_begin(w, "calibration");
	jw_str(w, "unit", "us");
	jw_num(w, "elapsed_s", c->elapsed_s);
	jw_int(w, "cpu_a", c->cpu_a);
	jw_int(w, "cpu_b", c->cpu_b);
	jw_obj_begin(w, "floors");
	for (k = 0; k < FLOOR_COUNT; k++) {
		const struct floor_stat *f = &c->floors[k];

		jw_obj_begin(w, floor_names[k]);
		jw_str(w, "what", floor_help[k]);
		if (f->skipped[0]) {
			jw_str(w, "skipped", f->skipped);
		} else {
			jw_num(w, "median_us", f->median_us);
			jw_num(w, "min_us", f->min_us);
			jw_num(w, "max_us", f->max_us);
			jw_int(w, "reps", f->reps);
			/* the process starts' samples, for an interval of their ratio (reports/
			   sweep_claims.c); the other floors' would only make the record large */
			if (k == FLOOR_FORK_WAIT || k == FLOOR_SPAWN_TRUE || k == FLOOR_SPAWN_EVOPAR)
				jw_nums(w, "samples_us", f->samples_us, f->reps);
		}
		jw_obj_end(w);
	}
	jw_obj_end(w);
	capacity_write(w, &c->capacity);
	jw_end(w);
}
