/*
 * Each configuration's statistics across its repetitions, the sequential baseline it is
 * compared with (the same workload where there is one), its speedups against it and the
 * machine's capacity they are measured against.
 */
#include <errno.h>
#include <stdio.h>
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
	"backend", "jobs", "resume", "assign", "copies",
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

int report_is_arm(const struct report_config *c)
{
	return c->control || c->copies > 1;
}

void report_pick_baselines(struct report_group *g)
{
	int i, j, first = -1;

	for (j = 0; j < g->n_cfg; j++)
		if (is_sequential(&g->cfg[j]) && !report_is_arm(&g->cfg[j]) && first < 0)
			first = j;
	for (i = 0; i < g->n_cfg; i++) {
		struct report_config *c = &g->cfg[i];

		c->baseline = first;
		for (j = 0; j < g->n_cfg; j++) {
			struct report_config *s = &g->cfg[j];

			/* the A/A control and the capacity arms are compared, never compared with */
			if (is_sequential(s) && !report_is_arm(s) && c->config && s->config &&
			    same_workload(c->config, s->config)) {
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
	for (row = 0; row < ROW_COUNT; row++) {
		for (i = n = 0; i < c->n_reps; i++)
			if (c->reps[i].ok && c->reps[i].comm_gens && c->reps[i].sum_ms[row] > 0)
				x[n++] = c->reps[i].sum_comm[row] / c->reps[i].sum_ms[row];
		stats_compute(&c->comm_share[row], x, n);
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
	if (c != b && c->speedup[row].ratio > 0)
		return c->speedup[row].ratio;     /* on the pairs, like its interval */
	return b->row[row].median / c->row[row].median;
}

double report_rep_value(const struct report_rep *p, int row)
{
	return p->ok && p->gens ? p->sum_ms[row] / p->gens : -1;
}

/* the baseline's repetition of the same round, or NULL */
static const struct report_rep *same_round(const struct report_config *b, int rep)
{
	int i;

	for (i = 0; i < b->n_reps; i++)
		if (b->reps[i].rep == rep)
			return &b->reps[i];
	return NULL;
}

/*
 * Round r of the baseline with round r of c: both measured under the same load, so resampling
 * rounds (both arms together) keeps what a round shares out of the interval.
 */
static int round_pairs(const struct report_config *b, const struct report_config *c, int row,
		       double *num, double *den)
{
	int i, n = 0;

	for (i = 0; i < c->n_reps; i++) {
		const struct report_rep *q = same_round(b, c->reps[i].rep);
		double x = report_rep_value(&c->reps[i], row), y = q ? report_rep_value(q, row) : -1;

		if (x > 0 && y > 0) {
			num[n] = y;
			den[n++] = x;
		}
	}
	return n;
}

static int paired_speedup(const struct report_config *b, const struct report_config *c, int row,
			  double *num, double *den, struct ratio_ci *ci)
{
	return boot_paired_ratio(num, den, round_pairs(b, c, row, num, den), BOOT_RESAMPLES, BOOT_SEED, ci);
}

int report_round_ratios(const struct report_config *slow, const struct report_config *fast, int row,
			double *ratio)
{
	double *den = malloc(sizeof(*den) * (size_t)(fast->n_reps + 1));
	int i, n;

	if (!den)
		return -1;
	n = round_pairs(slow, fast, row, ratio, den);
	for (i = 0; i < n; i++)
		ratio[i] /= den[i];
	free(den);
	return n;
}

int report_paired_ratio(const struct report_config *slow, const struct report_config *fast, int row,
			struct ratio_ci *ci)
{
	double *num = malloc(2 * sizeof(*num) * (size_t)(fast->n_reps + 1));
	int rc;

	if (!num)
		return -1;
	rc = paired_speedup(slow, fast, row, num, num + fast->n_reps + 1, ci);
	free(num);
	return rc;
}

/* plain run files are not rounds: each arm resampled on its own */
static int unpaired_speedup(const struct report_config *b, const struct report_config *c, int row,
			    double *num, double *den, struct ratio_ci *ci)
{
	int i, n = 0, m = 0;

	for (i = 0; i < b->n_reps; i++)
		if (report_rep_value(&b->reps[i], row) > 0)
			num[n++] = report_rep_value(&b->reps[i], row);
	for (i = 0; i < c->n_reps; i++)
		if (report_rep_value(&c->reps[i], row) > 0)
			den[m++] = report_rep_value(&c->reps[i], row);
	return boot_unpaired_ratio(num, n, den, m, BOOT_RESAMPLES, BOOT_SEED, ci);
}

static int config_speedups(struct report_group *g, struct report_config *c)
{
	const struct report_config *b = &g->cfg[c->baseline];
	int cap = (b->n_reps > c->n_reps ? b->n_reps : c->n_reps) + 1, row;
	double *num = malloc(2 * sizeof(*num) * (size_t)cap);

	if (!num)
		return -ENOMEM;
	c->speedup_paired = g->bench != NULL;
	for (row = 0; row < ROW_COUNT; row++) {
		if (c->speedup_paired)
			paired_speedup(b, c, row, num, num + cap, &c->speedup[row]);
		else
			unpaired_speedup(b, c, row, num, num + cap, &c->speedup[row]);
	}
	free(num);
	return 0;
}

int report_speedup_stats(struct report_group *g)
{
	int i, row;

	for (i = 0; i < g->n_cfg; i++) {
		struct report_config *c = &g->cfg[i];

		for (row = 0; row < ROW_COUNT; row++)
			c->speedup[row] = (struct ratio_ci){ 0 };
		if (c->baseline < 0 || c->baseline == i)
			continue;
		if (config_speedups(g, c))
			return -ENOMEM;
	}
	return 0;
}

const struct ratio_ci *report_speedup_ci(const struct report_group *g, const struct report_config *c,
					 int row)
{
	int unstable;

	if (c->baseline < 0 || &g->cfg[c->baseline] == c || report_speedup(g, c, row, &unstable) <= 0 ||
	    !c->speedup[row].resamples)
		return NULL;
	return &c->speedup[row];
}

void report_fmt_speedup(char *buf, size_t len, const struct report_group *g,
			const struct report_config *c, int row)
{
	const struct ratio_ci *ci = report_speedup_ci(g, c, row);
	char med[32], lo[32], hi[32];
	int unstable;
	double sp = report_speedup(g, c, row, &unstable);

	if (sp <= 0) {
		snprintf(buf, len, "-");
		return;
	}
	fmt_ratio(med, sizeof(med), sp);
	if (!ci) {
		snprintf(buf, len, "%s%s", med, unstable ? " ?" : "");
		return;
	}
	fmt_ratio(lo, sizeof(lo), ci->lo);
	fmt_ratio(hi, sizeof(hi), ci->hi);
	fmt_interval(buf, len, med, lo, hi, unstable);
}

const struct report_config *report_control(const struct report_group *g)
{
	int i;

	for (i = 0; i < g->n_cfg; i++)
		if (g->cfg[i].control && g->cfg[i].baseline >= 0 && g->cfg[i].baseline != i)
			return &g->cfg[i];
	return NULL;
}

void report_say_intervals(FILE *f, const struct report_group *g)
{
	if (g->bench)
		fprintf(f, "Speedup intervals: paired bootstrap 95%% intervals of the ratio of medians, rounds as "
			   "pairs (round r of sequential with round r of the configuration, both resampled "
			   "together, so the load a round shares cancels), %d resamples.\n", BOOT_RESAMPLES);
	else
		fprintf(f, "Speedup intervals: bootstrap 95%% intervals of the ratio of medians, each side "
			   "resampled on its own (plain run files are not rounds, so nothing pairs them), %d "
			   "resamples.\n", BOOT_RESAMPLES);
}

int report_count_compared(const struct report_group *g)
{
	int i, n = 0;

	for (i = 0; i < g->n_cfg; i++)
		n += g->cfg[i].baseline >= 0 && g->cfg[i].baseline != i;
	return n;
}

const struct report_config *report_capacity_arm(const struct report_group *g, int copies)
{
	int i, unstable;

	for (i = 0; copies > 1 && i < g->n_cfg; i++)
		if (g->cfg[i].copies == copies && report_speedup(g, &g->cfg[i], ROW_TOTAL, &unstable) > 0)
			return &g->cfg[i];
	return NULL;
}

int report_share_ci(const struct report_group *g, const struct report_config *c, struct ratio_ci *ci)
{
	const struct report_config *arm = report_is_arm(c) ? NULL : report_capacity_arm(g, c->workers);

	if (!arm || report_paired_ratio(arm, c, ROW_TOTAL, ci) || !ci->resamples)
		return -1;
	ci->ratio /= c->workers;
	ci->lo /= c->workers;
	ci->hi /= c->workers;
	return 0;
}

double report_capacity(const struct report_group *g, int workers)
{
	const struct report_config *arm = report_capacity_arm(g, workers);
	int unstable;
	json_t *cap = json_object_get(json_object_get(g->calibration, "capacity"), "capacity");
	size_t n = json_array_size(cap);

	if (arm)
		return workers * report_speedup(g, arm, ROW_TOTAL, &unstable);
	if (!n || workers < 1)
		return 0;
	return json_number_value(json_array_get(cap, (size_t)workers < n ? (size_t)workers - 1 : n - 1));
}
