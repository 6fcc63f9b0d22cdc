/*
 * The cost model (model.h): a generation's phases under a strategy, and a farm of items over
 * workers, from a struct of costs. Pure: no I/O, no clock, no allocation, so fixtures test it.
 * README "Predicting with evopar advise" states the model in words.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "harness/advise/model.h"
#include "strategies/common/balance.h"

static int imin(int a, int b)
{
	return a < b ? a : b;
}

double model_weff(const struct model_machine *m, int w, double demand_gbs, int *bw_bound)
{
	int n = imin(w < 1 ? 1 : w, m->cores > 0 ? m->cores : 1);
	double cap = m->capacity[n - 1] > 0 ? m->capacity[n - 1] : n;

	if (bw_bound)
		*bw_bound = 0;
	if (demand_gbs > 0 && m->bw1_gbs > 0 && m->bwn_gbs > 0) {
		double bw = n * m->bw1_gbs < m->bwn_gbs ? n * m->bw1_gbs : m->bwn_gbs;
		double ceiling = bw / demand_gbs;

		if (ceiling < cap) {
			cap = ceiling < 1 ? 1 : ceiling;
			if (bw_bound)
				*bw_bound = 1;
		}
	}
	return cap;
}

/* the end of the claim from lo: per worker a chunk of the items, or guided as the
   strategies claim (balance_guided_end: 1/(2w) of the cost left, at least one item) */
static long claim_end(const double *prefix, long n, long lo, int w, int dispatch)
{
	long chunk = (n + w - 1) / w;

	if (dispatch == DISPATCH_GUIDED)
		return balance_guided_end(prefix, n, lo, w);
	return lo + chunk < n ? lo + chunk : n;
}

double model_imbalance(const double *prefix, int n, int w, int dispatch, double *claims)
{
	double load[MODEL_MAX_CORES] = { 0 }, total, max = 0;
	long lo = 0, i;

	*claims = 0;
	if (n <= 0 || dispatch == DISPATCH_NONE)
		return 1;
	w = imin(w < 1 ? 1 : w, MODEL_MAX_CORES);
	total = prefix ? prefix[n] : n;
	for (; lo < n; (*claims)++) {
		long hi = claim_end(prefix, n, lo, w, dispatch);

		load[balance_least_loaded(load, w)] += prefix ? prefix[hi] - prefix[lo] : hi - lo;
		lo = hi;
	}
	for (i = 0; i < w; i++)
		max = load[i] > max ? load[i] : max;
	return total > 0 ? max / (total / w) : 1;
}

static double bytes_share(int rule, int w)
{
	if (rule == BYTES_ALL)
		return 1;
	if (rule == BYTES_CROSSING)
		return w > 1 ? (double)(w - 1) / w : 0;
	return 0;
}

/* the work of phase p as strategy s runs it: fork-pool's evaluate carries prepare's */
static double phase_work(const struct model_workload *wl, const struct model_strategy *s, int p)
{
	if (s->fold_prepare && p == 1)
		return 0;
	if (s->fold_prepare && p == 2)
		return wl->work_ms[1] + wl->work_ms[2];
	return wl->work_ms[p];
}

static int workers_of(const struct model_strategy *s, const struct model_machine *m, int w)
{
	return s->cap_at_cores && m->cores > 0 && w > m->cores ? m->cores : w;
}

int model_waits_spin(const struct model_strategy *s, const struct model_machine *m, int w)
{
	return s->spins && m->cores >= 2 && w + 1 <= m->cores;
}

double model_start_ms(const struct model_strategy *s, int p)
{
	const struct model_phase_mech *mech = &s->ph[p];

	return !mech->starts ? 0 : mech->start_fitted ? mech->start_ms : s->start_ms;
}

double model_dispatch_ms(const struct model_strategy *s, const struct model_machine *m, int p, int w)
{
	const struct model_phase_mech *mech = &s->ph[p];

	return s->dispatch_ms + (mech->sleep_fitted && !model_waits_spin(s, m, w) ?
				 mech->claim_sleep_ms : mech->claim_ms);
}

double model_phase(const struct model_workload *wl, const struct model_machine *m,
		       const struct model_strategy *s, int p, int w, struct model_terms *t)
{
	const struct model_phase_mech *mech = &s->ph[p];
	double work = phase_work(wl, s, p), claims, imb, weff, demand, compute, bytes, per, starts;
	int even = p != 2 || !wl->eval_prefix, bound;

	if (mech->dispatch == DISPATCH_NONE) {
		t->serial_ms += work;
		t->fixed_ms += mech->fixed_ms;
		return work + mech->fixed_ms;
	}
	demand = work > 0 ? wl->items * wl->bytes_per_item / work * 1e3 / 1e9 : 0;
	weff = model_weff(m, w, demand, &bound);
	imb = model_imbalance(even ? NULL : wl->eval_prefix, even ? wl->items : wl->n_eval, w,
			      mech->dispatch, &claims);
	compute = work / weff;
	bytes = wl->items * wl->bytes_per_item * bytes_share(mech->bytes, w);
	t->compute_ms += compute;
	t->imbalance_ms += compute * (imb - 1);
	per = model_dispatch_ms(s, m, p, w);
	t->dispatches += claims;
	t->dispatch_ms += claims * per;
	t->bytes += bytes;
	t->bytes_ms += bytes * mech->byte_ms;
	starts = w * model_start_ms(s, p);
	t->start_ms += starts;
	t->fixed_ms += mech->fixed_ms + mech->par_ms / weff;
	t->weff = weff;
	t->bw_bound |= bound;
	return compute * imb + claims * per + bytes * mech->byte_ms + starts + mech->fixed_ms +
	       mech->par_ms / weff;
}

double model_generation(const struct model_workload *wl, const struct model_machine *m,
			const struct model_strategy *s, int w, struct model_terms *t)
{
	struct model_terms local;
	double total = wl->serial_ms;
	int p;

	if (!t)
		t = &local;
	memset(t, 0, sizeof(*t));
	t->workers = workers_of(s, m, w < 1 ? 1 : w);
	t->weff = 1;
	for (p = 0; p < MODEL_PHASES; p++)
		total += model_phase(wl, m, s, p, t->workers, t);
	t->serial_ms += wl->serial_ms;
	return total;
}

double model_sequential(const struct model_workload *wl)
{
	double total = wl->serial_ms;
	int p;

	for (p = 0; p < MODEL_PHASES; p++)
		total += wl->work_ms[p];
	return total;
}

#define FIT_MAX_POINTS 8

/* what a phase's fitted cost multiplies */
enum fit_kind { FIT_FIXED, FIT_CLAIM, FIT_BYTE };

static double fit_units(int kind, const struct model_workload *wl, const struct model_phase_mech *mech,
			int w, const struct model_terms *t)
{
	if (kind == FIT_BYTE)
		return wl->items * wl->bytes_per_item * bytes_share(mech->bytes, w);
	return kind == FIT_CLAIM ? t->dispatches : 1;
}

/*
 * r[k] = c x[k] + q y[k] over n points, least squares with c, q >= 0 (q only where allow_q);
 * where one term alone fits as well, it is c (one point: all of it is c). 1 when both terms
 * came out at least 0 unconstrained (two points: reproduced), 0 when one term was dropped.
 */
static int fit_two_terms(const double *x, const double *y, const double *r, int n, int allow_q,
			 double *c, double *q)
{
	double sxx = 0, sxy = 0, syy = 0, sxr = 0, syr = 0, det, e1 = 0, e2 = 0, c1, q1;
	int k;

	for (k = 0; k < n; k++) {
		sxx += x[k] * x[k], sxy += x[k] * y[k], syy += y[k] * y[k];
		sxr += x[k] * r[k], syr += y[k] * r[k];
	}
	det = sxx * syy - sxy * sxy;
	if (allow_q && det > 1e-9 * sxx * syy) {
		*c = (syy * sxr - sxy * syr) / det;
		*q = (sxx * syr - sxy * sxr) / det;
		if (*c >= 0 && *q >= 0)
			return 1;
	}
	c1 = sxx > 0 && sxr > 0 ? sxr / sxx : 0;
	q1 = allow_q && syy > 0 && syr > 0 ? syr / syy : 0;
	for (k = 0; k < n; k++) {
		e1 += (r[k] - c1 * x[k]) * (r[k] - c1 * x[k]);
		e2 += (r[k] - q1 * y[k]) * (r[k] - q1 * y[k]);
	}
	*c = e1 <= e2 * (1 + 1e-9) ? c1 : 0;
	*q = e1 <= e2 * (1 + 1e-9) ? 0 : q1;
	return 0;
}

/*
 * A phase that starts its workers, whose byte or dispatch cost and shared part could not
 * reproduce the points: one start's cost fitted instead of the floor's, with the shared part,
 * where those two can. fork-pool, static pop 50 spin 10000, ran 10.2 ms at 1 worker and 5.4
 * at 2: with each start at the floor (about 1 ms) the bytes' cost came out below zero, the fit
 * dropped it and predicted 7.1 and 7.0, neither point. Fitted, a start costs less than the
 * floor and the rest is shared (the children's copy-on-write faults).
 */
static int fit_starts(struct model_strategy *s, const struct model_machine *m, int p, int n, const int *w,
		      const struct model_terms *t, const double *y, const double *r)
{
	struct model_phase_mech *mech = &s->ph[p];
	double x[FIT_MAX_POINTS] = { 0 }, rs[FIT_MAX_POINTS] = { 0 }, start, q;
	int k;

	if (!mech->starts || n < 2)
		return 0;
	for (k = 0; k < n; k++) {
		x[k] = workers_of(s, m, w[k]);
		rs[k] = r[k] + t[k].start_ms;       /* the floor's starts back in the residual */
	}
	if (!fit_two_terms(x, y, rs, n, 1, &start, &q))
		return 0;
	mech->start_ms = start;
	mech->start_fitted = 1;
	mech->par_ms = q;
	return 1;
}

/*
 * Dispatches measured both where the waits spin and where they sleep: each kind's cost per
 * dispatch (its whole cost, at least 0) from its own points, least squares, and nothing the
 * workers share (the points cannot tell it from the kinds' difference). 0: one kind only.
 */
static int fit_claims_by_waits(struct model_strategy *s, const struct model_machine *m, int p,
			       int n, const int *w, const double *x, const double *r)
{
	struct model_phase_mech *mech;
	double sxx[2] = { 0 }, sxr[2] = { 0 }, c[2];
	int k, kind;

	for (k = 0; k < n; k++) {
		kind = !model_waits_spin(s, m, workers_of(s, m, w[k]));
		sxx[kind] += x[k] * x[k];
		sxr[kind] += x[k] * r[k];
	}
	if (sxx[0] <= 0 || sxx[1] <= 0)
		return 0;
	for (kind = 0; kind < 2; kind++)
		c[kind] = sxr[kind] > 0 ? sxr[kind] / sxx[kind] : 0;
	mech = &s->ph[p];
	mech->claim_ms = c[0] - s->dispatch_ms;
	mech->claim_sleep_ms = c[1] - s->dispatch_ms;
	mech->sleep_fitted = 1;
	mech->par_ms = 0;
	return 1;
}

static void fit_phase(struct model_strategy *s, const struct model_workload *wl,
		      const struct model_machine *m, int p, int n, const int *w,
		      const double *const *measured_ms)
{
	struct model_phase_mech *mech = &s->ph[p];
	struct model_terms t[FIT_MAX_POINTS];
	double x[FIT_MAX_POINTS] = { 0 }, y[FIT_MAX_POINTS] = { 0 }, r[FIT_MAX_POINTS] = { 0 };
	double r0[FIT_MAX_POINTS] = { 0 }, c, q;
	int k, top = 0, kind;

	mech->fixed_ms = mech->byte_ms = mech->claim_ms = mech->claim_sleep_ms = mech->par_ms = 0;
	mech->start_ms = 0;
	mech->sleep_fitted = mech->start_fitted = 0;
	for (k = 0; k < n; k++) {
		memset(&t[k], 0, sizeof(t[k]));
		r[k] = r0[k] = measured_ms[k][p] - model_phase(wl, m, s, p, workers_of(s, m, w[k]), &t[k]);
		top = w[k] > w[top] ? k : top;
	}
	/* the mechanism is the one the most workers show: bytes, else dispatches, else fixed */
	kind = mech->dispatch == DISPATCH_NONE ? FIT_FIXED :
	       fit_units(FIT_BYTE, wl, mech, workers_of(s, m, w[top]), &t[top]) > 0 ? FIT_BYTE :
	       t[top].dispatches > 0 ? FIT_CLAIM : FIT_FIXED;
	/* the fitted cost is the whole of its term, not an extra on the floor (or on the work of a
	   main-process phase): a dispatch measured cheaper than the floor (wake-ups that overlap)
	   costs what was measured, and the fit still reproduces the probe */
	for (k = 0; k < n; k++) {
		x[k] = fit_units(kind, wl, mech, workers_of(s, m, w[k]), &t[k]);
		y[k] = mech->dispatch == DISPATCH_NONE ? 0 : 1 / (t[k].weff > 0 ? t[k].weff : 1);
		r[k] += kind == FIT_CLAIM ? t[k].dispatches * s->dispatch_ms :
			kind == FIT_FIXED && mech->dispatch == DISPATCH_NONE ? phase_work(wl, s, p) : 0;
	}
	if (kind == FIT_CLAIM && fit_claims_by_waits(s, m, p, n, w, x, r))
		return;
	if (!fit_two_terms(x, y, r, n, mech->dispatch != DISPATCH_NONE, &c, &q) &&
	    fit_starts(s, m, p, n, w, t, y, r0))
		return;
	if (kind == FIT_BYTE)
		mech->byte_ms = c;
	else if (kind == FIT_CLAIM)
		mech->claim_ms = c - s->dispatch_ms;
	else
		mech->fixed_ms = c - (mech->dispatch == DISPATCH_NONE ? phase_work(wl, s, p) : 0);
	mech->par_ms = q;
}

void model_fit_points(struct model_strategy *s, const struct model_workload *wl,
		      const struct model_machine *m, int n, const int *w,
		      const double *const *measured_ms)
{
	int p;

	n = n > FIT_MAX_POINTS ? FIT_MAX_POINTS : n;
	for (p = 0; p < MODEL_PHASES; p++)
		fit_phase(s, wl, m, p, n, w, measured_ms);
}

void model_fit(struct model_strategy *s, const struct model_workload *wl,
	       const struct model_machine *m, int w, const double *measured_ms)
{
	model_fit_points(s, wl, m, 1, &w, &measured_ms);
}

static void set_phases(struct model_strategy *s, const int *dispatch, const int *bytes, int starts)
{
	int p;

	for (p = 0; p < MODEL_PHASES; p++)
		s->ph[p] = (struct model_phase_mech){ .dispatch = dispatch[p], .bytes = bytes[p],
			.starts = starts && dispatch[p] != DISPATCH_NONE };
}

int model_strategies(struct model_strategy *out, int max, double thread_wake_ms,
		     double pipe_rtt_ms, double fork_ms)
{
	static const int thr_d[] = { DISPATCH_PER_WORKER, DISPATCH_PER_WORKER, DISPATCH_GUIDED, DISPATCH_PER_WORKER };
	static const int fp_d[] = { DISPATCH_GUIDED, DISPATCH_NONE, DISPATCH_GUIDED, DISPATCH_NONE };
	static const int ps_d[] = { DISPATCH_PER_WORKER, DISPATCH_NONE, DISPATCH_NONE, DISPATCH_PER_WORKER };
	static const int psa_d[] = { DISPATCH_PER_WORKER, DISPATCH_PER_WORKER, DISPATCH_GUIDED, DISPATCH_PER_WORKER };
	static const int none_b[] = { BYTES_NONE, BYTES_NONE, BYTES_NONE, BYTES_NONE };
	static const int fp_b[] = { BYTES_ALL, BYTES_NONE, BYTES_ALL, BYTES_NONE };
	static const int ps_b[] = { BYTES_ALL, BYTES_NONE, BYTES_NONE, BYTES_CROSSING };
	static const int psa_b[] = { BYTES_NONE, BYTES_NONE, BYTES_NONE, BYTES_CROSSING };
	struct model_strategy s[5];
	int i, n = 0;

	memset(s, 0, sizeof(s));
	snprintf(s[n].name, MODEL_NAME, "threads");
	s[n].dispatch_ms = thread_wake_ms;
	s[n].spins = 1;
	set_phases(&s[n++], thr_d, none_b, 0);
	snprintf(s[n].name, MODEL_NAME, "thread-limited");
	s[n].dispatch_ms = thread_wake_ms;
	s[n].spins = 1;
	s[n].cap_at_cores = 1;
	set_phases(&s[n++], thr_d, none_b, 0);
	snprintf(s[n].name, MODEL_NAME, "fork-pool");
	s[n].dispatch_ms = pipe_rtt_ms;
	s[n].start_ms = fork_ms;
	s[n].fold_prepare = 1;
	set_phases(&s[n++], fp_d, fp_b, 1);
	snprintf(s[n].name, MODEL_NAME, "persistent");
	s[n].dispatch_ms = pipe_rtt_ms;
	s[n].spins = 1;
	set_phases(&s[n++], ps_d, ps_b, 0);
	snprintf(s[n].name, MODEL_NAME, "persistent --worker-scope all");
	s[n].dispatch_ms = pipe_rtt_ms;
	s[n].spins = 1;
	set_phases(&s[n++], psa_d, psa_b, 0);
	for (i = 0; i < n && i < max; i++)
		out[i] = s[i];
	return n < max ? n : max;
}

/* an item's ms with c cores of its own: its threads' speedup saturates at item_speedup */
static double item_ms_on(const struct model_farm *f, double c)
{
	double u = f->item_speedup >= 1 ? f->item_speedup : 1;

	return f->item_ms * u / (c < u ? c : u);
}

/* the longest queue of items given one by one: static contiguous chunks whose sizes differ
   by at most one (fork-pool's cut), or dynamic, each next item to whichever is free first;
   in items of the mean cost */
static double farm_waves_each(const struct model_farm *f, int conc)
{
	double load[MODEL_MAX_CORES] = { 0 }, max = 0, sum = 0;
	int i, j = 0, chunk = 0;

	conc = imin(conc, MODEL_MAX_CORES);
	for (i = 0; i < f->items; i++) {
		/* chunk c holds items [items c / conc, items (c + 1) / conc) */
		while (f->static_chunks && (long)f->items * (chunk + 1) / conc <= i)
			chunk++;
		j = f->static_chunks ? chunk : balance_least_loaded(load, conc);
		load[j] += f->item_each[i];
		sum += f->item_each[i];
	}
	for (j = 0; j < conc; j++)
		max = load[j] > max ? load[j] : max;
	return sum > 0 ? max / (sum / f->items) : 0;
}

/* the longest queue of items: dynamic (the next to whichever is free) or static chunks */
static double farm_waves(const struct model_farm *f, int conc)
{
	double k = ceil((double)f->items / conc);

	if (f->item_each)
		return farm_waves_each(f, conc);

	if (f->static_chunks && f->item_cv > 0 && conc > 1)
		k += f->item_cv * sqrt(k) * sqrt(2 * log(conc));
	return k;
}

double model_farm(const struct model_farm *f, int w, struct farm_terms *t)
{
	struct farm_terms local;
	int cores = f->cores > 0 ? f->cores : 1, conc, n;
	double threads = f->threads > 0 ? f->threads : cores, c, share;

	if (!t)
		t = &local;
	memset(t, 0, sizeof(*t));
	t->serial_ms = f->serial_ms;
	if (w <= 0 || f->items <= 0) {
		t->item_ms = f->item_ms;
		t->waves = f->items;
		t->concurrent = 1;
		t->compute_ms = f->items * f->item_ms;
		return t->serial_ms + t->compute_ms;
	}
	conc = f->one_at_a_time ? 1 : imin(w, f->items);
	c = (double)cores / conc < threads ? (double)cores / conc : threads;
	n = imin(conc, imin(cores, MODEL_MAX_CORES));
	share = f->capacity[n - 1] > 0 ? f->capacity[n - 1] / n : 1;
	t->concurrent = conc;
	t->item_ms = item_ms_on(f, c) / share;
	t->waves = farm_waves(f, conc);
	t->compute_ms = t->waves * t->item_ms;
	t->dispatch_ms = (f->round_trips < 0 ? f->items : f->round_trips) * f->rtt_ms;
	t->bytes_ms = f->items * f->bytes_per_item * f->byte_ms;
	t->start_ms = w * f->start_ms;
	return t->serial_ms + t->compute_ms + t->dispatch_ms + t->bytes_ms + t->start_ms;
}
