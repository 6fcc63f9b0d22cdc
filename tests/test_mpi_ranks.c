/*
 * Unit tests for proc/mpi_ranks.c without mpirun: the dead-rank check looks at ranks on rank
 * 0's host by pid and at linked ranks on other hosts by their link, the idle step gives up on a stop signal, a dead rank or its deadline and
 * otherwise backs off to a millisecond, and a failure record names a rank only on rank 0.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "proc/mpi_ranks.h"
#include "proc/proc.h"

/* A pid that was just used and is now free: a child that exited, reaped. */
static pid_t dead_pid(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return pid;
}

/* Three ranks as rank `rank` sees them: rank i has pid[i] on the host named hosts[i]. */
struct fixture {
	struct mpi_rank all[3];
	struct mpi_ranks r;
	struct mpi_failure f;
	struct mpi_idle w;
};

static void table(struct fixture *x, int rank, pid_t p0, pid_t p1, pid_t p2, const char *hosts)
{
	pid_t pid[3] = { p0, p1, p2 };
	int i;

	memset(x, 0, sizeof(*x));
	for (i = 0; i < 3; i++) {
		x->all[i].pid = (int32_t)pid[i];
		x->all[i].host[0] = hosts[i];
	}
	x->r.rank = rank;
	x->r.size = 3;
	x->r.all = x->all;
}

static void test_check_names_a_dead_local_rank(void **state)
{
	struct fixture x;
	pid_t dead = dead_pid();

	(void)state;
	table(&x, 0, getpid(), dead, getpid(), "aab");
	assert_int_equal(mpi_ranks_check(&x.r, &x.f), -ECHILD);
	assert_int_equal(x.f.rank, 1);
	assert_int_equal(x.f.pid, dead);
	assert_string_equal(x.f.host, "a");
	assert_string_equal(x.f.how, "died");
	assert_int_equal(mpi_ranks_stopped(&x.r, &x.f), -ECHILD);
}

static void test_check_skips_other_hosts(void **state)
{
	struct fixture x;

	(void)state;
	table(&x, 0, getpid(), getpid(), dead_pid(), "aab");
	assert_true(mpi_ranks_local(&x.r, 1));
	assert_false(mpi_ranks_local(&x.r, 2));
	assert_int_equal(mpi_ranks_check(&x.r, &x.f), 0);
	assert_int_equal(mpi_ranks_stopped(&x.r, &x.f), -EINTR);
	assert_int_equal(x.f.rank, -1);
}

/* A rank on another host linked: alive while its end is open, dead once it closes. */
static void test_check_follows_a_link(void **state)
{
	struct fixture x;
	int sv[2], link[3] = { -1, -1, -1 };

	(void)state;
	table(&x, 0, getpid(), getpid(), getpid(), "aab");
	assert_false(mpi_ranks_checked(&x.r, 2));
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	link[2] = sv[0];
	x.r.link = link;
	assert_true(mpi_ranks_checked(&x.r, 1));
	assert_true(mpi_ranks_checked(&x.r, 2));
	assert_int_equal(mpi_ranks_check(&x.r, &x.f), 0);
	close(sv[1]);   /* what the kernel does when the rank's process ends */
	assert_int_equal(mpi_ranks_check(&x.r, &x.f), -ECHILD);
	assert_int_equal(x.f.rank, 2);
	assert_string_equal(x.f.host, "b");
	assert_int_equal(mpi_ranks_stopped(&x.r, &x.f), -ECHILD);
	close(sv[0]);
}

static void test_failure_record(void **state)
{
	struct fixture x;

	(void)state;
	table(&x, 0, 10, 11, 12, "aab");
	assert_int_equal(mpi_ranks_fail(&x.f, &x.r, 2, -ETIMEDOUT, "late", MPI_SUCCESS),
			 -ETIMEDOUT);
	assert_int_equal(x.f.rank, 2);
	assert_int_equal(x.f.pid, 12);
	assert_string_equal(x.f.host, "b");
	assert_string_equal(x.f.how, "late");
	/* only rank 0 holds the table */
	x.r.rank = 1;
	assert_int_equal(mpi_ranks_fail(&x.f, &x.r, 2, -EIO, "x", MPI_SUCCESS), -EIO);
	assert_int_equal(x.f.rank, 2);
	assert_int_equal(x.f.pid, 0);
	assert_string_equal(x.f.host, "");
	/* before the table exists */
	assert_int_equal(mpi_ranks_fail(&x.f, NULL, -1, -EIO, "MPI_Init", MPI_SUCCESS), -EIO);
	assert_string_equal(x.f.how, "MPI_Init");
}

static void test_idle_backs_off_and_gives_up(void **state)
{
	struct fixture x;
	long last = 0;
	int i;

	(void)state;
	table(&x, 0, getpid(), getpid(), getpid(), "aaa");
	mpi_idle_start(&x.w, 0, 1);   /* no deadline */
	for (i = 0; i < 12; i++) {
		assert_int_equal(mpi_idle_step(&x.r, &x.w, &x.f), 0);
		assert_true(x.w.ns >= last && x.w.ns <= 2000000L);
		last = x.w.ns;
	}
	assert_true(last >= 1000000L);
	/* a deadline in the past */
	mpi_idle_start(&x.w, 1e-9, 1);
	usleep(1000);
	assert_int_equal(mpi_idle_step(&x.r, &x.w, &x.f), -ETIMEDOUT);
	/* a stop signal: given up on where watched, waited through where not */
	proc_stop_requested = 1;
	mpi_idle_start(&x.w, 0, 1);
	assert_int_equal(mpi_idle_step(&x.r, &x.w, &x.f), -EINTR);
	mpi_idle_start(&x.w, 0, 0);
	assert_int_equal(mpi_idle_step(&x.r, &x.w, &x.f), 0);
	proc_stop_requested = 0;
}

static void test_idle_on_rank_0_finds_a_dead_rank(void **state)
{
	struct fixture x;
	int i, rc = 0;

	(void)state;
	table(&x, 0, getpid(), getpid(), dead_pid(), "aaa");
	mpi_idle_start(&x.w, 0, 1);
	x.w.check_at = 0;   /* due now */
	for (i = 0; i < 1000 && !rc; i++)
		rc = mpi_idle_step(&x.r, &x.w, &x.f);
	assert_int_equal(rc, -ECHILD);
	assert_int_equal(x.f.rank, 2);
	/* other ranks do not hold the table and never check */
	x.r.rank = 1;
	mpi_idle_start(&x.w, 0, 1);
	x.w.check_at = 0;
	assert_int_equal(mpi_idle_step(&x.r, &x.w, &x.f), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_names_a_dead_local_rank),
		cmocka_unit_test(test_check_skips_other_hosts),
		cmocka_unit_test(test_check_follows_a_link),
		cmocka_unit_test(test_failure_record),
		cmocka_unit_test(test_idle_backs_off_and_gives_up),
		cmocka_unit_test(test_idle_on_rank_0_finds_a_dead_rank),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
