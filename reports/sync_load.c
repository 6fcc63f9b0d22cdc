/*
 * Loading `evopar study sync` files: floors and per-operation samples merged by setting
 * across files, each with its median's bootstrap interval (reports/interval.h), and the
 * system records kept as they are for sync_runs.c.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"
#include "reports/sync.h"

int report_sync_is(const json_t *first)
{
	return !strcmp(report_str(first, "type", ""), "meta") &&
	       !strcmp(report_str(first, "command", ""), "study") &&
	       !strcmp(report_str(first, "study", ""), "sync");
}

static struct sync_cell *find_cell(struct sync_study *s, const char *op, const char *mode,
				   const char *placement, int readers)
{
	struct sync_cell *c;
	int i;

	for (i = 0; i < s->n_cells; i++) {
		c = &s->cells[i];
		if (!strcmp(c->op, op) && !strcmp(c->mode, mode) && !strcmp(c->placement, placement) &&
		    c->readers == readers)
			return c;
	}
	c = array_grow(s->cells, &s->cap_cells, s->n_cells, sizeof(*c), 32);
	if (!c)
		return NULL;
	s->cells = c;
	c = &s->cells[s->n_cells++];
	memset(c, 0, sizeof(*c));
	snprintf(c->op, sizeof(c->op), "%s", op);
	snprintf(c->mode, sizeof(c->mode), "%s", mode);
	snprintf(c->placement, sizeof(c->placement), "%s", placement);
	c->readers = readers;
	return c;
}

static int take_samples(struct sync_study *s, const json_t *rec, int floor)
{
	const json_t *ns = json_object_get(rec, "samples_ns");
	struct sync_cell *c;
	size_t i;

	if (!json_is_array(ns))
		return 0;     /* a floor that was skipped */
	c = floor ? find_cell(s, "floor", report_str(rec, "name", "?"), "-", 1)
		  : find_cell(s, report_str(rec, "op", "?"), report_str(rec, "mode", "?"),
			      report_str(rec, "placement", "?"), (int)report_num(rec, "readers", 1));
	if (!c)
		return -ENOMEM;
	for (i = 0; i < json_array_size(ns); i++) {
		double v = json_number_value(json_array_get(ns, i));
		double *p = array_grow(c->ns, &c->cap, c->n, sizeof(*p), 64);

		if (!p)
			return -ENOMEM;
		c->ns = p;
		if (v > 0 && isfinite(v))
			c->ns[c->n++] = v;
	}
	return 0;
}

static int take_record(void *ctx, json_t *rec)
{
	struct sync_study *s = ctx;
	const char *type = report_str(rec, "type", "");

	if (!strcmp(type, "meta")) {
		if (!s->meta)
			s->meta = json_incref(rec);
		if (report_num(rec, "load_average_1m", -1) > s->load_max)
			s->load_max = report_num(rec, "load_average_1m", -1);
		if (report_num(rec, "cores", 0) > s->cores)
			s->cores = (int)report_num(rec, "cores", 0);
	} else if (!strcmp(type, "sync_floor") || !strcmp(type, "sync_op")) {
		return take_samples(s, rec, type[5] == 'f');
	} else if (!strcmp(type, "sync_system")) {
		/* repetitions pair within their file: two files may hold the same counts */
		if (json_object_set_new(rec, "file", json_integer(s->files)))
			return -ENOMEM;
		return json_array_append(s->systems, rec) ? -ENOMEM : 0;
	} else if (!strcmp(type, "summary")) {
		s->failed += strcmp(report_str(rec, "status", ""), "ok") != 0;
		s->disagree += json_is_false(json_object_get(rec, "checksums_agree"));
	}
	return 0;
}

int report_sync_load(struct report *r, const char *name)
{
	struct sync_study *s = r->sync;
	int rc, i;

	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s || !(s->systems = json_array())) {
			free(s);
			return -ENOMEM;
		}
		s->load_max = -1;
		r->sync = s;
	}
	s->files++;
	rc = report_read_records(r, name, take_record, s);
	for (i = 0; i < s->n_cells && !rc; i++)
		boot_median(s->cells[i].ns, s->cells[i].n, BOOT_RESAMPLES, BOOT_SEED, &s->cells[i].ci);
	return rc;
}

void report_sync_free(struct report *r)
{
	struct sync_study *s = r->sync;
	int i;

	if (!s)
		return;
	for (i = 0; i < s->n_cells; i++)
		free(s->cells[i].ns);
	free(s->cells);
	json_decref(s->systems);
	json_decref(s->meta);
	free(s);
	r->sync = NULL;
}

const struct sync_cell *sync_find(const struct sync_study *s, const char *op, const char *mode,
				  const char *placement, int readers)
{
	int i;

	for (i = 0; i < s->n_cells; i++) {
		const struct sync_cell *c = &s->cells[i];

		if (!strcmp(c->op, op) && !strcmp(c->mode, mode) && !strcmp(c->placement, placement) &&
		    c->readers == readers && c->n)
			return c;
	}
	return NULL;
}

int sync_most_readers(const struct sync_study *s, const char *op, const char *mode,
		      const char *placement)
{
	int i, most = 0;

	for (i = 0; i < s->n_cells; i++) {
		const struct sync_cell *c = &s->cells[i];

		if (!strcmp(c->op, op) && !strcmp(c->mode, mode) && !strcmp(c->placement, placement) &&
		    c->n && c->readers > most)
			most = c->readers;
	}
	return most;
}

void sync_fmt_ci(char *buf, size_t len, const struct ratio_ci *ci, double scale)
{
	char m[32], lo[32], hi[32];

	if (!isfinite(ci->ratio)) {
		snprintf(buf, len, "-");
		return;
	}
	fmt_ms(m, sizeof(m), ci->ratio * scale);
	fmt_ms(lo, sizeof(lo), ci->lo * scale);
	fmt_ms(hi, sizeof(hi), ci->hi * scale);
	fmt_interval(buf, len, m, lo, hi, 0);
}
