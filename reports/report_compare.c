/*
 * Each configuration's statistics across its repetitions, the sequential baseline it is
 * compared with (the same workload where there is one), its speedups against it and the
 * machine's capacity they are measured against.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"

const char *const report_row_names[ROW_COUNT] = {
	"mutate", "prepare", "evaluate", "resample", "total", "mutate+prepare+resample",
};

/* options of a run that do not change the workload: a baseline may differ in them */
static const char *const not_workload[] = {
	"strategy", "workers", "chunk", "blas-threads", "start", "transport", "worker-scope",
	"worker-timeout", "inject-fault", "islands", "island-id", "migrate-every", "migrants",
	"migration-dir", "migration", "out", "quiet", "sample-ms", "counters", "stall-timeout",
	"backend", "jobs", "resume", "assign",
};

static int is_workload_key(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(not_workload) / sizeof(not_workload[0]); i++)
		if (!strcmp(key, not_workload[i]))
			return 0;
	return 1;
}

static int same_workload(const json_t *a, const json_t *b)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)a, key, v)
		if (is_workload_key(key) && !json_equal(v, json_object_get(b, key)))
			return 0;
	return 1;
}

char *report_workload_key(const json_t *config, int without_seed)
{
	json_t *w = json_object();
	const char *key;
	json_t *v;
	char *text;

	if (!w || !json_is_object(config)) {
		json_decref(w);
		return NULL;
	}
	json_object_foreach((json_t *)config, key, v)
		if (is_workload_key(key) && !(without_seed && !strcmp(key, "seed")))
			json_object_set(w, key, v);
	text = json_dumps(w, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(w);
	return text;
}

static int is_sequential(const struct report_config *c)
{
	return c->strategy && !strcmp(c->strategy, "sequential");
}

void report_pick_baselines(struct report_group *g)
{
	int i, j, first = -1;

	for (j = 0; j < g->n_cfg; j++)
		if (is_sequential(&g->cfg[j]) && first < 0)
			first = j;
	for (i = 0; i < g->n_cfg; i++) {
		struct report_config *c = &g->cfg[i];

		c->baseline = first;
		for (j = 0; j < g->n_cfg; j++) {
			struct report_config *s = &g->cfg[j];

			if (is_sequential(s) && c->config && s->config && same_workload(c->config, s->config)) {
				c->baseline = j;
				break;
			}
		}
	}
}

int report_config_stats(struct report_config *c)
{
	double *x = malloc(sizeof(*x) * (size_t)(c->n_reps + 1));
	int row, i, n;

	if (!x)
		return -ENOMEM;
	for (row = 0; row < ROW_COUNT; row++) {
		for (i = n = 0; i < c->n_reps; i++)
			if (c->reps[i].ok && c->reps[i].gens)
				x[n++] = c->reps[i].sum_ms[row] / c->reps[i].gens;
		stats_compute(&c->row[row], x, n);
	}
	for (row = 0; row < ROW_COUNT; row++) {
		for (i = n = 0; i < c->n_reps; i++)
			if (c->reps[i].ok && c->reps[i].imbalance_gens)
				x[n++] = c->reps[i].sum_imbalance[row] / c->reps[i].imbalance_gens;
		stats_compute(&c->imbalance[row], x, n);
	}
	for (i = n = 0; i < c->n_reps; i++)
		if (c->reps[i].ok && c->reps[i].wall_s > 0)
			x[n++] = c->reps[i].cpu_s / c->reps[i].wall_s;
	stats_compute(&c->util, x, n);
	for (i = n = 0; i < c->n_reps; i++)
		if (c->reps[i].ok)
			x[n++] = c->reps[i].wall_s;
	stats_compute(&c->wall, x, n);
	free(x);
	return 0;
}

void report_rep_stats(struct sample_stats *s, const struct report_config *c, size_t offset,
		      int with_trials)
{
	double *x = malloc(sizeof(*x) * (size_t)(c->n_reps + 1)), v;
	int i, n = 0;

	if (!x) {
		memset(s, 0, sizeof(*s));
		return;
	}
	for (i = 0; i < c->n_reps; i++) {
		v = *(const double *)((const char *)&c->reps[i] + offset);
		if (c->reps[i].ok && (!with_trials || c->reps[i].n_trials) && v >= 0)
			x[n++] = v;
	}
	stats_compute(s, x, n);
	free(x);
}

double report_speedup(const struct report_group *g, const struct report_config *c, int row,
		      int *unstable)
{
	const struct report_config *b;

	*unstable = 0;
	if (c->baseline < 0)
		return 0;
	b = &g->cfg[c->baseline];
	if (!b->row[row].n || !c->row[row].n || c->row[row].median <= 0)
		return 0;
	*unstable = b->row[row].unstable || c->row[row].unstable;
	return b->row[row].median / c->row[row].median;
}

int report_count_compared(const struct report_group *g)
{
	int i, n = 0;

	for (i = 0; i < g->n_cfg; i++)
		n += g->cfg[i].baseline >= 0 && g->cfg[i].baseline != i;
	return n;
}

double report_capacity(const struct report_group *g, int workers)
{
	json_t *cap = json_object_get(json_object_get(g->calibration, "capacity"), "capacity");
	size_t n = json_array_size(cap);

	if (!n || workers < 1)
		return 0;
	return json_number_value(json_array_get(cap, (size_t)workers < n ? (size_t)workers - 1 : n - 1));
}
