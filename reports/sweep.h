/*
 * `evopar report DIR --sweep NAME`: a section across DIR's bench files, each one work size
 * (and population) of one sweep: each configuration's speedup against the work per item,
 * with paired intervals, where it breaks even, and the claims a study document makes.
 */
#ifndef EVOPAR_REPORTS_SWEEP_H
#define EVOPAR_REPORTS_SWEEP_H

#include <stdio.h>

#include "reports/interval.h"

struct report;

/* a claim of a study document: ratio = time of `slow` / time of `fast`, claimed in [lo, hi] */
struct sweep_claim {
	const char *id, *text;    /* "C2", "fork instead of spawn: 2-4x" */
	const char *slow, *fast;  /* configuration labels; fast NULL: a calibration floor ratio */
	double lo, hi;
	const char *not_applicable;   /* why the claim cannot be measured here, or NULL */
};

/* a work size a study reports, drawn as a vertical line on the figure */
struct sweep_mark {
	const char *text;
	double ns;
};

struct sweep_spec {
	const char *name;         /* --sweep NAME */
	const char *title;
	int row;                  /* the row whose speedup is swept (enum report_row) */
	int work_row;             /* the sequential row whose ms per network is the work per item */
	const char *work;         /* what the work per item is */
	const struct sweep_claim *claims;
	int n_claims;
	const struct sweep_mark *marks;
	int n_marks;
};

/* one configuration at one work size */
struct sweep_point {
	const char *label;
	int pop, workers;
	double work_ns;           /* the sequential configuration's row ms per item, in ns */
	double row_share;         /* the sequential configuration's swept row / its total */
	struct ratio_ci speedup;  /* paired, against that sequential configuration */
};

/* the spec of this name, or NULL */
const struct sweep_spec *sweep_find(const char *name);
/* the names, for --help and errors: "startup, mutation" */
const char *sweep_names(void);

/* sweep_claims.c: the verdict of claim c on an interval: CONFIRMED, REFUTED or INCONCLUSIVE */
const char *sweep_claim_word(const struct sweep_claim *c, const struct ratio_ci *ci);
/* the claims table of spec from the loaded groups of r */
void sweep_write_claims(struct report *r, const struct sweep_spec *spec, FILE *f);

/* sweep.c: the section appended to DIR/report.md (and its figure); 0 or -1 with r->err set */
int sweep_write(struct report *r, const struct sweep_spec *spec);

#endif
