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
/* a number that reads back as the same double (17 digits), for values compared later */
void jw_num_exact(struct jw *w, const char *key, double v);
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

/*
 * Where records go. The first write error sticks: every later write returns it at once (no
 * torn record follows it), and output_commit then removes the temp file, so a file under the
 * final name is always complete.
 */
struct output {
	FILE *f;
	const char *given;         /* the --out value as given, for messages */
	char *path;                /* the final name; NULL for stdout or a device written in place */
	char *tmp;                 /* where records go until output_commit */
	int error;                 /* the first write error (an errno value); 0 while none */
};

int output_open(struct output *o, const char *path, char *err, size_t errlen);
/* bytes as they are, not flushed; 0 or -errno (the sticky error) */
int output_put(struct output *o, const void *buf, size_t len);
/* flush what was put; 0 or -errno (the sticky error) */
int output_flush(struct output *o);
/* one record, flushed, so a crash loses nothing already written */
int output_write(struct output *o, const struct jw *w);
/*
 * Flush, fsync, close and rename into place; 0, or -errno with one line in err naming the
 * path and the error, the temp file removed and nothing under the final name.
 */
int output_commit(struct output *o, char *err, size_t errlen);
/* close and remove the temp file: nothing is written */
void output_discard(struct output *o);

#endif
