/*
 * What `evopar report` makes of `evopar study sync` files (document 002): the floors and
 * per-operation samples (sync_load.c), their tables, the document's estimates with verdicts
 * and the whole system's times with break-even counts (sync_md.c, sync_runs.c).
 */
#ifndef EVOPAR_REPORTS_SYNC_H
#define EVOPAR_REPORTS_SYNC_H

#include <jansson.h>
#include <stdio.h>

#include "reports/interval.h"

struct report;

/* the samples of one operation (or floor: op "floor", mode its name) in one setting */
struct sync_cell {
	char op[24], mode[24], placement[16];
	int readers;
	double *ns;
	int n, cap;
	struct ratio_ci ci;       /* the median with its interval, once loaded */
};

struct sync_study {
	json_t *meta;             /* the first file's */
	struct sync_cell *cells;
	int n_cells, cap_cells;
	json_t *systems;          /* every sync_system record, in file order */
	int files, failed;        /* study files; their summaries that did not say ok */
	int disagree;             /* summaries that saw another learner checksum */
	int cores;
	double load_max;          /* the highest 1-minute load average a file started at; < 0: none */
};

/* sync_load.c */
/* is this first record that of an evopar study sync file? */
int report_sync_is(const json_t *first);
/* the file name in r->dir into r->sync; 0 or -errno with r->err set */
int report_sync_load(struct report *r, const char *name);
void report_sync_free(struct report *r);
/* the cell of (op, mode, placement, readers), or NULL */
const struct sync_cell *sync_find(const struct sync_study *s, const char *op, const char *mode,
				  const char *placement, int readers);
/* the most readers any cell of op and mode on placement was measured at (0: none) */
int sync_most_readers(const struct sync_study *s, const char *op, const char *mode,
		      const char *placement);
/* "12.3 [11.9–13.0]" of a cell's median times scale */
void sync_fmt_ci(char *buf, size_t len, const struct ratio_ci *ci, double scale);

/* sync_md.c: the study's section of report.md (nothing without study files) */
void report_sync_section(const struct report *r, FILE *f);
/* sync_runs.c: the whole system's tables, the break-even counts and their verdicts */
void sync_system_section(const struct sync_study *s, FILE *f);

#endif
