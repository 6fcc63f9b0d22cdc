/*
 * What every figure of `evopar report` shares: its data file, the quoting of gnuplot strings,
 * gnuplot itself (started through the one child API, its output in DIR/gnuplot.log; the
 * scripts' folder passed as `plots` for plots/term.gp, the formats: PNG, SVG, PDF) and the
 * part of each caption that says what was measured where (n, the seed, the machine).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "proc/child.h"
#include "reports/report.h"

void report_put_label(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++)
		fputc(*s == '"' ? '\'' : *s, f);
	fputc('"', f);
}

void report_gp_quote(char *buf, size_t len, const char *s)
{
	size_t at = 0;

	if (len < 3)
		return;
	buf[at++] = '\'';
	for (; *s && at + 3 < len; s++) {
		if (*s == '\'')
			buf[at++] = '\'';
		buf[at++] = *s;
	}
	buf[at++] = '\'';
	buf[at] = 0;
}

FILE *report_open_data(struct report *r, const char *path, const char *what)
{
	FILE *f = fopen(path, "w");

	if (!f)
		notes_add(&r->notes, "- %s: %s; %s skipped.\n", path, strerror(errno), what);
	return f;
}

int report_gnuplot(struct report *r, const char *script, const char *data, const char *out,
		   int n, int cores, const char *extra)
{
	char qd[4200], qo[4200], qp[4200], dir[4200], vars[14000], log[4200], err[256];
	char *argv[] = { "gnuplot", "-e", vars, (char *)script, NULL };
	struct child c;
	char *slash;
	int rc;

	snprintf(dir, sizeof(dir), "%s", script);     /* the scripts' folder: plots/term.gp is there */
	slash = strrchr(dir, '/');
	*(slash ? slash : dir) = 0;
	report_gp_quote(qd, sizeof(qd), data);
	report_gp_quote(qo, sizeof(qo), out);
	report_gp_quote(qp, sizeof(qp), *dir ? dir : ".");
	snprintf(vars, sizeof(vars), "plots=%s; data=%s; out=%s; n=%d; cores=%d%s%s", qp, qd, qo, n,
		 cores, extra ? "; " : "", extra ? extra : "");
	snprintf(log, sizeof(log), "%s/gnuplot.log", r->dir);
	child_init(&c);
	c.argv = argv;
	c.out_path = c.err_path = log;
	c.append = 1;
	c.pgid = -1;              /* gnuplot is part of this command: a ^C at the terminal ends it too */
	rc = child_start(&c, err, sizeof(err));
	if (rc)
		return rc;
	rc = child_wait(&c, -1);
	if (rc) {                 /* stopped while waiting: gnuplot goes too */
		child_end(&c, 1.0);
		return rc;
	}
	/* the child API exits 127 where the exec failed: no gnuplot on PATH */
	if (WIFEXITED(c.status) && child_exit_code(&c) == 127)
		return -ENOENT;
	return WIFEXITED(c.status) && child_exit_code(&c) == 0 ? 0 : -EIO;
}

int report_draw(struct report *r, const char *script, const char *data, const char *out,
		int n, int cores, const char *extra, const char *what)
{
	int rc = report_gnuplot(r, script, data, out, n, cores, extra);

	if (rc && rc != -ENOENT)
		notes_add(&r->notes, "- %s failed on %s (see gnuplot.log): no %s.\n", script, data, what);
	return rc;
}

void report_fig_machine(const json_t *meta, char *buf, size_t len)
{
	const char *host = json_string_value(json_object_get(meta, "host"));
	const char *cpu = json_string_value(json_object_get(meta, "cpu_model"));
	const json_t *load = json_object_get(meta, "load_average_1m");
	char l[64] = "";

	if (!meta) {
		snprintf(buf, len, "machine not recorded");
		return;
	}
	if (json_is_number(load))
		snprintf(l, sizeof(l), ", load average %.2f at the start", json_number_value(load));
	snprintf(buf, len, "machine %s (%s, %d cores%s)", host ? host : "?", cpu ? cpu : "CPU not recorded",
		 (int)json_number_value(json_object_get(meta, "online_cores")), l);
}

/* the lowest and highest of the measured configurations' repetitions and seeds (one that
   measured nothing is in no figure); *n_hi < 0: none */
static void about_ranges(const struct report_group *g, int n_groups, int *n_lo, int *n_hi,
			 json_int_t *s_lo, json_int_t *s_hi)
{
	int gi, i, seeds = 0;

	*n_lo = *n_hi = -1;
	for (gi = 0; gi < n_groups; gi++)
		for (i = 0; i < g[gi].n_cfg; i++) {
			const struct report_config *c = &g[gi].cfg[i];
			const json_t *seed = json_object_get(c->config, "seed");

			if (!c->wall.n)
				continue;
			if (*n_hi < 0 || c->wall.n < *n_lo)
				*n_lo = c->wall.n;
			if (*n_hi < 0 || c->wall.n > *n_hi)
				*n_hi = c->wall.n;
			if (!json_is_integer(seed))
				continue;
			if (!seeds || json_integer_value(seed) < *s_lo)
				*s_lo = json_integer_value(seed);
			if (!seeds || json_integer_value(seed) > *s_hi)
				*s_hi = json_integer_value(seed);
			seeds++;
		}
	if (!seeds)
		*s_lo = *s_hi = -1;
}

void report_fig_about(const struct report_group *g, int n_groups, char *buf, size_t len)
{
	char n[96], seed[96], machine[600];
	int n_lo, n_hi;
	json_int_t s_lo, s_hi;

	about_ranges(g, n_groups, &n_lo, &n_hi, &s_lo, &s_hi);
	if (n_hi < 0)
		snprintf(n, sizeof(n), "no repetition measured");
	else if (n_lo == n_hi)
		snprintf(n, sizeof(n), "n = %d repetition%s per configuration", n_hi, n_hi == 1 ? "" : "s");
	else
		snprintf(n, sizeof(n), "n = %d to %d repetitions per configuration", n_lo, n_hi);
	if (s_lo < 0)
		snprintf(seed, sizeof(seed), "seed not recorded");
	else if (s_lo == s_hi)
		snprintf(seed, sizeof(seed), "seed %" JSON_INTEGER_FORMAT, s_lo);
	else
		snprintf(seed, sizeof(seed), "seeds %" JSON_INTEGER_FORMAT " to %" JSON_INTEGER_FORMAT, s_lo, s_hi);
	report_fig_machine(n_groups > 0 ? g[0].meta : NULL, machine, sizeof(machine));
	snprintf(buf, len, "%s, %s; %s", n, seed, machine);
}
