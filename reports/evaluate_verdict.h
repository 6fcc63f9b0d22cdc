/*
 * Experiment 5's part of a report (`evopar report DIR --verdict FILE`): its tables and the
 * verdicts of rules R1-R4, read by column name from DIR's evaluate.tsv and searches.tsv.
 * What evaluate_verdict.c (the rules), evaluate_sections.c (the tables, the figure) and
 * evaluate_tsv.c (reading the tables) share.
 */
#ifndef EVOPAR_REPORTS_EVALUATE_VERDICT_H
#define EVOPAR_REPORTS_EVALUATE_VERDICT_H

#include <stdio.h>

#include "reports/interval.h"

struct report;

/* a TSV table as written: a cell "-" or empty is no value (NAN), a number is a number */
struct vtab {
	char **head;
	int ncol;
	char ***cell;             /* [row][col] */
	int nrow, cap;
};

/* the GPU as the bench files' "device" record says (have: one named the GPU) */
struct vdevice {
	int have, cc_major, cc_minor, sms, fp64_units_per_sm, cuda_runtime, cuda_driver;
	double clock_mhz, fp64_peak_gflops, mem_gib;
	char name[256];
};

/* evaluate_verdict.c: DIR/evaluate.tsv and searches.tsv, the part, the rates data */
int evaluate_verdict_write(struct report *r);

/* evaluate_tsv.c, the leaf: DIR/name into t (no file: no rows); every column of the NULL-ended need
   must be there, else -EINVAL with r->err naming it; -ENOMEM */
int vtab_load(struct report *r, const char *name, const char *const *need, struct vtab *t);
void vtab_free(struct vtab *t);
/* value of a row's named column: NAN where none; the string, or "" */
double vt_num(const struct vtab *t, int row, const char *col);
const char *vt_str(const struct vtab *t, int row, const char *col);
/* a number Python would take as true: there and not 0 */
int vtruthy(double x);
/* qsort's order of doubles, ascending */
int vcmp_double(const void *a, const void *b);
/* a number as the tables print it (3 significant digits; "-" for none) into b[32] */
const char *vnum(char *b, double x);
/* "median [low–high]" into b[128], or "-" */
const char *vrng(char *b, double med, double lo, double hi);
/* the row of mode and population run by kind "one" (one core), "all" (every core) or "gpu"
   with repetitions; -1 when none */
int vpick(const struct vtab *t, const char *mode, double pop, const char *kind);
#define VROUNDS 256           /* the most rounds of one row the rules pair */
/*
 * a's col over b's, rows of one bench file: the ratio of medians and its paired bootstrap 95%
 * interval, round r of a with round r of b (the per-round column COL_reps), out = { ratio, low,
 * high }; low and high NaN without two rounds to pair. The rounds paired, 0 when none.
 */
int vratio(const struct vtab *t, int a, int b, const char *col, double out[3]);
/* the distinct populations of mode's rows, ascending, into pops (at most max); the count */
int vpops(const struct vtab *t, const char *mode, double *pops, int max);

/* evaluate_sections.c */
/* the first named GPU of DIR's bench files' device records */
void vdevice_read(struct report *r, struct vdevice *d);
/* the GPU's line, or why the GPU half did not run */
void vsection_gpu(FILE *f, int ran, const struct vdevice *d, const char *status, int cores);
/* per network kind: the rates figure (its data, drawn where gnuplot is), the evaluators'
   table, and with the GPU its split and what limits it; 0 or -errno with r->err */
int vsection_evaluate(struct report *r, FILE *f, const struct vtab *t, int ran,
		      const struct vdevice *d, int cores);

#endif
