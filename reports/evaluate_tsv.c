/*
 * A TSV table as evopar report writes it (evaluate.tsv, searches.tsv), read for experiment 5's
 * rules by column name: a column they read that is missing is an error naming it; and what
 * the rules and the sections ask of its rows (the evaluator of a population, ratios, numbers).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/evaluate_verdict.h"
#include "reports/report.h"

static int col_of(const struct vtab *t, const char *col)
{
	int i;

	for (i = 0; i < t->ncol; i++)
		if (!strcmp(t->head[i], col))
			return i;
	return -1;
}

const char *vt_str(const struct vtab *t, int row, const char *col)
{
	int c = col_of(t, col);

	return row < 0 || c < 0 || !t->cell[row][c] ? "" : t->cell[row][c];
}

double vt_num(const struct vtab *t, int row, const char *col)
{
	const char *s = vt_str(t, row, col);
	char *end;
	double v;

	if (!*s || !strcmp(s, "-"))
		return NAN;
	v = strtod(s, &end);
	return *end ? NAN : v;
}

/* one line split at tabs into fresh strings; NULL when out of memory */
static char **split_line(char *line, int *n)
{
	char **v = NULL, *p = line, *tab;
	int cap = 0;

	*n = 0;
	line[strcspn(line, "\r\n")] = 0;
	for (;;) {
		v = array_grow(v, &cap, *n, sizeof(*v), 16);
		if (!v)
			return NULL;
		tab = strchr(p, '\t');
		if (tab)
			*tab = 0;
		v[(*n)++] = strdup(p);
		if (!tab)
			return v;
		p = tab + 1;
	}
}

void vtab_free(struct vtab *t)
{
	int i, j;

	for (i = 0; i < t->nrow; i++) {
		for (j = 0; j < t->ncol; j++)
			free(t->cell[i][j]);
		free(t->cell[i]);
	}
	for (j = 0; j < t->ncol; j++)
		free(t->head[j]);
	free(t->cell);
	free(t->head);
	memset(t, 0, sizeof(*t));
}

/* a row's cells, as many as the heading has (missing ones NULL) */
static int add_row(struct vtab *t, char *line)
{
	int n, i;
	char **v = split_line(line, &n), **row;

	if (!v)
		return -ENOMEM;
	row = calloc((size_t)t->ncol, sizeof(*row));
	t->cell = row ? array_grow(t->cell, &t->cap, t->nrow, sizeof(*t->cell), 16) : NULL;
	for (i = 0; i < n; i++)
		if (i < t->ncol && row && t->cell)
			row[i] = v[i];
		else
			free(v[i]);
	free(v);
	if (!row || !t->cell) {
		free(row);
		return -ENOMEM;
	}
	t->cell[t->nrow++] = row;
	return 0;
}

/* DIR/name into t (no file: no rows, as a report without those runs); every column in need
   must be there: a missing one is an error naming it, never a verdict */
int vtab_load(struct report *r, const char *name, const char *const *need, struct vtab *t)
{
	char path[4200], line[65536];
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/%s", r->dir, name);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fgets(line, sizeof(line), f)) {
		t->head = split_line(line, &t->ncol);
		rc = t->head ? 0 : -ENOMEM;
	}
	for (; !rc && *need; need++)
		if (col_of(t, *need) < 0) {
			snprintf(r->err, sizeof(r->err), "%s: no column '%s' (the rules of experiment 5 read it by name)",
				 path, *need);
			rc = -EINVAL;
		}
	while (!rc && fgets(line, sizeof(line), f))
		rc = add_row(t, line);
	fclose(f);
	if (rc == -ENOMEM)
		snprintf(r->err, sizeof(r->err), "%s: out of memory", path);
	return rc;
}

const char *vnum(char *b, double x)
{
	int mag;

	if (!isfinite(x))
		return strcpy(b, "-");
	if (x == 0)
		return strcpy(b, "0");
	mag = (int)floor(log10(fabs(x)));
	if (mag >= 6 || mag < -3)
		snprintf(b, 32, "%.*e", 2, x);
	else
		snprintf(b, 32, "%.*f", 2 - mag > 0 ? 2 - mag : 0, x);
	return b;
}

const char *vrng(char *b, double med, double lo, double hi)
{
	char m[32], l[32], h[32];

	if (isnan(med))
		return strcpy(b, "-");
	snprintf(b, 128, "%s [%s–%s]", vnum(m, med), vnum(l, lo), vnum(h, hi));
	return b;
}

/* a number that Python would take as true: there and not 0 */
int vtruthy(double x)
{
	return !isnan(x) && x != 0;
}

int vpick(const struct vtab *t, const char *mode, double pop, const char *kind)
{
	int i;

	for (i = 0; i < t->nrow; i++) {
		const char *dev = vt_str(t, i, "device");
		int seq = !strcmp(vt_str(t, i, "strategy"), "sequential");

		if (strcmp(vt_str(t, i, "mode"), mode) || vt_num(t, i, "pop") != pop ||
		    !vtruthy(vt_num(t, i, "reps")))
			continue;
		if (!strcmp(kind, "gpu") && !strcmp(dev, "cuda"))
			return i;
		if (!strcmp(kind, "one") && !strcmp(dev, "cpu") && seq)
			return i;
		if (!strcmp(kind, "all") && !strcmp(dev, "cpu") && !seq)
			return i;
	}
	return -1;
}

/* row's per-round values of column col ("1.5,,2.0": NaN where a round has none); their count */
static int round_values(const struct vtab *t, int row, const char *col, double *v, int max)
{
	const char *s = vt_str(t, row, col);
	char *end;
	int n = 0;

	while (*s && n < max) {
		v[n] = strtod(s, &end);
		if (end == s)
			v[n] = NAN;
		n++;
		s = end + strcspn(end, ",");
		if (*s == ',')
			s++;
		else
			break;
	}
	return n;
}

int vratio(const struct vtab *t, int a, int b, const char *col, double out[3])
{
	double x[VROUNDS], y[VROUNDS], num[VROUNDS], den[VROUNDS];
	struct ratio_ci ci;
	char reps[64];
	int na, nb, i, n = 0;

	out[0] = out[1] = out[2] = NAN;
	if (a < 0 || b < 0 || !vtruthy(vt_num(t, b, col)) || isnan(vt_num(t, a, col)))
		return 0;
	snprintf(reps, sizeof(reps), "%s_reps", col);
	na = round_values(t, a, reps, x, VROUNDS);
	nb = round_values(t, b, reps, y, VROUNDS);
	for (i = 0; i < na && i < nb; i++)
		if (x[i] > 0 && y[i] > 0) {
			num[n] = x[i];
			den[n++] = y[i];
		}
	if (n < 1 || boot_paired_ratio(num, den, n, BOOT_RESAMPLES, BOOT_SEED, &ci)) {
		out[0] = vt_num(t, a, col) / vt_num(t, b, col);   /* no rounds to pair: no interval */
		return 0;
	}
	out[0] = ci.ratio;
	if (ci.resamples) {
		out[1] = ci.lo;
		out[2] = ci.hi;
	}
	return n;
}

int vcmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int vpops(const struct vtab *t, const char *mode, double *pops, int max)
{
	int i, j, n = 0;

	for (i = 0; i < t->nrow; i++) {
		double p = vt_num(t, i, "pop");

		if (strcmp(vt_str(t, i, "mode"), mode) || isnan(p))
			continue;
		for (j = 0; j < n && pops[j] != p; j++)
			;
		if (j == n && n < max)
			pops[n++] = p;
	}
	qsort(pops, (size_t)n, sizeof(*pops), vcmp_double);
	return n;
}
