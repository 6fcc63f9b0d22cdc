/*
 * Statistics, number formats, record fields, notes and a growing array for the reports room
 * (see stats.h); nothing here knows a record's layout or a report's.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/stats.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void swap_d(double *a, double *b)
{
	double t = *a;

	*a = *b;
	*b = t;
}

/*
 * x[k] made the value that sorting would put there, the smaller ones before it and the
 * larger after (Hoare's selection, the pivot a median of three): a bootstrap takes thousands
 * of medians, and a sort for each made advise's intervals take seconds.
 */
static void select_kth(double *x, int n, int k)
{
	int lo = 0, hi = n - 1;

	while (hi > lo) {
		int mid = lo + (hi - lo) / 2, i = lo, j = hi;
		double pivot;

		if (x[mid] < x[lo])
			swap_d(&x[mid], &x[lo]);
		if (x[hi] < x[lo])
			swap_d(&x[hi], &x[lo]);
		if (x[hi] < x[mid])
			swap_d(&x[hi], &x[mid]);
		pivot = x[mid];
		while (i <= j) {
			while (x[i] < pivot)
				i++;
			while (pivot < x[j])
				j--;
			if (i <= j)
				swap_d(&x[i++], &x[j--]);
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return;
	}
}

double stats_median(double *x, int n)
{
	double below;
	int i;

	if (n < 1)
		return 0;
	select_kth(x, n, n / 2);
	if (n % 2)
		return x[n / 2];
	for (below = x[0], i = 1; i < n / 2; i++)
		below = x[i] > below ? x[i] : below;
	return (below + x[n / 2]) / 2;
}

void stats_compute(struct sample_stats *s, double *x, int n)
{
	double ss = 0.0;
	int i;

	memset(s, 0, sizeof(*s));
	s->n = n;
	s->unstable = n < UNSTABLE_MIN_N;
	if (!n)
		return;
	qsort(x, (size_t)n, sizeof(*x), cmp_double);
	s->min = x[0];
	s->max = x[n - 1];
	s->median = n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
	for (i = 0; i < n; i++)
		s->mean += x[i] / n;
	for (i = 0; i < n; i++)
		ss += (x[i] - s->mean) * (x[i] - s->mean);
	s->cv = n > 1 && s->mean > 0 ? sqrt(ss / (n - 1)) / s->mean : 0.0;
	if (s->cv > UNSTABLE_CV)
		s->unstable = 1;
}

void fmt_ms(char *buf, size_t len, double v)
{
	int digits;

	if (!isfinite(v)) {
		snprintf(buf, len, "-");
		return;
	}
	if (v == 0 || fabs(v) >= 100) {
		snprintf(buf, len, "%.0f", v);
		return;
	}
	digits = 2 - (int)floor(log10(fabs(v)));
	if (digits > 6)
		digits = 6;
	snprintf(buf, len, "%.*f", digits, v);
}

void fmt_ratio(char *buf, size_t len, double v)
{
	snprintf(buf, len, v >= 10 ? "%.1f" : v >= 0.1 ? "%.2f" : "%.2g", v);
}

void fmt_interval(char *buf, size_t len, const char *med, const char *lo, const char *hi,
		  int unstable)
{
	snprintf(buf, len, "%s [%s–%s]%s", med, lo, hi, unstable ? " ?" : "");
}

/* three significant digits; a count (scale 0) as a whole number */
static void fmt_value(char *buf, size_t len, double v, double scale)
{
	if (scale == 0)
		snprintf(buf, len, "%.0f", v);
	else
		fmt_ms(buf, len, v * scale);
}

/* alone: one sample is shown as its value, without an interval */
static void fmt_sample(char *buf, size_t len, const struct sample_stats *s, double scale, int alone)
{
	char med[32], lo[32], hi[32];

	if (!s->n) {
		snprintf(buf, len, "-");
		return;
	}
	fmt_value(med, sizeof(med), s->median, scale);
	fmt_value(lo, sizeof(lo), s->min, scale);
	fmt_value(hi, sizeof(hi), s->max, scale);
	if (alone && s->n == 1)
		snprintf(buf, len, "%s", med);
	else
		fmt_interval(buf, len, med, lo, hi, s->unstable);
}

void fmt_cell(char *buf, size_t len, const struct sample_stats *s)
{
	fmt_sample(buf, len, s, 1, 0);
}

void fmt_stat(char *buf, size_t len, const struct sample_stats *s, double scale)
{
	fmt_sample(buf, len, s, scale, 1);
}

void tsv_round_list(FILE *f, const int *round, const double *v, int n)
{
	int last = -1, r, i;

	for (i = 0; i < n; i++)
		last = round[i] > last ? round[i] : last;
	fputc('\t', f);
	for (r = 0; r <= last; r++) {
		for (i = 0; i < n; i++)
			if (round[i] == r && v[i] >= 0) {
				fprintf(f, "%.6g", v[i]);
				break;
			}
		if (r < last)
			fputc(',', f);
	}
}

double report_num(const json_t *o, const char *key, double dflt)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : dflt;
}

const char *report_str(const json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : dflt;
}

void notes_add(struct notes *n, const char *fmt, ...)
{
	va_list ap;
	size_t room = sizeof(n->text) - n->len;
	int w;

	if (room < 8)
		return;
	va_start(ap, fmt);
	w = vsnprintf(n->text + n->len, room, fmt, ap);
	va_end(ap);
	if (w > 0)
		n->len += (size_t)w < room ? (size_t)w : room - 1;
}

void *array_grow(void *arr, int *cap, int n, size_t elem, int first_cap)
{
	int want = *cap ? *cap * 2 : first_cap;
	void *grown;

	if (n < *cap)
		return arr;
	grown = realloc(arr, elem * (size_t)want);
	if (grown)
		*cap = want;
	return grown;
}
