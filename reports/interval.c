/*
 * The percentile bootstrap of interval.h. Resampling draws from a splitmix64 stream seeded by
 * the caller, so an interval is a function of its records; medians use a scratch copy.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/interval.h"
#include "reports/stats.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static unsigned long long next_u64(unsigned long long *state)
{
	unsigned long long z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* an index in [0, n) */
static int draw(unsigned long long *state, int n)
{
	return (int)(next_u64(state) % (unsigned long long)n);
}

static int all_positive(const double *x, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!(x[i] > 0) || !isfinite(x[i]))
			return 0;
	return 1;
}

static double median_copy(const double *x, int n, double *scratch)
{
	memcpy(scratch, x, (size_t)n * sizeof(*x));
	return stats_median(scratch, n);
}

/* lo and hi from the sorted resampled ratios */
static void take_percentiles(struct ratio_ci *ci, double *ratios, int resamples)
{
	qsort(ratios, (size_t)resamples, sizeof(*ratios), cmp_double);
	ci->lo = ratios[(int)floor(0.025 * (resamples - 1))];
	ci->hi = ratios[(int)ceil(0.975 * (resamples - 1))];
	ci->resamples = resamples;
}

static void ci_unknown(struct ratio_ci *ci, int n)
{
	*ci = (struct ratio_ci){ .ratio = NAN, .lo = NAN, .hi = NAN, .n = n };
}

/* without resampling (one sample, or no room): the interval is the point */
static void ci_point(struct ratio_ci *ci)
{
	ci->lo = ci->hi = ci->ratio;
	ci->resamples = 0;
}

/* the runs of run_len samples in n (the last may be shorter); where that is fewer than two, or
   run_len is not above 0, every sample is a run of its own: one run's samples are all there is */
static int runs_in(int n, int *run_len)
{
	*run_len = *run_len > 0 && *run_len < n ? *run_len : 1;
	return (n + *run_len - 1) / *run_len;
}

/* one resample of whole runs of x into a (and of x2 into b, the same runs, when x2 is not
   NULL): the samples it holds */
static int resample_runs(const double *x, const double *x2, int n, int run_len, double *a, double *b,
			 unsigned long long *seed)
{
	int runs = runs_in(n, &run_len), m = 0, i, k;

	for (i = 0; i < runs; i++) {
		int first = draw(seed, runs) * run_len, last = first + run_len < n ? first + run_len : n;

		for (k = first; k < last; k++, m++) {
			a[m] = x[k];
			if (x2)
				b[m] = x2[k];
		}
	}
	return m;
}

/* one resample of x[0..n)'s runs of run_len into scratch, and its median */
static double resampled_median(const double *x, int n, int run_len, double *scratch, unsigned long long *seed)
{
	return stats_median(scratch, resample_runs(x, NULL, n, run_len, scratch, NULL, seed));
}

int boot_paired_ratio_runs(const double *num, const double *den, int n, int run_len, int resamples,
			   unsigned long long seed, struct ratio_ci *ci)
{
	double *a, *b, *ratios;
	int r, m, runs;

	ci_unknown(ci, n);
	if (n < 1 || !all_positive(num, n) || !all_positive(den, n))
		return -1;
	runs = runs_in(n, &run_len);
	a = malloc(2 * (size_t)n * sizeof(*a));
	ratios = resamples > 0 ? malloc((size_t)resamples * sizeof(*ratios)) : NULL;
	if (!a || (resamples > 0 && !ratios)) {
		free(a);
		free(ratios);
		return -1;
	}
	b = a + n;
	ci->ratio = median_copy(num, n, a) / median_copy(den, n, b);
	ci->n = runs;
	if (n < 2 || !ratios) {
		ci_point(ci);
		goto out;
	}
	for (r = 0; r < resamples; r++) {
		m = resample_runs(num, den, n, run_len, a, b, &seed);
		ratios[r] = stats_median(a, m) / stats_median(b, m);
	}
	take_percentiles(ci, ratios, resamples);
out:
	free(ratios);
	free(a);
	return 0;
}

int boot_paired_ratio(const double *num, const double *den, int n, int resamples,
		      unsigned long long seed, struct ratio_ci *ci)
{
	return boot_paired_ratio_runs(num, den, n, 1, resamples, seed, ci);
}


int boot_unpaired_ratio(const double *num, int n_num, const double *den, int n_den,
			int resamples, unsigned long long seed, struct ratio_ci *ci)
{
	double *scratch, *ratios;
	int r, big = n_num > n_den ? n_num : n_den;

	ci_unknown(ci, n_num < n_den ? n_num : n_den);
	if (n_num < 1 || n_den < 1 || !all_positive(num, n_num) || !all_positive(den, n_den))
		return -1;
	scratch = malloc((size_t)big * sizeof(*scratch));
	ratios = resamples > 0 ? malloc((size_t)resamples * sizeof(*ratios)) : NULL;
	if (!scratch || (resamples > 0 && !ratios)) {
		free(scratch);
		free(ratios);
		return -1;
	}
	ci->ratio = median_copy(num, n_num, scratch) / median_copy(den, n_den, scratch);
	if (n_num < 2 || n_den < 2 || !ratios) {
		ci_point(ci);
		goto out;
	}
	for (r = 0; r < resamples; r++) {
		double m = resampled_median(num, n_num, 1, scratch, &seed);

		ratios[r] = m / resampled_median(den, n_den, 1, scratch, &seed);
	}
	take_percentiles(ci, ratios, resamples);
out:
	free(ratios);
	free(scratch);
	return 0;
}

int boot_median_runs(const double *x, int n, int run_len, int resamples, unsigned long long seed,
		     struct ratio_ci *ci)
{
	double *scratch, *medians;
	int r, runs;

	ci_unknown(ci, n);
	if (n < 1 || !all_positive(x, n))
		return -1;
	runs = runs_in(n, &run_len);
	scratch = malloc((size_t)n * sizeof(*scratch));
	medians = resamples > 0 ? malloc((size_t)resamples * sizeof(*medians)) : NULL;
	if (!scratch || (resamples > 0 && !medians)) {
		free(scratch);
		free(medians);
		return -1;
	}
	ci->ratio = median_copy(x, n, scratch);
	ci->n = runs;
	if (n < 2 || !medians) {
		ci_point(ci);
		goto out;
	}
	for (r = 0; r < resamples; r++)
		medians[r] = resampled_median(x, n, run_len, scratch, &seed);
	take_percentiles(ci, medians, resamples);
out:
	free(medians);
	free(scratch);
	return 0;
}

int boot_median(const double *x, int n, int resamples, unsigned long long seed, struct ratio_ci *ci)
{
	return boot_median_runs(x, n, 1, resamples, seed, ci);
}

int ratio_ci_side(const struct ratio_ci *ci, double boundary)
{
	if (!ci->resamples)
		return 0;         /* no interval, no side: a verdict never rests on one sample */
	if (ci->lo > boundary)
		return 1;
	if (ci->hi < boundary)
		return -1;
	return 0;
}

int ratio_ci_rounds_to_decide(const struct ratio_ci *ci, double boundary)
{
	double arm, gap;

	if (!ci->resamples || !(boundary > 0))
		return -1;
	if (ratio_ci_side(ci, boundary))
		return 0;
	gap = fabs(ci->ratio - boundary);
	if (gap < 0.02 * boundary)
		return -1;
	arm = ci->ratio < boundary ? ci->hi - ci->ratio : ci->ratio - ci->lo;
	return (int)ceil(ci->n * (arm / gap) * (arm / gap));
}

double ratio_ci_rel_halfwidth(const struct ratio_ci *ci)
{
	if (!ci->resamples || !(ci->ratio > 0))
		return INFINITY;
	return (ci->hi - ci->lo) / 2 / ci->ratio;
}
