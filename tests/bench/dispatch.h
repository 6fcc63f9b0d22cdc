/*
 * What the dispatch benchmarks (bench_dispatch.c and the files it is split into) share: the
 * table entry of a benchmark and its recorded calls, the CPUs they pin to, the clock, the
 * recording of a call against its floor, and each file's benchmark functions.
 */
#ifndef EVOPAR_BENCH_DISPATCH_H
#define EVOPAR_BENCH_DISPATCH_H

#include <sched.h>
#include <sys/types.h>

#include "gbench.h"

#define EVOLVE_GENS 100        /* as bench_engine: the size the pole task grows its networks to */
#define SHARD 100              /* networks of the realistic payload: a shard at 2 workers */
#define MUTATE_GEN 1000        /* a fixed generation: every mutate does the same work */
#define MAX_CALLS 256          /* calls of one benchmark function recorded for the summary */
#define CALIBRATE_RT 2000      /* round trips per batch when the floor was filtered out */
#define MAX_WORKERS 2          /* of the persistent benchmarks */

/* What the summary needs of a benchmark: its own wall clock per call. */
struct record {
	int64_t iters[MAX_CALLS];
	double us[MAX_CALLS];      /* wall microseconds per iteration */
	int calls;
};

enum pin { PIN_NONE, PIN_SAME, PIN_CROSS };
enum payload { PAY_EMPTY, PAY_MUTATE, PAY_HANDOFF };

struct dbench {
	const char *name;
	void (*fn)(struct gbench_state *st, struct dbench *b);
	int pin;                   /* enum pin: main on cpu_a, the other side on cpu_a or cpu_b */
	int workers;               /* persistent: workers the command goes to */
	int shm;                   /* persistent: --transport shm */
	int payload;               /* persistent and local: enum payload */
	int start;                 /* fork-pool: enum start_method */
	const char *skip;          /* why it cannot run here: not registered, said in the summary */
	struct record rec;
};

/* the evopar binary (spawn start), the process's CPUs at start, the two CPUs pinned to */
extern char evopar_bin[4096];
extern cpu_set_t base_mask;
extern int cpu_a, cpu_b;
/* the pipe round trip floors, by placement (enum pin); set up by register_all */
extern struct record *floor_rec[3];

/*
 * How often each side went to sleep per iteration (voluntary context switches): a round
 * trip at its floor sleeps once on each side; more means a side woke before its message was
 * whole, and every extra wake-up is a scheduler round trip, across cores an expensive one.
 */
struct sleeps {
	long main;
	long worker;
	const pid_t *pid;          /* the other side's processes, or NULL */
	int n;
};

/* dispatch_common.c */
double now_us(void);
double median(double *v, int n);
double record_median(const struct record *r);
void finish(struct gbench_state *st, struct dbench *b, double t0, int failed);
void sleeps_begin(struct sleeps *z, const pid_t *pid, int n);
void sleeps_end(struct gbench_state *st, const struct sleeps *z);
int fail(struct gbench_state *st, const char *what, int rc);
int pin_self(int cpu);

/* dispatch_floors.c: the floor of a placement (-1: not measured), and the floors' benchmarks */
double floor_us(int pin);
void bench_pipe_roundtrip(struct gbench_state *st, struct dbench *b);
void bench_fork_wait(struct gbench_state *st, struct dbench *b);
void bench_thread_create_join(struct gbench_state *st, struct dbench *b);

/* dispatch_procs.c: the process strategies' plumbing, and what its workload holds */
void bench_persistent(struct gbench_state *st, struct dbench *b);
void bench_local(struct gbench_state *st, struct dbench *b);
void bench_fork_pool(struct gbench_state *st, struct dbench *b);
void dispatch_procs_release(void);

#endif
