/*
 * Unit tests for harness/counters.c: an event that cannot be read (a bogus name, PAPI that
 * will not start) is recorded with its reason and never fails anything; the task clock
 * counts the CPU time of threads and forked children started after the counters.
 */
#include <dlfcn.h>
#include <jansson.h>
#include <papi.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness/instruments/counters.h"

#define BURN_S 0.2                 /* CPU seconds each thread and child burns */

/*
 * PAPI_library_init, interposed: this definition in the test program wins over libpapi's
 * for the harness linked in, so a test can make it fail as it would on a machine without
 * a usable PAPI.
 */
static int library_init_fails;      /* nonzero: the next calls return this PAPI error */

int PAPI_library_init(int version)
{
	int (*real)(int);

	if (library_init_fails)
		return library_init_fails;
	*(void **)&real = dlsym(RTLD_NEXT, "PAPI_library_init");
	return real(version);
}

static json_t *meta_of(const struct counters *c)
{
	struct jw w;
	json_error_t jerr;
	json_t *j;

	memset(&w, 0, sizeof(w));
	jw_begin(&w, "meta");
	counters_write_meta(c, &w);
	jw_end(&w);
	j = json_loadb(w.buf, w.len, 0, &jerr);
	jw_release(&w);
	assert_non_null(j);
	return j;
}

static json_t *values_of(const struct counters *c)
{
	struct jw w;
	json_error_t jerr;
	json_t *j;

	memset(&w, 0, sizeof(w));
	jw_begin(&w, "summary");
	counters_write_values(c, &w);
	jw_end(&w);
	j = json_loadb(w.buf, w.len, 0, &jerr);
	jw_release(&w);
	assert_non_null(j);
	return j;
}

static int in_array(json_t *arr, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
		if (!strcmp(json_string_value(v), name))
			return 1;
	return 0;
}

static void test_bogus_event_recorded(void **state)
{
	static const char *const names[] = { "perf::TASK-CLOCK", "bogus::NO-SUCH-EVENT" };
	struct counters c;
	json_t *m, *cm, *why, *v;

	(void)state;
	counters_probe(&c, names, 2, 1);
	assert_false(c.ev[1].readable);
	assert_false(c.ev[1].counting);
	assert_true(strlen(c.ev[1].why) > 0);
	counters_start(&c);
	counters_stop(&c);
	assert_int_equal(counters_value(&c, "bogus::NO-SUCH-EVENT"), -1);

	m = meta_of(&c);
	cm = json_object_get(m, "counters");
	assert_true(json_is_true(json_object_get(cm, "enabled")));
	assert_int_equal(json_array_size(json_object_get(cm, "asked")), 2);
	assert_false(in_array(json_object_get(cm, "read"), "bogus::NO-SUCH-EVENT"));
	why = json_object_get(json_object_get(cm, "unavailable"), "bogus::NO-SUCH-EVENT");
	assert_true(json_is_string(why));
	assert_non_null(strstr(json_string_value(why), "Event does not exist"));
	assert_true(json_is_string(json_object_get(cm, "scope")));
	json_decref(m);

	v = values_of(&c);
	cm = json_object_get(v, "counters");
	assert_null(json_object_get(cm, "bogus::NO-SUCH-EVENT"));
	json_decref(v);
	counters_release(&c);
}

static void test_library_init_failure_recorded(void **state)
{
	struct counters c;
	json_t *m, *cm, *v;
	int i;

	(void)state;
	library_init_fails = PAPI_ESYS;
	counters_probe(&c, counters_default_events, counters_default_count, 1);
	library_init_fails = 0;
	assert_int_equal(c.method, COUNTERS_NONE);
	assert_non_null(strstr(c.library, "PAPI_library_init"));
	for (i = 0; i < c.n; i++) {
		assert_false(c.ev[i].counting);
		assert_non_null(strstr(c.ev[i].why, "PAPI_library_init"));
	}
	counters_start(&c);
	counters_stop(&c);
	m = meta_of(&c);
	cm = json_object_get(m, "counters");
	assert_int_equal(json_array_size(json_object_get(cm, "read")), 0);
	assert_int_equal(json_object_size(json_object_get(cm, "unavailable")), (size_t)c.n);
	json_decref(m);
	v = values_of(&c);
	assert_true(json_is_null(json_object_get(v, "counters")));
	json_decref(v);
	counters_release(&c);
}

static void test_off_touches_nothing(void **state)
{
	struct counters c;
	json_t *m, *cm;

	(void)state;
	counters_probe(&c, counters_default_events, counters_default_count, 0);
	assert_false(PAPI_is_initialized());
	counters_start(&c);
	counters_stop(&c);
	m = meta_of(&c);
	cm = json_object_get(m, "counters");
	assert_true(json_is_false(json_object_get(cm, "enabled")));
	assert_int_equal(json_object_size(json_object_get(cm, "unavailable")), 0);
	json_decref(m);
	counters_release(&c);
}

/* every asked event is either read or has a reason; nothing is both */
static void test_defaults_all_accounted(void **state)
{
	struct counters c;
	int i, counting = 0;

	(void)state;
	counters_probe(&c, counters_default_events, counters_default_count, 1);
	assert_int_equal(c.n, counters_default_count);
	for (i = 0; i < c.n; i++) {
		assert_true(c.ev[i].counting ? c.ev[i].why[0] == 0 : c.ev[i].why[0] != 0);
		counting += c.ev[i].counting;
	}
	assert_true(counting ? c.method != COUNTERS_NONE : c.method == COUNTERS_NONE);
	counters_release(&c);
	assert_false(PAPI_is_initialized());
}

static double cpu_now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* burn CPU time, not wall time: a busy machine makes it slower, not smaller */
static void burn(clockid_t clock, double s)
{
	double end = cpu_now(clock) + s;
	volatile double x = 0;

	while (cpu_now(clock) < end)
		x += 1.0;
}

static void *burn_thread(void *arg)
{
	(void)arg;
	burn(CLOCK_THREAD_CPUTIME_ID, BURN_S);
	return NULL;
}

static double rusage_cpu_s(int who)
{
	struct rusage ru;

	getrusage(who, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

static void test_task_clock_covers_threads_and_children(void **state)
{
	static const char *const names[] = { "perf::TASK-CLOCK", "perf::PAGE-FAULTS" };
	struct counters c;
	pthread_t t[2];
	double self0, kids0, cpu_s, task_s;
	pid_t pid;
	int i, status;

	(void)state;
	counters_probe(&c, names, 2, 1);
	if (!c.ev[0].counting) {
		fprintf(stderr, "  skipped: perf::TASK-CLOCK cannot count here: %s\n", c.ev[0].why);
		counters_release(&c);
		skip();
	}
	self0 = rusage_cpu_s(RUSAGE_SELF);
	kids0 = rusage_cpu_s(RUSAGE_CHILDREN);
	counters_start(&c);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, burn_thread, NULL), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		burn(CLOCK_PROCESS_CPUTIME_ID, BURN_S);
		_exit(0);
	}
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	counters_stop(&c);
	cpu_s = rusage_cpu_s(RUSAGE_SELF) - self0 + rusage_cpu_s(RUSAGE_CHILDREN) - kids0;
	task_s = (double)counters_value(&c, "perf::TASK-CLOCK") * 1e-9;
	fprintf(stderr, "  task clock %.3f s, rusage %.3f s, burnt %.3f s\n", task_s, cpu_s, 3 * BURN_S);
	/* two threads and one child, each BURN_S of CPU time */
	assert_true(task_s >= 0.95 * 3 * BURN_S);
	assert_true(task_s <= 1.10 * cpu_s + 0.02);
	assert_true(counters_value(&c, "perf::PAGE-FAULTS") > 0);
	counters_release(&c);
}

struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int open;
};

/* a thread that exists before the counters start, and burns only after */
static void *burn_after_gate(void *arg)
{
	struct gate *g = arg;

	pthread_mutex_lock(&g->lock);
	while (!g->open)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
	burn(CLOCK_THREAD_CPUTIME_ID, BURN_S);
	return NULL;
}

static void test_task_clock_covers_threads_running_before(void **state)
{
	static const char *const names[] = { "perf::TASK-CLOCK" };
	struct gate g = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 };
	struct counters c;
	pthread_t t;
	double task_s;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, burn_after_gate, &g), 0);
	counters_probe(&c, names, 1, 1);
	if (!c.ev[0].counting) {
		fprintf(stderr, "  skipped: perf::TASK-CLOCK cannot count here: %s\n", c.ev[0].why);
		pthread_mutex_lock(&g.lock);
		g.open = 1;
		pthread_cond_signal(&g.cond);
		pthread_mutex_unlock(&g.lock);
		pthread_join(t, NULL);
		counters_release(&c);
		skip();
	}
	counters_start(&c);
	pthread_mutex_lock(&g.lock);
	g.open = 1;
	pthread_cond_signal(&g.cond);
	pthread_mutex_unlock(&g.lock);
	pthread_join(t, NULL);
	counters_stop(&c);
	task_s = (double)counters_value(&c, "perf::TASK-CLOCK") * 1e-9;
	assert_true(task_s >= 0.95 * BURN_S);
	counters_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bogus_event_recorded),
		cmocka_unit_test(test_library_init_failure_recorded),
		cmocka_unit_test(test_off_touches_nothing),
		cmocka_unit_test(test_defaults_all_accounted),
		cmocka_unit_test(test_task_clock_covers_threads_and_children),
		cmocka_unit_test(test_task_clock_covers_threads_running_before),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
