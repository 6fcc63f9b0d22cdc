/*
 * The JSON Lines writer and the output file of record.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/records/record.h"

/* room for n more bytes and the NUL after them; 0, or -1 with oom set */
static int jw_room(struct jw *w, size_t n)
{
	size_t cap;
	char *nb;

	if (w->len + n < w->cap)
		return 0;
	cap = w->cap ? w->cap * 2 : 512;
	while (cap <= w->len + n)
		cap *= 2;
	nb = realloc(w->buf, cap);
	if (!nb) {
		w->oom = 1;
		return -1;
	}
	w->buf = nb;
	w->cap = cap;
	return 0;
}

static void jw_put(struct jw *w, const void *s, size_t n)
{
	if (jw_room(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = 0;
}

__attribute__((format(printf, 2, 3)))
static void jw_printf(struct jw *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = w->cap - w->len;

		va_start(ap, fmt);
		n = vsnprintf(w->buf ? w->buf + w->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			w->oom = 1;
			return;
		}
		if ((size_t)n < room) {
			w->len += (size_t)n;
			return;
		}
		if (jw_room(w, (size_t)n))
			return;
	}
}

/*
 * The length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong forms, no
 * surrogates, nothing past U+10FFFF), or 0 where s holds none. The NUL ends a sequence too.
 */
static int utf8_seq(const unsigned char *s)
{
	unsigned int cp;
	int n, i;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	cp = s[0] & (0x3fu >> (n - 1));
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * A JSON string of s: runs of plain bytes and whole UTF-8 sequences are copied as they are;
 * quotes, backslashes and control bytes escaped; each byte of an invalid sequence becomes
 * U+FFFD, so a path or a label in another encoding still gives a file every JSON reader takes.
 */
static void jw_string(struct jw *w, const char *str)
{
	const unsigned char *s = (const unsigned char *)str, *run;
	int n;

	jw_put(w, "\"", 1);
	for (run = s;; run = s) {
		while ((n = *s >= 0x80 ? utf8_seq(s) : *s >= 0x20 && *s != '"' && *s != '\\'))
			s += n;
		jw_put(w, run, (size_t)(s - run));
		if (!*s)
			break;
		if (*s >= 0x80)
			jw_put(w, "\xef\xbf\xbd", 3);
		else if (*s == '"' || *s == '\\')
			jw_printf(w, "\\%c", *s);
		else if (*s == '\n')
			jw_put(w, "\\n", 2);
		else if (*s == '\t')
			jw_put(w, "\\t", 2);
		else
			jw_printf(w, "\\u%04x", *s);
		s++;
	}
	jw_put(w, "\"", 1);
}

static void jw_key(struct jw *w, const char *key)
{
	if (w->need_comma)
		jw_printf(w, ",");
	w->need_comma = 1;
	if (key) {
		jw_string(w, key);
		jw_printf(w, ":");
	}
}

void jw_begin(struct jw *w, const char *type)
{
	w->len = 0;
	w->oom = 0;
	w->depth = 1;
	w->need_comma = 0;
	jw_printf(w, "{");
	jw_str(w, "type", type);
}

void jw_end(struct jw *w)
{
	jw_printf(w, "}\n");
	w->depth = 0;
}

void jw_release(struct jw *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

void jw_str(struct jw *w, const char *key, const char *val)
{
	jw_key(w, key);
	if (val)
		jw_string(w, val);
	else
		jw_printf(w, "null");
}

void jw_int(struct jw *w, const char *key, long long v)
{
	jw_key(w, key);
	jw_printf(w, "%lld", v);
}

static void jw_number(struct jw *w, const char *key, double v, int digits)
{
	char num[40];
	int n;

	jw_key(w, key);
	if (!isfinite(v)) {
		jw_put(w, "null", 4);
		return;
	}
	/* a double always reads back as one: 1 is written 1.0, so a column keeps one type */
	n = snprintf(num, sizeof(num) - 2, "%.*g", digits, v);
	if (!strpbrk(num, ".e")) {
		num[n++] = '.';
		num[n++] = '0';
	}
	jw_put(w, num, (size_t)n);
}

void jw_num(struct jw *w, const char *key, double v)
{
	jw_number(w, key, v, 9);
}

void jw_num_exact(struct jw *w, const char *key, double v)
{
	jw_number(w, key, v, 17);
}

void jw_bool(struct jw *w, const char *key, int v)
{
	jw_key(w, key);
	jw_printf(w, v ? "true" : "false");
}

void jw_u64(struct jw *w, const char *key, uint64_t v)
{
	jw_key(w, key);
	jw_printf(w, "%" PRIu64, v);
}

void jw_hex64(struct jw *w, const char *key, uint64_t v)
{
	jw_key(w, key);
	jw_printf(w, "\"%016" PRIx64 "\"", v);
}

void jw_null(struct jw *w, const char *key)
{
	jw_key(w, key);
	jw_printf(w, "null");
}

/* an object or an array opens under key (NULL inside an array) and closes: one nesting rule */
static void jw_open(struct jw *w, const char *key, const char *bracket)
{
	jw_key(w, key);
	jw_printf(w, "%s", bracket);
	w->need_comma = 0;
	w->depth++;
}

static void jw_close(struct jw *w, const char *bracket)
{
	jw_printf(w, "%s", bracket);
	w->need_comma = 1;
	w->depth--;
}

void jw_obj_begin(struct jw *w, const char *key)
{
	jw_open(w, key, "{");
}

void jw_obj_end(struct jw *w)
{
	jw_close(w, "}");
}

void jw_arr_begin(struct jw *w, const char *key)
{
	jw_open(w, key, "[");
}

void jw_arr_end(struct jw *w)
{
	jw_close(w, "]");
}

void jw_nums(struct jw *w, const char *key, const double *v, int n)
{
	int i;

	jw_arr_begin(w, key);
	for (i = 0; i < n; i++)
		jw_num(w, NULL, v[i]);
	jw_arr_end(w);
}

int output_open(struct output *o, const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	memset(o, 0, sizeof(*o));
	o->given = path;
	if (!strcmp(path, "-")) {
		o->f = stdout;
		return 0;
	}
	/* a device or a pipe (/dev/null, a fifo) is written in place: a rename would replace it */
	if (!stat(path, &st) && !S_ISREG(st.st_mode)) {
		o->f = fopen(path, "w");
		if (!o->f) {
			snprintf(err, errlen, "--out %s: %s", path, strerror(errno));
			return -1;
		}
		return 0;
	}
	o->path = strdup(path);
	o->tmp = malloc(strlen(path) + 16);
	if (!o->path || !o->tmp) {
		snprintf(err, errlen, "--out %s: out of memory", path);
		goto fail;
	}
	sprintf(o->tmp, "%s.tmp.XXXXXX", path);
	fd = mkstemp(o->tmp);
	if (fd < 0) {
		snprintf(err, errlen, "--out %s: cannot create %s: %s", path, o->tmp, strerror(errno));
		goto fail;
	}
	fchmod(fd, 0644);   /* mkstemp makes it 0600; a result file is for sharing */
	o->f = fdopen(fd, "w");
	if (!o->f) {
		snprintf(err, errlen, "--out %s: %s", path, strerror(errno));
		close(fd);
		unlink(o->tmp);
		goto fail;
	}
	return 0;
fail:
	free(o->path);
	free(o->tmp);
	memset(o, 0, sizeof(*o));
	return -1;
}

/*
 * The first error sticks. What stdio still holds of the failed record is dropped, so that
 * nothing more of it reaches a stream that cannot be taken back (stdout, a pipe).
 */
static int output_fail(struct output *o, int error)
{
	if (!o->error)
		o->error = error ? error : EIO;
	__fpurge(o->f);
	return -o->error;
}

int output_put(struct output *o, const void *buf, size_t len)
{
	if (o->error)
		return -o->error;
	if (len && fwrite(buf, 1, len, o->f) != len)
		return output_fail(o, errno);
	return 0;
}

int output_flush(struct output *o)
{
	if (o->error)
		return -o->error;
	if (fflush(o->f))
		return output_fail(o, errno);
	return 0;
}

int output_write(struct output *o, const struct jw *w)
{
	int rc;

	if (w->oom)
		return o->error ? -o->error : output_fail(o, ENOMEM);   /* a record is missing */
	rc = output_put(o, w->buf, w->len);
	return rc ? rc : output_flush(o);
}

static void output_free(struct output *o)
{
	free(o->path);
	free(o->tmp);
	memset(o, 0, sizeof(*o));
}

int output_commit(struct output *o, char *err, size_t errlen)
{
	const char *what = "write failed";
	int to_stdout = o->f == stdout, rc;

	output_flush(o);
	/* the bytes on the disk before the name: a crash after the rename finds them there */
	if (!o->error && o->path && fsync(fileno(o->f)))
		output_fail(o, errno);
	if (!to_stdout && fclose(o->f) && !o->error) {
		o->error = errno ? errno : EIO;
		what = "close failed";
	}
	if (!o->error && o->path && rename(o->tmp, o->path)) {
		o->error = errno;
		what = "rename from its temp file failed";
	}
	if (o->error && o->tmp)
		unlink(o->tmp);
	rc = -o->error;
	if (rc)
		snprintf(err, errlen, "--out %s%s: %s: %s", o->given, to_stdout ? " (stdout)" : "",
			 what, strerror(o->error));
	output_free(o);
	return rc;
}

void output_discard(struct output *o)
{
	if (o->f && o->f != stdout)
		fclose(o->f);
	if (o->tmp)
		unlink(o->tmp);
	output_free(o);
}
