/*
 * `evopar study model`'s report: every prediction beside its measurement, the errors (median,
 * worst, the worst cases) beside the runs' own spread, the recommendation's rank per case by a
 * stated rule, and, from a costs file, projections labelled as such: jobs and BLAS threads
 * varied, what reaches 15x.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/advise/advise.h"
#include "reports/stats.h"
#include "studies/model.h"

#define WORST_LISTED 8
#define GOAL_MEDIAN 0.10
#define GOAL_WORST 0.30
#define GOAL_RIGHT 0.90

static int by_error(const void *a, const void *b)
{
	const struct sm_row *x = *(const struct sm_row *const *)a, *y = *(const struct sm_row *const *)b;

	return x->err < y->err ? 1 : x->err > y->err ? -1 : 0;
}

static void rows_table(FILE *f, const struct sm_study *st, int lo, int hi)
{
	int i;

	fprintf(f, "| case | configuration | workers | predicted ms [95%%] | measured ms, median of rounds | error |\n"
		   "| --- | --- | ---: | ---: | ---: | ---: |\n");
	for (i = lo; i < hi; i++) {
		const struct sm_row *r = &st->rows[i];

		fprintf(f, "| %s | %s%s | %d | %.4g [%.4g–%.4g] | %.4g | %.1f%% |\n", r->label, r->name,
			r->is_reference ? " (reference)" : "", r->workers, r->pred, r->pred_lo, r->pred_hi,
			r->meas_ms, r->err * 100);
	}
}

/* the median error where the probe calibrated the model (its workers) and where it extrapolated */
static void split_errors(FILE *f, const struct sm_row *const *v, int n)
{
	double at[SM_MAX_ROWS / 4], off[SM_MAX_ROWS / 4];
	int i, na = 0, no = 0;

	for (i = 0; i < n; i++) {
		if (v[i]->workers <= ADVISE_PROBE_WORKERS && na < SM_MAX_ROWS / 4)
			at[na++] = v[i]->err;
		else if (v[i]->workers > ADVISE_PROBE_WORKERS && no < SM_MAX_ROWS / 4)
			off[no++] = v[i]->err;
	}
	fprintf(f, "\nAt 1 and %d workers, where the probe fitted the model: median error %.1f%% over %d; ",
		ADVISE_PROBE_WORKERS, stats_median(at, na) * 100, na);
	if (no)
		fprintf(f, "at more workers, extrapolated: %.1f%% over %d.\n", stats_median(off, no) * 100, no);
	else
		fprintf(f, "no worker count here is above them, so nothing was extrapolated in workers: these "
			   "errors are the probe's short runs against fresh ones (the noise of the machine and of "
			   "a few generations), not the model's reach beyond %d workers.\n", ADVISE_PROBE_WORKERS);
}

static double max_of(const double *x, int n)
{
	double m = 0;
	int i;

	for (i = 0; i < n; i++)
		m = x[i] > m ? x[i] : m;
	return m;
}

/* a part's rows [rows[0], rows[1]) and cases [cases[0], cases[1]): the within-generation
   part's come first, the searches' after them */
static void part_of(const struct sm_study *st, int searches, int rows[2], int cases[2])
{
	rows[0] = searches ? st->gen_rows : 0;
	rows[1] = searches ? st->n_rows : st->gen_rows;
	cases[0] = searches ? st->gen_cases : 0;
	cases[1] = searches ? st->n_cases : st->gen_cases;
}

void sm_summarize(const struct sm_study *st, int searches, struct sm_summary *s)
{
	int rows[2], cases[2], i;
	double *e;

	part_of(st, searches, rows, cases);
	e = calloc((size_t)(rows[1] - rows[0] + 1), sizeof(*e));
	memset(s, 0, sizeof(*s));
	for (i = rows[0]; e && i < rows[1]; i++)
		if (!st->rows[i].is_reference)
			e[s->n++] = st->rows[i].err;
	s->median = stats_median(e, s->n);
	s->worst = max_of(e, s->n);
	s->errors_met = s->n && s->median < GOAL_MEDIAN && s->worst < GOAL_WORST;
	for (i = cases[0]; i < cases[1]; i++, s->cases++)
		s->right += st->cases[i].within;
	s->right_met = s->cases && s->right >= GOAL_RIGHT * s->cases;
	free(e);
}

/* the errors of the part's non-reference rows against the goals, the worst listed */
static void errors(FILE *f, const struct sm_study *st, const struct sm_summary *s, int lo, int hi,
		   const char *what, int split)
{
	const struct sm_row **v = calloc((size_t)(hi - lo + 1), sizeof(*v));
	double *ref = calloc((size_t)(hi - lo + 1), sizeof(*ref));
	int i, n = 0, nr = 0, in = 0, in_ref = 0;

	if (!v || !ref)
		goto out;
	for (i = lo; i < hi; i++) {
		const struct sm_row *r = &st->rows[i];
		int inside = r->pred_lo <= r->meas_ms && r->meas_ms <= r->pred_hi;

		if (r->is_reference) {
			ref[nr++] = r->err;
			in_ref += inside;
			continue;
		}
		v[n++] = r;
		in += inside;
	}
	qsort(v, (size_t)n, sizeof(*v), by_error);
	fprintf(f, "\n**%s: prediction error** (|predicted − measured| / measured, %d configurations, the sequential reference left out): "
		   "median %.1f%%, worst %.1f%%. Goal: median under %.0f%%, worst under %.0f%%: %s. The reference's own "
		   "error (its probe against its measurement: the run-to-run noise, no model in it) is %.1f%% at the median "
		   "and %.1f%% at the worst of its %d. The measured median lies inside its predicted interval (the "
		   "table's brackets) in %d of the %d, the reference's in %d of its %d: the interval holds the probe's "
		   "uncertainty only, and a measured median carries its own noise besides, so even a right 95%% "
		   "interval holds fewer than 95%% of them.\n\nWorst cases:\n\n",
		what, s->n, s->median * 100, s->worst * 100, GOAL_MEDIAN * 100, GOAL_WORST * 100,
		s->errors_met ? "met" : "not met", stats_median(ref, nr) * 100, max_of(ref, nr) * 100, nr, in, n, in_ref, nr);
	for (i = 0; i < n && i < WORST_LISTED; i++)
		fprintf(f, "- %s, %s x%d: predicted %.4g ms, measured %.4g ms (%.1f%%)\n", v[i]->label, v[i]->name,
			v[i]->workers, v[i]->pred, v[i]->meas_ms, v[i]->err * 100);
	if (split)
		split_errors(f, v, n);
out:
	free(ref);
	free(v);
}

/* the worst of a row's rounds against the median of its others: the error one fresh run
   would have as a prediction of the rest */
static double one_run_error(const struct sm_row *r)
{
	double others[SM_MAX_REPS], worst = 0, d;
	int i, j, n;

	for (i = 0; r->reps > 2 && i < r->reps; i++) {
		for (j = n = 0; j < r->reps; j++)
			if (j != i)
				others[n++] = r->meas[j];
		d = sm_rel_error(r->meas[i], stats_median(others, n));
		worst = d > worst ? d : worst;
	}
	return worst;
}

static int same_config(const struct sm_row *a, const struct sm_row *b)
{
	return !strcmp(a->name, b->name) && a->workers == b->workers;
}

/* row i is the first of its configuration in [lo, i] */
static int first_of_config(const struct sm_study *st, int lo, int i)
{
	int k;

	for (k = lo; k < i; k++)
		if (same_config(&st->rows[k], &st->rows[i]))
			return 0;
	return 1;
}

/* per configuration over the cases of rows [lo, hi): the model's error beside one fresh run's */
static void spread_table(FILE *f, const struct sm_study *st, int lo, int hi)
{
	double *err, *one;
	int i, k, n;

	if (st->reps < 3) {
		fprintf(f, "\n**Against the run-to-run spread:** left out: one run against the median of its "
			   "others needs at least 3 rounds, and this study ran %d (`--reps`).\n", st->reps);
		return;
	}
	err = calloc((size_t)(hi - lo + 1), sizeof(*err));
	one = calloc((size_t)(hi - lo + 1), sizeof(*one));
	if (!err || !one)
		goto out;
	fprintf(f, "\n**Against the run-to-run spread.** Per configuration over the cases: the model's error beside "
		   "one fresh run's against the median of the configuration's other rounds (each case's worst round): "
		   "the error a prediction from one run would have, with no model in it.\n\n"
		   "| configuration | workers | cases | model error, median | worst | one run, median | worst |\n"
		   "| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
	for (i = lo; i < hi; i++) {
		const struct sm_row *r = &st->rows[i];

		if (!first_of_config(st, lo, i))
			continue;
		for (k = i, n = 0; k < hi; k++)
			if (same_config(&st->rows[k], r)) {
				err[n] = st->rows[k].err;
				one[n++] = one_run_error(&st->rows[k]);
			}
		fprintf(f, "| %s | %d | %d | %.1f%% | %.1f%% | %.1f%% | %.1f%% |\n", r->name, r->workers, n,
			stats_median(err, n) * 100, max_of(err, n) * 100, stats_median(one, n) * 100, max_of(one, n) * 100);
	}
out:
	free(one);
	free(err);
}

static void recommendations(FILE *f, const struct sm_study *st, const struct sm_summary *s, int lo, int hi,
			    const char *what)
{
	int i, exact = 0;

	fprintf(f, "\n**%s: the recommendation.** Right when the recommended configuration is the fastest measured, "
		   "or when the paired bootstrap 95%% interval of its measured time over the fastest's (rounds as "
		   "pairs, reports/interval.h) holds 1: the difference is within the measured noise.\n\n"
		   "The capacity is the probe's (throughput of all cores at once over one, measured as it probed): a "
		   "machine busier or freer then than during the measurement shows here.\n\n"
		   "| case | capacity at the probe | recommended | fastest measured | recommended / fastest [95%%] | right |\n"
		   "| --- | ---: | --- | --- | ---: | --- |\n", what);
	for (i = lo; i < hi; i++) {
		const struct sm_case *c = &st->cases[i];
		const struct sm_row *r = &st->rows[c->rec], *b = &st->rows[c->fastest];

		exact += c->exact;
		fprintf(f, "| %s | %.2f | %s x%d | %s x%d | %.3f [%.3f–%.3f] | %s |\n", c->label, c->capacity, r->name, r->workers,
			b->name, b->workers, c->ratio, c->lo, c->hi,
			c->exact ? "yes, the fastest" : c->within ? "yes, within noise" : "no");
	}
	fprintf(f, "\nRight in %d of %d cases (%d the fastest itself). Goal: at least %.0f%%: %s.\n", s->right, s->cases,
		exact, GOAL_RIGHT * 100, s->right_met ? "met" : "not met");
}

/* the costs file's speedup at w workers with threads per item and one_at_a_time set */
static void project_one(FILE *f, const struct advise_costs *c, int w, int threads, int one, const char *what)
{
	const struct model_farm *src[3] = { &c->lo, &c->mid, &c->hi };
	double s[3];
	int i;

	for (i = 0; i < 3; i++) {
		struct model_farm m = *src[i];

		m.workers = w;
		m.threads = threads;
		m.one_at_a_time = one;
		s[i] = model_farm(&m, 0, NULL) / model_farm(&m, w, NULL);
	}
	fprintf(f, "| %s | %d | %d | %.3g | %.3g–%.3g |\n", what, w, threads ? threads : c->mid.cores, s[1],
		s[0] < s[2] ? s[0] : s[2], s[0] < s[2] ? s[2] : s[0]);
}

/* the fewest workers that reach target with this thread rule (0: cores / workers), or 0 */
static int reaches(const struct advise_costs *c, int rule, double target, double *got)
{
	int w;

	for (w = 1; w <= c->mid.cores; w++) {
		struct model_farm m = c->mid;

		m.workers = w;
		m.one_at_a_time = 0;
		m.threads = rule ? rule : (c->mid.cores / w > 0 ? c->mid.cores / w : 1);
		*got = model_farm(&m, 0, NULL) / model_farm(&m, w, NULL);
		if (*got >= target)
			return w;
	}
	return 0;
}

static void projection(FILE *f, const char *path)
{
	static const int jobs[] = { 5, 20 };
	struct advise_costs c;
	char *text = NULL, err[512];
	size_t cap = 0;
	FILE *in = fopen(path, "r");
	int i, rules[3], k;

	if (!in || getdelim(&text, &cap, 0, in) < 0 || advise_costs_parse(text, &c, err, sizeof(err))) {
		fprintf(f, "\n(no projection: %s could not be read)\n", path);
		free(text);
		if (in)
			fclose(in);
		return;
	}
	fclose(in);
	free(text);
	fprintf(f, "\n## Projection from %s (model, not measurement)\n\n%s\n\n%s\n\n"
		   "Speedup over one job running the trials one after another (the file's 1-job baseline), at "
		   "the ends of every [low, high] field:\n\n| how trials run | jobs | BLAS threads per job | speedup | range |\n"
		   "| --- | ---: | ---: | ---: | ---: |\n", path, c.name, c.note);
	for (i = 0; i < 2; i++) {
		project_one(f, &c, jobs[i], c.mid.threads, c.mid.one_at_a_time, "as the file says (threads of one process)");
		project_one(f, &c, jobs[i], 1, c.mid.one_at_a_time, "as the file says, BLAS at 1");
		project_one(f, &c, jobs[i], c.mid.threads, 0, "processes, BLAS at the default");
		project_one(f, &c, jobs[i], 1, 0, "processes, BLAS at 1");
	}
	rules[0] = 1;
	rules[1] = 0;
	rules[2] = c.mid.threads;
	fprintf(f, "\nWhat reaches 15x (processes, items overlapping; the model at the middle of every range):\n\n");
	for (k = 0; k < 3; k++) {
		double got = 0;
		int w = reaches(&c, rules[k], 15, &got);
		const char *rule = k == 0 ? "BLAS at 1 per job" : k == 1 ? "BLAS threads = cores / jobs" : "BLAS at the file's threads";

		if (w)
			fprintf(f, "- %s: %d jobs or more (%.3gx at %d)\n", rule, w, got, w);
		else
			fprintf(f, "- %s: no job count up to %d reaches 15x (%.3gx at %d)\n", rule, c.mid.cores, got, c.mid.cores);
	}
}

/* where the workers outnumber the CPUs: from which count on they take turns, and so are
   more than the machine runs at once */
static const char *cpus_words(char *buf, size_t len, const struct sm_study *st)
{
	buf[0] = 0;
	if (st->cpus > 0 && st->cores > st->cpus)
		snprintf(buf, len, " (from %d workers on, more workers than CPUs: they take turns)", st->cpus + 1);
	return buf;
}

/* a part's sections: its rows, errors, spread and recommendations */
static void part_sections(FILE *f, const struct sm_study *st, int searches)
{
	const char *what = searches ? "Search backends" : "Within a generation";
	struct sm_summary s;
	int rows[2], cases[2];

	sm_summarize(st, searches, &s);
	part_of(st, searches, rows, cases);
	rows_table(f, st, rows[0], rows[1]);
	errors(f, st, &s, rows[0], rows[1], what, !searches);
	spread_table(f, st, rows[0], rows[1]);
	recommendations(f, st, &s, cases[0], cases[1], what);
}

void sm_report(FILE *f, struct sm_study *st)
{
	char gens[320], more[96];

	if (st->gens)
		snprintf(gens, sizeof(gens), "%d generations per measured run", st->gens);
	else
		snprintf(gens, sizeof(gens), "as many generations per measured run as the case's probe ran "
			 "(about %.0f ms of sequential generations: at most %d in the probe's first round, which sizes "
			 "the others, and at most %d where they fit in its time)", ADVISE_PROBE_BUDGET_MS, ADVISE_FIRST_GENS,
			 ADVISE_MAX_GENS);
	fprintf(f, "# How often evopar advise is right\n\n"
		   "Measured by `evopar study model` at 1..%d workers on %d CPU%s%s in %.0f s; load average %.2f at the start, %.2f at the end; "
		   "%s, those of its first %.0f ms left out as warm-up as the probe left them (at least generation 0; the "
		   "median of the rest), %d rounds (a case's one a step in the steps after its probe, a step being the next "
		   "case's probe and a round of every case with rounds left; its configurations in an order that rotates by "
		   "round), %d trials per search. Every prediction was made by advise's probe before its measurement: the probe runs each strategy for the same generations at 1 and "
		   "at %d workers, so predictions at 1 and %d workers are calibrated there and those at more are "
		   "extrapolated by the model.\n\n## Within a generation\n\n",
		st->cores, st->cpus, st->cpus == 1 ? "" : "s", cpus_words(more, sizeof(more), st), st->elapsed_s, st->load_start, st->load_end, gens, ADVISE_WARMUP_MS, st->reps, st->trials,
		ADVISE_PROBE_WORKERS, ADVISE_PROBE_WORKERS);
	part_sections(f, st, 0);
	fprintf(f, "\n## Search backends, trial level\n\nPredicted from the search's trials under every backend at 1 job "
		   "(each trial's cost the median of the five backends' runs, which cost the same within their noise; "
		   "handed out as the backend does: contiguous chunks for fork-pool, the next to the first free job for "
		   "the others; the interval: every trial at the cheapest's and at the dearest's cost), each backend's "
		   "own overhead, the capacity for one trial's evolution, and the floors (a pipe "
		   "round trip per trial, a fork or a thread per job); so the 1-job rows are calibrated and the others "
		   "extrapolated. mpi is not measured here (it needs mpirun); the model treats it as persistent.\n\n");
	part_sections(f, st, 1);
	if (st->project)
		projection(f, st->project);
}
