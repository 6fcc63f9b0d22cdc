/*
 * study model's cases and their rounds, shared by its two parts (model_cmd.c's generations,
 * model_search.c's searches): a case added once predicted, its rounds measured one a step, its
 * verdict on the recommendation, its rows written as records.
 */
#include <stdio.h>
#include <string.h>

#include "harness/records/records.h"
#include "reports/interval.h"
#include "reports/stats.h"
#include "studies/model.h"

double sm_rel_error(double x, double ref)
{
	return ref > 0 ? (x > ref ? x - ref : ref - x) / ref : 0;
}

void sm_case_begins(const struct sm_study *st, const char *label)
{
	if (!st->quiet)
		fprintf(stderr, "evopar study model: %s: probe and predict, then a round of each case with rounds "
			"left\n", label);
}

struct sm_case *sm_case_add(struct sm_study *st, const char *label, const char *part, int first, int n,
			    int rec, sm_measure_fn measure, char *err, size_t errlen)
{
	struct sm_case *c;

	if (st->n_cases >= (int)(sizeof(st->cases) / sizeof(st->cases[0]))) {
		snprintf(err, errlen, "study model: more than %zu cases", sizeof(st->cases) / sizeof(st->cases[0]));
		return NULL;
	}
	c = &st->cases[st->n_cases++];
	memset(c, 0, sizeof(*c));
	snprintf(c->label, sizeof(c->label), "%s", label);
	c->part = part;
	c->first = first;
	c->n = n;
	c->rec = rec;
	c->measure = measure;
	return c;
}

/* the case's verdict from its measured rows: their medians and errors, the fastest, and the
   recommendation over the fastest paired by round */
static void judge_case(struct sm_study *st, struct sm_case *c)
{
	struct ratio_ci ci;
	int i, fast = c->first;

	for (i = c->first; i < c->first + c->n; i++) {
		struct sm_row *r = &st->rows[i];
		double tmp[SM_MAX_REPS];

		memcpy(tmp, r->meas, sizeof(tmp));
		r->meas_ms = stats_median(tmp, r->reps);
		r->err = sm_rel_error(r->pred, r->meas_ms);
		if (r->meas_ms < st->rows[fast].meas_ms)
			fast = i;
	}
	c->fastest = fast;
	c->exact = c->rec == fast;
	boot_paired_ratio(st->rows[c->rec].meas, st->rows[fast].meas, st->rows[c->rec].reps, BOOT_RESAMPLES,
			  BOOT_SEED, &ci);
	c->ratio = ci.ratio;
	c->lo = ci.lo;
	c->hi = ci.hi;
	c->within = c->exact || ci.lo <= 1;
}

static void write_row(struct sm_study *st, const struct sm_row *r, const char *part)
{
	struct jw *w = &st->jw;

	jw_begin(w, "study_model_row");
	jw_str(w, "part", part);
	jw_str(w, "case", r->label);
	jw_str(w, "config", r->name);
	jw_int(w, "workers", r->workers);
	jw_num(w, "predicted_ms", r->pred);
	jw_num(w, "predicted_lo_ms", r->pred_lo);
	jw_num(w, "predicted_hi_ms", r->pred_hi);
	jw_nums(w, "measured_ms", r->meas, r->reps);
	jw_num(w, "measured_median_ms", r->meas_ms);
	jw_num(w, "error", r->err);
	jw_end(w);
	output_write(&st->out, w);
}

/*
 * A case's rounds are measured one a step, in the steps that follow its probe (a step: the
 * next case's probe, then a round of every case with rounds left), its configurations in an
 * order that rotates by round. So a configuration's runs lie about a minute apart, and a
 * window in which the host slows every parallel configuration (steal time here rose by 327 s
 * in one study) hits one round, which the median leaves out; and they follow the probe by at
 * most a few minutes, so a drift over minutes does not come between them. Measured case by
 * case, one window took all five rounds of a case (67% errors); measured only once every case
 * was probed, fork-pool's forks cost more during the 7 minutes of probes than the 8 after (49%).
 */
int sm_measure_step(struct sm_study *st, int first, char *err, size_t errlen)
{
	int i, k, rc = 0;

	for (i = first; !rc && i < st->n_cases; i++) {
		struct sm_case *c = &st->cases[i];

		if (c->rounds >= st->reps)
			continue;
		for (k = 0; !rc && k < c->n; k++) {
			struct sm_row *r = &st->rows[c->first + (k + c->rounds) % c->n];

			rc = c->measure(st, c, r, &r->meas[r->reps], err, errlen);
			r->reps += !rc;
		}
		c->rounds += !rc;
	}
	return rc;
}

int sm_measure_cases(struct sm_study *st, int first, char *err, size_t errlen)
{
	int left = 0, i, k, rc = 0;

	for (i = first; i < st->n_cases; i++)
		left = st->reps - st->cases[i].rounds > left ? st->reps - st->cases[i].rounds : left;
	for (; !rc && left > 0; left--) {
		if (!st->quiet)
			fprintf(stderr, "evopar study model: %s: the last rounds, %d step%s left\n",
				st->cases[first].part, left, left == 1 ? "" : "s");
		rc = sm_measure_step(st, first, err, errlen);
	}
	for (i = first; !rc && i < st->n_cases; i++) {
		judge_case(st, &st->cases[i]);
		for (k = st->cases[i].first; k < st->cases[i].first + st->cases[i].n; k++)
			write_row(st, &st->rows[k], st->cases[i].part);
	}
	return rc;
}
