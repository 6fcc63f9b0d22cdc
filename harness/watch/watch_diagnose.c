/*
 * The rules of `evopar watch` (README.md, "Diagnosing any job"): from the series of intervals
 * alone, which of no overlap, overlap without progress, oversubscription and thread explosion
 * the job shows, or none (healthy), and the measures each rule was decided on.
 */
#include <stdlib.h>
#include <string.h>

#include "harness/watch/watch.h"

const char *const watch_kind_names[WATCH_KINDS] = {
	"no_overlap", "overlap_without_progress", "oversubscription", "thread_explosion", "healthy",
};
const char *const watch_kind_titles[WATCH_KINDS] = {
	"no overlap (kind a)", "overlap without progress (kind b)", "oversubscription",
	"thread explosion", "healthy",
};

struct watch_interval *watch_series_add(struct watch_series *s)
{
	struct watch_interval *iv = s->iv;

	if (s->n == s->cap) {
		int cap = s->cap ? s->cap * 2 : 256;

		iv = realloc(s->iv, (size_t)cap * sizeof(*iv));
		if (!iv)
			return NULL;
		s->iv = iv;
		s->cap = cap;
	}
	iv = &s->iv[s->n++];
	memset(iv, 0, sizeof(*iv));
	return iv;
}

void watch_series_release(struct watch_series *s)
{
	free(s->iv);
	memset(s, 0, sizeof(*s));
}

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return (x > y) - (x < y);
}

/* the value that at least half the samples reach: x[n / 2] of the sorted samples */
static float half_reach(float *x, int n)
{
	if (!n)
		return 0;
	qsort(x, (size_t)n, sizeof(*x), cmp_float);
	return x[n / 2];
}

/* the busy intervals' measures; active, runnable and turns hold their samples for the medians */
static void busy_measures(const struct watch_series *s, struct watch_verdict *v, float *active,
			  float *runnable, float *turns)
{
	double wait = 0, futex = 0, others = 0;
	int i, over = 0, futex_n = 0, others_n = 0;

	for (i = 0; i < s->n; i++) {
		const struct watch_interval *iv = &s->iv[i];

		if (iv->wanted < WATCH_BUSY_WANTED)
			continue;
		active[v->busy] = (float)iv->active;
		turns[v->busy] = (float)iv->turn_takers;
		runnable[v->busy++] = (float)iv->runnable;
		v->util += iv->cpu_util;
		v->wanted += iv->wanted;
		v->runnable_mean += iv->runnable;
		wait += iv->wanted > iv->cpu_util ? (iv->wanted - iv->cpu_util) / iv->wanted : 0;
		v->vol_rate += iv->vol_rate;
		v->invol_rate += iv->invol_rate;
		over += iv->runnable > v->oversub_limit;
		if (iv->futex >= 0) {
			futex += iv->futex;
			futex_n++;
		}
		if (iv->machine_busy >= 0) {
			others += iv->machine_busy > iv->cpu_util ? iv->machine_busy - iv->cpu_util : 0;
			others_n++;
		}
	}
	if (!v->busy)
		return;
	v->util /= v->busy;
	v->wanted /= v->busy;
	v->runnable_mean /= v->busy;
	v->wait_share = wait / v->busy;
	v->vol_rate /= v->busy;
	v->invol_rate /= v->busy;
	v->oversub_share = (double)over / v->busy;
	v->futex_mean = futex_n ? futex / futex_n : -1;
	v->others_busy = others_n ? others / others_n : -1;
}

/* thread explosion: one process over the limit, or the tree over it in two or more teams */
static void explosion(const struct watch_series *s, struct watch_verdict *v)
{
	int i, by_proc = 0, by_teams = 0;

	for (i = 0; i < s->n; i++) {
		const struct watch_interval *iv = &s->iv[i];

		if (iv->threads > v->threads_max)
			v->threads_max = iv->threads;
		if (iv->proc_threads_max > v->proc_threads_max)
			v->proc_threads_max = iv->proc_threads_max;
		if (iv->teams > v->teams_max)
			v->teams_max = iv->teams;
		if (iv->proc_threads_max > v->explode_limit)
			by_proc++;
		else if (iv->threads > v->explode_limit && iv->teams >= 2)
			by_teams++;
	}
	v->explode_share = s->n ? (double)(by_proc + by_teams) / s->n : 0;
	v->explode_by_teams = by_teams > by_proc;
	v->fired[WATCH_EXPLOSION] = s->n && v->explode_share >= WATCH_EXPLODE_SHARE;
}

/* what the job was meant to run at once: --jobs, else the most it showed of workers or threads */
static void expected(const struct watch_series *s, struct watch_verdict *v)
{
	if (s->jobs > 0) {
		v->expected = s->jobs;
		v->expected_from = "--jobs";
	} else if (s->workers_seen >= 2 && s->workers_seen >= v->active) {
		v->expected = s->workers_seen;
		v->expected_from = "busy worker processes";
	} else {
		v->expected = v->active > 1 ? v->active : 1;
		v->expected_from = "active threads";
	}
	v->ideal = v->expected < v->cores ? v->expected : v->cores;
	v->near_one = (1 + v->ideal) / 2;
}

/*
 * Kinds a and b: more was meant and the cores allow it, yet the tree's CPU utilisation stayed
 * near 1. Kind a when no two threads were active at once and the runnable threads stayed near 1;
 * kind b when two or more were active at once and either the runnable threads stayed near 1 or
 * two or more threads of one process took turns (what they do while other load keeps them queued).
 */
static void overlap_rules(struct watch_verdict *v)
{
	int near_one = v->runnable < v->near_one;

	if (!v->busy || v->ideal < 2 || v->util >= v->near_one)
		return;
	if (v->active < 2)
		v->fired[WATCH_NO_OVERLAP] = near_one;
	else
		v->fired[WATCH_NO_PROGRESS] = near_one || v->turn_takers >= 2;
}

void watch_diagnose(const struct watch_series *s, struct watch_verdict *v)
{
	float *samples = malloc(sizeof(float) * 3 * (size_t)(s->n + 1));
	float *active = samples, *runnable = samples + s->n + 1, *turns = samples + 2 * (s->n + 1);
	int k, any = 0;

	memset(v, 0, sizeof(*v));
	v->cores = s->cores > 0 ? s->cores : 1;
	v->intervals = s->n;
	v->oversub_limit = WATCH_OVERSUB_FACTOR * v->cores;
	v->explode_limit = WATCH_EXPLODE_MULT * v->cores + WATCH_EXPLODE_SLACK;
	v->futex_mean = v->others_busy = -1;
	if (samples) {
		busy_measures(s, v, active, runnable, turns);
		v->active = (int)half_reach(active, v->busy);
		v->runnable = (int)half_reach(runnable, v->busy);
		v->turn_takers = (int)half_reach(turns, v->busy);
	}
	free(samples);
	expected(s, v);
	overlap_rules(v);
	v->fired[WATCH_OVERSUBSCRIBED] = v->busy && v->oversub_share >= WATCH_OVERSUB_SHARE;
	explosion(s, v);
	for (k = 0; k < WATCH_HEALTHY; k++)
		any |= v->fired[k];
	v->fired[WATCH_HEALTHY] = !any;
}
