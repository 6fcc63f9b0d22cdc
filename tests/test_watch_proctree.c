/*
 * Unit tests for harness/instruments/proctree.c, the reader under evopar watch: a snapshot
 * sees each thread's name and state (a futex wait where the kernel shows it, a spinning thread
 * runnable), child processes with their parent, the thread caps of a process's environment;
 * files kept open pass from one snapshot to the next and none is left open.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness/instruments/proctree.h"
#include "proc/clock.h"

#define WAITERS 3

struct crowd {
	pthread_t waiter[WAITERS], spinner;
	pid_t waiter_tid[WAITERS], spinner_tid;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	atomic_int started, stop;
	int go;
};

static void *waiter(void *arg)
{
	struct crowd *c = arg;

	pthread_mutex_lock(&c->lock);
	c->waiter_tid[atomic_fetch_add(&c->started, 1)] = gettid();
	while (!c->go)
		pthread_cond_wait(&c->cond, &c->lock);
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

static void *spinner(void *arg)
{
	struct crowd *c = arg;
	volatile unsigned long x = 0;

	c->spinner_tid = gettid();
	pthread_setname_np(pthread_self(), "spinner");
	while (!atomic_load(&c->stop))
		x++;
	return NULL;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* thread tid's state letter from /proc (0 when unreadable) */
static char thread_state(pid_t tid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	return proc_stat_state(path);
}

/* thread tid's CPU seconds from its schedstat (0 when unreadable) */
static double thread_run_s(pid_t tid)
{
	char path[64];
	unsigned long long ns = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat", (int)tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &ns) != 1)
		ns = 0;
	fclose(f);
	return (double)ns * 1e-9;
}

/*
 * Until every waiter sleeps in its wait and the spinner has spun 20 ms: on a loaded machine
 * the scheduler decides when that is, so the tests wait for it (10 s at most, a liveness
 * bound) instead of assuming a fixed sleep was enough.
 */
static void settle(struct crowd *c)
{
	int i, tries, asleep;

	for (tries = 0; tries < 10000; tries++) {
		for (i = asleep = 0; i < WAITERS; i++)
			asleep += thread_state(c->waiter_tid[i]) == 'S';
		if (asleep == WAITERS && thread_run_s(c->spinner_tid) > 0.02)
			return;
		sleep_ms(1);
	}
	fail_msg("the crowd did not settle within 10 s");
}

/* until the spinner has run again since before (10 s at most) */
static void spinner_runs(const struct crowd *c, double before)
{
	int tries;

	for (tries = 0; tries < 10000 && thread_run_s(c->spinner_tid) <= before + 0.005; tries++)
		sleep_ms(1);
}

static void crowd_stop(struct crowd *c);

/*
 * The one crowd, in static storage: a test that fails midway leaves its threads running
 * (cmocka jumps out), and the next crowd_start stops them before it starts its own.
 */
static struct crowd the_crowd;
static int crowd_live;

static struct crowd *crowd_start(void)
{
	struct crowd *c = &the_crowd;
	int i;

	if (crowd_live)
		crowd_stop(c);
	memset(c, 0, sizeof(*c));
	crowd_live = 1;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	for (i = 0; i < WAITERS; i++)
		assert_int_equal(pthread_create(&c->waiter[i], NULL, waiter, c), 0);
	assert_int_equal(pthread_create(&c->spinner, NULL, spinner, c), 0);
	while (atomic_load(&c->started) < WAITERS || !c->spinner_tid)
		sleep_ms(1);
	settle(c);
	return c;
}

static void crowd_stop(struct crowd *c)
{
	int i;

	pthread_mutex_lock(&c->lock);
	c->go = 1;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	atomic_store(&c->stop, 1);
	for (i = 0; i < WAITERS; i++)
		pthread_join(c->waiter[i], NULL);
	pthread_join(c->spinner, NULL);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
	crowd_live = 0;
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;              /* the directory's own */
}

static void test_threads_states_and_names(void **state)
{
	struct pt_snapshot s = { 0 };
	const struct pt_thread *t;
	struct crowd *c;
	int i;

	(void)state;
	c = crowd_start();
	assert_int_equal(proctree_snapshot(&s, NULL, getpid(), 0), 0);
	assert_int_equal(s.n_procs, 1);
	assert_int_equal(s.procs[0].pid, getpid());
	assert_int_equal(s.procs[0].ppid, getppid());
	assert_true(s.procs[0].rss_kb > 0);
	assert_true(s.n_threads >= 2 + WAITERS);
	assert_int_equal(s.procs[0].n, s.n_threads);
	t = proctree_find(&s, c->spinner_tid);
	assert_non_null(t);
	assert_string_equal(t->comm, "spinner");
	assert_int_equal(t->state, 'R');
	assert_true(t->run_s > 0.01);
	for (i = 0; i < WAITERS; i++) {
		t = proctree_find(&s, c->waiter_tid[i]);
		assert_non_null(t);
		/* a condition wait is a futex wait, where the kernel lets us read the system call */
		assert_int_equal(t->state, s.futex_visible ? 'F' : 'S');
	}
	assert_null(proctree_find(&s, 0x7ffffff0));
	crowd_stop(c);
	proctree_release(&s);
}

/* a thread that has not run since keeps its values; the spinner's CPU time grows */
static void test_second_snapshot(void **state)
{
	struct pt_snapshot a = { 0 }, b = { 0 };
	const struct pt_thread *ta, *tb;
	struct crowd *c;

	(void)state;
	c = crowd_start();
	assert_int_equal(proctree_snapshot(&a, NULL, getpid(), 0), 0);
	ta = proctree_find(&a, c->spinner_tid);
	assert_non_null(ta);
	spinner_runs(c, ta->run_s);
	assert_int_equal(proctree_snapshot(&b, &a, getpid(), 0), 0);
	ta = proctree_find(&a, c->waiter_tid[0]);
	tb = proctree_find(&b, c->waiter_tid[0]);
	assert_non_null(ta);
	assert_non_null(tb);
	assert_int_equal(tb->state, ta->state);
	assert_int_equal(tb->vol, ta->vol);
	assert_true(tb->run_s == ta->run_s);
	ta = proctree_find(&a, c->spinner_tid);
	tb = proctree_find(&b, c->spinner_tid);
	assert_true(tb->run_s > ta->run_s);
	assert_true(tb->wait_s >= ta->wait_s);
	crowd_stop(c);
	proctree_release(&a);
	proctree_release(&b);
}

/*
 * The files pass from snapshot to snapshot: at most one per kind and thread, opened as they are
 * first needed (a thread that has not run needs its stat), so their number never passes that
 * bound however many snapshots are taken (a loaded machine decides which threads ran, so the
 * exact number may still grow by a file or two); release closes them all.
 */
static void test_files_handed_over(void **state)
{
	struct pt_snapshot s[2] = { { 0 }, { 0 } };
	struct crowd *c;
	int before, during, k;

	(void)state;
	before = open_fds();
	c = crowd_start();
	assert_int_equal(proctree_snapshot(&s[0], NULL, getpid(), 0), 0);
	assert_true(open_fds() > before);
	assert_int_equal(proctree_snapshot(&s[1], &s[0], getpid(), 0), 0);
	during = open_fds();
	assert_true(during <= before + PT_FILES * s[1].n_threads);
	for (k = 2; k < 10; k++) {
		assert_int_equal(proctree_snapshot(&s[k % 2], &s[!(k % 2)], getpid(), 0), 0);
		assert_true(open_fds() >= during);      /* none closed while its thread lives */
		assert_true(open_fds() <= before + PT_FILES * s[k % 2].n_threads);
		during = open_fds();
	}
	crowd_stop(c);
	/* the crowd's threads have ended: the next snapshot closes what was theirs */
	assert_int_equal(proctree_snapshot(&s[0], &s[1], getpid(), 0), 0);
	assert_true(open_fds() < during);
	proctree_release(&s[0]);
	proctree_release(&s[1]);
	assert_int_equal(open_fds(), before);
}

/* a child (exec'd with a thread cap in its environment) is a process of the tree */
static void test_child_and_its_caps(void **state)
{
	char *const argv[] = { "sleep", "5", NULL };
	char *const envp[] = { "OMP_NUM_THREADS=3", "PATH=/usr/bin:/bin", NULL };
	struct pt_snapshot s = { 0 };
	char caps[256];
	pid_t pid;
	int i, seen = 0, status;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execve("/bin/sleep", argv, envp);
		_exit(127);
	}
	for (i = 0; i < 200 && !seen; i++) {      /* until the exec has happened */
		sleep_ms(10);
		assert_int_equal(proctree_snapshot(&s, NULL, getpid(), 0), 0);
		seen = s.n_procs == 2 && !strcmp(s.procs[1].comm, "sleep");
	}
	assert_true(seen);
	assert_int_equal(s.procs[1].pid, pid);
	assert_int_equal(s.procs[1].ppid, getpid());
	assert_int_equal(proctree_thread_caps(pid, caps, sizeof(caps)), 0);
	assert_string_equal(caps, "OMP_NUM_THREADS=3, OPENBLAS_NUM_THREADS unset, MKL_NUM_THREADS unset");
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	assert_int_equal(proctree_snapshot(&s, NULL, 0x7ffffff0, 0), -ENOENT);
	proctree_release(&s);
}

static void test_machine(void **state)
{
	struct pt_machine m = { 0 };
	int online, affinity;

	(void)state;
	proctree_cores(getpid(), &online, &affinity);
	assert_true(online >= 1);
	assert_true(affinity >= 1 && affinity <= online);
	assert_true(proctree_machine_busy(&m, online) < 0);      /* the first call: no interval */
	sleep_ms(20);
	assert_true(proctree_machine_busy(&m, online) >= 0);
	assert_true(proctree_load_1m() >= 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads_states_and_names),
		cmocka_unit_test(test_second_snapshot),
		cmocka_unit_test(test_files_handed_over),
		cmocka_unit_test(test_child_and_its_caps),
		cmocka_unit_test(test_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
