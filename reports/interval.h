/*
 * Bootstrap intervals for ratios of medians, the one interval code of evopar: the speedups
 * of bench reports and experiments (rounds as pairs) and `evopar compare` (two runs, unpaired).
 * A leaf like stats.h: it includes nothing else of reports/.
 */
#ifndef EVOPAR_REPORTS_INTERVAL_H
#define EVOPAR_REPORTS_INTERVAL_H

#define BOOT_RESAMPLES 2000       /* resamples of every interval unless a caller asks otherwise */
#define BOOT_SEED 0x5eed5eedULL   /* fixed: the same records give the same interval */

/* median(num) / median(den) with its percentile bootstrap 95% interval */
struct ratio_ci {
	double ratio;             /* on all samples */
	double lo, hi;            /* 2.5% and 97.5% of the resampled ratios; = ratio when n < 2 */
	int n;                    /* pairs (paired) or the smaller sample (unpaired) */
	int resamples;            /* 0 when no interval could be drawn */
};

/*
 * Paired: num[i] and den[i] were measured in the same round i (for a speedup, num the
 * sequential times, den the configuration's), so rounds are resampled with replacement and
 * both arms together, which cancels the load a round shares. 0, or -1 when n < 1 or a value
 * is not a positive number (ci then holds NaN).
 */
int boot_paired_ratio(const double *num, const double *den, int n, int resamples,
		      unsigned long long seed, struct ratio_ci *ci);

/* Unpaired: two independent samples (two runs to compare), each resampled on its own. */
int boot_unpaired_ratio(const double *num, int n_num, const double *den, int n_den,
			int resamples, unsigned long long seed, struct ratio_ci *ci);

/* One sample's median with its percentile bootstrap 95% interval: ci->ratio holds the
   median. 0, or -1 when n < 1 or a value is not a positive number (ci then holds NaN). */
int boot_median(const double *x, int n, int resamples, unsigned long long seed, struct ratio_ci *ci);

/*
 * Runs of samples: x[0..n) holds runs of run_len consecutive samples (generations of one
 * process; the last run may be shorter), and whole runs are resampled, for the samples of one
 * run share its process (its pages, its start, the host's load while it ran) and are not
 * independent: resampled one by one, advise's intervals (5 runs of up to 128 generations) had
 * a median half-width of 1.0% where one fresh run strays 4.6-15.9% from its others' median (study
 * model's records at 3e6e82f). ci->n is then the runs. Fewer than two runs, or run_len < 1:
 * every sample a run, as boot_median and boot_paired_ratio (paired: the same runs of both).
 */
int boot_median_runs(const double *x, int n, int run_len, int resamples, unsigned long long seed,
		     struct ratio_ci *ci);
int boot_paired_ratio_runs(const double *num, const double *den, int n, int run_len, int resamples,
			   unsigned long long seed, struct ratio_ci *ci);

/* +1 when the whole interval lies above boundary, -1 below it, 0 when it holds it or
   there is no interval (fewer than two samples) */
int ratio_ci_side(const struct ratio_ci *ci, double boundary);

/*
 * The rounds after which the interval would leave boundary on one side, its arm that reaches
 * over it shrinking as 1 / sqrt(rounds): 0 when it already does; -1 when there is no interval
 * or the ratio sits on the boundary (within 2%), where no number of rounds would decide it.
 */
int ratio_ci_rounds_to_decide(const struct ratio_ci *ci, double boundary);

/* the interval's half-width relative to the ratio ((hi - lo) / 2 / ratio); +inf without one */
double ratio_ci_rel_halfwidth(const struct ratio_ci *ci);

#endif
