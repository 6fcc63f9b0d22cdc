/*
 * What the instruments cost: where a file holds one configuration twice, once with the sampler
 * and counters on and once with both off (`make instruments-overhead`), the ratio of their
 * times with its paired bootstrap interval (rounds as pairs), and the sampler's own CPU.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/interval.h"
#include "reports/report.h"

/* 1: instruments on; 0: both off; -1: no config to tell */
static int instrumented(const struct report_config *c)
{
	const json_t *cfg = c->config;

	if (!cfg || !json_is_number(json_object_get(cfg, "sample-ms")))
		return -1;
	return report_num(cfg, "sample-ms", 0) > 0 || strcmp(report_str(cfg, "counters", "on"), "off");
}

/* the same run but for its instruments: workload, strategy and workers alike */
static int same_run(const struct report_config *a, const struct report_config *b)
{
	char *ka = report_workload_key(a->config, 0), *kb = report_workload_key(b->config, 0);
	int same = ka && kb && !strcmp(ka, kb) && a->strategy && b->strategy &&
		   !strcmp(a->strategy, b->strategy) && a->workers == b->workers;

	free(ka);
	free(kb);
	return same;
}

/* the mean ms per generation of the round rep, or -1 where it has none */
static double round_ms(const struct report_config *c, int rep)
{
	int i;

	for (i = 0; i < c->n_reps; i++)
		if (c->reps[i].rep == rep && c->reps[i].ok && c->reps[i].gens)
			return c->reps[i].sum_ms[ROW_TOTAL] / c->reps[i].gens;
	return -1;
}

int report_paired_ms_ratio(const struct report_config *num, const struct report_config *den,
			   struct ratio_ci *ci)
{
	double *a = malloc(sizeof(*a) * (size_t)(num->n_reps + 1)), *b = malloc(sizeof(*b) * (size_t)(num->n_reps + 1));
	int i, n = 0, rc = -1;

	for (i = 0; a && b && i < num->n_reps; i++) {
		double x = round_ms(num, num->reps[i].rep), y = round_ms(den, num->reps[i].rep);

		if (x > 0 && y > 0) {
			a[n] = x;
			b[n++] = y;
		}
	}
	if (n >= 2)
		rc = boot_paired_ratio(a, b, n, BOOT_RESAMPLES, BOOT_SEED, ci);
	free(a);
	free(b);
	return rc;
}

static void write_pair(FILE *f, const struct report_config *on, const struct report_config *off)
{
	struct ratio_ci ci;

	if (report_paired_ms_ratio(on, off, &ci)) {
		fprintf(f, "| %s | %s | - | fewer than two rounds with both |\n", on->label, off->label);
		return;
	}
	fprintf(f, "| %s | %s | %.3f [%.3f–%.3f] | %d rounds, %d resamples | %.4f |\n", on->label,
		off->label, ci.ratio, ci.lo, ci.hi, ci.n, ci.resamples,
		on->util_sampler.n ? on->util_sampler.median : 0.0);
}

void report_overhead_section(FILE *f, const struct report_group *g)
{
	int i, j, any = 0;

	for (i = 0; i < g->n_cfg; i++) {
		if (instrumented(&g->cfg[i]) != 1)
			continue;
		for (j = 0; j < g->n_cfg; j++) {
			if (instrumented(&g->cfg[j]) != 0 || !same_run(&g->cfg[i], &g->cfg[j]))
				continue;
			if (!any++)
				fprintf(f, "\n### What the instruments cost\n\nThe same run with the sampler and the "
					   "counters on, and with both off (`--sample-ms 0 --counters off`): the "
					   "ratio of their median total ms per generation, on / off (above 1: the "
					   "instruments slow the run), with its paired bootstrap 95%% interval "
					   "(the rounds as pairs, both arms resampled together), and the sampler "
					   "thread's own CPU in cores (summary.sampler.cpu_s over wall_s).\n\n"
					   "| instruments on | off | time on / off | interval over | sampler (cores) |\n"
					   "| --- | --- | ---: | --- | ---: |\n");
			write_pair(f, &g->cfg[i], &g->cfg[j]);
		}
	}
}
