/*
 * The machine's parallel capacity for a benchmark's compute (calibrate.h): the run's own
 * sequential evolution timed alone and as N copies at once, each copy a thread with its own
 * population, so that a speedup can be read against what N cores really give here.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "harness/instruments/calibrate.h"
#include "proc/clock.h"
#include "reports/stats.h"

#define TARGET_S 0.2              /* one copy alone runs about this long, or its gens */
#define ROUNDS 3                  /* N = 1 .. cores in turn, this often: drift hits all alike */

/* the copies' common start: none begins before every thread exists, or all give up */
struct start_gate {
	pthread_mutex_t lock;
	pthread_cond_t open;
	int state;                /* 0 closed, 1 go, -1 give up */
};

struct copy {
	pthread_t thread;
	struct start_gate *gate;
	const struct evo_config *cfg;
	int rc;
	char err[256];
};

static void *copy_main(void *arg)
{
	struct copy *c = arg;
	struct evolve_result res;
	int state;

	pthread_mutex_lock(&c->gate->lock);
	while (!c->gate->state)
		pthread_cond_wait(&c->gate->open, &c->gate->lock);
	state = c->gate->state;
	pthread_mutex_unlock(&c->gate->lock);
	if (state > 0)
		c->rc = engine_evolve(c->cfg, &res, c->err, sizeof(c->err));
	return NULL;
}

static void gate_set(struct start_gate *g, int state)
{
	pthread_mutex_lock(&g->lock);
	g->state = state;
	pthread_cond_broadcast(&g->open);
	pthread_mutex_unlock(&g->lock);
}

/* n copies of cfg at once: the wall seconds from their common start to the last one's end */
static int run_copies(const struct evo_config *cfg, int n, double *wall_s, char *err, size_t errlen)
{
	struct start_gate gate = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 };
	struct copy *c = calloc((size_t)n, sizeof(*c));
	int i, started = 0, rc = 0;
	double t0;

	if (!c) {
		snprintf(err, errlen, "capacity: out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < n && !rc; i++) {
		c[i] = (struct copy){ .gate = &gate, .cfg = cfg };
		rc = -pthread_create(&c[i].thread, NULL, copy_main, &c[i]);
		started += !rc;
	}
	if (rc)
		snprintf(err, errlen, "capacity: starting copy %d of %d: %s", started + 1, n, strerror(-rc));
	t0 = proc_now_s();
	gate_set(&gate, rc ? -1 : 1);
	for (i = 0; i < started; i++) {
		pthread_join(c[i].thread, NULL);
		if (!rc && c[i].rc) {
			rc = c[i].rc;
			snprintf(err, errlen, "capacity: copy %d: %s", i, c[i].err);
		}
	}
	*wall_s = proc_now_s() - t0;
	pthread_cond_destroy(&gate.open);
	pthread_mutex_destroy(&gate.lock);
	free(c);
	return rc;
}

/* the cores this process may run on (its affinity mask), at most CAPACITY_MAX_COPIES */
static int usable_cores(void)
{
	int n = proc_usable_cpus();

	return n < CAPACITY_MAX_COPIES ? n : CAPACITY_MAX_COPIES;
}

/* Generations for one copy alone to take about TARGET_S: doubled from 1, at most the run's. */
static int size_copies(struct capacity *cap, char *err, size_t errlen)
{
	double wall = 0;
	int rc;

	for (cap->evo.gens = 1;; cap->evo.gens *= 2) {
		rc = run_copies(&cap->evo, 1, &wall, err, errlen);
		if (rc || wall >= TARGET_S || cap->evo.gens * 2 > cap->gens)
			break;
	}
	cap->gens = cap->evo.gens;
	return rc;
}

int calibrate_capacity(struct calibration *c, const struct evo_config *evo, const char *why_not,
		       char *err, size_t errlen)
{
	struct capacity *cap = &c->capacity;
	double t0 = proc_now_s(), *wall;
	int n, r, rc;

	memset(cap, 0, sizeof(*cap));
	if (!evo) {
		snprintf(cap->skipped, sizeof(cap->skipped), "%s", why_not ? why_not : "no workload");
		return 0;
	}
	cap->evo = *evo;
	cap->gens = evo->gens;
	cap->rounds = ROUNDS;
	cap->cores = usable_cores();
	if (getloadavg(&cap->load_avg, 1) != 1)
		cap->load_avg = -1;
	wall = malloc(sizeof(*wall) * (size_t)cap->cores * ROUNDS);
	rc = wall ? size_copies(cap, err, errlen) : -ENOMEM;
	for (r = 0; !rc && r < ROUNDS; r++)
		for (n = 1; !rc && n <= cap->cores; n++)
			rc = run_copies(&cap->evo, n, &wall[(n - 1) * ROUNDS + r], err, errlen);
	for (n = 1; !rc && n <= cap->cores; n++) {
		cap->ms[n - 1] = stats_median(&wall[(n - 1) * ROUNDS], ROUNDS) * 1e3;
		cap->ratio[n - 1] = n * cap->ms[0] / cap->ms[n - 1];
	}
	if (rc == -ENOMEM && !wall)
		snprintf(err, errlen, "capacity: out of memory");
	free(wall);
	cap->elapsed_s = proc_now_s() - t0;
	return rc;
}

void capacity_write(struct jw *w, const struct capacity *cap)
{
	double copies[CAPACITY_MAX_COPIES];
	int n;

	jw_obj_begin(w, "capacity");
	jw_str(w, "what", "the run's sequential evolution alone and as N copies at once (a thread "
		   "each, its own population): capacity = N x one copy's time / N copies' time");
	if (cap->skipped[0]) {
		jw_str(w, "skipped", cap->skipped);
		jw_obj_end(w);
		return;
	}
	for (n = 0; n < cap->cores; n++)
		copies[n] = n + 1;
	jw_int(w, "cores", cap->cores);
	jw_int(w, "pop", cap->evo.pop);
	jw_int(w, "gens", cap->gens);
	jw_int(w, "rounds", cap->rounds);
	jw_num(w, "load_average_1m", cap->load_avg);
	jw_num(w, "elapsed_s", cap->elapsed_s);
	jw_nums(w, "copies", copies, cap->cores);
	jw_nums(w, "ms", cap->ms, cap->cores);
	jw_nums(w, "capacity", cap->ratio, cap->cores);
	jw_obj_end(w);
}
