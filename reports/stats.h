/*
 * The leaf of the reports room: statistics over samples, the number formats of the tables,
 * a record's fields, the notes collected for report.md and a growing array. It includes
 * nothing else of reports/, so every other file of the room may use it.
 */
#ifndef EVOPAR_REPORTS_STATS_H
#define EVOPAR_REPORTS_STATS_H

#include <jansson.h>
#include <stddef.h>

#define UNSTABLE_CV 0.10          /* coefficient of variation above which a cell is unstable */
#define UNSTABLE_MIN_N 5          /* fewer samples than this: unstable */

struct sample_stats {
	int n;
	double median, min, max, mean;
	double cv;                /* sample standard deviation / mean; 0 for n < 2 */
	int unstable;
};

/* the median of x[0..n), which is reordered in place; 0 when n < 1. By selection, not a sort:
   a bootstrap takes thousands of medians */
double stats_median(double *x, int n);
/* stats over x[0..n) (x is sorted in place) */
void stats_compute(struct sample_stats *s, double *x, int n);

/* "12.3", "0.00812": three significant digits, no exponent; "-" when not finite */
void fmt_ms(char *buf, size_t len, double v);
/* three digits, or two significant ones below 0.1 so that a tiny speedup is not 0.00 */
void fmt_ratio(char *buf, size_t len, double v);
/* "MED [LO–HI]", with " ?" after it when unstable */
void fmt_interval(char *buf, size_t len, const char *med, const char *lo, const char *hi,
		  int unstable);

/* a sample's cell: "12.3 [11.9–13.0]", " ?" after it when unstable, "-" without samples */
void fmt_cell(char *buf, size_t len, const struct sample_stats *s);
/* the same of the samples times scale (0: a count, as a whole number); one sample alone */
void fmt_stat(char *buf, size_t len, const struct sample_stats *s, double scale);

/*
 * "\tV0,V1,...": a measure of every round by its number (round[i] of value v[i]; v[i] < 0: not
 * measured), empty where a round has none: the per-round columns of the TSV tables, which
 * paired intervals pair round by round
 */
void tsv_round_list(FILE *f, const int *round, const double *v, int n);

/* a record's number or string field, or dflt where it is missing or of another type */
double report_num(const json_t *o, const char *key, double dflt);
const char *report_str(const json_t *o, const char *key, const char *dflt);

/* what report.md's Notes section says: lines added as they come, cut where the room ends */
struct notes {
	char text[4096];
	size_t len;
};

__attribute__((format(printf, 2, 3)))
void notes_add(struct notes *n, const char *fmt, ...);

/* Room for one more element in arr (n elements of elem bytes, room for *cap): arr itself,
   or arr moved to twice the room (first_cap at first); NULL, arr untouched, without memory. */
void *array_grow(void *arr, int *cap, int n, size_t elem, int first_cap);

#endif
