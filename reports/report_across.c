/*
 * The table across files (tables.md's "Across files"): where files repeat a study's
 * configurations over seeds, each configuration's per-file speedup, share of capacity and
 * imbalance as median [min–max], and its share of capacity over every round of every seed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"

#define CELL 160

/* one configuration of one workload across the files that repeat it (seeds) */
struct across {
	char *key;                /* workload without the seed, then the label */
	const struct report_config *first;
	double *x[4];             /* per file: speedup, share of capacity, imbalance evaluate, total */
	int n;
	double *rounds;           /* its share of capacity in each round of each file (a ratio) */
	int n_rounds, cap_rounds;
};

enum { AX_SPEEDUP, AX_SHARE, AX_IMB_EVAL, AX_IMB_TOTAL };

/* the entry of c's workload and label, or a new one; NULL without memory */
static struct across *across_find(struct across **a, int *n, int *cap, const struct report_config *c,
				  int files)
{
	char *w = report_workload_key(c->config, 1), *key;
	struct across *e;
	int i, k;

	key = w ? malloc(strlen(w) + strlen(c->label) + 2) : NULL;
	if (key)
		sprintf(key, "%s\x1f%s", w, c->label);
	free(w);
	for (i = 0; key && i < *n; i++)
		if (!strcmp((*a)[i].key, key)) {
			free(key);
			return &(*a)[i];
		}
	e = key ? array_grow(*a, cap, *n, sizeof(**a), 16) : NULL;
	if (!e) {
		free(key);
		return NULL;
	}
	*a = e;
	e = &(*a)[(*n)++];
	memset(e, 0, sizeof(*e));
	e->key = key;
	e->first = c;
	for (k = 0; k < 4; k++)
		e->x[k] = calloc((size_t)files, sizeof(double));
	return e->x[0] && e->x[1] && e->x[2] && e->x[3] ? e : NULL;
}

/*
 * c's share of capacity in each round of its file: the capacity arm's time over workers x
 * c's, the two measured in the same round; pooled over the files, they give one interval
 * for the configuration however the seeds differ in cost. 0, or -ENOMEM.
 */
static int across_rounds(struct across *e, const struct report_group *g, const struct report_config *c)
{
	const struct report_config *arm = report_capacity_arm(g, c->workers);
	double *more;
	int n, k;

	if (!arm)
		return 0;
	while (e->cap_rounds < e->n_rounds + c->n_reps) {
		more = array_grow(e->rounds, &e->cap_rounds, e->cap_rounds, sizeof(double), 16);
		if (!more)
			return -ENOMEM;
		e->rounds = more;
	}
	n = report_round_ratios(arm, c, ROW_TOTAL, e->rounds + e->n_rounds);
	if (n < 0)
		return -ENOMEM;
	for (k = 0; k < n; k++)
		e->rounds[e->n_rounds + k] /= c->workers;
	e->n_rounds += n;
	return 0;
}

/* every compared configuration of every file into its entry */
static int across_collect(const struct report *r, struct across **a, int *n, int *cap)
{
	int gi, i, unstable;

	for (gi = 0; gi < r->n_g; gi++) {
		const struct report_group *g = &r->g[gi];

		for (i = 0; !g->search && i < g->n_cfg; i++) {
			const struct report_config *c = &g->cfg[i];
			double sp = report_speedup(g, c, ROW_TOTAL, &unstable), cap_w = report_capacity(g, c->workers);
			struct across *e;

			/* a capacity arm is the shares' reference, not a configuration of the study */
			if (c->baseline == i || sp <= 0 || !c->config || c->copies > 1)
				continue;
			e = across_find(a, n, cap, c, r->n_g);
			if (!e || across_rounds(e, g, c))
				return -ENOMEM;
			e->x[AX_SPEEDUP][e->n] = sp;
			e->x[AX_SHARE][e->n] = cap_w > 0 ? 100 * sp / cap_w : -1;
			e->x[AX_IMB_EVAL][e->n] = c->imbalance[ROW_EVALUATE].n ? c->imbalance[ROW_EVALUATE].median : -1;
			e->x[AX_IMB_TOTAL][e->n] = c->imbalance[ROW_TOTAL].n ? c->imbalance[ROW_TOTAL].median : -1;
			e->n++;
		}
	}
	return 0;
}

/* "MED [LO–HI]" over the files of the values that were measured (>= 0) */
static void across_cell(char *buf, size_t len, const double *x, int n)
{
	struct sample_stats st = { 0 };
	double *v = malloc(sizeof(*v) * (size_t)(n + 1));
	int i, m = 0;

	for (i = 0; v && i < n; i++)
		if (x[i] >= 0)
			v[m++] = x[i];
	if (v)
		stats_compute(&st, v, m);
	fmt_cell(buf, len, &st);
	free(v);
}

/* the median share over every round, in %, with its bootstrap 95% interval; "-" without */
static void rounds_cell(char *buf, size_t len, const struct across *e)
{
	struct ratio_ci ci;

	if (boot_median(e->rounds, e->n_rounds, BOOT_RESAMPLES, BOOT_SEED, &ci))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f [%.1f–%.1f], %d", 100 * ci.ratio, 100 * ci.lo, 100 * ci.hi, e->n_rounds);
}

static void across_write(FILE *f, const struct across *a, int n)
{
	char cell[5][CELL];
	int i, k, rows = 0;

	for (i = 0; i < n; i++)
		rows += a[i].n > 1;
	if (!rows)
		return;
	fprintf(f, "\n## Across files\n\nEach configuration that several files repeat on one workload (seeds "
		   "apart): its per-file figures, median [min–max] over the files. Share: the speedup over the "
		   "machine's capacity at its workers, in %%; imbalance: max / mean busy time of its workers. "
		   "Share per round, where the files measured the capacity in their rounds (`bench --capacity`): "
		   "the capacity arm's ms per generation over workers x the configuration's, the two from one "
		   "round, pooled over the rounds of every file: median [bootstrap 95%% interval], rounds.\n\n"
		   "| configuration | population | files | speedup (total) | share of capacity %% | "
		   "share per round %% | imbalance (evaluate) | imbalance (total) |\n"
		   "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
	for (i = 0; i < n; i++) {
		if (a[i].n < 2)
			continue;
		for (k = 0; k < 4; k++)
			across_cell(cell[k], sizeof(cell[k]), a[i].x[k], a[i].n);
		rounds_cell(cell[4], sizeof(cell[4]), &a[i]);
		fprintf(f, "| %s | %d | %d | %s | %s | %s | %s | %s |\n", a[i].first->label,
			(int)report_num(a[i].first->config, "pop", 0), a[i].n, cell[0], cell[1], cell[4], cell[2],
			cell[3]);
	}
}

int report_write_across(const struct report *r, FILE *f)
{
	struct across *a = NULL;
	int n = 0, cap = 0, i, k, rc = across_collect(r, &a, &n, &cap);

	if (!rc)
		across_write(f, a, n);
	for (i = 0; i < n; i++) {
		free(a[i].key);
		free(a[i].rounds);
		for (k = 0; k < 4; k++)
			free(a[i].x[k]);
	}
	free(a);
	return rc;
}
