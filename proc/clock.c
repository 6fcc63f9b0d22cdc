/*
 * The clock, the liveness check, the stop flag and the spin budget (see clock.h).
 */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proc/clock.h"

volatile sig_atomic_t proc_stop_requested;

double proc_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

char proc_stat_state(const char *path)
{
	char buf[256], *paren;
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	/* the state follows the command name, which may itself hold ')' */
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' ? paren[2] : 0;
}

int proc_alive(pid_t pid)
{
	char path[64], state;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	state = proc_stat_state(path);
	return state && state != 'Z' && state != 'X';
}

void proc_catch_stop(void (*fn)(int sig))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int proc_cpus(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	return sched_getaffinity(0, sizeof(set), &set) ? -1 : CPU_COUNT(&set);
}

int proc_usable_cpus(void)
{
	long n = proc_cpus();

	if (n < 1)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : (int)n;
}

double proc_spin_budget_s(int party, int workers)
{
	int cpus = proc_cpus();

	if (workers < 1 || cpus < 2)
		return 0;
	if (workers + 1 <= cpus)
		return PROC_SPIN_S;
	return workers <= cpus && party >= 1 && party < cpus ? PROC_SPIN_S : 0;
}
