/*
 * The calibration record: this machine's floors (fork, spawn, thread, pipe, wake-up costs)
 * measured on the spot, so that every overhead in a benchmark file reads as a multiple, and
 * its parallel capacity for the benchmark's own compute, so that every speedup reads as a
 * share of what the machine can give.
 */
#ifndef EVOPAR_CALIBRATE_H
#define EVOPAR_CALIBRATE_H

#include <stddef.h>

#include "engine/config.h"
#include "harness/records/record.h"

enum floor_kind {
	FLOOR_FORK_WAIT,        /* fork() a child that exits at once, waitpid() it */
	FLOOR_SPAWN_TRUE,       /* posix_spawn /bin/true, waitpid() it */
	FLOOR_SPAWN_EVOPAR,     /* posix_spawn evopar --version: exec plus our own libraries */
	FLOOR_THREAD,           /* pthread_create of an empty thread, pthread_join */
	FLOOR_PIPE_RTT,         /* one byte there and back between two processes, unpinned */
	FLOOR_PIPE_SAME_CORE,   /* the same, both processes pinned to one core */
	FLOOR_PIPE_CROSS_CORE,  /* the same, pinned to two different cores: a cross-core wake-up */
	FLOOR_COUNT
};

#define FLOOR_MAX_REPS 400      /* the most repetitions of one floor */

struct floor_stat {
	int reps;               /* repetitions measured; 0 when skipped */
	double median_us, min_us, max_us;
	double samples_us[FLOOR_MAX_REPS];  /* every repetition, sorted: for intervals */
	char skipped[128];      /* why it was not measured, or "" */
};

#define CAPACITY_MAX_COPIES 1024

/*
 * The machine's parallel capacity (capacity.c): the same sequential evolution run alone and
 * as N copies at once (a thread each, its own population), N = 1 .. the cores this process
 * may use; ratio[N - 1] = N x (one copy's time) / (N copies' time), the throughput of N at
 * once over one alone: what N perfectly balanced workers could reach at best.
 */
struct capacity {
	char skipped[128];      /* why it was not measured, or "" */
	int cores;              /* copies measured: 1 .. cores */
	int gens;               /* generations each copy evolves */
	int rounds;             /* every N measured this often, in turn; medians kept */
	struct evo_config evo;  /* the workload, gens aside */
	double load_avg;        /* the 1-minute load average as it started; < 0: unknown */
	double ms[CAPACITY_MAX_COPIES];     /* median wall ms of N copies at once, at N - 1 */
	double ratio[CAPACITY_MAX_COPIES];
	double elapsed_s;
};

struct calibration {
	struct floor_stat floors[FLOOR_COUNT];
	struct capacity capacity;
	int cpu_a, cpu_b;       /* the cores the pinned round trips used (-1: none) */
	double elapsed_s;       /* what the whole calibration took */
};

extern const char *const floor_names[FLOOR_COUNT];
extern const char *const floor_help[FLOOR_COUNT];

/*
 * Measure every floor; self_exe is the evopar binary (for the spawn floor; NULL skips it).
 * 0, or a negative errno with a message in err when a floor could not be measured at all
 * (a floor that does not apply here is skipped with a reason instead).
 */
int calibrate_measure(struct calibration *c, const char *self_exe, char *err, size_t errlen);
void calibrate_write(struct jw *w, const struct calibration *c);

/*
 * capacity.c: measure c->capacity on this workload (NULL: skipped, with why_not as the
 * reason). 0, or a negative errno with a message in err when a copy could not run.
 */
int calibrate_capacity(struct calibration *c, const struct evo_config *evo, const char *why_not,
		       char *err, size_t errlen);
void capacity_write(struct jw *w, const struct capacity *cap);

#endif
