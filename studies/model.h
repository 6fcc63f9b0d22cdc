/*
 * `evopar study model`: how often advise's model is right. For every case (population, mode,
 * evaluation length) advise's probe predicts first; then every configuration it predicted is
 * measured as fresh runs, one round of the case in each of the steps that follow its probe (a
 * step: a probe, then a round of every case with rounds left); the errors and the
 * recommendation's rank go into records and a report. The same for the search backends at
 * trial level (model_search.c). The cases and their rounds, which both parts share, are
 * model_cases.c's; the report is model_report.c's.
 */
#ifndef EVOPAR_STUDIES_MODEL_H
#define EVOPAR_STUDIES_MODEL_H

#include <stdio.h>

#include "harness/advise/advise.h"
#include "harness/records/records.h"

#define SM_MAX_REPS 20
#define SM_MAX_TRIALS 64          /* trials of a search: the probe times every one */
#define SM_MAX_ROWS 4096          /* predicted-and-measured configurations over all cases */

/* one configuration of one case: predicted, then measured */
struct sm_row {
	char label[96];           /* the case */
	char name[MODEL_NAME];    /* strategy or backend */
	int workers;
	int is_reference;         /* sequential: its error is run-to-run noise, kept apart */
	double pred, pred_lo, pred_hi;
	double meas[SM_MAX_REPS];
	int reps;
	double meas_ms;           /* median over the rounds */
	double err;               /* |pred - meas| / meas */
};

struct sm_study;
struct sm_case;

/* one fresh measurement of row r of case c: its ms */
typedef int (*sm_measure_fn)(const struct sm_study *st, const struct sm_case *c, const struct sm_row *r,
			     double *ms, char *err, size_t errlen);

/* one case: its rows, how to measure them, and its verdict on the recommendation */
struct sm_case {
	char label[96];
	const char *part;         /* "generation" or "search": the records' part */
	int first, n;             /* its rows: [first, first + n) of the study's */
	sm_measure_fn measure;
	union {                   /* what measure reads: the case's part's own */
		struct {
			struct evo_config evo;    /* the runs' configuration */
			int warm;                 /* the generations each run leaves out */
		} gen;
		struct {
			const char *pop;          /* the trials' population */
		} search;
	} how;
	int rounds;               /* measured so far */
	int rec, fastest;         /* rows (indices into the study's rows) */
	int exact;                /* the recommendation is the fastest measured */
	int within;               /* or its paired interval over the fastest holds 1 */
	double ratio, lo, hi;     /* measured recommendation / fastest, paired by round */
	double capacity;          /* the machine's capacity at its cores as the probe found it */
};

struct sm_study {
	int gens, reps, cores, trials;
	int cpus;                 /* the CPUs this process may use: cores past them take turns */
	const char *project;      /* a costs file to project from, or NULL */
	int quiet;
	char self_exe[4096];
	struct output out;
	struct jw jw;
	struct sm_row *rows;
	int n_rows;
	struct sm_case cases[256];
	int n_cases;
	int gen_rows;             /* rows of the within-generation part; the rest are searches */
	int gen_cases;
	double load_start, load_end, elapsed_s;
	double pipe_rtt_ms, fork_ms, thread_ms;   /* the last probe's floors, for the searches */
};

/* model_cases.c: the progress line of a case about to be probed (unless --quiet) */
void sm_case_begins(const struct sm_study *st, const char *label);
/* a case of rows [first, first + n) predicted, rec the recommended; NULL when full */
struct sm_case *sm_case_add(struct sm_study *st, const char *label, const char *part, int first, int n,
			    int rec, sm_measure_fn measure, char *err, size_t errlen);
/* one step: every case from first with rounds left measures its next round */
int sm_measure_step(struct sm_study *st, int first, char *err, size_t errlen);
/* the steps left until the cases from first on have all their rounds, then their verdicts,
   written as records */
int sm_measure_cases(struct sm_study *st, int first, char *err, size_t errlen);
/* |x - ref| / ref; 0 where ref is not above 0 */
double sm_rel_error(double x, double ref);
/* model_search.c: the search backends at trial level, predicted then measured: trials of
   populations 50, 100 and 200, one case each (small: 100 only) */
int sm_searches(struct sm_study *st, int small, char *err, size_t errlen);
/* a part's figures against its goals: the report's and the closing line's */
struct sm_summary {
	int n;                    /* configurations, the reference left out */
	double median, worst;     /* their errors */
	int cases, right;         /* cases, and those whose recommendation was right */
	int errors_met, right_met;
};

/* model_report.c: the summary of the within-generation part, or of the searches */
void sm_summarize(const struct sm_study *st, int searches, struct sm_summary *s);
/* the report, from the rows and cases */
void sm_report(FILE *f, struct sm_study *st);

#endif
