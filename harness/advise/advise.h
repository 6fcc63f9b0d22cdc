/*
 * `evopar advise`: the probe that measures a workload's costs on the spot (probe.c), the
 * predictions the model (model.h) makes from them with intervals (predict.c), a foreign
 * workload's costs file (costs.c), and the command (advise.c). `evopar study model` uses the
 * same probe and predictions, then measures what they predicted.
 */
#ifndef EVOPAR_ADVISE_H
#define EVOPAR_ADVISE_H

#include <stdio.h>

#include "engine/config.h"
#include "harness/advise/model.h"
#include "harness/instruments/calibrate.h"
#include "harness/records/record.h"

#define ADVISE_MAX_GENS 512       /* generations each probe run evolves, at most */
#define ADVISE_FIRST_GENS 128     /* ... in the first round, whose time sizes the others */
#define ADVISE_RUN_SAMPLES 128    /* samples a run gives: every stride-th generation past the warm-up */
#define ADVISE_PROBE_BUDGET_MS 250.0  /* each probe run's sequential generations take about this,
					 where the rounds fit in the probe's time */
#define ADVISE_WARMUP_MS 50.0     /* the generations of a run's first ms left out: threads and
				     processes settle on the cores within tens of ms here */
#define ADVISE_ROUNDS 5           /* every probe run this often, the runs in turn */
#define ADVISE_PROBE_LIMIT_S 27.0 /* no probe round is begun that would end past this */
#define ADVISE_MAX_SAMPLES (ADVISE_ROUNDS * ADVISE_RUN_SAMPLES)
#define ADVISE_MAX_STRATS 6
#define ADVISE_PROBE_WORKERS 2    /* the workers each strategy is probed at, and at 1 */
#define ADVISE_PROBE_POINTS 2     /* those worker counts: 1 and ADVISE_PROBE_WORKERS */
#define ADVISE_MAX_CORES 64       /* --cores at most */
#define ADVISE_SLOTS (MODEL_PHASES + 1)   /* per generation: the phases' ms, then the total */

/* a foreign workload's costs: every field at its low end, middle and high end */
struct advise_costs {
	char name[96];
	char note[512];
	struct model_farm lo, mid, hi;
	int ranged;               /* some field was given as [low, high] */
};

/* 0, or -1 with "field NAME: why" in err */
int advise_costs_parse(const char *text, struct advise_costs *c, char *err, size_t errlen);

/* what the probe measured */
struct advise_probe {
	struct evo_config evo;    /* the workload (gens: the run's) */
	int cores;                /* predictions for 1..cores workers */
	int gens;                 /* generations of each probe run */
	int first;                /* the first generation used (0 is left out when there are 2+) */
	int stride;               /* every stride-th generation from first is a sample */
	int per_run;              /* samples a run gives */
	int rounds;               /* rounds made: ADVISE_ROUNDS, fewer where they would take too long */
	int n_samples;            /* per_run x rounds: the samples of every interval */
	/* sample k: generation first + (k % per_run) x stride of round k / per_run, in ms */
	double seq[ADVISE_MAX_SAMPLES][ADVISE_SLOTS];  /* sequential's phases and total */
	int n_strats;
	struct model_strategy strat[ADVISE_MAX_STRATS];
	double ms[ADVISE_MAX_STRATS][ADVISE_MAX_SAMPLES][ADVISE_SLOTS];  /* each at PROBE_WORKERS */
	double ms1[ADVISE_MAX_STRATS][ADVISE_MAX_SAMPLES][ADVISE_SLOTS]; /* each at 1 worker */
	double *eval_ms;          /* evaluate's ms per network, longest first */
	double *eval_prefix;      /* their prefix sums (n_eval + 1, from 0): the model's claims */
	int n_eval;
	double eval_cv;           /* their spread: standard deviation / mean */
	double bytes_per_item;    /* a network's serialised size, mean */
	struct model_machine machine;
	struct calibration cal;   /* the floors and the capacity */
	double elapsed_s;
	char self_exe[4096];
};

/* the warm-up of a run of gens generations of about gen_ms each: those in its first
   ADVISE_WARMUP_MS, at least 1 and at most half (none of a run of 1) */
int advise_warmup_gens(int gens, double gen_ms);
/*
 * The generations of a probe run (got, read only: its gens generations, each's phases then
 * its total) whose time fits ADVISE_PROBE_BUDGET_MS, where the run took over twice it: the
 * first generations sized it, and a workload's generations may grow dearer as it learns
 * (pole's episodes last longer: 6 ms at generation 0 and 300 at 26, population 200 and 10000
 * steps). At least 2; 0 where the run fits or cannot be shortened. *gen_ms: their mean.
 */
int advise_gens_within_budget(double (*got)[ADVISE_SLOTS], int gens, double *gen_ms);
/* measure everything for pr->evo and pr->cores (set by the caller); 0 or -errno with err */
int advise_probe_run(struct advise_probe *pr, char *err, size_t errlen);
void advise_probe_release(struct advise_probe *pr);
/* run the evopar binary with argv (argv[0] "evopar", a command and its options, at least 3
   words); 0 when it exited 0, else -errno or -EIO with how it ended in err */
int advise_exec(const char *self_exe, char **argv, char *err, size_t errlen);
/* a fresh `evopar run --strategy STRATEGY` (its options after the name) of evo at workers for
   gens generations; each generation's phases and total into ms. 0 or -errno with err */
int advise_run_child(const char *self_exe, const struct evo_config *evo, const char *strategy,
		     int workers, int gens, double (*ms)[ADVISE_SLOTS], char *err, size_t errlen);

/* one strategy at one worker count, predicted */
struct advise_pred {
	char name[MODEL_NAME];
	int workers;
	double ms, ms_lo, ms_hi;            /* per generation, median and 95% interval */
	double speedup, sp_lo, sp_hi;       /* over sequential, paired by generation */
	struct model_terms terms;           /* of the median generation */
};

struct advise_result {
	int n;
	struct advise_pred pred[1 + ADVISE_MAX_STRATS * ADVISE_MAX_CORES];
	int best;                 /* the recommendation: the least predicted ms */
	struct model_workload wl; /* the median generation's workload */
	double seq_ms;
};

/* the predictions from the probe (sequential first, then every strategy at 1..cores) */
int advise_predict(const struct advise_probe *pr, struct advise_result *res, char *err, size_t errlen);

/* strategy i fitted at the median probe generation, and what its probe measured there
   (phases and total; at ADVISE_PROBE_WORKERS in probe_ms[0], at 1 worker in probe_ms[1];
   probe_ms may be NULL); 0, or -1 past the strategies */
int advise_fitted(const struct advise_probe *pr, const struct advise_result *res, int i,
		  struct model_strategy *out, const double *probe_ms[2]);
/* the table, the recommendation and why, on f */
void advise_print(FILE *f, const struct advise_probe *pr, const struct advise_result *res);
/* the deciding phase's line ("mutate: 0.1 us of work per dispatch of 4.8 us, ...: stays sequential"):
   the recommended row's greatest gain, or where sequential wins the greatest loss of the fastest
   row of more than one worker */
void advise_why(char *buf, size_t len, const struct advise_result *res, const struct advise_probe *pr);
/* records: advise_probe, one advise_prediction per row, advise_recommendation */
void advise_write(struct jw *w, const struct advise_probe *pr, const struct advise_result *res,
		  int (*emit)(void *ctx, const struct jw *w), void *ctx);

/* a farm's predictions for --costs, printed and written */
int advise_costs_report(const struct advise_costs *c, FILE *f, struct jw *w,
			int (*emit)(void *ctx, const struct jw *w), void *ctx);

#endif
