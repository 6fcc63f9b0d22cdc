/*
 * Google Benchmark costs of moving work to a worker and back: this machine's floors (pipe
 * round trip, fork+wait, thread create+join, pinned pipe round trips) and the per-dispatch
 * overhead of each strategy's mechanism through its own code, as multiples of the floor;
 * after the library's table, a summary with the verdict on each of its goals.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strategies/common/threadpool.h"
#include "dispatch.h"

#ifndef EVOPAR_BIN
#define EVOPAR_BIN "bin/evopar"
#endif

/* --- threads ---------------------------------------------------------------------------- */

static int noop_range(void *ctx, struct scratch *s, int lo, int hi, char *err, size_t errlen)
{
	(void)ctx;
	(void)s;
	(void)lo;
	(void)hi;
	(void)err;
	(void)errlen;
	return 0;
}

/* threads: one job of two one-item chunks to a pool of two threads made once. */
static void bench_threads(struct gbench_state *st, struct dbench *b)
{
	struct threadpool *tp;
	struct sleeps z;
	char err[POOL_ERRLEN];
	int failed = 0, rc;
	double t0;

	rc = threadpool_create(&tp, 2, err, sizeof(err));
	if (rc) {
		gbench_skip_with_error(st, err);
		return;
	}
	sleeps_begin(&z, NULL, 0);
	t0 = now_us();
	while (gbench_keep_running(st)) {
		if (failed)
			continue;
		rc = threadpool_run(tp, noop_range, NULL, 2, 1, err, sizeof(err));
		if (rc) {
			gbench_skip_with_error(st, err);
			failed = 1;
		}
	}
	finish(st, b, t0, failed);
	sleeps_end(st, &z);
	threadpool_destroy(tp);
	gbench_set_label(st, "2 threads, empty job of 2 chunks");
}

/* --- the table, the summary ------------------------------------------------------------ */

/* The floor comes first: every later benchmark divides by its median. */
static struct dbench benches[] = {
	{ .name = "floor/pipe_roundtrip", .fn = bench_pipe_roundtrip, .pin = PIN_NONE },
	{ .name = "floor/pipe_roundtrip_same_core", .fn = bench_pipe_roundtrip, .pin = PIN_SAME },
	{ .name = "floor/pipe_roundtrip_cross_core", .fn = bench_pipe_roundtrip, .pin = PIN_CROSS },
	{ .name = "floor/fork_wait", .fn = bench_fork_wait },
	{ .name = "floor/thread_create_join", .fn = bench_thread_create_join },
	{ .name = "dispatch/persistent_pipe_empty", .fn = bench_persistent, .workers = 1 },
	{ .name = "dispatch/persistent_shm_empty", .fn = bench_persistent, .workers = 1, .shm = 1 },
	{ .name = "dispatch/persistent_pipe_empty_same_core", .fn = bench_persistent, .workers = 1,
	  .pin = PIN_SAME },
	{ .name = "dispatch/persistent_shm_empty_same_core", .fn = bench_persistent, .workers = 1,
	  .shm = 1, .pin = PIN_SAME },
	{ .name = "dispatch/persistent_pipe_empty_cross_core", .fn = bench_persistent, .workers = 1,
	  .pin = PIN_CROSS },
	{ .name = "dispatch/persistent_shm_empty_cross_core", .fn = bench_persistent, .workers = 1,
	  .shm = 1, .pin = PIN_CROSS },
	{ .name = "dispatch/persistent_pipe_empty_2w", .fn = bench_persistent, .workers = 2 },
	{ .name = "dispatch/persistent_shm_empty_2w", .fn = bench_persistent, .workers = 2,
	  .shm = 1 },
	{ .name = "dispatch/local_handoff100", .fn = bench_local, .payload = PAY_HANDOFF },
	{ .name = "dispatch/persistent_pipe_handoff100_same_core", .fn = bench_persistent,
	  .workers = 1, .payload = PAY_HANDOFF, .pin = PIN_SAME },
	{ .name = "dispatch/persistent_shm_handoff100_same_core", .fn = bench_persistent,
	  .workers = 1, .shm = 1, .payload = PAY_HANDOFF, .pin = PIN_SAME },
	{ .name = "dispatch/persistent_pipe_handoff100_cross_core", .fn = bench_persistent,
	  .workers = 1, .payload = PAY_HANDOFF, .pin = PIN_CROSS },
	{ .name = "dispatch/persistent_shm_handoff100_cross_core", .fn = bench_persistent,
	  .workers = 1, .shm = 1, .payload = PAY_HANDOFF, .pin = PIN_CROSS },
	{ .name = "dispatch/local_mutation100", .fn = bench_local, .payload = PAY_MUTATE },
	{ .name = "dispatch/persistent_pipe_mutation100", .fn = bench_persistent, .workers = 1,
	  .payload = PAY_MUTATE },
	{ .name = "dispatch/persistent_shm_mutation100", .fn = bench_persistent, .workers = 1,
	  .shm = 1, .payload = PAY_MUTATE },
	{ .name = "dispatch/fork_pool_fork", .fn = bench_fork_pool, .start = START_FORK },
	{ .name = "dispatch/fork_pool_spawn", .fn = bench_fork_pool, .start = START_SPAWN },
	{ .name = "dispatch/threads_empty", .fn = bench_threads },
};

#define N_BENCHES (int)(sizeof(benches) / sizeof(benches[0]))

static struct dbench *bench_named(const char *name)
{
	int i;

	for (i = 0; i < N_BENCHES; i++)
		if (!strcmp(benches[i].name, name))
			return &benches[i];
	return NULL;
}

/* -1 when the benchmark did not run (filtered out, skipped or failed). */
static double median_of(const char *name)
{
	const struct dbench *b = bench_named(name);

	return b && b->rec.calls ? record_median(&b->rec) : -1;
}

/* A multiple of a floor, or blanks where either was not measured. */
static void print_multiple(double us, double floor)
{
	if (us > 0 && floor > 0)
		printf(" %10.2f", us / floor);
	else
		printf(" %10s", "-");
}

/* limit > 0: the goal "a at most limit times b"; else "a below b". Silent if not run. */
static void print_goal(const char *goal, double a, double b, double limit, const char *what)
{
	int met = limit > 0 ? a <= limit * b : a < b;

	if (a < 0 || b <= 0)
		return;
	printf("goal: %-60s %-8s", goal, met ? "met" : "NOT MET");
	if (limit > 0)
		printf(" %.2f us = %.2fx %s\n", a, a / b, what);
	else
		printf(" %.2f us vs %.2f us %s\n", a, b, what);
}

/* shm against pipe for the hand-off of 100 networks out and back with a placement */
static void handoff_goal(const char *where, int pin, double local)
{
	static const char *const sfx[] = { "", "_same_core", "_cross_core" };
	char name[96], goal[96];
	double pipe, shm;

	snprintf(name, sizeof(name), "dispatch/persistent_pipe_handoff100%s", sfx[pin]);
	pipe = median_of(name);
	snprintf(name, sizeof(name), "dispatch/persistent_shm_handoff100%s", sfx[pin]);
	shm = median_of(name);
	snprintf(goal, sizeof(goal), "shm hand-off faster than pipe: 100 nets both ways, %s",
		 where);
	print_goal(goal, shm, pipe, 0, "(shm vs pipe)");
	if (local > 0 && shm > 0 && pipe > 0)
		printf("      the hand-off alone (minus local_handoff100): shm %.2f us, "
		       "pipe %.2f us\n", shm - local, pipe - local);
}

/*
 * After the library's table: the medians again beside their multiples of the three pipe
 * floors, and each goal (a dispatch within 3x of its floor, shm faster than pipe) with its verdict.
 */
static void summary(void)
{
	double fl = floor_us(PIN_NONE), same = floor_us(PIN_SAME), cross = floor_us(PIN_CROSS);
	double lh = median_of("dispatch/local_handoff100");
	double lm = median_of("dispatch/local_mutation100");
	double pm = median_of("dispatch/persistent_pipe_mutation100");
	double sm = median_of("dispatch/persistent_shm_mutation100");
	int i, any = 0;

	for (i = 0; i < N_BENCHES; i++)
		any |= benches[i].rec.calls > 0;
	if (!any || fl <= 0)
		return;
	printf("\ndispatch summary: medians of the reported repetitions (own wall clock)%s\n",
	       floor_rec[PIN_NONE]->calls ? "" :
	       "; floor/pipe_roundtrip was filtered out: its figure is a quick calibration");
	printf("%-48s %10s %10s %10s %10s\n", "benchmark", "median us", "x floor", "x same",
	       "x cross");
	for (i = 0; i < N_BENCHES; i++) {
		const struct dbench *b = &benches[i];
		double us = b->rec.calls ? record_median(&b->rec) : -1;

		if (b->skip) {
			printf("%-48s %10s %10s %10s %10s  skipped: %s\n", b->name, "-", "-", "-", "-",
			       b->skip);
			continue;
		}
		if (us < 0)
			continue;
		printf("%-48s %10.2f", b->name, us);
		print_multiple(us, fl);
		print_multiple(us, same);
		print_multiple(us, cross);
		printf("\n");
	}
	printf("x floor, x same, x cross: multiples of the pipe round trip unpinned (%.2f us), with "
	       "both ends on one core, on two cores\n", fl);
	print_goal("persistent dispatch (pipe) within 3x of a pipe round trip",
		   median_of("dispatch/persistent_pipe_empty"), fl, 3, "of the unpinned floor");
	print_goal("persistent dispatch (shm) within 3x of a pipe round trip",
		   median_of("dispatch/persistent_shm_empty"), fl, 3, "of the unpinned floor");
	print_goal("the same, pipe, both on one core",
		   median_of("dispatch/persistent_pipe_empty_same_core"), same, 3, "of its floor");
	print_goal("the same, shm, both on one core",
		   median_of("dispatch/persistent_shm_empty_same_core"), same, 3, "of its floor");
	print_goal("the same, pipe, on two cores",
		   median_of("dispatch/persistent_pipe_empty_cross_core"), cross, 3, "of its floor");
	print_goal("the same, shm, on two cores",
		   median_of("dispatch/persistent_shm_empty_cross_core"), cross, 3, "of its floor");
	handoff_goal("one core", PIN_SAME, lh);
	handoff_goal("two cores", PIN_CROSS, lh);
	print_goal("shm hand-off faster than pipe: mutate of 100 nets, unpinned", sm, pm, 0,
		   "(shm vs pipe)");
	if (lm > 0 && sm > 0 && pm > 0)
		printf("      the hand-off alone (minus local_mutation100): shm %.2f us, "
		       "pipe %.2f us\n", sm - lm, pm - lm);
}

static void run_bench(struct gbench_state *st, void *ctx)
{
	struct dbench *b = ctx;

	b->fn(st, b);
}

/* Decide what can run here; what cannot is left unregistered, with its reason. */
static int register_all(void)
{
	int i;

	floor_rec[PIN_NONE] = &bench_named("floor/pipe_roundtrip")->rec;
	floor_rec[PIN_SAME] = &bench_named("floor/pipe_roundtrip_same_core")->rec;
	floor_rec[PIN_CROSS] = &bench_named("floor/pipe_roundtrip_cross_core")->rec;
	if (sched_getaffinity(0, sizeof(base_mask), &base_mask) == 0)
		for (i = 0; i < CPU_SETSIZE && cpu_b < 0; i++)
			if (CPU_ISSET(i, &base_mask)) {
				if (cpu_a < 0)
					cpu_a = i;
				else
					cpu_b = i;
			}
	for (i = 0; i < N_BENCHES; i++)
		if (benches[i].pin != PIN_NONE && cpu_a < 0)
			benches[i].skip = "sched_getaffinity failed: no CPU to pin to";
		else if (benches[i].pin == PIN_CROSS && cpu_b < 0)
			benches[i].skip = "only one CPU is available to this process";
	if (access(evopar_bin, X_OK))
		bench_named("dispatch/fork_pool_spawn")->skip =
			"the evopar binary is not executable (make bin/evopar, or set EVOPAR_BIN)";
	for (i = 0; i < N_BENCHES; i++) {
		struct gbench *g;

		if (benches[i].skip) {
			fprintf(stderr, "bench: %s skipped: %s\n", benches[i].name, benches[i].skip);
			gbench_add_context(benches[i].name, benches[i].skip);
			continue;
		}
		g = gbench_register(benches[i].name, run_bench, &benches[i]);
		if (!g) {
			fprintf(stderr, "bench: cannot register %s\n", benches[i].name);
			return -ENOMEM;
		}
		/* these cross processes or threads: this thread's CPU time would miss the waits */
		gbench_use_real_time(g);
		gbench_set_unit(g, GBENCH_US);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *bin = getenv("EVOPAR_BIN");
	int rc;

	/* a worker that dies must show up as -EPIPE, not kill the benchmark */
	signal(SIGPIPE, SIG_IGN);
	if (!realpath(bin ? bin : EVOPAR_BIN, evopar_bin))
		snprintf(evopar_bin, sizeof(evopar_bin), "%s", bin ? bin : EVOPAR_BIN);
#ifdef EVOPAR_COMMIT
	gbench_add_context("evopar_commit", EVOPAR_COMMIT);
#endif
#ifdef EVOPAR_CFLAGS
	gbench_add_context("evopar_cflags", EVOPAR_CFLAGS);
#endif
	gbench_add_context("x_floor", "wall time per iteration / median of the pipe round trip "
			   "with the same placement (floor/pipe_roundtrip*) in the same run");
	gbench_add_context("sleeps_main, sleeps_worker", "voluntary context switches per "
			   "iteration of the main thread and of the other side (all its workers)");
	if (register_all())
		return 1;
	rc = gbench_main(argc, argv);
	summary();
	dispatch_procs_release();
	return rc;
}
