/*
 * The dispatch benchmarks' shared pieces (dispatch.h): the clock, medians of the recorded
 * calls, a call recorded against the floor of its placement, sleeps per iteration, pinning.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "strategies/strategy.h"
#include "dispatch.h"

char evopar_bin[4096];
cpu_set_t base_mask;
int cpu_a = -1, cpu_b = -1;

double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec * 1e-3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double median(double *v, int n)
{
	if (n <= 0)
		return 0;
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * The median over the calls the library reported. It calls a function with ever more
 * iterations until one lasts long enough, and reports that one; so a reported call is one
 * the next call of the same benchmark does not outgrow.
 */
double record_median(const struct record *r)
{
	double v[MAX_CALLS];
	int i, n = 0;

	for (i = 0; i < r->calls; i++)
		if (i == r->calls - 1 || r->iters[i + 1] <= r->iters[i])
			v[n++] = r->us[i];
	return median(v, n);
}

/* --- common to every benchmark -------------------------------------------------------- */

/*
 * Record one call, and report its multiple of the pipe round trip with the same placement:
 * unpinned, that floor depends on where the scheduler put the two ends (2.5 us on one core,
 * tens of us across two, from run to run); pinned, it does not.
 */
void finish(struct gbench_state *st, struct dbench *b, double t0, int failed)
{
	double us = now_us() - t0, fl;
	int64_t n = gbench_iterations(st);
	struct record *r = &b->rec;

	if (failed || n <= 0)
		return;
	us /= (double)n;
	if (r->calls < MAX_CALLS) {
		r->iters[r->calls] = n;
		r->us[r->calls++] = us;
	}
	fl = floor_us(b->pin);
	if (r != floor_rec[b->pin] && fl > 0)
		gbench_set_counter(st, "x_floor", us / fl, GBENCH_COUNTER_PLAIN);
}

static long sleeps_of(pid_t pid)
{
	char path[64], line[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "voluntary_ctxt_switches: %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

static long sleeps_sum(const struct sleeps *z)
{
	long sum = 0, v;
	int i;

	for (i = 0; i < z->n; i++) {
		v = sleeps_of(z->pid[i]);
		if (v < 0)
			return -1;
		sum += v;
	}
	return sum;
}

void sleeps_begin(struct sleeps *z, const pid_t *pid, int n)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	z->main = ru.ru_nvcsw;
	z->pid = pid;
	z->n = n;
	z->worker = sleeps_sum(z);
}

/* before the other side is stopped: its counts go with it */
void sleeps_end(struct gbench_state *st, const struct sleeps *z)
{
	int64_t n = gbench_iterations(st);
	struct rusage ru;
	long w = sleeps_sum(z);

	if (n <= 0)
		return;
	getrusage(RUSAGE_THREAD, &ru);
	gbench_set_counter(st, "sleeps_main", (double)(ru.ru_nvcsw - z->main) / (double)n,
			   GBENCH_COUNTER_PLAIN);
	if (z->n && w >= 0 && z->worker >= 0)
		gbench_set_counter(st, "sleeps_worker", (double)(w - z->worker) / (double)n,
				   GBENCH_COUNTER_PLAIN);
}

int fail(struct gbench_state *st, const char *what, int rc)
{
	char msg[STRATEGY_ERRLEN + 64];

	snprintf(msg, sizeof(msg), "%s: %s", what, strerror(-rc));
	gbench_skip_with_error(st, msg);
	return 1;
}

int pin_self(int cpu)
{
	cpu_set_t m;

	CPU_ZERO(&m);
	CPU_SET(cpu, &m);
	return sched_setaffinity(0, sizeof(m), &m) ? -errno : 0;
}
