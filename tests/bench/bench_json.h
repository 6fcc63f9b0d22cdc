/*
 * Small helpers of bench_check: load a JSON file with a message
 * on failure, read optional fields, and write a JSON file atomically.
 */
#ifndef EVOPAR_BENCH_JSON_H
#define EVOPAR_BENCH_JSON_H

#include <jansson.h>
#include <stddef.h>

/* The parsed file, or NULL with "path: why" in err. */
json_t *bench_json_load(const char *path, char *err, size_t errlen);
/* Write to path.tmp.<pid>, then rename: readers never see half a file. 0 or -1 with err. */
int bench_json_save(const json_t *root, const char *path, char *err, size_t errlen);

/* A member's value, or the fallback when it is missing or of another type. */
const char *bench_json_str(const json_t *obj, const char *key, const char *fallback);
double bench_json_num(const json_t *obj, const char *key, double fallback);

#endif
