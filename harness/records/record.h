/*
 * JSON Lines records: a small writer that builds one record in memory, and the output file
 * that receives them (a temp name renamed into place when the run completes; "-" is stdout).
 */
#ifndef EVOPAR_RECORD_H
#define EVOPAR_RECORD_H

#include <stdint.h>
#include <stdio.h>

struct jw {
	char *buf;
	size_t len, cap;
	int depth;
	int need_comma;
	int oom;                   /* an allocation failed: the record is incomplete */
};

void jw_begin(struct jw *w, const char *type);
void jw_end(struct jw *w);     /* closes the record and adds the newline */
void jw_release(struct jw *w);
void jw_str(struct jw *w, const char *key, const char *val);
void jw_int(struct jw *w, const char *key, long long v);
void jw_num(struct jw *w, const char *key, double v);   /* non-finite: null */
void jw_bool(struct jw *w, const char *key, int v);
void jw_u64(struct jw *w, const char *key, uint64_t v);
void jw_hex64(struct jw *w, const char *key, uint64_t v);
void jw_null(struct jw *w, const char *key);
void jw_obj_begin(struct jw *w, const char *key);
void jw_obj_end(struct jw *w);
void jw_arr_begin(struct jw *w, const char *key);
void jw_arr_end(struct jw *w);
/* an array of n numbers */
void jw_nums(struct jw *w, const char *key, const double *v, int n);

struct output {
	FILE *f;
	char *path;                /* the final name; NULL for stdout */
	char *tmp;                 /* where records go until output_commit */
};

int output_open(struct output *o, const char *path, char *err, size_t errlen);
/* one record, flushed, so a crash loses nothing already written */
int output_write(struct output *o, const struct jw *w);
/* flush, close and rename into place; 0 or -errno with a message */
int output_commit(struct output *o, char *err, size_t errlen);
/* close and remove the temp file: nothing is written */
void output_discard(struct output *o);

#endif
