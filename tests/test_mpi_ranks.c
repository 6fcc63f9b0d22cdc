/*
 * Unit tests for proc/mpi_ranks.c without mpirun: the dead-rank check looks only at ranks on
 * rank 0's host, the idle step gives up on a stop signal, a dead rank or its deadline and
 * otherwise backs off to a millisecond, and a failure record names a rank only on rank 0.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
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

/* A table of three ranks; rank i has pid[i] on host[i]. */
static void table(struct mpi_ranks *r, struct mpi_rank *all, int rank, const pid_t pid[3],
		  const char *const host[3])
{
	int i;

	memset(all, 0, 3 * sizeof(*all));
	for (i = 0; i < 3; i++) {
		all[i].pid = (int32_t)pid[i];
		snprintf(all[i].host, sizeof(all[i].host), "%s", host[i]);
	}
	r->rank = rank;
	r->size = 3;
	r->all = all;
}

static void test_check_names_a_dead_local_rank(void **state)
{
	const char *const host[3] = { "a", "a", "b" };
	pid_t pid[3] = { getpid(), dead_pid(), getpid() };
	struct mpi_rank all[3];
	struct mpi_failure f;
	struct mpi_ranks r;

	(void)state;
	table(&r, all, 0, pid, host);
	assert_int_equal(mpi_ranks_check(&r, &f), -ECHILD);
	assert_int_equal(f.rank, 1);
	assert_int_equal(f.pid, pid[1]);
	assert_string_equal(f.host, "a");
	assert_string_equal(f.how, "died");
	assert_int_equal(mpi_ranks_stopped(&r, &f), -ECHILD);
}

static void test_check_skips_other_hosts(void **state)
{
	const char *const host[3] = { "a", "a", "b" };
	pid_t pid[3] = { getpid(), getpid(), dead_pid() };
	struct mpi_rank all[3];
	struct mpi_failure f;
	struct mpi_ranks r;

	(void)state;
	table(&r, all, 0, pid, host);
	assert_true(mpi_ranks_local(&r, 1));
	assert_false(mpi_ranks_local(&r, 2));
	assert_int_equal(mpi_ranks_check(&r, &f), 0);
	assert_int_equal(mpi_ranks_stopped(&r, &f), -EINTR);
	assert_int_equal(f.rank, -1);
}

static void test_failure_record(void **state)
{
	const char *const host[3] = { "a", "a", "b" };
	pid_t pid[3] = { 10, 11, 12 };
	struct mpi_rank all[3];
	struct mpi_failure f;
	struct mpi_ranks r;

	(void)state;
	table(&r, all, 0, pid, host);
	assert_int_equal(mpi_ranks_fail(&f, &r, 2, -ETIMEDOUT, "late", MPI_SUCCESS), -ETIMEDOUT);
	assert_int_equal(f.rank, 2);
	assert_int_equal(f.pid, 12);
	assert_string_equal(f.host, "b");
	assert_string_equal(f.how, "late");
	/* only rank 0 holds the table */
	r.rank = 1;
	assert_int_equal(mpi_ranks_fail(&f, &r, 2, -EIO, "x", MPI_SUCCESS), -EIO);
	assert_int_equal(f.rank, 2);
	assert_int_equal(f.pid, 0);
	assert_string_equal(f.host, "");
	/* before the table exists */
	assert_int_equal(mpi_ranks_fail(&f, NULL, -1, -EIO, "MPI_Init", MPI_SUCCESS), -EIO);
	assert_string_equal(f.how, "MPI_Init");
}

static void test_idle_backs_off_and_gives_up(void **state)
{
	const char *const host[3] = { "a", "a", "a" };
	pid_t pid[3] = { getpid(), getpid(), getpid() };
	struct mpi_rank all[3];
	struct mpi_failure f;
	struct mpi_ranks r;
	struct mpi_idle w;
	long last = 0;
	int i;

	(void)state;
	table(&r, all, 0, pid, host);
	mpi_idle_start(&w, 0, 1);   /* no deadline */
	for (i = 0; i < 12; i++) {
		assert_int_equal(mpi_idle_step(&r, &w, &f), 0);
		assert_true(w.ns >= last && w.ns <= 2000000L);
		last = w.ns;
	}
	assert_true(last >= 1000000L);
	/* a deadline in the past */
	mpi_idle_start(&w, 1e-9, 1);
	usleep(1000);
	assert_int_equal(mpi_idle_step(&r, &w, &f), -ETIMEDOUT);
	/* a stop signal: given up on where watched, waited through where not */
	proc_stop_requested = 1;
	mpi_idle_start(&w, 0, 1);
	assert_int_equal(mpi_idle_step(&r, &w, &f), -EINTR);
	mpi_idle_start(&w, 0, 0);
	assert_int_equal(mpi_idle_step(&r, &w, &f), 0);
	proc_stop_requested = 0;
}

static void test_idle_on_rank_0_finds_a_dead_rank(void **state)
{
	const char *const host[3] = { "a", "a", "a" };
	pid_t pid[3] = { getpid(), getpid(), dead_pid() };
	struct mpi_rank all[3];
	struct mpi_failure f;
	struct mpi_ranks r;
	struct mpi_idle w;
	int i, rc = 0;

	(void)state;
	table(&r, all, 0, pid, host);
	mpi_idle_start(&w, 0, 1);
	w.check_at = 0;   /* due now */
	for (i = 0; i < 1000 && !rc; i++)
		rc = mpi_idle_step(&r, &w, &f);
	assert_int_equal(rc, -ECHILD);
	assert_int_equal(f.rank, 2);
	/* other ranks do not hold the table and never check */
	r.rank = 1;
	mpi_idle_start(&w, 0, 1);
	w.check_at = 0;
	assert_int_equal(mpi_idle_step(&r, &w, &f), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_names_a_dead_local_rank),
		cmocka_unit_test(test_check_skips_other_hosts),
		cmocka_unit_test(test_failure_record),
		cmocka_unit_test(test_idle_backs_off_and_gives_up),
		cmocka_unit_test(test_idle_on_rank_0_finds_a_dead_rank),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
