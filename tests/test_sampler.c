/*
 * Unit tests for harness/sampler.c: a walk sees the threads a process starts and the
 * processes it forks (children and grandchildren), the sampler thread keeps max, mean and a
 * bounded timeline, does not count itself, blocks every signal, sums the tree's resident memory
 * when asked, and writes its summary.
 */
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness/instruments/sampler.h"

#define SLEEPERS 5

/* threads that wait until told to go: their number is known while they wait */
struct sleepers {
	pthread_t t[SLEEPERS];
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int go;
};

static void *sleeper(void *arg)
{
	struct sleepers *s = arg;

	pthread_mutex_lock(&s->lock);
	while (!s->go)
		pthread_cond_wait(&s->cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static void sleepers_start(struct sleepers *s)
{
	int i;

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	for (i = 0; i < SLEEPERS; i++)
		assert_int_equal(pthread_create(&s->t[i], NULL, sleeper, s), 0);
}

static void sleepers_stop(struct sleepers *s)
{
	int i;

	pthread_mutex_lock(&s->lock);
	s->go = 1;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	for (i = 0; i < SLEEPERS; i++)
		pthread_join(s->t[i], NULL);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* the threads and processes of this test's tree now */
static void walk_self(int *threads, int *processes)
{
	assert_int_equal(sampler_walk(getpid(), 0, threads, processes), 0);
}

static void test_walk_sees_started_threads(void **state)
{
	struct sleepers s;
	int before, threads, processes;

	(void)state;
	walk_self(&before, &processes);
	assert_true(before >= 1);          /* main, and any threads a library started */
	sleepers_start(&s);
	walk_self(&threads, &processes);
	assert_true(threads >= 1 + SLEEPERS);
	assert_int_equal(threads, before + SLEEPERS);
	assert_int_equal(processes, 1);
	sleepers_stop(&s);
	walk_self(&threads, &processes);
	assert_int_equal(threads, before);
}

/*
 * A child that forks a grandchild, both waiting on a pipe: the tree then has three
 * processes and at least three threads. Returns the child's pid; writing to *release
 * (or closing it) ends both.
 */
static pid_t fork_tree(int *release)
{
	int go[2], ready[2];
	char c;
	pid_t pid;

	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		pid_t grand;

		close(go[1]);
		close(ready[0]);
		grand = fork();
		if (grand == 0) {
			if (write(ready[1], "g", 1) != 1)
				_exit(1);
			if (read(go[0], &c, 1) < 0)
				_exit(1);
			_exit(0);
		}
		if (write(ready[1], "c", 1) != 1)
			_exit(1);
		if (read(go[0], &c, 1) < 0)
			_exit(1);
		waitpid(grand, NULL, 0);
		_exit(0);
	}
	close(go[0]);
	close(ready[1]);
	/* both have written: both exist */
	assert_int_equal(read(ready[0], &c, 1), 1);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	*release = go[1];
	return pid;
}

static void test_walk_sees_forked_processes(void **state)
{
	int threads, processes, release, status;
	pid_t pid;

	(void)state;
	walk_self(&threads, &processes);
	assert_int_equal(processes, 1);
	pid = fork_tree(&release);
	walk_self(&threads, &processes);
	assert_int_equal(processes, 3);
	/* not before + 2: a library's fork handler may stop its threads (OpenBLAS does) */
	assert_true(threads >= 3);
	/* the child's subtree alone: two processes of one thread each */
	assert_int_equal(sampler_walk(pid, 0, &threads, &processes), 0);
	assert_int_equal(processes, 2);
	assert_int_equal(threads, 2);
	close(release);                           /* EOF on the pipe: both exit */
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	walk_self(&threads, &processes);
	assert_int_equal(processes, 1);
}

static void test_walk_of_missing_root_fails(void **state)
{
	int threads, processes;

	(void)state;
	/* above the kernel's largest pid_max (2^22): never a process */
	assert_int_equal(sampler_walk(0x7ffffff0, 0, &threads, &processes), -ENOENT);
}

/* wait until the sampler has taken n samples (it keeps its own clock) */
static void wait_samples(struct sampler *s, long n)
{
	int i;

	for (i = 0; i < 2000 && __atomic_load_n(&s->samples, __ATOMIC_RELAXED) < n; i++)
		sleep_ms(1);
}

static void test_sampler_max_mean_and_self(void **state)
{
	struct sampler s;
	struct sleepers sl;
	char err[128];
	int base, processes, i;

	(void)state;
	walk_self(&base, &processes);
	assert_int_equal(sampler_start(&s, getpid(), 1.0, err, sizeof(err)), 0);
	wait_samples(&s, 3);
	sleepers_start(&sl);
	wait_samples(&s, s.samples + 5);
	sleepers_stop(&sl);
	sampler_stop(&s);
	assert_true(s.samples >= 8);
	/* the sampler's own thread is the instrument, not the run: never counted */
	assert_int_equal(s.threads_max, base + SLEEPERS);
	assert_int_equal(s.processes_max, 1);
	assert_true(s.threads_sum / (double)s.samples > base - 0.01);
	assert_true(s.threads_sum / (double)s.samples < base + SLEEPERS);
	assert_true(s.cpu_s > 0.0);
	assert_true(s.n_points >= 1 && s.n_points <= SAMPLER_POINTS);
	for (i = 1; i < s.n_points; i++)
		assert_true(s.points[i].t_s >= s.points[i - 1].t_s);
	sampler_release(&s);
}

/* the status line "SigBlk:" of the sampler thread: every signal blocked */
static void test_sampler_blocks_signals(void **state)
{
	struct sampler s;
	char err[128], path[64], line[256];
	int blocked = 0;
	FILE *f;

	(void)state;
	assert_int_equal(sampler_start(&s, getpid(), 1.0, err, sizeof(err)), 0);
	wait_samples(&s, 1);
	snprintf(path, sizeof(path), "/proc/self/task/%d/status", (int)s.tid);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "SigBlk:", 7))
			/* SIGINT and SIGTERM are bits 1 and 14 of the last hex digits */
			blocked = (strtoull(line + 7, NULL, 16) & ((1ULL << (SIGINT - 1)) |
				   (1ULL << (SIGTERM - 1)))) != 0;
	fclose(f);
	sampler_release(&s);
	assert_true(blocked);
}

static void test_timeline_is_bounded(void **state)
{
	struct sampler s;
	char err[128];
	int i;

	(void)state;
	/* a period far below a sample's cost: the sampler runs flat out */
	assert_int_equal(sampler_start(&s, getpid(), 0.001, err, sizeof(err)), 0);
	wait_samples(&s, 3 * SAMPLER_POINTS);
	sampler_stop(&s);
	assert_true(s.samples >= 3 * SAMPLER_POINTS);
	assert_true(s.n_points <= SAMPLER_POINTS);
	assert_true(s.n_points >= SAMPLER_POINTS / 4);
	assert_true(s.stride >= 2);
	for (i = 1; i < s.n_points; i++)
		assert_true(s.points[i].t_s >= s.points[i - 1].t_s);
	sampler_release(&s);
}

static json_t *summary_of(const struct sampler *s)
{
	struct jw w;
	json_error_t jerr;
	json_t *j;

	memset(&w, 0, sizeof(w));
	jw_begin(&w, "summary");
	sampler_write(s, &w);
	jw_end(&w);
	assert_false(w.oom);
	j = json_loadb(w.buf, w.len, 0, &jerr);
	jw_release(&w);
	assert_non_null(j);
	return j;
}

static void test_summary_fields(void **state)
{
	struct sampler s;
	char err[128];
	json_t *j, *smp, *tl;

	(void)state;
	assert_int_equal(sampler_start(&s, getpid(), 1.0, err, sizeof(err)), 0);
	wait_samples(&s, 4);
	sampler_stop(&s);
	j = summary_of(&s);
	assert_int_equal(json_integer_value(json_object_get(j, "threads_max")), s.threads_max);
	assert_true(json_is_number(json_object_get(j, "threads_mean")));
	assert_int_equal(json_integer_value(json_object_get(j, "processes_max")), 1);
	smp = json_object_get(j, "sampler");
	assert_true(json_is_object(smp));
	assert_int_equal(json_integer_value(json_object_get(smp, "samples")), s.samples);
	assert_true(json_is_number(json_object_get(smp, "cpu_s")));
	assert_true(json_is_number(json_object_get(smp, "cpu_share")));
	tl = json_object_get(smp, "timeline");
	assert_int_equal(json_array_size(json_object_get(tl, "t_s")), (size_t)s.n_points);
	assert_int_equal(json_array_size(json_object_get(tl, "threads")), (size_t)s.n_points);
	assert_int_equal(json_array_size(json_object_get(tl, "processes")), (size_t)s.n_points);
	json_decref(j);
	sampler_release(&s);

	/* a sampler that never ran writes nulls, not zeros */
	memset(&s, 0, sizeof(s));
	j = summary_of(&s);
	assert_true(json_is_null(json_object_get(j, "threads_max")));
	assert_true(json_is_null(json_object_get(j, "sampler")));
	json_decref(j);
}

/* the tree's resident memory: summed when asked for, at least this process's, absent otherwise */
static void test_tree_rss(void **state)
{
	struct sampler s;
	char err[128];
	json_t *j;

	(void)state;
	assert_int_equal(sampler_start_tree(&s, getpid(), 1.0, 1, err, sizeof(err)), 0);
	wait_samples(&s, 2);
	sampler_stop(&s);
	assert_true(s.rss_kb_max > 100);
	j = summary_of(&s);
	assert_int_equal(json_integer_value(json_object_get(j, "rss_max_kb")), s.rss_kb_max);
	json_decref(j);
	sampler_release(&s);

	assert_int_equal(sampler_start(&s, getpid(), 1.0, err, sizeof(err)), 0);
	wait_samples(&s, 1);
	sampler_stop(&s);
	j = summary_of(&s);
	assert_null(json_object_get(j, "rss_max_kb"));
	json_decref(j);
	sampler_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_sees_started_threads),
		cmocka_unit_test(test_walk_sees_forked_processes),
		cmocka_unit_test(test_walk_of_missing_root_fails),
		cmocka_unit_test(test_sampler_max_mean_and_self),
		cmocka_unit_test(test_sampler_blocks_signals),
		cmocka_unit_test(test_timeline_is_bounded),
		cmocka_unit_test(test_summary_fields),
		cmocka_unit_test(test_tree_rss),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
