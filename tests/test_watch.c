/*
 * Unit tests for harness/watch/watch_diagnose.c: on synthetic series of intervals, each rule of
 * evopar watch fires on its evidence and not otherwise, at and beside its thresholds, on a small
 * and on a large machine; healthy is what is left.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness/watch/watch.h"

#define N 20

/* a quiet job: one thread working on one core, nothing else */
static struct watch_interval base(int cores)
{
	struct watch_interval iv = { .dt_s = 0.1f, .cpu_util = 1, .wanted = 1, .runnable = 1,
				     .active = 1, .busy_procs = 1, .active_procs = 1, .threads = 1,
				     .processes = 1, .proc_threads_max = 1, .futex = 0, .cores = cores,
				     .machine_busy = 1 };

	return iv;
}

/* a series of n copies of iv on cores, with --jobs (0: none) */
static void series_of(struct watch_series *s, int n, struct watch_interval iv, int cores, int jobs)
{
	int i;

	memset(s, 0, sizeof(*s));
	s->cores = cores;
	s->jobs = jobs;
	s->have_wait = 1;
	s->workers_seen = 1;
	for (i = 0; i < n; i++) {
		struct watch_interval *p = watch_series_add(s);

		assert_non_null(p);
		*p = iv;
		p->t_s = 0.1f * (float)(i + 1);
	}
}

/* exactly the kinds in want (a bit per enum watch_kind) fired */
static void expect(const struct watch_series *s, unsigned want)
{
	struct watch_verdict v;
	int k;

	watch_diagnose(s, &v);
	for (k = 0; k < WATCH_KINDS; k++) {
		if (!!v.fired[k] != !!(want & (1u << k)))
			fail_msg("%s: fired %d, expected %d", watch_kind_names[k], v.fired[k], !!(want & (1u << k)));
	}
}

#define A (1u << WATCH_NO_OVERLAP)
#define B (1u << WATCH_NO_PROGRESS)
#define O (1u << WATCH_OVERSUBSCRIBED)
#define X (1u << WATCH_EXPLOSION)
#define H (1u << WATCH_HEALTHY)

static void test_one_thread_is_healthy(void **state)
{
	struct watch_series s;

	(void)state;
	series_of(&s, N, base(2), 2, 0);
	expect(&s, H);
	watch_series_release(&s);
}

/* --jobs 3 on 2 cores: ideal 2, near 1 below 1.5; one runnable thread, one active: kind a */
static void test_no_overlap(void **state)
{
	struct watch_series s;

	(void)state;
	series_of(&s, N, base(2), 2, 3);
	expect(&s, A);
	watch_series_release(&s);
}

/* at the midpoint it is not near 1: --jobs 3 on 4 cores is an ideal of 3, the midpoint 2 */
static void test_no_overlap_midpoint(void **state)
{
	struct watch_interval iv = base(4);
	struct watch_series s;

	(void)state;
	iv.runnable = 2;
	iv.cpu_util = iv.wanted = 2;
	iv.active = 1;             /* a second runnable thread that never ran: still not near 1 */
	series_of(&s, N, iv, 4, 3);
	expect(&s, H);
	watch_series_release(&s);
	iv.runnable = 1;
	iv.cpu_util = iv.wanted = 1;
	series_of(&s, N, iv, 4, 3);
	expect(&s, A);
	watch_series_release(&s);
}

/* the CPU utilisation must be near 1 too: at the midpoint neither kind fires */
static void test_utilisation_at_the_midpoint(void **state)
{
	struct watch_interval iv = base(2);
	struct watch_series s;

	(void)state;
	iv.cpu_util = 1.5f;
	series_of(&s, N, iv, 2, 3);
	expect(&s, H);
	watch_series_release(&s);
	iv.cpu_util = 1.49f;
	series_of(&s, N, iv, 2, 3);
	expect(&s, A);
	watch_series_release(&s);
}

/*
 * Other load keeps a GIL's waiters queued: two runnable of three, the tree on 0.4 cores. Kind b
 * still, from the threads of one process taking turns; a healthy pair of workers on the same
 * machine (runnable, not taking turns) is not.
 */
static void test_turn_takers_on_a_loaded_machine(void **state)
{
	struct watch_interval iv = base(2);
	struct watch_series s;

	(void)state;
	iv.active = 3;
	iv.runnable = 2;
	iv.cpu_util = 0.4f;
	iv.wanted = 1.8f;
	iv.machine_busy = 2;
	iv.turn_takers = 3;
	series_of(&s, N, iv, 2, 3);
	expect(&s, B);
	watch_series_release(&s);
	iv.turn_takers = 2;
	series_of(&s, N, iv, 2, 3);
	expect(&s, B);
	watch_series_release(&s);
	iv.turn_takers = 1;
	series_of(&s, N, iv, 2, 3);
	expect(&s, H);
	watch_series_release(&s);
}

/* "in half the busy samples": with 5 samples, 2 at 2 runnable do not lift it; 3 do */
static void test_half_of_the_samples(void **state)
{
	struct watch_series s;
	int i;

	(void)state;
	series_of(&s, 5, base(2), 2, 2);
	for (i = 0; i < 2; i++)
		s.iv[i].runnable = 2;
	expect(&s, A);
	s.iv[2].runnable = 2;
	expect(&s, H);
	watch_series_release(&s);
}

/* three threads active at once yet one runnable: they take turns (a GIL), kind b only */
static void test_overlap_without_progress(void **state)
{
	struct watch_interval iv = base(2);
	struct watch_series s;

	(void)state;
	iv.active = 3;
	iv.threads = iv.proc_threads_max = 4;
	iv.futex = 3;
	iv.wanted = 1.4f;          /* the waiters' wake-ups queue on a loaded machine: not the rule */
	series_of(&s, N, iv, 2, 3);
	expect(&s, B);
	watch_series_release(&s);
}

/* two active threads are an overlap (kind b); one is not (kind a) */
static void test_kind_a_or_b_by_active_threads(void **state)
{
	struct watch_interval iv = base(2);
	struct watch_series s;

	(void)state;
	iv.active = 2;
	series_of(&s, N, iv, 2, 2);
	expect(&s, B);
	watch_series_release(&s);
	iv.active = 1;
	series_of(&s, N, iv, 2, 2);
	expect(&s, A);
	watch_series_release(&s);
}

/* without --jobs: busy worker processes seen one after another say how many were meant */
static void test_expected_from_workers(void **state)
{
	struct watch_series s;
	struct watch_verdict v;

	(void)state;
	series_of(&s, N, base(2), 2, 0);
	s.workers_seen = 3;
	expect(&s, A);
	watch_diagnose(&s, &v);
	assert_int_equal(v.expected, 3);
	assert_string_equal(v.expected_from, "busy worker processes");
	s.workers_seen = 1;
	expect(&s, H);
	watch_series_release(&s);
}

/* one core allows no parallelism: neither kind can fire */
static void test_one_core(void **state)
{
	struct watch_interval iv = base(1);
	struct watch_series s;

	(void)state;
	iv.active = 3;
	series_of(&s, N, iv, 1, 4);
	expect(&s, H);
	watch_series_release(&s);
}

/* intervals in which the tree wanted under half a core are not judged */
static void test_idle_intervals_left_out(void **state)
{
	struct watch_interval iv = base(2);
	struct watch_series s;
	struct watch_verdict v;
	int i;

	(void)state;
	iv.cpu_util = 0.1f;
	iv.wanted = 0.49f;
	iv.runnable = 0;
	series_of(&s, N, iv, 2, 3);
	expect(&s, H);
	watch_diagnose(&s, &v);
	assert_int_equal(v.busy, 0);
	for (i = 0; i < 3; i++) {     /* three busy intervals among idle ones decide alone */
		s.iv[i].wanted = 0.5f;
		s.iv[i].runnable = 1;
	}
	expect(&s, A);
	watch_diagnose(&s, &v);
	assert_int_equal(v.busy, 3);
	watch_series_release(&s);
}

/* healthy: two workers runnable on two cores, even when others' load halves their CPU */
static void test_healthy_pool_on_a_loaded_machine(void **state)
{
	struct watch_interval iv = base(2);
	struct watch_series s;

	(void)state;
	iv.runnable = iv.active = iv.busy_procs = iv.active_procs = 2;
	iv.threads = 6;
	iv.processes = 3;
	iv.proc_threads_max = 4;
	iv.cpu_util = 1.0f;
	iv.wanted = 2.0f;
	iv.machine_busy = 2.0f;
	series_of(&s, N, iv, 2, 2);
	expect(&s, H);
	watch_series_release(&s);
}

/* oversubscribed: runnable above 1.5 x cores (3 on 2) in half the busy samples or more */
static void test_oversubscription_threshold(void **state)
{
	struct watch_interval iv = base(2);
	struct watch_series s;
	int i;

	(void)state;
	iv.runnable = iv.active = 2;
	iv.cpu_util = iv.wanted = 2;
	series_of(&s, N, iv, 2, 2);
	for (i = 0; i < N / 2; i++)
		s.iv[i].runnable = 4;
	expect(&s, O);              /* 10 of 20: half */
	s.iv[0].runnable = 2;
	expect(&s, H);              /* 9 of 20 */
	for (i = 0; i < N; i++)
		s.iv[i].runnable = 3;   /* at the limit, not above it */
	expect(&s, H);
	watch_series_release(&s);
}

/* the same rule on a large machine: 192 is the limit on 128 cores */
static void test_oversubscription_scales_with_cores(void **state)
{
	struct watch_interval iv = base(128);
	struct watch_series s;

	(void)state;
	iv.runnable = iv.active = 193;
	iv.cpu_util = iv.wanted = 128;
	iv.threads = iv.proc_threads_max = 200;
	series_of(&s, N, iv, 128, 128);
	expect(&s, O);
	watch_series_release(&s);
	iv.runnable = 192;
	series_of(&s, N, iv, 128, 128);
	expect(&s, H);
	watch_series_release(&s);
}

/* one process above 2 x cores + 4 threads (8 on 2 cores) in a quarter of the samples or more */
static void test_explosion_in_one_process(void **state)
{
	struct watch_series s;
	int i;

	(void)state;
	series_of(&s, N, base(2), 2, 0);
	for (i = 0; i < N / 4; i++)
		s.iv[i].threads = s.iv[i].proc_threads_max = 9;
	expect(&s, X);              /* 5 of 20 */
	s.iv[0].threads = s.iv[0].proc_threads_max = 1;
	expect(&s, H);              /* 4 of 20 */
	for (i = 0; i < N; i++)
		s.iv[i].threads = s.iv[i].proc_threads_max = 8;
	expect(&s, H);              /* at the limit */
	watch_series_release(&s);
}

/* the study's failure: 387 threads per process on 128 cores is above 260 */
static void test_explosion_of_the_study(void **state)
{
	struct watch_interval iv = base(128);
	struct watch_series s;

	(void)state;
	iv.threads = 5 * 387;
	iv.processes = 5;
	iv.proc_threads_max = 387;
	iv.teams = 5;
	series_of(&s, N, iv, 128, 5);
	expect(&s, X | A);          /* and the trials did not overlap: one runnable thread */
	watch_series_release(&s);
	iv.proc_threads_max = 260;
	iv.threads = 260;
	iv.teams = 1;
	series_of(&s, N, iv, 128, 0);
	expect(&s, H);
	watch_series_release(&s);
}

/* teams: the tree above the limit where two or more processes each hold >= cores threads */
static void test_explosion_in_teams(void **state)
{
	struct watch_interval iv = base(2);
	struct watch_series s;
	struct watch_verdict v;

	(void)state;
	iv.threads = 9;
	iv.processes = 5;
	iv.proc_threads_max = 2;
	iv.teams = 2;
	series_of(&s, N, iv, 2, 0);
	expect(&s, X);
	watch_diagnose(&s, &v);
	assert_true(v.explode_by_teams);
	watch_series_release(&s);
	iv.teams = 1;               /* one team and single threads: a Pool's parent and its workers */
	series_of(&s, N, iv, 2, 0);
	expect(&s, H);
	watch_series_release(&s);
	iv.teams = 4;
	iv.threads = 8;             /* teams, but the tree within the limit */
	series_of(&s, N, iv, 2, 0);
	expect(&s, H);
	watch_series_release(&s);
}

/* many processes with a machine-sized team each, all runnable: both rules, nothing else */
static void test_numpy_teams_both(void **state)
{
	struct watch_interval iv = base(2);
	struct watch_series s;

	(void)state;
	iv.threads = 13;
	iv.processes = 7;
	iv.proc_threads_max = 2;
	iv.teams = 6;
	iv.runnable = iv.active = 12;
	iv.cpu_util = 2;
	iv.wanted = 12;
	series_of(&s, N, iv, 2, 6);
	expect(&s, O | X);
	watch_series_release(&s);
}

/* the measures the evidence quotes */
static void test_measures(void **state)
{
	struct watch_interval iv = base(2);
	struct watch_series s;
	struct watch_verdict v;

	(void)state;
	iv.cpu_util = 1.0f;
	iv.wanted = 2.0f;
	iv.futex = 3;
	iv.invol_rate = 100;
	iv.machine_busy = 1.75f;
	series_of(&s, N, iv, 2, 0);
	watch_diagnose(&s, &v);
	assert_int_equal(v.busy, N);
	assert_true(v.wait_share > 0.49 && v.wait_share < 0.51);
	assert_true(v.futex_mean > 2.99 && v.futex_mean < 3.01);
	assert_true(v.others_busy > 0.74 && v.others_busy < 0.76);
	assert_true(v.invol_rate > 99 && v.invol_rate < 101);
	assert_int_equal(v.explode_limit, 8);
	assert_true(v.oversub_limit > 2.99 && v.oversub_limit < 3.01);
	watch_series_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_thread_is_healthy),
		cmocka_unit_test(test_no_overlap),
		cmocka_unit_test(test_no_overlap_midpoint),
		cmocka_unit_test(test_utilisation_at_the_midpoint),
		cmocka_unit_test(test_turn_takers_on_a_loaded_machine),
		cmocka_unit_test(test_half_of_the_samples),
		cmocka_unit_test(test_overlap_without_progress),
		cmocka_unit_test(test_kind_a_or_b_by_active_threads),
		cmocka_unit_test(test_expected_from_workers),
		cmocka_unit_test(test_one_core),
		cmocka_unit_test(test_idle_intervals_left_out),
		cmocka_unit_test(test_healthy_pool_on_a_loaded_machine),
		cmocka_unit_test(test_oversubscription_threshold),
		cmocka_unit_test(test_oversubscription_scales_with_cores),
		cmocka_unit_test(test_explosion_in_one_process),
		cmocka_unit_test(test_explosion_of_the_study),
		cmocka_unit_test(test_explosion_in_teams),
		cmocka_unit_test(test_numpy_teams_both),
		cmocka_unit_test(test_measures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
