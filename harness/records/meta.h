/*
 * The meta record: everything needed to know how a result file was made, from the build
 * to the machine to the full configuration.
 */
#ifndef EVOPAR_META_H
#define EVOPAR_META_H

#include "harness/options.h"
#include "harness/records/record.h"

#define EVOPAR_VERSION "0.1.0"
/*
 * The version of the records' layout (docs/records.md), in every meta record; it changes when
 * a field is renamed, removed or changes type. Files without it are version 1.
 */
#define EVOPAR_RECORD_SCHEMA 2

struct counters;

/* meta with the counters this machine offers (probed here) */
void meta_write(struct jw *w, const char *command, const struct opt_spec *table, const void *opts);
/* the same record left open, for a command's own fields; close it with jw_end() */
void meta_begin(struct jw *w, const char *command, const struct opt_spec *table, const void *opts);
/* meta with the counters of a run, as it probed and started them */
void meta_write_counters(struct jw *w, const char *command, const struct opt_spec *table,
			 const void *opts, const struct counters *ctr);

#endif
