/*
 * Unit tests for proc/pool.c: workers forked on a small echo function (through pipes and
 * through shared memory) or exec'd (cat on fds 3 and 4), wait_any over the busy ones, and
 * the one failure record: a worker that exits or is killed, hangs, or writes garbage is
 * named with its pid and how it ended; a stop leaves no child of this process behind; waits
 * that spin before they sleep, and the rule that allows them.
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "proc/proc.h"

enum { T_ECHO = 1, T_EXIT, T_KILL, T_HANG, T_GARBAGE };

/* The worker: echo each message back with its id appended, or act out what the type says. */
static int echo_worker(void *ctx, struct chan *c, int id)
{
	(void)ctx;
	for (;;) {
		struct msg_header junk = { .type = 7, .len = 0xffffff00u };
		const uint8_t *in;
		uint8_t *out;
		uint32_t type;
		size_t len;
		int rc = chan_recv(c, &type, &in, &len);

		if (rc == -EPIPE)
			return 0;
		if (rc)
			return 100;
		if (type == T_EXIT)
			return 3;
		if (type == T_KILL)
			raise(SIGKILL);
		while (type == T_HANG)
			pause();
		if (type == T_GARBAGE) {
			fd_write_full(c->wfd, &junk, sizeof(junk), 0);
			continue;
		}
		out = chan_reserve(c, len + sizeof(int32_t));
		if (!out)
			return 101;
		memcpy(out, in, len);
		memcpy(out + len, &id, sizeof(int32_t));
		if (chan_send(c, type, len + sizeof(int32_t)))
			return 102;
	}
}

static void start(struct pool *pl, int n, size_t shm_bytes, double timeout_s)
{
	struct pool_spec spec = { .n = n, .fn = echo_worker, .shm_bytes = shm_bytes,
				  .timeout_s = timeout_s, .timeout_name = "--test-timeout" };
	char err[200];

	assert_int_equal(pool_start(pl, &spec, err, sizeof(err)), 0);
	assert_int_equal(pl->n, n);
}

static void send_word(struct pool *pl, int w, uint32_t type, uint32_t word)
{
	uint8_t *out = chan_reserve(&pl->w[w].ch, sizeof(word));

	assert_non_null(out);
	memcpy(out, &word, sizeof(word));
	assert_int_equal(pool_send(pl, w, type, sizeof(word)), 0);
	assert_true(pl->w[w].busy);
}

/* no child of this process is left, zombies included */
static void assert_no_child(void)
{
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void echo_round(size_t shm_bytes)
{
	struct pool pl;
	int seen[3] = { 0 }, k, w;

	start(&pl, 3, shm_bytes, 10.0);
	for (w = 0; w < 3; w++) {
		assert_true(pl.w[w].pid > 0);
		assert_int_equal(getpgid((pid_t)pl.w[w].pid), pl.pgid);
		send_word(&pl, w, T_ECHO, 1000u + (uint32_t)w);
	}
	for (k = 0; k < 3; k++) {
		const uint8_t *in;
		uint32_t type, word;
		int32_t id;
		size_t len;

		assert_int_equal(pool_wait_any(&pl, &w), 0);
		assert_int_equal(pool_recv(&pl, w, &type, &in, &len), 0);
		assert_int_equal(type, T_ECHO);
		assert_int_equal(len, sizeof(word) + sizeof(id));
		memcpy(&word, in, sizeof(word));
		memcpy(&id, in + sizeof(word), sizeof(id));
		assert_int_equal(word, 1000u + (uint32_t)w);
		assert_int_equal(id, w);
		assert_false(pl.w[w].busy);
		seen[w]++;
	}
	assert_int_equal(seen[0] + seen[1] + seen[2], 3);
	assert_int_equal(seen[0] * seen[1] * seen[2], 1);
	/* every reply taken: nobody is busy, so there is nothing to wait for */
	assert_int_equal(pool_wait_any(&pl, &w), -ENOENT);
	pool_stop(&pl, 1.0);
	assert_null(pl.w);
	assert_no_child();
}

static void test_echo_pipes(void **state)
{
	(void)state;
	echo_round(0);
}

static void test_echo_shm(void **state)
{
	(void)state;
	echo_round(4096);
}

/* a program by exec, its channel on fds 3 and 4: cat sends every message straight back */
static void test_exec(void **state)
{
	char *argv[] = { "/bin/sh", "-c", "exec cat <&3 >&4", NULL };
	struct pool_spec spec = { .n = 1, .argv = argv, .timeout_s = 10.0 };
	struct pool pl;
	const uint8_t *in;
	uint32_t type, word;
	size_t len;
	char err[200];
	int w;

	(void)state;
	assert_int_equal(pool_start(&pl, &spec, err, sizeof(err)), 0);
	send_word(&pl, 0, 42, 0xabcdef);
	assert_int_equal(pool_wait_any(&pl, &w), 0);
	assert_int_equal(w, 0);
	assert_int_equal(pool_recv(&pl, 0, &type, &in, &len), 0);
	memcpy(&word, in, sizeof(word));
	assert_int_equal(type, 42);
	assert_int_equal(word, 0xabcdef);
	pool_stop(&pl, 1.0);
	assert_no_child();
}

/* A worker that ends: wait_any sees it hang up, the receive says so, the record says how. */
static void ended(uint32_t how, int signal, const char *words)
{
	struct worker_fail f;
	struct pool pl;
	const uint8_t *in;
	uint32_t type;
	size_t len;
	long pid;
	int w, rc;

	start(&pl, 2, 0, 10.0);
	pid = pl.w[1].pid;
	send_word(&pl, 1, how, 0);
	assert_int_equal(pool_wait_any(&pl, &w), 0);
	assert_int_equal(w, 1);
	rc = pool_recv(&pl, 1, &type, &in, &len);
	assert_int_equal(rc, -EPIPE);
	assert_int_equal(pool_fail(&pl, 1, rc, &f), -EPIPE);
	assert_int_equal(f.worker, 1);
	assert_int_equal(f.pid, pid);
	assert_int_equal(f.code, -EPIPE);
	assert_int_equal(f.signal, signal);
	assert_string_equal(f.how, words);
	assert_int_equal(pl.w[1].c.pid, 0);   /* reaped to learn how it ended */
	pool_stop(&pl, 0);
	assert_no_child();
}

static void test_exit_described(void **state)
{
	(void)state;
	ended(T_EXIT, 0, "exited with code 3");
}

static void test_kill_described(void **state)
{
	(void)state;
	ended(T_KILL, SIGKILL, "killed by signal 9 (Killed)");
}

/* Worker 1 hangs: worker 0's reply comes first, then worker 1's deadline names it. */
static void test_hang_times_out(void **state)
{
	struct worker_fail f;
	struct pool pl;
	const uint8_t *in;
	uint32_t type;
	size_t len;
	int w;

	(void)state;
	start(&pl, 2, 0, 0.3);
	send_word(&pl, 1, T_HANG, 0);
	send_word(&pl, 0, T_ECHO, 5);
	assert_int_equal(pool_wait_any(&pl, &w), 0);
	assert_int_equal(w, 0);
	assert_int_equal(pool_recv(&pl, 0, &type, &in, &len), 0);
	assert_int_equal(pool_wait_any(&pl, &w), -ETIMEDOUT);
	assert_int_equal(w, 1);
	assert_int_equal(pool_fail(&pl, 1, -ETIMEDOUT, &f), -ETIMEDOUT);
	assert_int_equal(f.worker, 1);
	assert_int_equal(f.pid, pl.w[1].pid);
	assert_int_equal(f.signal, 0);
	assert_string_equal(f.how, "no reply within --test-timeout 0.3 s");
	/* a stopped worker too is killed and reaped: SIGKILL ends even a stopped process */
	kill((pid_t)pl.w[0].pid, SIGSTOP);
	pool_stop(&pl, 0);
	assert_no_child();
}

static void test_garbage(void **state)
{
	struct worker_fail f;
	struct pool pl;
	const uint8_t *in;
	uint32_t type;
	size_t len;
	int w, rc;

	(void)state;
	start(&pl, 1, 0, 10.0);
	send_word(&pl, 0, T_GARBAGE, 0);
	assert_int_equal(pool_wait_any(&pl, &w), 0);
	rc = pool_recv(&pl, 0, &type, &in, &len);
	assert_int_equal(rc, -EBADMSG);
	assert_int_equal(type, 7);            /* the header that was refused */
	assert_int_equal(len, 0xffffff00u);
	pool_fail(&pl, 0, rc, &f);
	assert_string_equal(f.how, "wrote a malformed message");
	pool_stop(&pl, 0);
	assert_no_child();
}

static void test_stop_request(void **state)
{
	struct pool pl;
	int w;

	(void)state;
	start(&pl, 1, 0, 10.0);
	send_word(&pl, 0, T_HANG, 0);
	proc_stop_requested = 1;
	assert_int_equal(pool_wait_any(&pl, &w), -EINTR);
	proc_stop_requested = 0;
	pool_stop(&pl, 0);
	assert_no_child();
}

/* The spin budget follows the CPUs this process may use: everyone spins where main and
   workers fit, all workers but one where only they fit, nobody beyond. */
static void test_spin_budget_follows_the_cpus(void **state)
{
	cpu_set_t saved, one, two;
	int cpu, n = 0;

	(void)state;
	assert_int_equal(sched_getaffinity(0, sizeof(saved), &saved), 0);
	CPU_ZERO(&one);
	CPU_ZERO(&two);
	for (cpu = 0; cpu < CPU_SETSIZE && n < 2; cpu++)
		if (CPU_ISSET(cpu, &saved)) {
			if (!n)
				CPU_SET(cpu, &one);
			CPU_SET(cpu, &two);
			n++;
		}
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	assert_true(proc_spin_budget_s(0, 1) == 0);
	assert_true(proc_spin_budget_s(1, 1) == 0);
	if (n == 2) {
		assert_int_equal(sched_setaffinity(0, sizeof(two), &two), 0);
		assert_true(proc_spin_budget_s(0, 1) == PROC_SPIN_S);
		assert_true(proc_spin_budget_s(1, 1) == PROC_SPIN_S);
		assert_true(proc_spin_budget_s(0, 2) == 0);
		assert_true(proc_spin_budget_s(1, 2) == PROC_SPIN_S);
		assert_true(proc_spin_budget_s(2, 2) == 0);
		assert_true(proc_spin_budget_s(1, 3) == 0);
		assert_true(proc_spin_budget_s(0, 0) == 0);
	} else {
		print_message("only one CPU here: the two-CPU rules are not checked\n");
	}
	assert_int_equal(sched_setaffinity(0, sizeof(saved), &saved), 0);
}

/* A wait that spins first ends as one that sleeps: with data that comes during the spin or
   after it, at a deadline shorter than the spin, at a stop request, and at the writer's end. */
static void test_spinning_wait(void **state)
{
	int fds[2];
	uint32_t word = 0;
	double t;
	pid_t pid;

	(void)state;
	wire_set_spin(PROC_SPIN_S);
	assert_int_equal(pipe(fds), 0);
	t = proc_now_s();
	assert_int_equal(fd_read_full(fds[0], &word, sizeof(word), t + 200e-6), -ETIMEDOUT);
	proc_stop_requested = 1;
	assert_int_equal(fd_read_full(fds[0], &word, sizeof(word), 0), -EINTR);
	proc_stop_requested = 0;
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		uint32_t a = 11, b = 22;

		close(fds[0]);
		usleep(100);            /* within the spin */
		if (write(fds[1], &a, sizeof(a)) != sizeof(a))
			_exit(1);
		usleep(20000);          /* well past it: the wait sleeps */
		if (write(fds[1], &b, sizeof(b)) != sizeof(b))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(fd_read_full(fds[0], &word, sizeof(word), proc_now_s() + 10), 0);
	assert_int_equal(word, 11);
	assert_int_equal(fd_read_full(fds[0], &word, sizeof(word), proc_now_s() + 10), 0);
	assert_int_equal(word, 22);
	assert_int_equal(fd_read_full(fds[0], &word, sizeof(word), proc_now_s() + 10), -EPIPE);
	close(fds[0]);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	/* the forked workers inherit it: the echo and the failure paths are unchanged */
	echo_round(0);
	echo_round(4096);
	wire_set_spin(0);
	assert_no_child();
}

static void test_bad_spec(void **state)
{
	struct pool_spec none = { .n = 0, .fn = echo_worker };
	struct pool_spec nothing = { .n = 1 };
	struct pool pl;
	char err[200];

	(void)state;
	assert_int_equal(pool_start(&pl, &none, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "pool:"));
	assert_int_equal(pool_start(&pl, &nothing, err, sizeof(err)), -EINVAL);
	pool_stop(&pl, 0);                   /* safe on a pool that never started */
	assert_no_child();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_pipes),
		cmocka_unit_test(test_echo_shm),
		cmocka_unit_test(test_exec),
		cmocka_unit_test(test_exit_described),
		cmocka_unit_test(test_kill_described),
		cmocka_unit_test(test_hang_times_out),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_stop_request),
		cmocka_unit_test(test_bad_spec),
		cmocka_unit_test(test_spin_budget_follows_the_cpus),
		cmocka_unit_test(test_spinning_wait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
