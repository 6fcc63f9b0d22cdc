/*
 * `evopar study model`, trial level: a search's wall time predicted by the farm model from a
 * probe (the search's trials under every backend at 1 job: each trial's cost, the search's own
 * overhead), the machine's capacity for one trial's evolution and the floors, then every
 * backend at 1..cores jobs measured as fresh `evopar search` runs, a round in each step after
 * its probe.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reports/stats.h"
#include "studies/model.h"

#define TRIAL_GENS "10"

static const char *const trial_pops[] = { "50", "100", "200" };   /* one case each */

static const char *const backends[] = { "sequential", "threads", "fork-pool", "persistent", "thread-limited" };
#define N_BACKENDS (sizeof(backends) / sizeof(backends[0]))

/* a search case's probe: its trials at 1 job under every backend */
struct trial_probe {
	double raw_ms[N_BACKENDS][SM_MAX_TRIALS];   /* each backend's trials, by id */
	double each_ms[SM_MAX_TRIALS];   /* each trial's cost, by id (the order they are handed out) */
	double mean_ms, min_ms, max_ms, cv;
	double overhead_ms[N_BACKENDS];  /* each backend's search wall time beyond its trials' */
	double capacity[MODEL_MAX_CORES];
};

/* the trial records' durations and the summary's wall time of a search's records */
static int read_search(const char *path, double *trial_ms, int *n, int max, double *wall_ms)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;

	*n = 0;
	*wall_ms = -1;
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		json_t *o = json_loads(line, 0, NULL);
		const char *type = json_string_value(json_object_get(o, "type"));

		/* by id (they end in any order); ids past max are counted, not kept */
		if (type && !strcmp(type, "trial")) {
			json_int_t id = json_integer_value(json_object_get(o, "id"));

			if (id >= 0 && id < max)
				trial_ms[id] = (json_number_value(json_object_get(o, "end_s")) -
						json_number_value(json_object_get(o, "start_s"))) * 1e3;
			(*n)++;
		}
		if (type && !strcmp(type, "summary"))
			*wall_ms = json_number_value(json_object_get(o, "wall_s")) * 1e3;
		json_decref(o);
	}
	free(line);
	fclose(f);
	return *wall_ms > 0 ? 0 : -EIO;
}

/* one fresh search: its wall ms, and its trials' ms by id (those below max) */
static int run_search(const struct sm_study *st, const char *pop, const char *backend, int jobs, int trials,
		      double *trial_ms, int *n, int max, double *wall_ms, char *err, size_t errlen)
{
	char tmp[] = "/tmp/evopar-model-XXXXXX", j[16], t[16];
	char *argv[] = { "evopar", "search", "--backend", (char *)backend, "--jobs", j, "--trials", t,
			 "--seeds", "1", "--pop", (char *)pop, "--gens", TRIAL_GENS, "--quiet", "--out", tmp, NULL };
	int fd = mkstemp(tmp), rc;

	if (fd < 0)
		return -errno;
	close(fd);
	snprintf(j, sizeof(j), "%d", jobs);
	snprintf(t, sizeof(t), "%d", trials);
	rc = advise_exec(st->self_exe, argv, err, errlen);
	if (!rc && (rc = read_search(tmp, trial_ms, n, max, wall_ms)))
		snprintf(err, errlen, "evopar search --backend %s wrote no summary", backend);
	unlink(tmp);
	return rc;
}

/* the mean, range and spread of the probe's n trials */
static void trial_stats(struct trial_probe *tp, int n)
{
	double sum = 0, sq = 0;
	int i;

	for (i = 0; i < n; i++)
		sum += tp->each_ms[i];
	tp->mean_ms = n > 0 ? sum / n : 0;
	tp->min_ms = tp->max_ms = n > 0 ? tp->each_ms[0] : 0;
	for (i = 0; i < n; i++) {
		sq += (tp->each_ms[i] - tp->mean_ms) * (tp->each_ms[i] - tp->mean_ms);
		tp->min_ms = tp->each_ms[i] < tp->min_ms ? tp->each_ms[i] : tp->min_ms;
		tp->max_ms = tp->each_ms[i] > tp->max_ms ? tp->each_ms[i] : tp->max_ms;
	}
	tp->cv = n > 1 && tp->mean_ms > 0 ? sqrt(sq / (n - 1)) / tp->mean_ms : 0;
}

/* backend b's trials at 1 job, and the search's own overhead beyond them */
static int probe_backend(const struct sm_study *st, const char *pop, int b, struct trial_probe *tp,
			 char *err, size_t errlen)
{
	double wall, sum = 0;
	int n = 0, i, rc = run_search(st, pop, backends[b], 1, st->trials, tp->raw_ms[b], &n, SM_MAX_TRIALS,
				      &wall, err, errlen);

	if (!rc && n != st->trials) {
		snprintf(err, errlen, "study model: evopar search --backend %s wrote %d trial records of %d",
			 backends[b], n, st->trials);
		rc = -EIO;
	}
	for (i = 0; !rc && i < n; i++)
		sum += tp->raw_ms[b][i];
	tp->overhead_ms[b] = !rc && wall > sum ? wall - sum : 0;
	return rc;
}

/*
 * Each trial's cost: its median over the backends' probes, for every backend. A trial in a
 * process of its own might cost what it does not in the main one, but here the backends'
 * 1-job searches cost the same within their run-to-run noise (8 trials of pop 100: 540-568 ms
 * over the five), while one run of each strays by up to 12%: the median of five does not.
 */
static void pool_trial_costs(struct trial_probe *tp, int trials)
{
	double v[N_BACKENDS];
	size_t b;
	int i;

	for (i = 0; i < trials; i++) {
		for (b = 0; b < N_BACKENDS; b++)
			v[b] = tp->raw_ms[b][i];
		tp->each_ms[i] = stats_median(v, (int)N_BACKENDS);
	}
	trial_stats(tp, trials);
}

#define CAPACITY_TIMES 3

/*
 * Every backend's probe, and the capacity for one trial's evolution measured before, among
 * and after them, per worker count the median of the three: the farm's prediction at more
 * jobs scales with it, and one measurement of about a second can fall in a burst of the
 * host's load (pop 200 once measured 1.64 where its searches then ran at 2.0).
 */
static int probe_trials(const struct sm_study *st, const char *pop, struct trial_probe *tp, char *err,
			size_t errlen)
{
	struct calibration *cal = calloc(1, sizeof(*cal));
	double got[CAPACITY_TIMES][MODEL_MAX_CORES] = { { 0 } }, v[CAPACITY_TIMES];
	struct evo_config evo;
	int b, i, k = 0, cores = 0, rc = cal ? 0 : -ENOMEM;

	evo_config_defaults(&evo);
	evo.pop = atoi(pop);
	evo.gens = 1 << 20;       /* the capacity sizes its copies itself */
	for (b = 0; !rc && b <= (int)N_BACKENDS; b++) {
		/* before the first backend, before the middle one, after the last */
		if (b == 0 || b == (int)N_BACKENDS / 2 || b == (int)N_BACKENDS) {
			rc = calibrate_capacity(cal, &evo, NULL, err, errlen);
			cores = rc ? 0 : cal->capacity.cores;
			for (i = 0; i < cores && i < MODEL_MAX_CORES; i++)
				got[k][i] = cal->capacity.ratio[i];
			k++;
		}
		if (!rc && b < (int)N_BACKENDS)
			rc = probe_backend(st, pop, b, tp, err, errlen);
	}
	if (!rc)
		pool_trial_costs(tp, st->trials);
	for (i = 0; !rc && i < cores && i < MODEL_MAX_CORES; i++) {
		for (b = 0; b < CAPACITY_TIMES; b++)
			v[b] = got[b][i];
		tp->capacity[i] = stats_median(v, CAPACITY_TIMES);
	}
	free(cal);
	return rc;
}

/* the farm backend b makes of the search at jobs, trials of cost item_ms; its probe (at 1
   job) paid one start and a round trip per trial, which its overhead leaves out */
static double predict(const struct sm_study *st, const struct trial_probe *tp, int b, int jobs, double item_ms,
		      int each)
{
	int threads = !strcmp(backends[b], "threads");
	double rtt = b == 0 || threads ? 0 : st->pipe_rtt_ms, start = b == 0 ? 0 : threads ? st->thread_ms : st->fork_ms;
	double serial = tp->overhead_ms[b] - start - st->trials * rtt;
	struct model_farm f = { .item_ms = item_ms, .items = st->trials, .workers = jobs, .cores = st->cores,
		.threads = 1, .item_speedup = 1, .round_trips = -1, .serial_ms = serial > 0 ? serial : 0,
		.item_cv = tp->cv, .item_each = each ? tp->each_ms : NULL };

	memcpy(f.capacity, tp->capacity, sizeof(f.capacity));
	f.static_chunks = !strcmp(backends[b], "fork-pool");
	f.rtt_ms = rtt;
	f.start_ms = start;
	return model_farm(&f, b == 0 ? 0 : jobs, NULL);
}

static void add_rows(struct sm_study *st, const struct trial_probe *tp, const char *label)
{
	size_t b;
	int j;

	for (b = 0; b < N_BACKENDS; b++)
		for (j = 1; j <= (b == 0 ? 1 : st->cores) && st->n_rows < SM_MAX_ROWS; j++) {
			struct sm_row *r = &st->rows[st->n_rows++];

			memset(r, 0, sizeof(*r));
			snprintf(r->label, sizeof(r->label), "%s", label);
			snprintf(r->name, sizeof(r->name), "%s", backends[b]);
			r->workers = j;
			r->is_reference = b == 0;
			/* the trials as the probe timed them, each handed out as the backend does;
			   the interval: every trial as cheap as the cheapest, as dear as the dearest */
			r->pred = predict(st, tp, (int)b, j, tp->mean_ms, 1);
			r->pred_lo = predict(st, tp, (int)b, j, tp->min_ms, 0);
			r->pred_hi = predict(st, tp, (int)b, j, tp->max_ms, 0);
		}
}

/* one fresh search of the case's trials under the row's backend and jobs: its wall ms */
static int measure_search(const struct sm_study *st, const struct sm_case *c, const struct sm_row *r,
			  double *ms, char *err, size_t errlen)
{
	double unused[1];
	int none;

	return run_search(st, c->how.search.pop, r->name, r->workers, st->trials, unused, &none, 0, ms, err, errlen);
}

/* one search case, trials of population pop: probed and predicted, its rounds to come */
static int search_case(struct sm_study *st, const char *pop, char *err, size_t errlen)
{
	struct trial_probe *tp = calloc(1, sizeof(*tp));
	struct sm_case *c;
	char label[96];
	int first = st->n_rows, k, rec, rc = tp ? 0 : -ENOMEM;

	snprintf(label, sizeof(label), "search: %d trials, pop %s, %s gens, 1 seed", st->trials, pop, TRIAL_GENS);
	sm_case_begins(st, label);
	if (!rc && st->n_rows + (int)N_BACKENDS * st->cores > SM_MAX_ROWS) {
		snprintf(err, errlen, "study model: more than %d configurations", SM_MAX_ROWS);
		rc = -E2BIG;
	}
	if (!rc)
		rc = probe_trials(st, pop, tp, err, errlen);
	if (rc)
		goto out;
	add_rows(st, tp, label);
	for (rec = first, k = first; k < st->n_rows; k++)
		if (st->rows[k].pred < st->rows[rec].pred)
			rec = k;
	c = sm_case_add(st, label, "search", first, st->n_rows - first, rec, measure_search, err, errlen);
	if (!c) {
		rc = -E2BIG;
		goto out;
	}
	c->how.search.pop = pop;
	c->capacity = tp->capacity[st->cores - 1 < MODEL_MAX_CORES ? st->cores - 1 : 0];
out:
	free(tp);
	return rc;
}

int sm_searches(struct sm_study *st, int small, char *err, size_t errlen)
{
	size_t i, n = small ? 1 : sizeof(trial_pops) / sizeof(trial_pops[0]);
	int rc = 0;

	for (i = 0; !rc && i < n; i++)
		if (!(rc = search_case(st, trial_pops[small ? 1 : i], err, errlen)))
			rc = sm_measure_step(st, st->gen_cases, err, errlen);
	return rc ? rc : sm_measure_cases(st, st->gen_cases, err, errlen);
}
