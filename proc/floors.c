/*
 * The floors of the process primitives, timed bare on this machine: fork+wait, posix_spawn+wait
 * and a one-byte pipe round trip to a child. Deliberately not through child.c: they measure
 * the primitives themselves, beneath everything the child API adds.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc/clock.h"
#include "proc/floors.h"

#define WARMUP_PIPE 50            /* round trips before timing: the child may not be pinned yet */

extern char **environ;

static int wait_child(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -ECHILD;
}

int proc_floor_fork(double *us, int reps, char *err, size_t errlen)
{
	int i, rc;

	for (i = 0; i < reps; i++) {
		double t = proc_now_s();
		pid_t pid = fork();

		if (pid < 0) {
			snprintf(err, errlen, "fork: %s", strerror(errno));
			return -errno;
		}
		if (pid == 0)
			_exit(0);
		rc = wait_child(pid);
		if (rc) {
			snprintf(err, errlen, "fork: the child did not exit cleanly");
			return rc;
		}
		us[i] = (proc_now_s() - t) * 1e6;
	}
	return 0;
}

/* posix_spawn path with argv, its stdout and stderr on /dev/null */
int proc_floor_spawn(double *us, int reps, const char *path, char *const argv[],
		      char *err, size_t errlen)
{
	posix_spawn_file_actions_t fa;
	int i, rc = 0;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	for (i = 0; i < reps; i++) {
		double t = proc_now_s();
		pid_t pid;

		rc = -posix_spawn(&pid, path, &fa, NULL, argv, environ);
		if (rc) {
			snprintf(err, errlen, "posix_spawn %s: %s", path, strerror(-rc));
			break;
		}
		rc = wait_child(pid);
		if (rc) {
			snprintf(err, errlen, "%s did not exit 0", path);
			break;
		}
		us[i] = (proc_now_s() - t) * 1e6;
	}
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

static int pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/* The echoing child: each byte read is written back, until end of file. */
static void echo_child(int in, int out, int cpu)
{
	char b;

	if (cpu >= 0)
		pin_to(cpu);
	while (read(in, &b, 1) == 1)
		if (write(out, &b, 1) != 1)
			break;
	_exit(0);
}

/* Round trips of one byte to a child and back; cpu_self / cpu_child < 0: not pinned. */
int proc_floor_pipe(double *us, int reps, int cpu_self, int cpu_child, char *err, size_t errlen)
{
	int down[2], up[2], i, rc = 0;
	cpu_set_t saved;
	pid_t pid;
	char b = 'x';

	if (pipe(down)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -errno;
	}
	if (pipe(up)) {
		rc = -errno;
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto close_down;
	}
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		snprintf(err, errlen, "fork: %s", strerror(errno));
		goto close_up;
	}
	if (pid == 0) {
		close(down[1]);
		close(up[0]);
		echo_child(down[0], up[1], cpu_child);
	}
	sched_getaffinity(0, sizeof(saved), &saved);
	if (cpu_self >= 0)
		pin_to(cpu_self);
	for (i = -WARMUP_PIPE; i < reps; i++) {
		double t = proc_now_s();

		if (write(down[1], &b, 1) != 1 || read(up[0], &b, 1) != 1) {
			rc = -EPIPE;
			snprintf(err, errlen, "pipe round trip: the echoing child stopped answering");
			break;
		}
		if (i >= 0)
			us[i] = (proc_now_s() - t) * 1e6;
	}
	sched_setaffinity(0, sizeof(saved), &saved);
	close(down[1]);       /* the child reads end of file and exits */
	down[1] = -1;
	wait_child(pid);
close_up:
	close(up[0]);
	close(up[1]);
close_down:
	close(down[0]);
	if (down[1] >= 0)
		close(down[1]);
	return rc;
}
