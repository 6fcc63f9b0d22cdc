/*
 * `evopar advise --costs FILE`: a foreign workload's model inputs from a small JSON object
 * (its fields in README "Predicting with evopar advise"). A number may be a range [lo, hi]:
 * the model is then evaluated at both ends. Text in, struct out: the caller reads the file.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "harness/advise/advise.h"

struct costs_field {
	const char *name;
	size_t offset;            /* of a double in struct model_farm, or (size_t)-1 */
	int required;
	int integer;              /* stored in an int of struct model_farm */
	double min;               /* the least value allowed */
};

#define MF(f) offsetof(struct model_farm, f)
#define NOT_NUMBER ((size_t)-1)

static const struct costs_field fields[] = {
	{ "item_ms", MF(item_ms), 1, 0, 0 },
	{ "items", MF(items), 1, 1, 1 },
	{ "bytes_per_item", MF(bytes_per_item), 1, 0, 0 },
	{ "rtt_ms", MF(rtt_ms), 1, 0, 0 },
	{ "start_ms", MF(start_ms), 1, 0, 0 },
	{ "workers", MF(workers), 1, 1, 1 },
	{ "cores", MF(cores), 1, 1, 1 },
	{ "serial_ms", MF(serial_ms), 0, 0, 0 },
	{ "byte_ms", MF(byte_ms), 0, 0, 0 },
	{ "round_trips", MF(round_trips), 0, 0, 0 },
	{ "threads", MF(threads), 0, 1, 0 },
	{ "item_speedup", MF(item_speedup), 0, 0, 1 },
	{ "one_at_a_time", MF(one_at_a_time), 0, 1, 0 },
	{ "static_chunks", MF(static_chunks), 0, 1, 0 },
	{ "item_cv", MF(item_cv), 0, 0, 0 },
	{ "name", NOT_NUMBER, 0, 0, 0 },
	{ "note", NOT_NUMBER, 0, 0, 0 },
	{ "capacity", NOT_NUMBER, 0, 0, 0 },
};

#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

static void put(struct model_farm *f, const struct costs_field *d, double v)
{
	char *at = (char *)f + d->offset;

	if (d->integer)
		*(int *)at = (int)v;
	else
		*(double *)at = v;
}

/* a number, or [lo, hi] with lo <= hi; every value at least d->min */
static int read_value(const struct costs_field *d, json_t *v, double *lo, double *hi,
		      char *err, size_t errlen)
{
	if (json_is_array(v) && json_array_size(v) == 2 && json_is_number(json_array_get(v, 0)) &&
	    json_is_number(json_array_get(v, 1))) {
		*lo = json_number_value(json_array_get(v, 0));
		*hi = json_number_value(json_array_get(v, 1));
	} else if (json_is_number(v)) {
		*lo = *hi = json_number_value(v);
	} else {
		snprintf(err, errlen, "field %s: a number or [low, high]", d->name);
		return -1;
	}
	if (!isfinite(*lo) || !isfinite(*hi) || *lo > *hi) {
		snprintf(err, errlen, "field %s: a finite number, or [low, high] with low <= high", d->name);
		return -1;
	}
	if (*lo < d->min) {
		snprintf(err, errlen, "field %s: %s (%g); it must be at least %g", d->name,
			 *lo < 0 ? "negative" : "too small", *lo, d->min);
		return -1;
	}
	if (d->integer && (*lo != floor(*lo) || *hi != floor(*hi) || *hi > 1e9)) {
		snprintf(err, errlen, "field %s: a whole number (%g)", d->name, *lo);
		return -1;
	}
	return 0;
}

static int read_capacity(struct advise_costs *c, json_t *v, char *err, size_t errlen)
{
	size_t i;

	if (!json_is_array(v) || json_array_size(v) > MODEL_MAX_CORES) {
		snprintf(err, errlen, "field capacity: an array of at most %d numbers (throughput of N at once over one)",
			 MODEL_MAX_CORES);
		return -1;
	}
	for (i = 0; i < json_array_size(v); i++) {
		double x = json_number_value(json_array_get(v, i));

		if (!json_is_number(json_array_get(v, i)) || !(x > 0)) {
			snprintf(err, errlen, "field capacity: entry %zu is not a positive number", i + 1);
			return -1;
		}
		c->lo.capacity[i] = c->mid.capacity[i] = c->hi.capacity[i] = x;
	}
	return 0;
}

static int read_text(struct advise_costs *c, const char *key, json_t *v, char *err, size_t errlen)
{
	if (!strcmp(key, "capacity"))
		return read_capacity(c, v, err, errlen);
	if (!json_is_string(v)) {
		snprintf(err, errlen, "field %s: a string", key);
		return -1;
	}
	snprintf(!strcmp(key, "name") ? c->name : c->note,
		 !strcmp(key, "name") ? sizeof(c->name) : sizeof(c->note), "%s", json_string_value(v));
	return 0;
}

static const struct costs_field *find_field(const char *key)
{
	size_t i;

	for (i = 0; i < N_FIELDS; i++)
		if (!strcmp(fields[i].name, key))
			return &fields[i];
	return NULL;
}

static int read_object(struct advise_costs *c, json_t *root, char *err, size_t errlen)
{
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach(root, key, v) {
		const struct costs_field *d = find_field(key);
		double lo, hi;

		if (!d) {
			snprintf(err, errlen, "field %s: not a field of a costs file (see evopar advise --help)", key);
			return -1;
		}
		if (d->offset == NOT_NUMBER) {
			if (read_text(c, key, v, err, errlen))
				return -1;
			continue;
		}
		if (read_value(d, v, &lo, &hi, err, errlen))
			return -1;
		put(&c->lo, d, lo);
		put(&c->hi, d, hi);
		put(&c->mid, d, (lo + hi) / 2);
		c->ranged |= lo != hi;
	}
	for (i = 0; i < N_FIELDS; i++)
		if (fields[i].required && !json_object_get(root, fields[i].name)) {
			snprintf(err, errlen, "field %s: missing (a costs file needs item_ms, items, bytes_per_item, rtt_ms, start_ms, workers and cores)",
				 fields[i].name);
			return -1;
		}
	return 0;
}

int advise_costs_parse(const char *text, struct advise_costs *c, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root = json_loads(text, 0, &je);
	struct model_farm dflt = { .round_trips = -1, .item_speedup = 1, .threads = 1 };
	int rc;

	memset(c, 0, sizeof(*c));
	c->lo = c->mid = c->hi = dflt;
	if (!root) {
		snprintf(err, errlen, "not JSON: line %d: %s", je.line, je.text);
		return -1;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		snprintf(err, errlen, "not a JSON object of costs");
		return -1;
	}
	rc = read_object(c, root, err, errlen);
	json_decref(root);
	if (!c->name[0])
		snprintf(c->name, sizeof(c->name), "workload");
	return rc;
}
