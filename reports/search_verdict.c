/*
 * The machinery of the trial-search experiments' verdicts: DIR/searches.tsv by column name (a
 * missing column is an error naming it, never a verdict), its rows, and paired comparisons of
 * two searches' repetitions, round by round, with how many more rounds an undecided one needs.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"
#include "reports/search_verdict.h"

#define MAX_ROUNDS 4096
#define MARKED_MARGIN 2.0   /* a `?` cell decides only with its half-width under half the distance */
#define NEEDS_CAP 100000    /* more than this: "cannot say" (the ratio sits on the boundary) */

static const struct sv_rules *const all_rules[] = { &sv_experiment_1, &sv_experiment_2, &sv_experiment_4 };

static const struct sv_rules *rules_of(const char *name)
{
	size_t i;

	for (i = 0; name && i < sizeof(all_rules) / sizeof(all_rules[0]); i++)
		if (!strcmp(all_rules[i]->name, name))
			return all_rules[i];
	return NULL;
}

int search_verdict_known(const char *name)
{
	return rules_of(name) != NULL;
}

int sv_min(int a, int b)
{
	return a < b ? a : b;
}

int sv_row(const struct sv *s, const char *backend, int jobs, int blas)
{
	int i;

	for (i = 0; i < s->t.nrow; i++)
		if (!strcmp(vt_str(&s->t, i, "backend"), backend) && vt_num(&s->t, i, "jobs") == jobs &&
		    (blas < 0 || vt_num(&s->t, i, "blas_threads") == blas) && vtruthy(vt_num(&s->t, i, "reps")))
			return i;
	return -1;
}

int sv_values(const struct sv *s, int row, const char *col, double *v, int max)
{
	const char *p = vt_str(&s->t, row, col);
	int n = 0;

	while (*p && n < max) {
		char *end;
		double x = strtod(p, &end);

		v[n++] = end != p && (*end == ',' || !*end) ? x : NAN;
		p = strchr(p, ',');
		if (!p)
			break;
		p++;
		if (!*p && n < max)   /* a trailing comma: the last repetition has none */
			v[n++] = NAN;
	}
	return n;
}

/* how many more rounds would decide c: its half-width falls as 1/sqrt(n) */
static int needs_more(const struct sv_cmp *c, int decided)
{
	double h = (c->ci.hi - c->ci.lo) / 2, d = fabs(c->ci.ratio - c->boundary), want;
	int n = c->ci.n;

	if (n < 2 || !c->ci.resamples)
		return UNSTABLE_MIN_N - n > 1 ? UNSTABLE_MIN_N - n : 1;
	if (!(d > 0) || !isfinite(h))
		return -1;
	want = n * pow((decided ? MARKED_MARGIN : 1.0) * h / d, 2);
	if (want > NEEDS_CAP)
		return -1;
	want = ceil(want) > n ? ceil(want) : n + 1;
	if (c->marked && want < UNSTABLE_MIN_N)
		want = UNSTABLE_MIN_N;
	return (int)want - n;
}

void sv_compare_values(const double *num, const double *den, int n, double boundary, int marked,
		       struct sv_cmp *c)
{
	memset(c, 0, sizeof(*c));
	c->boundary = boundary;
	c->marked = marked;
	if (boot_paired_ratio(num, den, n, BOOT_RESAMPLES, BOOT_SEED, &c->ci)) {
		c->side = 2;
		c->needs = -1;
		return;
	}
	c->side = ratio_ci_side(&c->ci, boundary);
	if (c->side && c->marked) {
		c->needs = needs_more(c, 1);
		c->side = 0;
	} else if (!c->side) {
		c->needs = needs_more(c, 0);
	}
}

void sv_compare(const struct sv *s, int a, int b, const char *col, double boundary, int marks,
		struct sv_cmp *c)
{
	static double va[MAX_ROUNDS], vb[MAX_ROUNDS], num[MAX_ROUNDS], den[MAX_ROUNDS];
	int na, nb, i, n = 0, marked;

	if (a < 0 || b < 0) {
		memset(c, 0, sizeof(*c));
		c->side = 2;
		c->needs = -1;
		c->boundary = boundary;
		return;
	}
	na = sv_values(s, a, col, va, MAX_ROUNDS);
	nb = sv_values(s, b, col, vb, MAX_ROUNDS);
	for (i = 0; i < na && i < nb; i++)   /* repetition i of both ran in round i */
		if (va[i] > 0 && vb[i] > 0) {
			num[n] = va[i];
			den[n++] = vb[i];
		}
	marked = marks && (vt_num(&s->t, a, "unstable") == 1 || vt_num(&s->t, b, "unstable") == 1);
	sv_compare_values(num, den, n, boundary, marked, c);
}

const char *sv_ci(char *b, const struct sv_cmp *c)
{
	char m[32], l[32], h[32];

	if (c->side == 2)
		return strcpy(b, "-");
	snprintf(b, 160, "%s [%s–%s]%s", vnum(m, c->ci.ratio), vnum(l, c->ci.lo), vnum(h, c->ci.hi),
		 c->marked ? " ?" : "");
	return b;
}

const char *sv_needs(char *b, const struct sv_cmp *c)
{
	if (c->side != 0)
		return strcpy(b, "");
	if (c->needs < 0)
		return strcpy(b, "; more repetitions cannot say (the ratio sits on the boundary)");
	snprintf(b, 160, "; needs %d more repetition%s", c->needs, c->needs == 1 ? "" : "s");
	return b;
}

int sv_most_needs(const struct sv_cmp *c, int n)
{
	int i, most = 0;

	for (i = 0; i < n; i++)
		if (c[i].side == 0) {
			if (c[i].needs < 0)
				return -1;
			most = c[i].needs > most ? c[i].needs : most;
		}
	return most;
}

const char *sv_range_word(double lo, double hi, double bar)
{
	if (!isnan(lo) && lo >= bar)
		return "met";
	if (!isnan(hi) && hi < bar)
		return "not met";
	return isnan(lo) ? "not measured" : "unclear (the range holds the bar)";
}

void sv_intro(FILE *f, const struct sv *s, const char *name)
{
	int i, marked = 0;

	fprintf(f, "## Verdict\n\nBy the rules in `reports/search_verdict_rules.c` (`evopar report DIR --verdict %s`, "
		   "stated in `experiments/%s`), on %d cores. Every comparison of two searches is the ratio of "
		   "their median wall times with a **paired** bootstrap 95%% interval (repetition r of one with "
		   "repetition r of the other, both run in round r; %d resamples). A rule is decided only where "
		   "the whole interval lies on one side of its boundary and neither cell is marked `?` (fewer "
		   "than %d repetitions, or a coefficient of variation over %.0f%%); otherwise it is INCONCLUSIVE "
		   "and says how many more repetitions would decide it (the half-width falling as 1/√n; a `?` "
		   "cell needs its half-width under half the distance to the boundary).\n\n",
		name, name, s->cores, BOOT_RESAMPLES, UNSTABLE_MIN_N, UNSTABLE_CV * 100);
	for (i = 0; i < s->t.nrow; i++)
		marked += vt_num(&s->t, i, "unstable") == 1;
	if (marked)
		fprintf(f, "**Noise.** %d of %d searches are marked `?`. The machine may be shared: load that lands "
			   "on some rounds and not others widens the intervals.\n\n", marked, s->t.nrow);
}

/* every column the rules read must be in the heading: the first missing one, or NULL */
static const char *missing_column(const struct vtab *t, const char *const *cols)
{
	int i;

	for (; *cols; cols++) {
		for (i = 0; i < t->ncol && strcmp(t->head[i], *cols); i++)
			;
		if (i == t->ncol)
			return *cols;
	}
	return NULL;
}

/* DIR/scale, the run script's note of the scale that ran, or "this" */
static void read_scale(const struct report *r, char *scale, size_t len)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/scale", r->dir);
	snprintf(scale, len, "this");
	f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(scale, (int)len, f))
		snprintf(scale, len, "this");
	scale[strcspn(scale, "\r\n")] = 0;
	fclose(f);
}

int search_verdict_print(struct report *r, const char *name, FILE *f)
{
	static const char *const none[] = { NULL };
	const struct sv_rules *rules = rules_of(name);
	struct sv s = { 0 };
	const char *miss;
	int rc, i;

	if (!rules) {
		snprintf(r->err, sizeof(r->err), "--verdict %s: no such verdict", name);
		return -EINVAL;
	}
	rc = vtab_load(r, "searches.tsv", none, &s.t);
	if (!rc && !s.t.head) {
		snprintf(r->err, sizeof(r->err), "--verdict %s: no %s/searches.tsv (evopar report %s writes it)",
			 name, r->dir, r->dir);
		rc = -EINVAL;
	}
	miss = rc ? NULL : missing_column(&s.t, rules->cols);
	if (miss) {
		snprintf(r->err, sizeof(r->err), "--verdict %s: %s/searches.tsv has no column '%s' (the rules "
			 "read it by name)", name, r->dir, miss);
		rc = -EINVAL;
	}
	if (!rc) {
		for (i = 0; i < s.t.nrow; i++)
			if (vt_num(&s.t, i, "cores") > 0 && (!s.cores || vt_num(&s.t, i, "cores") < s.cores))
				s.cores = (int)vt_num(&s.t, i, "cores");
		read_scale(r, s.scale, sizeof(s.scale));
		rules->print(f, &s);
		rc = ferror(f) ? -EIO : 0;
		if (rc)
			snprintf(r->err, sizeof(r->err), "--verdict %s: write failed", name);
	}
	vtab_free(&s.t);
	return rc;
}
