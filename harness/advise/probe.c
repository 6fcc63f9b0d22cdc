/*
 * advise's probe: what the model needs, measured on the spot. The workload's per-network
 * costs (a few generations in this process, each network's evaluation timed), this machine's
 * floors and parallel capacity (calibrate.h), its copy bandwidth alone and on every core, and
 * each strategy run for a few generations at ADVISE_PROBE_WORKERS and at 1 worker as a fresh
 * `evopar run`, with sequential beside them: their generation records give every phase's ms.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/serial.h"
#include "harness/advise/advise.h"
#include "proc/child.h"
#include "proc/clock.h"

#define SPREAD_GENS 3             /* in-process generations; the spread is the last one's */
#define BW_BYTES (16u << 20)      /* each copying thread's buffer */
#define BW_REPS 4

static const char *const mode_words[] = { "dynamic", "static" };
static const char *const task_words[] = { "pole", "xor", "spin" };

static int cmp_desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x > y ? -1 : x < y;
}

/* one generation in this process, each network's evaluation timed into ms[] (if not NULL) */
static int spread_generation(struct population *p, struct scratch *s, double *ms)
{
	int i, rc;

	population_begin_generation(p);
	engine_mutate_range(p, 0, p->n);
	rc = engine_prepare_range(p, s, 0, p->n);
	for (i = 0; !rc && i < p->n; i++) {
		double t = proc_now_s();

		rc = engine_evaluate_range(p, s, i, i + 1);
		if (ms)
			ms[i] = (proc_now_s() - t) * 1e3;
	}
	if (rc)
		return rc;
	engine_select(p);
	rc = engine_build_children(p, 0, p->n);
	if (!rc)
		population_swap(p);
	return rc;
}

static void spread_stats(struct advise_probe *pr)
{
	double sum = 0, sq = 0, mean;
	int i;

	for (i = 0; i < pr->n_eval; i++)
		sum += pr->eval_ms[i];
	mean = sum / pr->n_eval;
	for (i = 0; i < pr->n_eval; i++)
		sq += (pr->eval_ms[i] - mean) * (pr->eval_ms[i] - mean);
	pr->eval_cv = mean > 0 && pr->n_eval > 1 ? sqrt(sq / (pr->n_eval - 1)) / mean : 0;
	qsort(pr->eval_ms, (size_t)pr->n_eval, sizeof(double), cmp_desc);
	for (i = 0; i < pr->n_eval; i++)
		pr->eval_prefix[i + 1] = pr->eval_prefix[i] + pr->eval_ms[i];
}

/* the spread of evaluation times and the networks' wire size, at the last in-process gen */
static int probe_spread(struct advise_probe *pr, double *gen_ms, char *err, size_t errlen)
{
	struct evo_config cfg = pr->evo;
	struct population p;
	struct scratch s = { 0 };
	double bytes = 0, t = 0;
	int g, i, rc;

	pr->eval_ms = calloc((size_t)cfg.pop, sizeof(double));
	pr->eval_prefix = calloc((size_t)cfg.pop + 1, sizeof(double));
	rc = pr->eval_ms && pr->eval_prefix ? population_init(&p, &cfg, err, errlen) : -ENOMEM;
	if (rc)
		return rc;
	for (g = 0; !rc && g < SPREAD_GENS && g < cfg.gens; g++) {
		t = proc_now_s();
		rc = spread_generation(&p, &s, g == SPREAD_GENS - 1 || g == cfg.gens - 1 ? pr->eval_ms : NULL);
		t = proc_now_s() - t;
	}
	for (i = 0; !rc && i < p.n; i++)
		bytes += (double)serial_size(&p.nets[i]);
	pr->n_eval = p.n;
	pr->bytes_per_item = bytes / p.n;
	*gen_ms = t * 1e3;
	if (rc)
		snprintf(err, errlen, "advise: the workload's own generation failed: %s", strerror(-rc));
	population_release(&p);
	scratch_release(&s);
	if (!rc)
		spread_stats(pr);
	return rc;
}

struct bw_copy {
	pthread_t th;
	char *src, *dst;
	double s;
};

static void *bw_main(void *arg)
{
	struct bw_copy *c = arg;
	double t = proc_now_s();
	int r;

	for (r = 0; r < BW_REPS; r++) {
		memcpy(c->dst, c->src, BW_BYTES);
		c->src[r] = c->dst[BW_BYTES - 1 - r];   /* the copies cannot be left out */
	}
	c->s = proc_now_s() - t;
	return NULL;
}

/* GB/s of n threads copying at once (read and write counted), or 0 when out of memory */
static double bandwidth(int n)
{
	struct bw_copy *c = calloc((size_t)n, sizeof(*c));
	double total = 0, wall = 0;
	int i, ok = c != NULL;

	for (i = 0; ok && i < n; i++) {
		c[i].src = malloc(BW_BYTES);
		c[i].dst = malloc(BW_BYTES);
		ok = c[i].src && c[i].dst;
		if (ok)
			memset(c[i].src, i + 1, BW_BYTES), memset(c[i].dst, 0, BW_BYTES);
	}
	for (i = 0; ok && i < n; i++)
		ok = !pthread_create(&c[i].th, NULL, bw_main, &c[i]);
	for (n = ok ? n : i, i = 0; i < n; i++) {
		pthread_join(c[i].th, NULL);
		wall = c[i].s > wall ? c[i].s : wall;
		total += 2.0 * BW_BYTES * BW_REPS;
	}
	for (i = 0; c && i < n; i++)
		free(c[i].src), free(c[i].dst);
	free(c);
	return ok && wall > 0 ? total / wall / 1e9 : 0;
}

/* the ms of every phase and the total of each generation in a run's records */
static int read_generations(const char *path, double (*ms)[ADVISE_SLOTS], int gens)
{
	static const char *const keys[ADVISE_SLOTS] = { "mutate", "prepare", "evaluate", "resample", "total" };
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	int seen = 0, k;

	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		json_t *o = json_loads(line, 0, NULL), *m = json_object_get(o, "ms");
		int g = (int)json_integer_value(json_object_get(o, "gen"));

		const char *type = json_string_value(json_object_get(o, "type"));

		if (o && m && type && !strcmp(type, "generation") &&
		    g >= 0 && g < gens) {
			for (k = 0; k < ADVISE_SLOTS; k++)
				ms[g][k] = json_number_value(json_object_get(m, keys[k]));
			seen++;
		}
		json_decref(o);
	}
	free(line);
	fclose(f);
	return seen == gens ? 0 : -EIO;
}

int advise_exec(const char *self_exe, char **argv, char *err, size_t errlen)
{
	struct child c;
	int rc;

	child_init(&c);
	c.argv = argv;
	c.exe = self_exe;
	c.std_out = CHILD_NULL;
	rc = child_start(&c, err, errlen);
	if (!rc && child_wait(&c, 900) == -ETIMEDOUT)
		child_end(&c, 1);
	if (!rc && child_exit_code(&c)) {
		char how[128];

		child_describe(&c, how, sizeof(how));
		snprintf(err, errlen, "evopar %s %s %s %s", argv[1], argv[2], argv[3], how);
		rc = -EIO;
	}
	return rc;
}

int advise_run_child(const char *self_exe, const struct evo_config *evo, const char *strategy,
		     int workers, int gens, double (*ms)[ADVISE_SLOTS], char *err, size_t errlen)
{
	char tmp[] = "/tmp/evopar-advise-XXXXXX", words[MODEL_NAME], num[8][24];
	char *argv[40], *save = NULL, *tok;
	int n = 0, fd = mkstemp(tmp), rc;

	if (fd < 0)
		return -errno;
	close(fd);
	snprintf(words, sizeof(words), "%s", strategy);
	argv[n++] = "evopar";
	argv[n++] = "run";
	argv[n++] = "--strategy";
	for (tok = strtok_r(words, " ", &save); tok && n < 8; tok = strtok_r(NULL, " ", &save))
		argv[n++] = tok;
	snprintf(num[0], 24, "%d", workers);
	snprintf(num[1], 24, "%d", evo->pop);
	snprintf(num[2], 24, "%d", gens);
	snprintf(num[3], 24, "%llu", (unsigned long long)evo->seed);
	snprintf(num[4], 24, "%d", evo->spin);
	snprintf(num[5], 24, "%d", evo->steps);
	snprintf(num[6], 24, "%d", evo->episodes);
	snprintf(num[7], 24, "%d", evo->hidden);
	{
		char *rest[] = { "--workers", num[0], "--pop", num[1], "--gens", num[2], "--seed", num[3],
				 "--spin", num[4], "--steps", num[5], "--episodes", num[6], "--hidden", num[7],
				 "--mode", (char *)mode_words[evo->mode], "--task", (char *)task_words[evo->task],
				 "--quiet", "--out", tmp, NULL };
		memcpy(argv + n, rest, sizeof(rest));
	}
	rc = advise_exec(self_exe, argv, err, errlen);
	if (!rc && (rc = read_generations(tmp, ms, gens)))
		snprintf(err, errlen, "advise: evopar run --strategy %s wrote no generation records", strategy);
	unlink(tmp);
	return rc;
}

int advise_warmup_gens(int gens, double gen_ms)
{
	int w = gen_ms > 0 ? (int)ceil(ADVISE_WARMUP_MS / gen_ms) : 1;

	w = w < 1 ? 1 : w;
	return gens < 2 ? 0 : w < gens / 2 ? w : gens / 2;
}

/* generations per probe run: about ADVISE_PROBE_BUDGET_MS of the sequential generation, 2 to most */
static int probe_gens(const struct advise_probe *pr, double gen_ms, int most)
{
	int g = gen_ms > 0 ? (int)(ADVISE_PROBE_BUDGET_MS / gen_ms) : most;

	g = g < 2 ? 2 : g > most ? most : g;
	return g < pr->evo.gens ? g : pr->evo.gens;
}

/* runs of gens generations: the warm-up left out, and every stride-th generation after it */
static void probe_size(struct advise_probe *pr, int gens, double gen_ms)
{
	int used;

	pr->gens = gens;
	pr->first = advise_warmup_gens(gens, gen_ms);
	used = gens - pr->first;
	pr->stride = (used + ADVISE_RUN_SAMPLES - 1) / ADVISE_RUN_SAMPLES;
	pr->per_run = (used + pr->stride - 1) / pr->stride;
}

static int probe_machine(struct advise_probe *pr, char *err, size_t errlen)
{
	struct evo_config cap = pr->evo;
	int rc = calibrate_measure(&pr->cal, pr->self_exe, err, errlen), n;

	cap.gens = 1 << 20;       /* the capacity sizes its copies itself, to 0.2 s */
	if (!rc)
		rc = calibrate_capacity(&pr->cal, &cap, NULL, err, errlen);
	if (rc)
		return rc;
	pr->machine.cores = pr->cal.capacity.cores;
	for (n = 0; n < pr->cal.capacity.cores; n++)
		pr->machine.capacity[n] = pr->cal.capacity.ratio[n];
	pr->machine.bw1_gbs = bandwidth(1);
	pr->machine.bwn_gbs = bandwidth(pr->machine.cores);
	return 0;
}

int advise_gens_within_budget(double (*got)[ADVISE_SLOTS], int gens, double *gen_ms)
{
	double sum = 0, fit_ms = 0;
	int g, fit = 0;

	for (g = 0; g < gens; g++) {
		sum += got[g][MODEL_PHASES];
		if (sum <= ADVISE_PROBE_BUDGET_MS || g < 2) {
			fit = g + 1;
			fit_ms = sum;
		}
	}
	if (sum <= 2 * ADVISE_PROBE_BUDGET_MS || fit >= gens)
		return 0;
	*gen_ms = fit_ms / fit;
	return fit;
}

/* round r of the probe runs: sequential, then each strategy at ADVISE_PROBE_WORKERS and at
   1 worker, the order rotated each round (no run always follows the same one). Round 0's
   sequential run comes first: where it ran past the budget, the round ends there with the
   generations that fit in *fit (their mean ms in *fit_ms) */
static int probe_round(struct advise_probe *pr, int r, int *fit, double *fit_ms, char *err, size_t errlen)
{
	double got[ADVISE_MAX_GENS][ADVISE_SLOTS];
	int j, g, rc = 0, runs = 2 * pr->n_strats + 1;

	for (j = 0; !rc && j < runs; j++) {
		int i = (j + r * (runs / ADVISE_ROUNDS + 1)) % runs, k = (i - 1) / 2, at_one = i && i % 2 == 0;
		double (*to)[ADVISE_SLOTS] = !i ? pr->seq : at_one ? pr->ms1[k] : pr->ms[k];

		rc = advise_run_child(pr->self_exe, &pr->evo, i ? pr->strat[k].name : "sequential",
				      !i || at_one ? 1 : ADVISE_PROBE_WORKERS, pr->gens, got, err, errlen);
		if (!rc && !r && !i && (*fit = advise_gens_within_budget(got, pr->gens, fit_ms)))
			return 0;    /* the round begins again with *fit generations */
		for (g = 0; !rc && g < pr->per_run; g++)
			memcpy(to[r * pr->per_run + g], got[pr->first + g * pr->stride], sizeof(got[0]));
	}
	return rc;
}

/*
 * Longer runs where the first round says they fit: a fifth of 85% of the probe's time left
 * a round (a round's time varies by a tenth here), up to the budget's generations. Runs of a fast workload are short (ADVISE_FIRST_GENS) and
 * fork-pool's may take ten times sequential's, so only a measured round can size them. The
 * first round's samples are then dropped (its runs were shorter).
 */
static int probe_resize(struct advise_probe *pr, double t0, double round_s, double gen_ms)
{
	double per_round = 0.85 * (ADVISE_PROBE_LIMIT_S - (proc_now_s() - t0)) / ADVISE_ROUNDS;
	int most = probe_gens(pr, gen_ms, ADVISE_MAX_GENS), g = pr->gens;

	if (round_s > 0 && per_round > round_s)
		g = (int)(pr->gens * (per_round / round_s));
	g = g > most ? most : g;
	if (g < pr->gens * 5 / 4)
		return 0;
	probe_size(pr, g, gen_ms);
	return 1;
}

/* every probe run, ADVISE_ROUNDS rounds in turn (a burst of load hits one round, not all);
   each run's samples are its generations past the warm-up. A round that would end past
   ADVISE_PROBE_LIMIT_S of the probe (since t0) is not begun, the first excepted: a heavy
   workload gets fewer rounds, not a longer wait. */
static int probe_runs(struct advise_probe *pr, double t0, double gen_ms, char *err, size_t errlen)
{
	double round_s = 0;
	int r, rc = 0, sized = 0;

	for (r = 0; !rc && r < ADVISE_ROUNDS && (!r || proc_now_s() - t0 + round_s < ADVISE_PROBE_LIMIT_S); r++) {
		double t = proc_now_s(), fit_ms = 0;
		int gens = pr->gens, fit = 0;

		rc = probe_round(pr, r, &fit, &fit_ms, err, errlen);
		round_s = proc_now_s() - t;
		if (!rc && fit) {
			/* fewer generations, from round 0 again; never grown after, since growing
			   assumes every generation costs what the first did */
			probe_size(pr, fit, fit_ms);
			sized = 1;
			r = -1;
			continue;
		}
		if (!rc && !sized++ && probe_resize(pr, t0, round_s, gen_ms)) {
			r = -1;                               /* the rounds begin again */
			round_s *= (double)pr->gens / gens;
		}
	}
	pr->rounds = rc ? 0 : r;
	pr->n_samples = rc ? 0 : r * pr->per_run;
	return rc;
}

int advise_probe_run(struct advise_probe *pr, char *err, size_t errlen)
{
	double t0 = proc_now_s(), gen_ms = 0, floor_us[3];
	int rc;

	if (readlink("/proc/self/exe", pr->self_exe, sizeof(pr->self_exe) - 1) < 0) {
		snprintf(err, errlen, "advise: /proc/self/exe: %s", strerror(errno));
		return -errno;
	}
	rc = probe_spread(pr, &gen_ms, err, errlen);
	if (!rc)
		rc = probe_machine(pr, err, errlen);
	if (rc)
		return rc;
	probe_size(pr, probe_gens(pr, gen_ms, ADVISE_FIRST_GENS), gen_ms);
	floor_us[0] = pr->cal.floors[FLOOR_PIPE_CROSS_CORE].reps ?
		      pr->cal.floors[FLOOR_PIPE_CROSS_CORE].median_us / 2 : pr->cal.floors[FLOOR_PIPE_RTT].median_us / 2;
	floor_us[1] = pr->cal.floors[FLOOR_PIPE_RTT].median_us;
	floor_us[2] = pr->cal.floors[FLOOR_FORK_WAIT].median_us;
	pr->n_strats = model_strategies(pr->strat, ADVISE_MAX_STRATS, floor_us[0] / 1e3,
					floor_us[1] / 1e3, floor_us[2] / 1e3);
	rc = probe_runs(pr, t0, gen_ms, err, errlen);
	pr->elapsed_s = proc_now_s() - t0;
	return rc;
}

void advise_probe_release(struct advise_probe *pr)
{
	free(pr->eval_ms);
	free(pr->eval_prefix);
	pr->eval_ms = NULL;
	pr->eval_prefix = NULL;
}
