/*
 * --resume (see resume.h): the meta of the earlier search against this one's options, option
 * by option, then its finished trials copied into this search's records.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "harness/search/resume.h"

/* the options that decide what a trial is and what it yields, in the order they are compared */
static const char *const keyed[] = { "seed", "space", "mode", "task", "pop", "gens", "episodes",
				     "steps", "seeds" };

static const struct opt_spec *search_opt(const char *name)
{
	const struct opt_spec *s;

	for (s = search_opts; s->name; s++)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

/* The first record, if it is the meta of an evopar search; NULL otherwise. */
static json_t *search_meta(FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	json_error_t jerr;
	json_t *meta = NULL;

	if (getline(&line, &cap, f) > 0) {
		meta = json_loads(line, 0, &jerr);
		/* a seed past 2^63 is too big for jansson's integers: then every number is a double */
		if (!meta)
			meta = json_loads(line, JSON_DECODE_INT_AS_REAL, &jerr);
	}
	free(line);
	if (meta && (!json_is_object(json_object_get(meta, "config")) ||
		     strcmp(json_string_value(json_object_get(meta, "type")) ?: "", "meta") ||
		     strcmp(json_string_value(json_object_get(meta, "command")) ?: "", "search"))) {
		json_decref(meta);
		meta = NULL;
	}
	return meta;
}

/* Is their value (a JSON string, integer or number) ours, written as options_format does? */
static int same_value(const char *ours, const json_t *v, char *theirs, size_t len)
{
	if (json_is_string(v)) {
		snprintf(theirs, len, "%s", json_string_value(v));
		return !strcmp(ours, theirs);
	}
	if (json_is_integer(v)) {
		snprintf(theirs, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return !strcmp(ours, theirs);
	}
	if (json_is_real(v)) {
		snprintf(theirs, len, "%.0f", json_real_value(v));
		return strtod(ours, NULL) == json_real_value(v);
	}
	snprintf(theirs, len, "not recorded");
	return 0;
}

/* "p-add-node float 0 0.2", as in a space file */
static void param_text(char *buf, size_t len, const char *name, int integer, double lo, double hi)
{
	snprintf(buf, len, "'%s %s %g %g'", name, integer ? "int" : "float", lo, hi);
}

/* Files from before the meta recorded the space: only the space file's name can be compared. */
static int compare_space_file(const struct resume *r, const json_t *config, const char *file,
			      char *err, size_t errlen)
{
	char theirs[300];

	if (same_value(file ? file : "", json_object_get(config, "space"), theirs, sizeof(theirs)))
		return 0;
	snprintf(err, errlen, "--resume %s: its --space is %s, this search's is %s", r->path,
		 theirs[0] ? theirs : "the built-in space", file ? file : "the built-in space");
	return -EINVAL;
}

static int compare_space(const struct resume *r, const json_t *meta, const struct search_space *s,
			 const char *file, char *err, size_t errlen)
{
	const json_t *arr = json_object_get(meta, "search_space");
	char theirs[128], ours[128];
	int i, n = (int)json_array_size(arr);

	if (!json_is_array(arr))
		return compare_space_file(r, json_object_get(meta, "config"), file, err, errlen);
	for (i = 0; i < n && i < s->n; i++) {
		const json_t *p = json_array_get(arr, (size_t)i);
		const char *name = json_string_value(json_object_get(p, "name")) ?: "?";
		int integer = !strcmp(json_string_value(json_object_get(p, "type")) ?: "", "int");
		double lo = json_number_value(json_object_get(p, "low"));
		double hi = json_number_value(json_object_get(p, "high"));

		if (!strcmp(name, s->p[i].name) && integer == s->p[i].integer && lo == s->p[i].low &&
		    hi == s->p[i].high)
			continue;
		param_text(theirs, sizeof(theirs), name, integer, lo, hi);
		param_text(ours, sizeof(ours), s->p[i].name, s->p[i].integer, s->p[i].low, s->p[i].high);
		snprintf(err, errlen, "--resume %s: its --space parameter %d is %s, this search's is %s",
			 r->path, i + 1, theirs, ours);
		return -EINVAL;
	}
	if (n == s->n)
		return 0;
	snprintf(err, errlen, "--resume %s: its --space has %d parameters, this search's has %d",
		 r->path, n, s->n);
	return -EINVAL;
}

static int compare_meta(const struct resume *r, const json_t *meta, const struct search_options *o,
			const struct search_space *space, char *err, size_t errlen)
{
	const json_t *config = json_object_get(meta, "config");
	char ours[64], theirs[64];
	size_t i;

	for (i = 0; i < sizeof(keyed) / sizeof(keyed[0]); i++) {
		const struct opt_spec *s = search_opt(keyed[i]);

		if (!strcmp(keyed[i], "space")) {
			if (compare_space(r, meta, space, o->space_file, err, errlen))
				return -EINVAL;
			continue;
		}
		options_format(s, o, ours, sizeof(ours));
		if (same_value(ours, json_object_get(config, s->name), theirs, sizeof(theirs)))
			continue;
		snprintf(err, errlen, "--resume %s: its --%s is %s, this search's is %s", r->path,
			 s->name, theirs, ours);
		return -EINVAL;
	}
	return 0;
}

int resume_open(struct resume *r, const struct search_options *o, const struct search_space *space,
		char *err, size_t errlen)
{
	json_t *meta;
	int rc;

	memset(r, 0, sizeof(*r));
	r->path = o->resume;
	r->f = options_open_input("resume", o->resume, err, errlen);
	if (!r->f)
		return -EINVAL;
	meta = search_meta(r->f);
	if (!meta) {
		snprintf(err, errlen, "--resume %s: not the records of an evopar search (its first "
			 "record is not the meta of a search)", r->path);
		rc = -EINVAL;
	} else {
		rc = compare_meta(r, meta, o, space, err, errlen);
	}
	json_decref(meta);
	if (rc)
		resume_close(r);
	return rc;
}

/* A trial record of this search to keep: ok, with an id of this search not kept already. */
static int keep_trial(const json_t *rec, const uint8_t *skip, int trials)
{
	const json_t *id = json_object_get(rec, "id");

	return !strcmp(json_string_value(json_object_get(rec, "type")) ?: "", "trial") &&
	       json_is_integer(id) && json_integer_value(id) >= 0 && json_integer_value(id) < trials &&
	       !skip[json_integer_value(id)] &&
	       !strcmp(json_string_value(json_object_get(rec, "status")) ?: "", "ok");
}

int resume_copy(struct resume *r, struct output *out, uint8_t *skip, int trials)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int kept = 0, rc = 0;

	while (!rc && (len = getline(&line, &cap, r->f)) > 0) {
		json_error_t jerr;
		json_t *rec = json_loads(line, 0, &jerr);

		if (!rec)
			continue;   /* a torn last line of a killed search */
		if (keep_trial(rec, skip, trials)) {
			skip[json_integer_value(json_object_get(rec, "id"))] = 1;
			rc = output_put(out, line, (size_t)len);
			/* a whole record that lost only its newline to the kill */
			if (!rc && line[len - 1] != '\n')
				rc = output_put(out, "\n", 1);
			kept++;
		}
		json_decref(rec);
	}
	free(line);
	if (!rc && ferror(r->f))
		rc = -EIO;
	return rc ? rc : kept;
}

void resume_close(struct resume *r)
{
	if (r->f)
		fclose(r->f);
	r->f = NULL;
}

void resume_write_space(struct jw *w, const struct search_space *space)
{
	int i;

	jw_arr_begin(w, "search_space");
	for (i = 0; i < space->n; i++) {
		jw_obj_begin(w, NULL);
		jw_str(w, "name", space->p[i].name);
		jw_str(w, "type", space->p[i].integer ? "int" : "float");
		jw_num_exact(w, "low", space->p[i].low);
		jw_num_exact(w, "high", space->p[i].high);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}
