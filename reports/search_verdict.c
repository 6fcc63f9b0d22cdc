/*
 * `evopar report DIR --verdict experiment-N` for the trial-search experiments: the table of
 * their rules, DIR/searches.tsv by column name (a missing column is an error naming it, never
 * a verdict) and the call of the experiment's rules (search_verdict_rules.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"
#include "reports/search_verdict.h"

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
			if (vt_num(&s.t, i, "cores") > s.cores)   /* the machine's: a launcher may pin ranks to fewer */
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
