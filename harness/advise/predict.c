/*
 * advise's predictions from its probe: the model applied to each probe generation's costs
 * (sequential's phases, each strategy's residuals fitted at the probe's workers), so that the
 * generations are the samples and reports/interval.h's bootstrap, drawing the probe's runs
 * whole, gives every interval.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/advise/advise.h"
#include "reports/interval.h"
#include "strategies/strategy.h"

/* generation g's workload: sequential's phases, the rest of its total, the probe's spread */
static void workload_at(const struct advise_probe *pr, int g, struct model_workload *wl)
{
	double rest = pr->seq[g][MODEL_PHASES];
	int p;

	memset(wl, 0, sizeof(*wl));
	wl->items = pr->evo.pop;
	for (p = 0; p < MODEL_PHASES; p++) {
		wl->work_ms[p] = pr->seq[g][p];
		rest -= pr->seq[g][p];
	}
	wl->serial_ms = rest > 0 ? rest : 0;
	wl->bytes_per_item = pr->bytes_per_item;
	wl->eval_prefix = pr->eval_prefix;
	wl->n_eval = pr->n_eval;
}

/* the generation whose sequential total is the median: the terms printed are its */
static int median_gen(const struct advise_probe *pr)
{
	int g, h, best = 0;

	for (g = 0; g < pr->n_samples; g++) {
		int below = 0, n = pr->n_samples;

		for (h = 0; h < pr->n_samples; h++)
			below += pr->seq[h][MODEL_PHASES] < pr->seq[g][MODEL_PHASES];
		if (below == (n - 1) / 2) {
			best = g;
			break;
		}
	}
	return best;
}

/* an interval's ends, or NaN where the bootstrap drew none (one sample has no spread to draw
   from: no interval, rather than one of width 0) */
static void put_interval(const struct ratio_ci *ci, double *lo, double *hi)
{
	*lo = ci->resamples ? ci->lo : NAN;
	*hi = ci->resamples ? ci->hi : NAN;
}

/* the row's ms and speedup over the samples, whose intervals resample the probe's runs whole
   (per_run samples each): a run's generations share its process and are not independent.
   The reference (t is seq) is 1.00x over itself exactly. */
static void fill_row(struct advise_pred *r, const double *seq, const double *t, int n, int per_run)
{
	struct ratio_ci m, sp;

	boot_median_runs(t, n, per_run, BOOT_RESAMPLES, BOOT_SEED, &m);
	r->ms = m.ratio;
	put_interval(&m, &r->ms_lo, &r->ms_hi);
	if (t == seq) {
		r->speedup = r->sp_lo = r->sp_hi = 1;
		return;
	}
	boot_paired_ratio_runs(seq, t, n, per_run, BOOT_RESAMPLES, BOOT_SEED, &sp);
	r->speedup = sp.ratio;
	put_interval(&sp, &r->sp_lo, &r->sp_hi);
}

/* "[lo–hi]" of an interval, or what stands where there is none */
static const char *bracket(char *buf, size_t len, double lo, double hi, int fixed)
{
	if (!isfinite(lo) || !isfinite(hi))
		snprintf(buf, len, "[none: 1 sample]");
	else if (fixed)
		snprintf(buf, len, "[%.2f–%.2f]", lo, hi);
	else
		snprintf(buf, len, "[%.3g–%.3g]", lo, hi);
	return buf;
}

/* strategy i fitted to probe sample g at both of the probe's worker counts */
static void fit_at(const struct advise_probe *pr, int i, int g, const struct model_workload *wl,
		   struct model_strategy *s)
{
	static const int w[ADVISE_PROBE_POINTS] = { 1, ADVISE_PROBE_WORKERS };
	const double *ms[ADVISE_PROBE_POINTS] = { pr->ms1[i][g], pr->ms[i][g] };

	model_fit_points(s, wl, &pr->machine, ADVISE_PROBE_POINTS, w, ms);
}

/* strategy i at w workers: the model on every probe generation, strategy i fitted on it */
static void predict_row(const struct advise_probe *pr, int i, int w, const double *seq,
			int gmed, struct advise_pred *r)
{
	double t[ADVISE_MAX_SAMPLES];
	int g, n = 0;

	snprintf(r->name, sizeof(r->name), "%s", pr->strat[i].name);
	r->workers = w;
	for (g = 0; g < pr->n_samples; g++) {
		struct model_workload wl;
		struct model_strategy s = pr->strat[i];
		struct model_terms terms;

		workload_at(pr, g, &wl);
		fit_at(pr, i, g, &wl, &s);
		t[n++] = model_generation(&wl, &pr->machine, &s, w, &terms);
		if (g == gmed)
			r->terms = terms;
	}
	fill_row(r, seq, t, n, pr->per_run);
}

int advise_predict(const struct advise_probe *pr, struct advise_result *res, char *err, size_t errlen)
{
	double seq[ADVISE_MAX_SAMPLES];
	int g, i, w, n = 0, gmed = median_gen(pr);

	memset(res, 0, sizeof(*res));
	if (pr->n_samples < 1 || pr->cores < 1 || pr->cores > ADVISE_MAX_CORES) {
		snprintf(err, errlen, "advise: nothing to predict from (%d probe samples, %d cores)",
			 pr->n_samples, pr->cores);
		return -EINVAL;
	}
	for (g = 0; g < pr->n_samples; g++)
		seq[n++] = pr->seq[g][MODEL_PHASES];
	workload_at(pr, gmed, &res->wl);
	snprintf(res->pred[0].name, MODEL_NAME, "sequential");
	res->pred[0].workers = 1;
	fill_row(&res->pred[0], seq, seq, n, pr->per_run);
	res->pred[0].terms.serial_ms = res->pred[0].ms;
	res->pred[0].terms.workers = 1;
	res->seq_ms = res->pred[0].ms;
	res->n = 1;
	for (i = 0; i < pr->n_strats; i++)
		for (w = 1; w <= pr->cores; w++)
			predict_row(pr, i, w, seq, gmed, &res->pred[res->n++]);
	for (i = 1; i < res->n; i++)
		if (res->pred[i].ms < res->pred[res->best].ms)
			res->best = i;
	return 0;
}

static const struct model_strategy *strategy_named(const struct advise_probe *pr, const char *name)
{
	int i;

	for (i = 0; i < pr->n_strats; i++)
		if (!strcmp(pr->strat[i].name, name))
			return &pr->strat[i];
	return NULL;
}

/* what spreading phase p costs in the row: its ms, or -1 where the strategy keeps it in the main process */
static double spread_ms(const struct advise_probe *pr, const struct model_workload *wl,
			const struct model_strategy *fit, int p, int w, struct model_terms *t)
{
	if (fit->ph[p].dispatch == DISPATCH_NONE || wl->work_ms[p] <= 0)
		return -1;
	*t = (struct model_terms){ 0 };
	return model_phase(wl, &pr->machine, fit, p, w, t);
}

/* phase p of strategy s at w: its work per dispatch against what a dispatch costs */
static int phase_line(char *buf, size_t len, const struct advise_probe *pr,
		      const struct model_workload *wl, const struct model_strategy *fit, int p, int w)
{
	struct model_terms t;
	double over, work = wl->work_ms[p], ms = spread_ms(pr, wl, fit, p, w, &t);

	if (ms < 0)
		return 0;
	over = t.dispatch_ms + t.bytes_ms + t.start_ms + t.fixed_ms;
	return snprintf(buf, len, "%s: %.3g us of work per dispatch of %.3g us, %.2f effective workers of %d "
			"(%s, %.0f dispatches): %.3g ms against %.3g ms alone: %s",
			phase_names[p], work * 1e3 / (t.dispatches > 0 ? t.dispatches : 1),
			over * 1e3 / (t.dispatches > 0 ? t.dispatches : 1), t.weff, w, fit->name, t.dispatches,
			ms, work, ms < work ? "pays" : "stays sequential");
}

int advise_fitted(const struct advise_probe *pr, const struct advise_result *res, int i,
		  struct model_strategy *out, const double *probe_ms[2])
{
	int g = median_gen(pr);

	if (i < 0 || i >= pr->n_strats)
		return -1;
	*out = pr->strat[i];
	fit_at(pr, i, g, &res->wl, out);
	if (probe_ms) {
		probe_ms[0] = pr->ms[i][g];
		probe_ms[1] = pr->ms1[i][g];
	}
	return 0;
}

/* the strategy fitted at the median generation, for the lines that explain it */
static int fitted_at_median(const struct advise_probe *pr, const struct advise_result *res,
			    const char *name, struct model_strategy *out)
{
	const struct model_strategy *s = strategy_named(pr, name);

	return s ? advise_fitted(pr, res, (int)(s - pr->strat), out, NULL) : -1;
}

/* the phase with the most work */
static int heaviest_phase(const struct model_workload *wl)
{
	int p, best = 0;

	for (p = 1; p < MODEL_PHASES; p++)
		if (wl->work_ms[p] > wl->work_ms[best])
			best = p;
	return best;
}

/* the phase that decides: where the recommendation gains most by spreading it, or, where
   sequential wins, where the row shown loses most; the heaviest phase if none is spread */
static int deciding_phase(const struct advise_probe *pr, const struct advise_result *res,
			  const struct model_strategy *fit, int w)
{
	const struct model_workload *wl = &res->wl;
	double sign = res->best ? 1 : -1, best_by = 0;
	struct model_terms t;
	int p, best = -1;

	for (p = 0; p < MODEL_PHASES; p++) {
		double ms = spread_ms(pr, wl, fit, p, w, &t), by = sign * (wl->work_ms[p] - ms);

		if (ms >= 0 && (best < 0 || by > best_by)) {
			best = p;
			best_by = by;
		}
	}
	return best < 0 ? heaviest_phase(wl) : best;
}

/* the row the explanation is of: the recommendation, or where sequential wins the fastest row
   of more than one worker (one worker cannot show why parallelism does not pay), else the fastest other */
static int shown_row(const struct advise_result *res)
{
	int i, alt = 0, multi = 0;

	if (res->best)
		return res->best;
	for (i = 1; i < res->n; i++) {
		if (!alt || res->pred[i].ms < res->pred[alt].ms)
			alt = i;
		if (res->pred[i].workers > 1 && (!multi || res->pred[i].ms < res->pred[multi].ms))
			multi = i;
	}
	return multi ? multi : alt;
}

void advise_why(char *buf, size_t len, const struct advise_result *res, const struct advise_probe *pr)
{
	int i = shown_row(res), p = heaviest_phase(&res->wl), fitted;
	const struct advise_pred *b = &res->pred[i];
	struct model_strategy fit;

	if (!i) {
		snprintf(buf, len, "no strategy to compare");
		return;
	}
	fitted = !fitted_at_median(pr, res, b->name, &fit);
	if (fitted)
		p = deciding_phase(pr, res, &fit, b->workers);
	if (!fitted || !phase_line(buf, len, pr, &res->wl, &fit, p, b->workers))
		snprintf(buf, len, "%s: %.3g ms of work per generation; %s x%d predicted %.3g ms",
			 phase_names[p], res->wl.work_ms[p], b->name, b->workers, b->ms);
}

/* every spread phase of the row shown, one line each */
static void print_phase_lines(FILE *f, const struct advise_probe *pr, const struct advise_result *res)
{
	int i = shown_row(res), p;
	struct model_strategy fit;
	char line[256];

	if (!i || fitted_at_median(pr, res, res->pred[i].name, &fit))
		return;
	for (p = 0; p < MODEL_PHASES; p++)
		if (phase_line(line, sizeof(line), pr, &res->wl, &fit, p, res->pred[i].workers))
			fprintf(f, "  %s\n", line);
}

static void print_row(FILE *f, const struct advise_pred *r, int best)
{
	const struct model_terms *t = &r->terms;
	char ms[64], sp[64];

	fprintf(f, "| %s | %d | %.3g %s | %.2f %s | %.3g | %.3g | %.3g | %.3g | %.3g | %.3g | %.3g |%s\n",
		r->name, r->workers, r->ms, bracket(ms, sizeof(ms), r->ms_lo, r->ms_hi, 0), r->speedup,
		bracket(sp, sizeof(sp), r->sp_lo, r->sp_hi, 1), t->compute_ms, t->imbalance_ms, t->dispatch_ms,
		t->bytes_ms, t->start_ms, t->fixed_ms, t->serial_ms, best ? " <- recommended" : "");
}

/* ", start N us" of phase p if it starts its workers: fitted, or the floor's */
static const char *start_words(char *buf, size_t len, const struct model_strategy *s, int p)
{
	buf[0] = 0;
	if (s->ph[p].starts)
		snprintf(buf, len, ", start %.3g us%s", model_start_ms(s, p) * 1e3,
			 s->ph[p].start_fitted ? " (fitted)" : " (the floor)");
	return buf;
}

/* a strategy's fitted mechanism costs at the median generation: what each dispatch costs
   beyond the floor (synchronisation), what a byte moved costs, a main-process phase's fixed part */
static void print_fitted(FILE *f, const struct advise_probe *pr, const struct advise_result *res,
			 const char *name)
{
	struct model_strategy fit;
	char start[64];
	int p;

	if (fitted_at_median(pr, res, name, &fit))
		return;
	fprintf(f, "  fitted at 1 and %d workers, %s:", ADVISE_PROBE_WORKERS, name);
	for (p = 0; p < MODEL_PHASES; p++) {
		const struct model_phase_mech *m = &fit.ph[p];

		if (m->dispatch == DISPATCH_NONE)
			fprintf(f, " %s in the main process (%+.3g ms);", phase_names[p], m->fixed_ms);
		else if (m->bytes != BYTES_NONE)
			fprintf(f, " %s %.3g ns per byte moved, dispatch %.3g us, shared %.3g ms%s;", phase_names[p],
				m->byte_ms * 1e6, (fit.dispatch_ms + m->claim_ms) * 1e3, m->par_ms,
				start_words(start, sizeof(start), &fit, p));
		else if (m->sleep_fitted)
			fprintf(f, " %s dispatch %.3g us (%.3g us where the waits sleep);", phase_names[p],
				(fit.dispatch_ms + m->claim_ms) * 1e3, (fit.dispatch_ms + m->claim_sleep_ms) * 1e3);
		else
			fprintf(f, " %s dispatch %.3g us, shared %.3g ms;", phase_names[p],
				(fit.dispatch_ms + m->claim_ms) * 1e3, m->par_ms);
	}
	fprintf(f, "\n");
}

static void print_measured(FILE *f, const struct advise_probe *pr, const struct advise_result *res)
{
	const struct floor_stat *fl = pr->cal.floors;
	int n;

	fprintf(f, "measured in %.1f s: sequential %.3g ms per generation (mutate %.3g, prepare %.3g, evaluate %.3g, resample %.3g, rest %.3g),\n"
		   "  generations %d..%d (every %d) of %d-generation probe runs, %d round%s; evaluation per network: mean %.3g us, spread (cv) %.2f; %.0f bytes per network on the wire\n",
		pr->elapsed_s, res->seq_ms, res->wl.work_ms[0], res->wl.work_ms[1], res->wl.work_ms[2],
		res->wl.work_ms[3], res->wl.serial_ms, pr->first, pr->gens - 1, pr->stride, pr->gens, pr->rounds, pr->rounds == 1 ? "" : "s",
		res->wl.work_ms[2] * 1e3 / (pr->evo.pop > 0 ? pr->evo.pop : 1), pr->eval_cv, pr->bytes_per_item);
	fprintf(f, "  floors: thread wake-up %.3g us, pipe round trip %.3g us, fork+wait %.3g us; copy bandwidth %.3g GB/s alone, %.3g GB/s on %d cores\n",
		pr->strat[0].dispatch_ms * 1e3, fl[FLOOR_PIPE_RTT].median_us, fl[FLOOR_FORK_WAIT].median_us,
		pr->machine.bw1_gbs, pr->machine.bwn_gbs, pr->machine.cores);
	fprintf(f, "  parallel capacity (N copies at once over one):");
	for (n = 0; n < pr->machine.cores; n++)
		fprintf(f, " %d: %.2f", n + 1, pr->machine.capacity[n]);
	fprintf(f, "\n");
	for (n = 0; n < pr->n_strats; n++)
		print_fitted(f, pr, res, pr->strat[n].name);
	if (pr->n_samples < 2)
		fprintf(f, "  no intervals: one sample of each configuration (%d round of %d-generation runs fit in the "
			   "probe's time)\n", pr->rounds, pr->gens);
}

void advise_print(FILE *f, const struct advise_probe *pr, const struct advise_result *res)
{
	const struct advise_pred *b = &res->pred[res->best];
	char why[256], sp[64];
	int i;

	print_measured(f, pr, res);
	fprintf(f, "\nmodel: T(s,w) = rest + sum over phases p of [work_p / w_eff(w) x imbalance_p(w) + dispatches_p(s,w) x\n"
		   "  (floor + fitted extra) + bytes_p(s,w) x fitted cost per byte + shared_p / w_eff(w) + starts_p(s,w) x start];\n"
		   "  w_eff = the measured capacity at w, capped by the copy bandwidth; imbalance = list scheduling of the measured\n"
		   "  evaluation times in guided claims; the fitted terms (least squares, no cost below 0) from each strategy's probe\n"
		   "  at 1 and %d workers: what grows with the bytes or dispatches is the main process's, what shrinks with w_eff\n"
		   "  (shared) the workers'; a dispatch is fitted apart where the waits spin and where they sleep, where the probe\n"
		   "  measured both; a start is the fork+wait floor, fitted where the floor cannot reproduce the probe; a phase a\n"
		   "  strategy keeps in the main process costs its work (plus a fitted part, which may be below 0); intervals:\n"
		   "  bootstrap over the probe's runs (a run's generations drawn together: they share its process).\n\n",
		   ADVISE_PROBE_WORKERS);
	fprintf(f, "| strategy | workers | ms per generation [95%%] | speedup [95%%] | compute | imbalance | dispatch | bytes | start | fixed | serial |\n"
		   "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
	for (i = 0; i < res->n; i++)
		print_row(f, &res->pred[i], i == res->best);
	advise_why(why, sizeof(why), res, pr);
	fprintf(f, "\nrecommended: %s x%d, predicted %.3g ms per generation, %.2fx %s over sequential\nwhy: %s\n",
		b->name, b->workers, b->ms, b->speedup, bracket(sp, sizeof(sp), b->sp_lo, b->sp_hi, 1), why);
	print_phase_lines(f, pr, res);
}
