/*
 * What advise writes: the records of a measured prediction (advise_probe, advise_prediction,
 * advise_recommendation), and a foreign workload's predictions from --costs, printed and
 * written. The model's terms go with every row, so that a reader sees why.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "harness/advise/advise.h"
#include "strategies/strategy.h"

/* keys[i] = v[i], each a number */
static void put_nums(struct jw *w, const char *const *keys, const double *v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		jw_num(w, keys[i], v[i]);
}

static void write_terms(struct jw *w, const struct model_terms *t)
{
	static const char *const keys[] = { "compute", "imbalance", "dispatch", "bytes", "start", "fixed", "serial" };
	const double v[] = { t->compute_ms, t->imbalance_ms, t->dispatch_ms, t->bytes_ms, t->start_ms,
			     t->fixed_ms, t->serial_ms };

	jw_obj_begin(w, "terms_ms");
	put_nums(w, keys, v, 7);
	jw_obj_end(w);
	jw_num(w, "dispatches", t->dispatches);
	jw_num(w, "bytes_moved", t->bytes);
	jw_num(w, "effective_workers", t->weff);
	jw_bool(w, "bandwidth_bound", t->bw_bound);
}

/* strategy i at the median probe generation: what it measured, what the fit made of it */
static void write_fitted(struct jw *w, const struct advise_probe *pr, const struct advise_result *res, int i)
{
	double dispatch_us[MODEL_PHASES], sleep_us[MODEL_PHASES], ns_per_byte[MODEL_PHASES];
	double fixed_ms[MODEL_PHASES], shared_ms[MODEL_PHASES], start_us[MODEL_PHASES];
	struct model_strategy fit;
	const double *probe[2];
	int p;

	if (advise_fitted(pr, res, i, &fit, probe))
		return;
	for (p = 0; p < MODEL_PHASES; p++) {
		dispatch_us[p] = (fit.dispatch_ms + fit.ph[p].claim_ms) * 1e3;
		sleep_us[p] = model_dispatch_ms(&fit, &pr->machine, p, pr->machine.cores) * 1e3;
		ns_per_byte[p] = fit.ph[p].byte_ms * 1e6;
		fixed_ms[p] = fit.ph[p].fixed_ms;
		shared_ms[p] = fit.ph[p].par_ms;
		start_us[p] = model_start_ms(&fit, p) * 1e3;
	}
	jw_obj_begin(w, NULL);
	jw_str(w, "strategy", fit.name);
	jw_nums(w, "probe_ms", probe[0], ADVISE_SLOTS);
	jw_nums(w, "probe_1_ms", probe[1], ADVISE_SLOTS);
	jw_nums(w, "dispatch_us", dispatch_us, MODEL_PHASES);
	/* at as many workers as cores, where the main process's waits sleep */
	jw_nums(w, "dispatch_at_cores_us", sleep_us, MODEL_PHASES);
	jw_nums(w, "ns_per_byte", ns_per_byte, MODEL_PHASES);
	jw_nums(w, "fixed_ms", fixed_ms, MODEL_PHASES);
	jw_nums(w, "shared_ms", shared_ms, MODEL_PHASES);
	/* one worker's start in a phase that starts them: the floor's, or fitted where it
	   could not reproduce the probe */
	jw_nums(w, "start_us", start_us, MODEL_PHASES);
	jw_obj_end(w);
}

static void write_probe(struct jw *w, const struct advise_probe *pr, const struct advise_result *res)
{
	const struct floor_stat *fl = pr->cal.floors;
	int i, p;

	jw_begin(w, "advise_probe");
	jw_int(w, "pop", pr->evo.pop);
	jw_int(w, "gens", pr->evo.gens);
	jw_int(w, "probe_gens", pr->gens);
	jw_int(w, "first_gen", pr->first);
	jw_int(w, "gen_stride", pr->stride);
	jw_int(w, "rounds", pr->rounds);
	jw_int(w, "samples", pr->n_samples);
	jw_int(w, "probe_workers", ADVISE_PROBE_WORKERS);
	jw_int(w, "probe_workers_also", 1);
	jw_num(w, "elapsed_s", pr->elapsed_s);
	jw_obj_begin(w, "sequential_ms");
	for (p = 0; p < MODEL_PHASES; p++)
		jw_num(w, phase_names[p], res->wl.work_ms[p]);
	jw_num(w, "rest", res->wl.serial_ms);
	jw_num(w, "total", res->seq_ms);
	jw_obj_end(w);
	jw_num(w, "eval_cv", pr->eval_cv);
	jw_num(w, "bytes_per_network", pr->bytes_per_item);
	jw_num(w, "thread_wake_us", pr->strat[0].dispatch_ms * 1e3);
	jw_num(w, "pipe_round_trip_us", fl[FLOOR_PIPE_RTT].median_us);
	jw_num(w, "fork_wait_us", fl[FLOOR_FORK_WAIT].median_us);
	jw_num(w, "bandwidth_1_gbs", pr->machine.bw1_gbs);
	jw_num(w, "bandwidth_all_gbs", pr->machine.bwn_gbs);
	jw_nums(w, "capacity_by_workers", pr->machine.capacity, pr->machine.cores);
	jw_arr_begin(w, "strategies");
	for (i = 0; i < pr->n_strats; i++)
		write_fitted(w, pr, res, i);
	jw_arr_end(w);
	jw_end(w);
}

void advise_write(struct jw *w, const struct advise_probe *pr, const struct advise_result *res,
		  int (*emit)(void *ctx, const struct jw *w), void *ctx)
{
	const struct advise_pred *b = &res->pred[res->best];
	char why[256];
	int i;

	write_probe(w, pr, res);
	emit(ctx, w);
	for (i = 0; i < res->n; i++) {
		const struct advise_pred *r = &res->pred[i];

		static const char *const keys[] = { "predicted_ms", "predicted_lo_ms", "predicted_hi_ms",
						    "speedup", "speedup_lo", "speedup_hi" };
		const double v[] = { r->ms, r->ms_lo, r->ms_hi, r->speedup, r->sp_lo, r->sp_hi };

		jw_begin(w, "advise_prediction");
		jw_str(w, "strategy", r->name);
		jw_int(w, "workers", r->workers);
		put_nums(w, keys, v, 6);
		write_terms(w, &r->terms);
		jw_end(w);
		emit(ctx, w);
	}
	advise_why(why, sizeof(why), res, pr);
	jw_begin(w, "advise_recommendation");
	jw_str(w, "strategy", b->name);
	jw_int(w, "workers", b->workers);
	jw_num(w, "predicted_ms", b->ms);
	jw_num(w, "speedup", b->speedup);
	jw_str(w, "why", why);
	jw_end(w);
	emit(ctx, w);
}

/* the farm's speedup at w for the inputs at their low, middle and high ends: mid, min, max */
static void farm_speedups(const struct advise_costs *c, int w, double *mid, double *lo, double *hi)
{
	const struct model_farm *f[3] = { &c->lo, &c->mid, &c->hi };
	int i;

	for (i = 0; i < 3; i++) {
		double s = model_farm(f[i], 0, NULL) / model_farm(f[i], w, NULL);

		if (i == 1)
			*mid = s;
		*lo = !i || s < *lo ? s : *lo;
		*hi = !i || s > *hi ? s : *hi;
	}
}

static void farm_why(char *buf, size_t len, const struct advise_costs *c, int w, double sp)
{
	struct farm_terms t;
	double over;

	model_farm(&c->mid, w, &t);
	over = t.dispatch_ms + t.bytes_ms + t.start_ms;
	snprintf(buf, len, "%.4g ms of work per item x %.3g items per worker = %.4g ms, against %.4g ms of round trips, "
		 "bytes and starts%s: %s", t.item_ms, t.waves, t.compute_ms, over,
		 c->mid.one_at_a_time ? " (items run one at a time)" : "",
		 sp > 1 ? "pays" : "stays sequential");
}

static void costs_row(FILE *f, struct jw *w, const struct advise_costs *c, int k,
		      int (*emit)(void *ctx, const struct jw *w), void *ctx)
{
	static const char *const keys[] = { "predicted_ms", "speedup", "speedup_lo", "speedup_hi", "item_ms",
					    "waves", "compute_ms", "dispatch_ms", "bytes_ms", "start_ms" };
	struct farm_terms t;
	double ms = model_farm(&c->mid, k, &t), sp, lo, hi;

	farm_speedups(c, k, &sp, &lo, &hi);
	const double v[] = { ms, sp, lo, hi, t.item_ms, t.waves, t.compute_ms, t.dispatch_ms, t.bytes_ms,
			     t.start_ms };

	fprintf(f, "| %d | %.4g | %.3g [%.3g–%.3g] | %.4g | %.3g | %.4g | %.4g | %.4g | %.4g |\n", k, ms, sp,
		lo, hi, t.item_ms, t.waves, t.compute_ms, t.dispatch_ms, t.bytes_ms + t.start_ms, t.serial_ms);
	jw_begin(w, "advise_prediction");
	jw_str(w, "workload", c->name);
	jw_int(w, "workers", k);
	put_nums(w, keys, v, 10);
	jw_end(w);
	emit(ctx, w);
}

int advise_costs_report(const struct advise_costs *c, FILE *f, struct jw *w,
			int (*emit)(void *ctx, const struct jw *w), void *ctx)
{
	double base = model_farm(&c->mid, 0, NULL), best_sp = 1, sp, lo, hi;
	int k, best = 0;
	char why[400];

	fprintf(f, "%s: %d items of %.4g ms, %d workers on %d cores; the plain loop %.4g ms%s\n", c->name,
		c->mid.items, c->mid.item_ms, c->mid.workers, c->mid.cores, base,
		c->ranged ? " (ranges: the model at both ends of every [low, high] field)" : "");
	if (c->note[0])
		fprintf(f, "%s\n", c->note);
	fprintf(f, "\nmodel: T(w) = serial + waves(w) x item(w) + round trips x rtt + items x bytes x cost per byte + w x start;\n"
		   "  waves = items per worker (static chunks: plus the spread's expected maximum), item(w) = item_ms x\n"
		   "  item_speedup / min(cores it gets, item_speedup) / capacity share\n\n");
	fprintf(f, "| workers | ms | speedup [range] | item ms | waves | compute | round trips | bytes+starts | serial |\n"
		   "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
	for (k = 1; k <= c->mid.workers; k++) {
		costs_row(f, w, c, k, emit, ctx);
		farm_speedups(c, k, &sp, &lo, &hi);
		if (sp > best_sp)
			best_sp = sp, best = k;
	}
	farm_speedups(c, c->mid.workers, &sp, &lo, &hi);
	farm_why(why, sizeof(why), c, best ? best : c->mid.workers, best ? best_sp : sp);
	fprintf(f, "\nat %d workers: %.3gx [%.3g–%.3g]\n", c->mid.workers, sp, lo, hi);
	if (best)
		fprintf(f, "recommended: %d workers, %.3gx\nwhy: %s\n", best, best_sp, why);
	else
		fprintf(f, "recommended: sequential (no worker count pays)\nwhy: %s\n", why);
	jw_begin(w, "advise_recommendation");
	jw_str(w, "workload", c->name);
	jw_int(w, "workers", best ? best : 1);
	jw_str(w, "strategy", best ? "parallel" : "sequential");
	jw_num(w, "speedup", best ? best_sp : 1.0);
	jw_num(w, "speedup_at_workers", sp);
	jw_num(w, "speedup_at_workers_lo", lo);
	jw_num(w, "speedup_at_workers_hi", hi);
	jw_str(w, "why", why);
	jw_end(w);
	return emit(ctx, w);
}
