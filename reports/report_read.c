/*
 * One records file read record by record: each line that is JSON handed to the caller, each
 * that is not a note. Every loader of the room reads through it (report_load.c's groups,
 * report_watch.c, sync_load.c, islands_tsv.c, the device sections).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"

int report_read_records(struct report *r, const char *name, int (*take)(void *ctx, json_t *rec),
			void *ctx)
{
	char path[4096], *line = NULL;
	size_t cap = 0;
	int line_no = 0, rc = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", r->dir, name);
	f = fopen(path, "r");
	if (!f) {
		rc = -errno;
		snprintf(r->err, sizeof(r->err), "%s: %s", path, strerror(-rc));
		return rc;
	}
	while (!rc && getline(&line, &cap, f) >= 0) {
		json_error_t e;
		json_t *rec;

		line_no++;
		if (line[strspn(line, " \t\r\n")] == 0)
			continue;
		rec = json_loads(line, 0, &e);
		if (!rec) {
			notes_add(&r->notes, "- %s line %d is not JSON (%s); left out.\n", name, line_no,
				  e.text);
			continue;
		}
		rc = take(ctx, rec);
		json_decref(rec);
	}
	free(line);
	fclose(f);
	if (rc)
		snprintf(r->err, sizeof(r->err), "%s: out of memory", path);
	return rc;
}
