/*
 * Unit tests for harness/advise/model.c and costs.c on fixtures: list scheduling's imbalance
 * and claims, the effective workers with the bandwidth ceiling, a generation under a strategy,
 * the fit reproducing what it was fitted to, two worker counts telling the main process's
 * overhead from the workers' share, a start's cost fitted where the floor's cannot reproduce
 * the probe, the farm on document 000's figures and a global
 * lock, a costs file's bad fields refused by name, and a probe run shortened where its
 * generations grew dearer than the first ones that sized it.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "harness/advise/advise.h"

static int near(double a, double b)
{
	return fabs(a - b) <= 1e-9 * (fabs(a) + fabs(b) + 1);
}

static void test_imbalance_per_worker_and_guided(void **state)
{
	double claims, big[7] = { 0, 10, 11, 12, 13, 14, 15 };   /* items 10, 1, 1, 1, 1, 1 as prefix sums */

	(void)state;
	assert_true(near(model_imbalance(NULL, 10, 2, DISPATCH_PER_WORKER, &claims), 1));
	assert_true(near(claims, 2));
	/* 3 items in chunks of 2 over 2 workers: loads 2 and 1 against 1.5 each */
	assert_true(near(model_imbalance(NULL, 3, 2, DISPATCH_PER_WORKER, &claims), 2 / 1.5));
	/* one item of 10 among 15: no split does better than 10 against 7.5 */
	assert_true(near(model_imbalance(big, 6, 2, DISPATCH_GUIDED, &claims), 10 / 7.5));
	assert_true(claims >= 2);
	assert_true(near(model_imbalance(big, 6, 1, DISPATCH_GUIDED, &claims), 1));
	assert_true(near(model_imbalance(NULL, 0, 4, DISPATCH_GUIDED, &claims), 1));
	assert_true(near(claims, 0));
}

static void test_weff_capacity_and_bandwidth(void **state)
{
	struct model_machine m = { .cores = 4 };
	int bound;

	(void)state;
	assert_true(near(model_weff(&m, 3, 0, &bound), 3));        /* no capacity given: ideal */
	assert_true(near(model_weff(&m, 8, 0, &bound), 4));        /* at most the cores */
	m.capacity[1] = 1.5;
	assert_true(near(model_weff(&m, 2, 0, &bound), 1.5));
	assert_int_equal(bound, 0);
	/* 10 GB/s alone, 15 on all cores, a phase that wants 10 GB/s on one: at most 1.5 */
	m.bw1_gbs = 10;
	m.bwn_gbs = 15;
	assert_true(near(model_weff(&m, 4, 10, &bound), 1.5));
	assert_int_equal(bound, 1);
}

/* a workload of 100 networks, evaluate 8 ms, the rest 1 ms each phase and 0.5 ms of rest */
static void fixture(struct model_workload *wl, struct model_machine *m)
{
	memset(wl, 0, sizeof(*wl));
	memset(m, 0, sizeof(*m));
	wl->items = 100;
	wl->work_ms[0] = wl->work_ms[1] = wl->work_ms[3] = 1;
	wl->work_ms[2] = 8;
	wl->serial_ms = 0.5;
	wl->bytes_per_item = 1000;
	m->cores = 2;
}

static void test_generation_threads_ideal(void **state)
{
	struct model_strategy s[ADVISE_MAX_STRATS];
	struct model_workload wl;
	struct model_machine m;
	struct model_terms t;
	int n;

	(void)state;
	fixture(&wl, &m);
	n = model_strategies(s, ADVISE_MAX_STRATS, 0, 0, 0);
	assert_true(n >= 5);
	assert_string_equal(s[0].name, "threads");
	assert_true(near(model_sequential(&wl), 11.5));
	/* free dispatches, an ideal machine, equal items: rest + work / 2 */
	assert_true(near(model_generation(&wl, &m, &s[0], 2, &t), 0.5 + 11 / 2.0));
	assert_true(near(t.weff, 2));
	assert_true(near(t.imbalance_ms, 0));
	/* thread-limited caps 4 workers at 2 cores: the same */
	assert_true(near(model_generation(&wl, &m, &s[1], 4, &t), 0.5 + 11 / 2.0));
	assert_int_equal(t.workers, 2);
}

static void test_fit_reproduces_the_probe(void **state)
{
	struct model_strategy s[ADVISE_MAX_STRATS];
	struct model_workload wl;
	struct model_machine m;
	double measured[MODEL_PHASES] = { 3, 2, 9, 2 }, total = 0.5 + 3 + 2 + 9 + 2;
	int i;

	(void)state;
	fixture(&wl, &m);
	model_strategies(s, ADVISE_MAX_STRATS, 0.005, 0.01, 0.3);
	for (i = 0; i < 5; i++) {
		struct model_strategy f = s[i];
		double at2;

		model_fit(&f, &wl, &m, 2, measured);
		at2 = model_generation(&wl, &m, &f, 2, NULL);
		/* every phase measured above the model's floor is reproduced at the probe's workers */
		assert_true(near(at2, total));
	}
	/* fork-pool: mutate's residual is a cost per byte, the same at 1 worker */
	model_fit(&s[2], &wl, &m, 2, measured);
	assert_true(s[2].ph[0].byte_ms > 0);
	assert_true(s[2].ph[1].dispatch == DISPATCH_NONE);
}

/* measured at w workers: what the model of `truth` says, phase by phase */
static void phases_of(const struct model_workload *wl, const struct model_machine *m,
		      const struct model_strategy *truth, int w, double *ms)
{
	int p;

	for (p = 0; p < MODEL_PHASES; p++) {
		struct model_terms t = { 0 };

		ms[p] = model_phase(wl, m, truth, p, w, &t);
	}
}

/* truth measured at 1 and 2 workers, fitted into *fit from base: 1 when the fit reproduces
   both points */
static int fit_reproduces(const struct model_workload *wl, const struct model_machine *m,
			  const struct model_strategy *base, const struct model_strategy *truth,
			  struct model_strategy *fit)
{
	double at1[MODEL_PHASES], at2[MODEL_PHASES];
	const double *ms[2] = { at1, at2 };
	int w[2] = { 1, 2 };

	phases_of(wl, m, truth, 1, at1);
	phases_of(wl, m, truth, 2, at2);
	*fit = *base;
	model_fit_points(fit, wl, m, 2, w, ms);
	return near(model_generation(wl, m, fit, 1, NULL), model_generation(wl, m, truth, 1, NULL)) &&
	       near(model_generation(wl, m, fit, 2, NULL), model_generation(wl, m, truth, 2, NULL));
}

static void test_fit_two_points_splits_main_from_workers(void **state)
{
	struct model_strategy s[ADVISE_MAX_STRATS], truth, fit;
	struct model_workload wl;
	struct model_machine m;
	double at1[MODEL_PHASES], at2[MODEL_PHASES], lower[MODEL_PHASES];
	const double *ms[2] = { at1, at2 };
	int w[2] = { 1, 2 }, p;

	(void)state;
	fixture(&wl, &m);
	m.cores = 8;
	model_strategies(s, ADVISE_MAX_STRATS, 0.005, 0.01, 0.3);
	/* fork-pool whose mutate costs 2e-5 ms per byte in the main process and 3 ms that its
	   workers share, evaluate 1.5 ms shared */
	truth = s[2];
	truth.ph[0].byte_ms = 2e-5;
	truth.ph[0].par_ms = 3;
	truth.ph[2].par_ms = 1.5;
	phases_of(&wl, &m, &truth, 1, at1);
	phases_of(&wl, &m, &truth, 2, at2);
	fit = s[2];
	model_fit_points(&fit, &wl, &m, 2, w, ms);
	assert_true(near(fit.ph[0].byte_ms, 2e-5));
	assert_true(near(fit.ph[0].par_ms, 3));
	assert_true(near(fit.ph[2].par_ms, 1.5));
	/* so the fit extrapolates to 8 workers as the truth does; the one-point fit cannot */
	assert_true(near(model_generation(&wl, &m, &fit, 8, NULL), model_generation(&wl, &m, &truth, 8, NULL)));
	fit = s[2];
	model_fit(&fit, &wl, &m, 2, at2);
	assert_false(near(model_generation(&wl, &m, &fit, 8, NULL), model_generation(&wl, &m, &truth, 8, NULL)));
	/* at 1 worker faster than the floor allows: no cost below zero, the rest fitted by the other */
	for (p = 0; p < MODEL_PHASES; p++)
		lower[p] = at1[p] * 0.5;
	ms[0] = lower;
	fit = s[2];
	model_fit_points(&fit, &wl, &m, 2, w, ms);
	for (p = 0; p < MODEL_PHASES; p++) {
		assert_true(fit.ph[p].byte_ms >= 0 && fit.ph[p].par_ms >= 0);
		assert_true(fit.dispatch_ms + fit.ph[p].claim_ms >= 0);
		assert_true(fit.ph[p].dispatch != DISPATCH_NONE || fit.ph[p].fixed_ms >= -wl.work_ms[p]);
	}
	assert_true(fit.ph[0].byte_ms > 0 || fit.ph[0].par_ms > 0);
}

/* threads whose wake-ups overlap: each dispatch costs less than the floor measured alone, and
   a main-process phase runs a little faster than sequential's; the fit still reproduces both
   probe points, where a cost held at the floor would over-predict them */
static void test_fit_reproduces_dispatches_below_the_floor(void **state)
{
	struct model_strategy s[ADVISE_MAX_STRATS], truth, fit;
	struct model_workload wl;
	struct model_machine m;
	int p, k;

	(void)state;
	fixture(&wl, &m);
	model_strategies(s, ADVISE_MAX_STRATS, 0.005, 0.01, 0.3);
	for (k = 0; k < 2; k++) {
		int i = k ? 3 : 0;   /* threads; persistent (prepare and evaluate in the main process) */

		truth = s[i];
		for (p = 0; p < MODEL_PHASES; p++)
			if (truth.ph[p].dispatch == DISPATCH_NONE)
				truth.ph[p].fixed_ms = -0.05 * wl.work_ms[p];
			else if (truth.ph[p].bytes == BYTES_NONE)
				truth.ph[p].claim_ms = -0.6 * truth.dispatch_ms;
		assert_true(fit_reproduces(&wl, &m, &s[i], &truth, &fit));
		assert_true(model_generation(&wl, &m, &s[i], 2, NULL) > model_generation(&wl, &m, &truth, 2, NULL) * 1.001);
		for (p = 0; p < MODEL_PHASES; p++)
			if (truth.ph[p].dispatch == DISPATCH_NONE)
				assert_true(near(fit.ph[p].fixed_ms, truth.ph[p].fixed_ms));
	}
}

/* On 2 cores threads' waits spin at 1 worker and sleep at 2 (model_waits_spin): a dispatch
   that costs ten times more at 2 is fitted per kind, so both probe points are reproduced
   (one cost for both could match neither); on 8 cores both points spin, one kind is fitted,
   and it holds at every count. */
static void test_fit_dispatch_where_waits_spin_and_sleep(void **state)
{
	struct model_strategy s[ADVISE_MAX_STRATS], truth, fit, one;
	struct model_workload wl;
	struct model_machine m;
	double at1[MODEL_PHASES], at2[MODEL_PHASES];
	const double *ms[2] = { at1, at2 };
	int w[2] = { 1, 2 }, p;

	(void)state;
	fixture(&wl, &m);
	model_strategies(s, ADVISE_MAX_STRATS, 0.005, 0.01, 0.3);
	assert_true(model_waits_spin(&s[0], &m, 1));
	assert_false(model_waits_spin(&s[0], &m, 2));
	assert_false(model_waits_spin(&s[2], &m, 1));       /* fork-pool's waits never spin */
	truth = s[0];
	for (p = 0; p < MODEL_PHASES; p++) {
		truth.ph[p].claim_ms = 0.001;
		truth.ph[p].claim_sleep_ms = 0.15;
		truth.ph[p].sleep_fitted = 1;
	}
	assert_true(fit_reproduces(&wl, &m, &s[0], &truth, &fit));
	phases_of(&wl, &m, &truth, 1, at1);
	phases_of(&wl, &m, &truth, 2, at2);
	assert_true(fit.ph[0].sleep_fitted && near(fit.ph[0].claim_sleep_ms, 0.15));
	/* one cost for both kinds (fitted as on a machine where both spin) misses at 1 worker */
	one = s[0];
	m.cores = 8;
	model_fit_points(&one, &wl, &m, 2, w, ms);
	assert_false(one.ph[0].sleep_fitted);
	m.cores = 2;
	assert_false(near(model_generation(&wl, &m, &one, 1, NULL), model_generation(&wl, &m, &truth, 1, NULL)));
	/* 8 cores, both points spinning: one kind, the same at 6 workers as the truth's */
	m.cores = 8;
	truth = s[0];
	for (p = 0; p < MODEL_PHASES; p++)
		truth.ph[p].claim_ms = 0.002;
	phases_of(&wl, &m, &truth, 1, at1);
	phases_of(&wl, &m, &truth, 2, at2);
	fit = s[0];
	model_fit_points(&fit, &wl, &m, 2, w, ms);
	assert_true(near(model_generation(&wl, &m, &fit, 6, NULL), model_generation(&wl, &m, &truth, 6, NULL)));
}

/* fork-pool whose starts cost less than the fork+wait floor (0.1 ms against 0.3): its bytes
   and shared part cannot reproduce both points with costs >= 0, so a start's cost is fitted
   with the shared part and both points are reproduced; where starts cost more than the floor,
   bytes and the shared part reproduce them and the start stays at the floor */
static void test_fit_starts_where_the_floor_cannot(void **state)
{
	struct model_strategy s[ADVISE_MAX_STRATS], truth, fit;
	struct model_workload wl;
	struct model_machine m;
	int p;

	(void)state;
	fixture(&wl, &m);
	model_strategies(s, ADVISE_MAX_STRATS, 0.005, 0.01, 0.3);
	truth = s[2];
	for (p = 0; p < MODEL_PHASES; p++)
		if (truth.ph[p].starts) {
			truth.ph[p].start_fitted = 1;
			truth.ph[p].start_ms = 0.1;
			truth.ph[p].par_ms = 2;
		}
	assert_true(fit_reproduces(&wl, &m, &s[2], &truth, &fit));
	for (p = 0; p < MODEL_PHASES; p++)
		if (truth.ph[p].starts) {
			assert_true(fit.ph[p].start_fitted);
			assert_true(near(fit.ph[p].start_ms, 0.1));
			assert_true(near(fit.ph[p].par_ms, 2));
		}
	/* starts dearer than the floor: bytes and the shared part reproduce it, the floor stays */
	for (p = 0; p < MODEL_PHASES; p++)
		truth.ph[p].start_ms = 1.0;
	assert_true(fit_reproduces(&wl, &m, &s[2], &truth, &fit));
	for (p = 0; p < MODEL_PHASES; p++)
		assert_false(fit.ph[p].start_fitted);
}

static void test_farm_document_000(void **state)
{
	struct model_farm f = { .item_ms = 0.1625, .items = 200, .serial_ms = 52.4, .rtt_ms = 55,
		.round_trips = 3, .workers = 8, .cores = 8, .threads = 1, .item_speedup = 1 };
	struct farm_terms t;

	(void)state;
	assert_true(near(model_farm(&f, 0, NULL), 52.4 + 32.5));
	assert_true(near(model_farm(&f, 8, &t), 52.4 + 25 * 0.1625 + 3 * 55));
	assert_true(near(t.waves, 25));
	f.one_at_a_time = 1;
	assert_true(near(model_farm(&f, 8, &t), 52.4 + 200 * 0.1625 + 3 * 55));
}

/* Items of known costs are scheduled as the backend hands them out: contiguous chunks whose
   sizes differ by at most one, or the next item to the first free worker (here the dynamic
   queue is the longer: 309 ms against the chunks' 294) */
static void test_farm_items_each(void **state)
{
	static const double each[8] = { 65, 81, 76, 62, 65, 78, 63, 88 }, equal[5] = { 3, 3, 3, 3, 3 };
	struct model_farm f = { .item_ms = 72.25, .items = 8, .workers = 2, .cores = 2, .threads = 1,
				.item_speedup = 1, .round_trips = 0, .item_each = each };
	struct farm_terms t;

	(void)state;
	model_farm(&f, 2, &t);
	assert_true(near(t.compute_ms, 309));
	f.static_chunks = 1;
	f.item_cv = 0.5;        /* ignored: the costs are known */
	model_farm(&f, 2, &t);
	assert_true(near(t.compute_ms, 294));
	model_farm(&f, 3, &t);  /* chunks [0, 2), [2, 5), [5, 8): the last, 229 ms, is the longest */
	assert_true(near(t.waves * f.item_ms, 78 + 63 + 88));
	/* equal costs: the same as items of item_ms without a spread, at any worker count */
	f = (struct model_farm){ .item_ms = 3, .items = 5, .workers = 2, .cores = 4, .threads = 1,
				 .item_speedup = 1, .round_trips = 0, .item_each = equal };
	model_farm(&f, 2, &t);
	assert_true(near(t.waves, 3));
	f.static_chunks = 1;
	model_farm(&f, 4, &t);
	assert_true(near(t.waves, 2));
}

static void test_farm_threads_and_oversubscription(void **state)
{
	/* items that run 3x faster on their own threads: 128 cores shared by 20 jobs gives each 6.4 */
	struct model_farm f = { .item_ms = 100, .items = 100, .workers = 20, .cores = 128,
		.threads = 0, .item_speedup = 3, .round_trips = 0 };
	struct farm_terms t;

	(void)state;
	assert_true(near(model_farm(&f, 20, &t), 5 * 100));
	f.threads = 1;            /* BLAS at 1: each item 3x slower */
	assert_true(near(model_farm(&f, 20, &t), 5 * 300));
}

static void test_costs_bad_fields(void **state)
{
	struct advise_costs c;
	char err[512];

	(void)state;
	assert_int_equal(advise_costs_parse("{\"item_ms\":1,\"items\":2,\"bytes_per_item\":0,\"rtt_ms\":[40,70],"
					    "\"start_ms\":0,\"workers\":8,\"cores\":8}", &c, err, sizeof(err)), 0);
	assert_true(near(c.lo.rtt_ms, 40) && near(c.hi.rtt_ms, 70) && near(c.mid.rtt_ms, 55));
	assert_int_equal(c.ranged, 1);
	assert_int_equal(advise_costs_parse("{\"item_ms\":1,\"items\":2,\"bytes_per_item\":0,\"rtt_ms\":1,"
					    "\"start_ms\":0,\"workers\":8}", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "field cores: missing"));
	assert_int_equal(advise_costs_parse("{\"item_ms\":-1,\"items\":2,\"bytes_per_item\":0,\"rtt_ms\":1,"
					    "\"start_ms\":0,\"workers\":8,\"cores\":8}", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "field item_ms: negative"));
	assert_int_equal(advise_costs_parse("{\"item_ms\":1,\"items\":2,\"bytes_per_item\":0,\"rtt_ms\":1,"
					    "\"start_ms\":0,\"workers\":0,\"cores\":8}", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "field workers:"));
	assert_int_equal(advise_costs_parse("{\"item_ms\":1,\"itemz\":2}", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "field itemz:"));
	assert_int_equal(advise_costs_parse("[1,2]", &c, err, sizeof(err)), -1);
}

/* a probe run's generations, each's total ms (the last slot) */
static void run_of(double (*got)[ADVISE_SLOTS], int gens, double first_ms, double growth)
{
	int g;

	memset(got, 0, sizeof(double) * ADVISE_SLOTS * (size_t)gens);
	for (g = 0; g < gens; g++)
		got[g][MODEL_PHASES] = first_ms * pow(growth, g);
}

static void test_probe_run_shortened_where_generations_grow(void **state)
{
	static double got[64][ADVISE_SLOTS];
	double ms = -1, sum = 0;
	int fit, g;

	(void)state;
	/* 25 of 10 ms: the budget exactly, and even 50 of them (twice it) are left alone */
	run_of(got, 25, 10, 1);
	assert_int_equal(advise_gens_within_budget(got, 25, &ms), 0);
	run_of(got, 50, 10, 1);
	assert_int_equal(advise_gens_within_budget(got, 50, &ms), 0);
	assert_true(ms < 0);
	/* 1 ms growing 15% a generation: 64 of them take about 51 s; the first that fit in the budget */
	run_of(got, 64, 1, 1.15);
	fit = advise_gens_within_budget(got, 64, &ms);
	for (g = 0; g < fit; g++)
		sum += got[g][MODEL_PHASES];
	assert_true(fit > 2 && fit < 64);
	assert_true(sum <= ADVISE_PROBE_BUDGET_MS && sum + got[fit][MODEL_PHASES] > ADVISE_PROBE_BUDGET_MS);
	assert_true(fabs(ms - sum / fit) < 1e-9);
	/* 300 ms each: at least 2 are kept, and a run of 2 cannot be shortened */
	run_of(got, 4, 300, 1);
	assert_int_equal(advise_gens_within_budget(got, 4, &ms), 2);
	assert_true(fabs(ms - 300) < 1e-9);
	run_of(got, 2, 300, 1);
	assert_int_equal(advise_gens_within_budget(got, 2, &ms), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_imbalance_per_worker_and_guided),
		cmocka_unit_test(test_weff_capacity_and_bandwidth),
		cmocka_unit_test(test_generation_threads_ideal),
		cmocka_unit_test(test_fit_reproduces_the_probe),
		cmocka_unit_test(test_fit_two_points_splits_main_from_workers),
		cmocka_unit_test(test_fit_reproduces_dispatches_below_the_floor),
		cmocka_unit_test(test_fit_dispatch_where_waits_spin_and_sleep),
		cmocka_unit_test(test_fit_starts_where_the_floor_cannot),
		cmocka_unit_test(test_farm_document_000),
		cmocka_unit_test(test_farm_items_each),
		cmocka_unit_test(test_farm_threads_and_oversubscription),
		cmocka_unit_test(test_costs_bad_fields),
		cmocka_unit_test(test_probe_run_shortened_where_generations_grow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
