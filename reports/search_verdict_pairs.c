/*
 * What the trial-search experiments' rules ask of searches.tsv: rows by backend, jobs and BLAS
 * threads, paired comparisons of two searches' repetitions round by round (reports/interval.h)
 * and how many more rounds an undecided one needs; the verdicts' shared text.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"
#include "reports/search_verdict.h"

#define MAX_ROUNDS 4096
#define MARKED_MARGIN 2.0   /* a `?` cell decides only with its half-width under half the distance */
#define NEEDS_CAP 100000    /* more than this: "cannot say" (the ratio sits on the boundary) */

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

/* how many more rounds would decide c: its half-width falls as 1/sqrt(n); a `?` cell's must
   fall under half the distance to the boundary, and reach UNSTABLE_MIN_N rounds */
static int needs_more(const struct sv_cmp *c)
{
	double h = (c->ci.hi - c->ci.lo) / 2, d = fabs(c->ci.ratio - c->boundary), want;
	int n = c->ci.n;

	if (n < 2 || !c->ci.resamples)
		return UNSTABLE_MIN_N - n > 1 ? UNSTABLE_MIN_N - n : 1;
	if (!(d > 0) || !isfinite(h))
		return -1;
	want = n * pow((c->marked ? MARKED_MARGIN : 1.0) * h / d, 2);
	if (want > NEEDS_CAP)
		return -1;
	want = ceil(want) > n ? ceil(want) : n + 1;
	if (c->marked && want < UNSTABLE_MIN_N)
		want = UNSTABLE_MIN_N;
	return (int)want - n;
}

/*
 * Decided: the interval on one side of the boundary. A `?` cell (the harness's mark: fewer than
 * UNSTABLE_MIN_N repetitions, or a CV over UNSTABLE_CV) decides nothing with fewer than
 * UNSTABLE_MIN_N pairs, and with them only where the half-width is under half the distance to
 * the boundary: a CV does not fall with more rounds, the half-width does.
 */
void sv_compare_values(const double *num, const double *den, int n, double boundary, int marked,
		       struct sv_cmp *c)
{
	double h, d;

	memset(c, 0, sizeof(*c));
	c->boundary = boundary;
	c->marked = marked;
	if (boot_paired_ratio(num, den, n, BOOT_RESAMPLES, BOOT_SEED, &c->ci)) {
		c->side = 2;
		c->needs = -1;
		return;
	}
	c->side = ratio_ci_side(&c->ci, boundary);
	h = (c->ci.hi - c->ci.lo) / 2;
	d = fabs(c->ci.ratio - boundary);
	if (c->side && marked && (n < UNSTABLE_MIN_N || !(MARKED_MARGIN * h < d)))
		c->side = 0;
	if (!c->side)
		c->needs = needs_more(c);
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
		   "the whole interval lies on one side of its boundary; where a cell it reads is marked `?` "
		   "(fewer than %d repetitions, or a coefficient of variation over %.0f%%), only with %d pairs or "
		   "more and the interval's half-width under half its distance to the boundary. Otherwise it is "
		   "INCONCLUSIVE and says how many more repetitions would decide it (the half-width falling as "
		   "1/√n).\n\n",
		name, name, s->cores, BOOT_RESAMPLES, UNSTABLE_MIN_N, UNSTABLE_CV * 100, UNSTABLE_MIN_N);
	for (i = 0; i < s->t.nrow; i++)
		marked += vt_num(&s->t, i, "unstable") == 1;
	if (marked)
		fprintf(f, "**Noise.** %d of %d searches are marked `?`. The machine may be shared: load that lands "
			   "on some rounds and not others widens the intervals.\n\n", marked, s->t.nrow);
}
