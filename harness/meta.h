/*
 * The meta record: everything needed to know how a result file was made, from the build
 * to the machine to the full configuration.
 */
#ifndef EVOPAR_META_H
#define EVOPAR_META_H

#include "options.h"
#include "record.h"

#define EVOPAR_VERSION "0.1.0"

void meta_write(struct jw *w, const char *command, const struct opt_spec *table, const void *opts);
double now_s(void);            /* monotonic seconds */

#endif
