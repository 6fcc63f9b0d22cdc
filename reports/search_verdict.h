/*
 * The verdicts of the trial-search experiments 1, 2 and 4 (`evopar report DIR --verdict NAME`):
 * rules on named columns of DIR/searches.tsv, written on paired bootstrap intervals
 * (reports/interval.h). Calls go down: search_verdict.c (the table of rules, loading) >
 * search_verdict_rules.c (each experiment's rules and section) > search_verdict_pairs.c (rows,
 * paired comparisons, the rounds an undecided one needs).
 */
#ifndef EVOPAR_REPORTS_SEARCH_VERDICT_H
#define EVOPAR_REPORTS_SEARCH_VERDICT_H

#include <stdio.h>

#include "reports/evaluate_verdict.h"
#include "reports/interval.h"

struct report;

/* searches.tsv as the rules read it */
struct sv {
	struct vtab t;
	int cores;                /* the cores the searches ran on (the most seen) */
	char scale[32];           /* DIR/scale (the run script's), or "this" */
};

/*
 * A paired comparison: col (a per-repetition list, "wall_s_reps") of row a over row b, round
 * by round, against a boundary. side: +1 the whole interval above the boundary, -1 below it,
 * 0 undecided (the interval holds the boundary, fewer than two pairs, or a `?` cell), 2 not
 * measured. needs: where undecided, the repetitions more that would decide it (-1: cannot say).
 */
struct sv_cmp {
	struct ratio_ci ci;
	double boundary;
	int side, needs;
	int marked;               /* a cell it reads is marked ? (fewer than 5 repetitions or CV > 10%) */
};

/* an experiment's rules: the columns they read and the section they print */
struct sv_rules {
	const char *name;         /* "experiment-1" */
	const char *const *cols;  /* NULL-ended */
	void (*print)(FILE *f, const struct sv *s);
};

extern const struct sv_rules sv_experiment_1, sv_experiment_2, sv_experiment_4;

/* search_verdict.c: is NAME one of these verdicts? */
int search_verdict_known(const char *name);
/* NAME's verdict section into f from r->dir's searches.tsv: 0; -EINVAL with r->err (no
   searches.tsv, a column missing: named), -ENOMEM */
int search_verdict_print(struct report *r, const char *name, FILE *f);

/* search_verdict_pairs.c */
/* the row of backend at jobs (and BLAS threads; < 0: any) with repetitions; -1 when none */
int sv_row(const struct sv *s, const char *backend, int jobs, int blas);
/* a row's per-repetition list ("1.2,,1.3": by repetition, empty where none) into v (NAN for
   none); the repetitions it spans */
int sv_values(const struct sv *s, int row, const char *col, double *v, int max);
/* the paired comparison of col's lists, row a over row b (wall: a's wall / b's = b's speedup);
   marks: whether `?` cells make it undecided (wall times) or not (memory) */
void sv_compare(const struct sv *s, int a, int b, const char *col, double boundary, int marks,
		struct sv_cmp *c);
/* a comparison from given per-round values instead of a row's list (n pairs) */
void sv_compare_values(const double *num, const double *den, int n, double boundary, int marked,
		       struct sv_cmp *c);
/* "1.23 [1.10–1.35]", " ?" after it where marked; "-" where not measured; into b[160] */
const char *sv_ci(char *b, const struct sv_cmp *c);
/* "; needs 3 more repetitions" where undecided, "" where decided; into b[160] */
const char *sv_needs(char *b, const struct sv_cmp *c);
/* the largest needs of the undecided comparisons among c[0..n) (0: none; -1: one cannot say) */
int sv_most_needs(const struct sv_cmp *c, int n);
/* met / not met / unclear for a range [lo, hi] of one search against a bar */
const char *sv_range_word(double lo, double hi, double bar);
/* the smaller of two ints */
int sv_min(int a, int b);
/* the rules' header: what an interval is here, and the noise the cells carry */
void sv_intro(FILE *f, const struct sv *s, const char *name);

#endif
