/*
 * `evopar report DIR`: reads every *.jsonl in DIR with jansson, groups the runs by file and
 * configuration, reduces each repetition to its mean ms per generation (generation 0 left
 * out as warm-up), or a search to its wall time and trials (report_search.c), and writes
 * tables.md, the figures and report.md into DIR.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/options.h"
#include "reports/report.h"
#include "harness/run.h"

const char *const report_row_names[ROW_COUNT] = {
	"mutate", "prepare", "evaluate", "resample", "total", "mutate+prepare+resample",
};

#define RO(field) offsetof(struct report_options, field)

static const char *const on_off[] = { "off", "on", NULL };

static const struct opt_spec report_opts[] = {
	{ "title", OPT_STRING, RO(title), 0, 0, NULL, "the first heading of report.md (default: the directory)" },
	{ "intro", OPT_STRING, RO(intro), 0, 0, NULL, "a Markdown file put under the title (the hypothesis, what was run)" },
	{ "reference", OPT_STRING, RO(reference), 0, 0, NULL, "published figures to set beside ours (format: reports/study-mutation.ref)" },
	{ "plots", OPT_STRING, RO(plots), 0, 0, NULL, "directory of the gnuplot scripts (default: plots/ beside bin/)" },
	{ "figures", OPT_CHOICE, RO(figures), 0, 0, on_off, "draw the figures with gnuplot" },
	{ "help", OPT_FLAG, RO(help), 0, 0, NULL, "this text" },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

/* options of a run that do not change the workload: a baseline may differ in them */
static const char *const not_workload[] = {
	"strategy", "workers", "chunk", "blas-threads", "start", "transport", "worker-scope",
	"worker-timeout", "inject-fault", "islands", "island-id", "migrate-every", "migrants",
	"migration-dir", "migration", "out", "quiet", "sample-ms", "counters", "stall-timeout",
	"backend", "jobs", "resume",
};

static void usage(FILE *f)
{
	struct report_options d = { .figures = 1 };

	fprintf(f, "usage: evopar report DIR [options]\n\n"
		   "Read every *.jsonl in DIR (evopar bench files, evopar run or evopar search files) and\n"
		   "write into DIR: tables.md (median ms per generation per phase and configuration, or\n"
		   "a search's wall time, concurrency and parallelism; min-max across repetitions,\n"
		   "speedup against sequential from the same file; unstable cells marked ?), figures\n"
		   "through gnuplot (PNG and SVG; a trial timeline per search), report.md linking them\n"
		   "with the sequential-fallback verdict of every search, and searches.tsv.\n\noptions:\n");
	options_help(f, report_opts, &d);
}

void report_note(struct report *r, const char *fmt, ...)
{
	va_list ap;
	size_t room = sizeof(r->notes) - r->notes_len;
	int n;

	if (room < 8)
		return;
	va_start(ap, fmt);
	n = vsnprintf(r->notes + r->notes_len, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		r->notes_len += (size_t)n < room ? (size_t)n : room - 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void stats_compute(struct sample_stats *s, double *x, int n)
{
	double ss = 0.0;
	int i;

	memset(s, 0, sizeof(*s));
	s->n = n;
	s->unstable = n < UNSTABLE_MIN_N;
	if (!n)
		return;
	qsort(x, (size_t)n, sizeof(*x), cmp_double);
	s->min = x[0];
	s->max = x[n - 1];
	s->median = n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
	for (i = 0; i < n; i++)
		s->mean += x[i] / n;
	for (i = 0; i < n; i++)
		ss += (x[i] - s->mean) * (x[i] - s->mean);
	s->cv = n > 1 && s->mean > 0 ? sqrt(ss / (n - 1)) / s->mean : 0.0;
	if (s->cv > UNSTABLE_CV)
		s->unstable = 1;
}

void fmt_ms(char *buf, size_t len, double v)
{
	int digits;

	if (!isfinite(v)) {
		snprintf(buf, len, "-");
		return;
	}
	if (v == 0 || fabs(v) >= 100) {
		snprintf(buf, len, "%.0f", v);
		return;
	}
	digits = 2 - (int)floor(log10(fabs(v)));
	if (digits > 6)
		digits = 6;
	snprintf(buf, len, "%.*f", digits, v);
}

double report_speedup(const struct report_group *g, const struct report_config *c, int row,
		      int *unstable)
{
	const struct report_config *b;

	*unstable = 0;
	if (c->baseline < 0)
		return 0;
	b = &g->cfg[c->baseline];
	if (!b->row[row].n || !c->row[row].n || c->row[row].median <= 0)
		return 0;
	*unstable = b->row[row].unstable || c->row[row].unstable;
	return b->row[row].median / c->row[row].median;
}

double report_floor_us(const json_t *cal, const char *name)
{
	json_t *f = json_object_get(json_object_get(cal, "floors"), name);

	return json_number_value(json_object_get(f, "median_us"));
}

static double num(const json_t *o, const char *key, double dflt)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : dflt;
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* --- grouping records -------------------------------------------------------------- */

static struct report_config *find_config(struct report_group *g, int id, const char *label)
{
	struct report_config *c;
	int i;

	for (i = 0; i < g->n_cfg; i++)
		if (g->cfg[i].id == id)
			return &g->cfg[i];
	if (g->n_cfg == g->cap_cfg) {
		int cap = g->cap_cfg ? g->cap_cfg * 2 : 8;
		struct report_config *nc = realloc(g->cfg, sizeof(*nc) * (size_t)cap);

		if (!nc)
			return NULL;
		g->cfg = nc;
		g->cap_cfg = cap;
	}
	c = &g->cfg[g->n_cfg];
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->baseline = -1;
	c->workers = 1;
	c->label = strdup(label ? label : "?");
	if (!c->label)
		return NULL;
	g->n_cfg++;
	return c;
}

static struct report_rep *find_rep(struct report_config *c, int rep)
{
	struct report_rep *p;
	int i;

	for (i = 0; i < c->n_reps; i++)
		if (c->reps[i].rep == rep)
			return &c->reps[i];
	if (c->n_reps == c->cap_reps) {
		int cap = c->cap_reps ? c->cap_reps * 2 : 8;
		struct report_rep *nr = realloc(c->reps, sizeof(*nr) * (size_t)cap);

		if (!nr)
			return NULL;
		c->reps = nr;
		c->cap_reps = cap;
	}
	p = &c->reps[c->n_reps++];
	memset(p, 0, sizeof(*p));
	p->rep = rep;
	p->threads_max = p->threads_mean = p->processes_max = -1;
	search_init_rep(p);
	return p;
}

/* The bench record names every configuration up front, so columns keep the bench's order. */
static int take_bench(struct report_group *g, json_t *rec)
{
	json_t *cfgs = json_object_get(rec, "configs"), *c;
	size_t i;

	if (g->bench)
		return 0;
	g->bench = json_incref(rec);
	json_array_foreach(cfgs, i, c) {
		struct report_config *rc = find_config(g, (int)num(c, "config_id", (double)i),
						       str(c, "config_label"));

		if (!rc)
			return -ENOMEM;
		if (str(c, "args") && !rc->args)
			rc->args = strdup(str(c, "args"));
	}
	return 0;
}

static void take_meta(struct report_group *g, struct report_config *c, json_t *rec)
{
	json_t *cfg = json_object_get(rec, "config");

	if (!g->meta)
		g->meta = json_incref(rec);
	if (c->config || !json_is_object(cfg))
		return;
	c->config = json_incref(cfg);
	if (!strcmp(str(rec, "command") ? str(rec, "command") : "", "search")) {
		search_take_meta(c, rec);
		return;
	}
	free(c->strategy);
	c->strategy = str(cfg, "strategy") ? strdup(str(cfg, "strategy")) : NULL;
	c->workers = (int)num(cfg, "workers", 1);
	if (c->strategy && !strcmp(c->strategy, "islands"))
		c->workers = (int)num(cfg, "islands", 1);
}

static void take_generation(struct report_rep *p, json_t *rec)
{
	json_t *ms = json_object_get(rec, "ms");
	double v[ROW_COUNT];
	int i;

	if (num(rec, "gen", 0) < 1 || !json_is_object(ms))
		return;      /* generation 0 carries first-touch costs: a warm-up */
	for (i = ROW_MUTATE; i <= ROW_RESAMPLE; i++)
		v[i] = num(ms, report_row_names[i], 0);
	v[ROW_TOTAL] = num(ms, "total", v[0] + v[1] + v[2] + v[3]);
	v[ROW_MPR] = v[ROW_MUTATE] + v[ROW_PREPARE] + v[ROW_RESAMPLE];
	for (i = 0; i < ROW_COUNT; i++)
		p->sum_ms[i] += v[i];
	p->gens++;
}

static void take_summary(struct report_config *c, struct report_rep *p, json_t *rec, int tagged)
{
	json_t *tl = json_object_get(json_object_get(rec, "sampler"), "timeline");
	const char *status = str(rec, "status");

	p->have_summary = 1;
	p->ok = status && !strcmp(status, "ok");
	if (!p->ok && !tagged)
		c->failed++;
	if (c->search) {
		search_take_summary(c, p, rec);
		return;
	}
	p->wall_s = num(rec, "wall_s", 0);
	p->cpu_s = num(rec, "cpu_user_s", 0) + num(rec, "cpu_sys_s", 0) +
		   num(rec, "children_cpu_user_s", 0) + num(rec, "children_cpu_sys_s", 0);
	p->threads_max = num(rec, "threads_max", -1);
	p->threads_mean = num(rec, "threads_mean", -1);
	p->processes_max = num(rec, "processes_max", -1);
	p->rss_kb = num(rec, "max_rss_kb", 0);
	p->children_rss_kb = num(rec, "children_max_rss_kb", 0);
	p->ctx_vol = num(rec, "voluntary_ctx_switches", 0);
	p->ctx_invol = num(rec, "involuntary_ctx_switches", 0);
	if (json_is_object(tl) && json_array_size(json_object_get(tl, "t_s")) && !p->timeline)
		p->timeline = json_incref(tl);
	if (c->strategy && strcmp(c->strategy, "islands") && json_is_number(json_object_get(rec, "workers")))
		c->workers = (int)num(rec, "workers", c->workers);
}

/*
 * where an untagged record belongs: a plain evopar run file joins the configuration of its
 * label, one repetition a file; a plain evopar search file is a configuration of its own
 */
struct plain_cursor {
	int cfg_id, rep;
	const char *file;
};

static int plain_place(struct report_group *g, struct plain_cursor *pc, json_t *rec)
{
	json_t *cfg = json_object_get(rec, "config");
	char label[256];
	const char *s;
	int i, workers;

	if (strcmp(str(rec, "type"), "meta"))
		return pc->cfg_id >= 0 ? 0 : -ENOENT;
	s = str(cfg, "strategy") ? str(cfg, "strategy") : "?";
	workers = (int)num(cfg, !strcmp(s, "islands") ? "islands" : "workers", 1);
	if (str(rec, "command") && !strcmp(str(rec, "command"), "search"))
		snprintf(label, sizeof(label), "%.*s", (int)strcspn(pc->file, "."), pc->file);
	else if (!strcmp(s, "sequential"))
		snprintf(label, sizeof(label), "%s", s);
	else
		snprintf(label, sizeof(label), "%s x%d", s, workers);
	for (i = 0; i < g->n_cfg && strcmp(g->cfg[i].label, label); i++)
		;
	pc->cfg_id = i < g->n_cfg ? g->cfg[i].id : 1000000 + g->n_cfg;
	if (!find_config(g, pc->cfg_id, label))
		return -ENOMEM;
	pc->rep = g->plain_runs++;
	return 0;
}

static int take_record(struct report_group *g, struct plain_cursor *pc, json_t *rec)
{
	const char *type = str(rec, "type");
	json_t *id = json_object_get(rec, "config_id");
	struct report_config *c;
	struct report_rep *p;
	int tagged = json_is_integer(id), cfg_id, rep;

	if (!type)
		return 0;
	if (!strcmp(type, "calibration")) {
		if (!g->calibration)
			g->calibration = json_incref(rec);
		return 0;
	}
	if (!strcmp(type, "bench"))
		return take_bench(g, rec);
	if (!strcmp(type, "bench_end")) {
		g->elapsed_s = num(rec, "elapsed_s", 0);
		return 0;
	}
	if (json_is_true(json_object_get(rec, "warmup"))) {
		g->warmup_runs += !strcmp(type, "meta");
		return 0;
	}
	if (tagged) {
		cfg_id = (int)json_integer_value(id);
		rep = (int)num(rec, "rep", 0);
	} else {
		if (plain_place(g, pc, rec))
			return 0;       /* a record before any meta: nothing to hang it on */
		cfg_id = pc->cfg_id;
		rep = pc->rep;
	}
	c = find_config(g, cfg_id, str(rec, "config_label"));
	if (!c)
		return -ENOMEM;
	p = find_rep(c, rep);
	if (!p)
		return -ENOMEM;
	if (!strcmp(type, "bench_run")) {
		const char *st = str(rec, "status");

		c->failed += !st || strcmp(st, "ok");
		search_take_bench_run(p, rec);
		return 0;
	}
	if (!strcmp(type, "trial"))
		return search_take_trial(p, rec);
	if (!strcmp(type, "meta"))
		take_meta(g, c, rec);
	else if (!strcmp(type, "generation"))
		take_generation(p, rec);
	else if (!strcmp(type, "summary"))
		take_summary(c, p, rec, tagged);
	return 0;
}

static int load_file(struct report *r, struct report_group *g, const char *name)
{
	struct plain_cursor pc = { -1, -1, name };
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
			report_note(r, "- %s line %d is not JSON (%s); left out.\n", name, line_no, e.text);
			continue;
		}
		rc = take_record(g, &pc, rec);
		json_decref(rec);
	}
	free(line);
	fclose(f);
	if (rc)
		snprintf(r->err, sizeof(r->err), "%s: out of memory", path);
	return rc;
}

/* --- statistics -------------------------------------------------------------------- */

static int same_workload(const json_t *a, const json_t *b)
{
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach((json_t *)a, key, v) {
		for (i = 0; i < sizeof(not_workload) / sizeof(not_workload[0]); i++)
			if (!strcmp(key, not_workload[i]))
				break;
		if (i == sizeof(not_workload) / sizeof(not_workload[0]) &&
		    !json_equal(v, json_object_get(b, key)))
			return 0;
	}
	return 1;
}

/* The baseline: a sequential configuration with the same workload, else the first one. */
static void pick_baselines(struct report_group *g)
{
	int i, j, first = -1;

	for (j = 0; j < g->n_cfg; j++)
		if (g->cfg[j].strategy && !strcmp(g->cfg[j].strategy, "sequential") && first < 0)
			first = j;
	for (i = 0; i < g->n_cfg; i++) {
		struct report_config *c = &g->cfg[i];

		c->baseline = first;
		for (j = 0; j < g->n_cfg; j++) {
			struct report_config *s = &g->cfg[j];

			if (s->strategy && !strcmp(s->strategy, "sequential") && c->config &&
			    s->config && same_workload(c->config, s->config)) {
				c->baseline = j;
				break;
			}
		}
	}
}

static int config_stats(struct report_config *c)
{
	double *x = malloc(sizeof(*x) * (size_t)(c->n_reps + 1));
	int row, i, n;

	if (!x)
		return -ENOMEM;
	for (row = 0; row < ROW_COUNT; row++) {
		for (i = n = 0; i < c->n_reps; i++)
			if (c->reps[i].ok && c->reps[i].gens)
				x[n++] = c->reps[i].sum_ms[row] / c->reps[i].gens;
		stats_compute(&c->row[row], x, n);
	}
	for (i = n = 0; i < c->n_reps; i++)
		if (c->reps[i].ok && c->reps[i].wall_s > 0)
			x[n++] = c->reps[i].cpu_s / c->reps[i].wall_s;
	stats_compute(&c->util, x, n);
	for (i = n = 0; i < c->n_reps; i++)
		if (c->reps[i].ok)
			x[n++] = c->reps[i].wall_s;
	stats_compute(&c->wall, x, n);
	free(x);
	return 0;
}

static int group_stats(struct report_group *g)
{
	int i;

	for (i = 0; i < g->n_cfg; i++) {
		if (config_stats(&g->cfg[i]))
			return -ENOMEM;
		g->search |= g->cfg[i].search;
	}
	pick_baselines(g);
	return g->search ? search_group_stats(g) : 0;
}

/* --- the command ------------------------------------------------------------------- */

static int is_jsonl(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 6 && !strcmp(d->d_name + n - 6, ".jsonl") && d->d_name[0] != '.';
}

enum { FILE_BENCH, FILE_RUN, FILE_SEARCH };

/* A plain `evopar run` or `evopar search` file starts with an untagged meta record; a bench file does not. */
static int file_kind(const struct report *r, const char *name)
{
	char path[4096], *line = NULL;
	size_t cap = 0;
	json_t *rec = NULL;
	FILE *f;
	int kind = FILE_BENCH;

	snprintf(path, sizeof(path), "%s/%s", r->dir, name);
	f = fopen(path, "r");
	if (f && getline(&line, &cap, f) > 0)
		rec = json_loads(line, 0, NULL);
	if (rec && !json_object_get(rec, "config_id") &&
	    !strcmp(str(rec, "type") ? str(rec, "type") : "", "meta"))
		kind = !strcmp(str(rec, "command") ? str(rec, "command") : "", "search") ? FILE_SEARCH : FILE_RUN;
	json_decref(rec);
	free(line);
	if (f)
		fclose(f);
	return kind;
}

/*
 * Each bench file is a group of its own (its speedups are against its own sequential runs);
 * the plain run files of DIR make one group together, one repetition a file, and so do the
 * plain search files, one configuration a file.
 */
static int load_names(struct report *r, struct dirent **names, int n)
{
	static const char *const plain_names[] = { NULL, "evopar run files", "evopar search files" };
	int i, plain[3] = { -1, -1, -1 }, rc = 0;

	for (i = 0; i < n && !rc; i++) {
		const char *name = names[i]->d_name;
		int kind = file_kind(r, name);
		struct report_group *g;

		if (kind != FILE_BENCH && plain[kind] >= 0) {
			rc = load_file(r, &r->g[plain[kind]], name);
			continue;
		}
		g = &r->g[r->n_g];
		g->file = strdup(kind != FILE_BENCH ? plain_names[kind] : name);
		if (!g->file)
			return -ENOMEM;
		if (kind != FILE_BENCH)
			plain[kind] = r->n_g;
		r->n_g++;
		rc = load_file(r, g, name);
	}
	for (i = 0; i < r->n_g && !rc; i++)
		rc = group_stats(&r->g[i]);
	return rc;
}

static int load_dir(struct report *r)
{
	struct dirent **names;
	int n, i, rc = 0;

	n = scandir(r->dir, &names, is_jsonl, alphasort);
	if (n < 0) {
		rc = -errno;
		snprintf(r->err, sizeof(r->err), "%s: %s", r->dir, strerror(-rc));
		return rc;
	}
	r->g = calloc((size_t)n + 1, sizeof(*r->g));
	rc = r->g ? load_names(r, names, n) : -ENOMEM;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (!rc && !n) {
		snprintf(r->err, sizeof(r->err), "%s: no *.jsonl files to report on", r->dir);
		rc = -ENOENT;
	}
	if (rc == -ENOMEM)
		snprintf(r->err, sizeof(r->err), "out of memory");
	return rc;
}

static void report_free(struct report *r)
{
	int gi, i, k;

	for (gi = 0; gi < r->n_g; gi++) {
		struct report_group *g = &r->g[gi];

		search_free_group(g);
		for (i = 0; i < g->n_cfg; i++) {
			struct report_config *c = &g->cfg[i];

			for (k = 0; k < c->n_reps; k++)
				json_decref(c->reps[k].timeline);
			free(c->reps);
			free(c->label);
			free(c->args);
			free(c->strategy);
			json_decref(c->config);
		}
		free(g->cfg);
		free(g->file);
		json_decref(g->meta);
		json_decref(g->calibration);
		json_decref(g->bench);
	}
	free(r->g);
	free(r);
}

/* plots/ beside bin/: the scripts travel with the binary's checkout */
static void find_plots(struct report *r)
{
	char exe[4096], *slash;
	ssize_t len;

	if (r->o.plots) {
		snprintf(r->plots_dir, sizeof(r->plots_dir), "%s", r->o.plots);
		return;
	}
	snprintf(r->plots_dir, sizeof(r->plots_dir), "plots");
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len <= 0)
		return;
	exe[len] = 0;
	slash = strrchr(exe, '/');
	if (!slash)
		return;
	*slash = 0;
	snprintf(r->plots_dir, sizeof(r->plots_dir), "%.4000s/../plots", exe);
	if (access(r->plots_dir, R_OK))
		snprintf(r->plots_dir, sizeof(r->plots_dir), "plots");
}

/* Does --NAME (without =) take the next word as its value? */
static int takes_value(const char *arg)
{
	const struct opt_spec *s;

	for (s = report_opts; s->name; s++)
		if (!strcmp(arg + 2, s->name))
			return s->type != OPT_FLAG;
	return 0;
}

/* DIR is the one word that is neither an option nor an option's value. */
static int parse_args(struct report *r, int argc, char **argv, char *err, size_t errlen)
{
	char **rest = malloc(sizeof(*rest) * (size_t)(argc + 1));
	int i, n = 0, rc = 0;

	if (!rest) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "--", 2)) {
			rest[n++] = argv[i];
			if (takes_value(argv[i]) && i + 1 < argc)
				rest[n++] = argv[++i];
			continue;
		}
		if (r->dir) {
			snprintf(err, errlen, "one directory only: '%s' and '%s'", r->dir, argv[i]);
			rc = -EINVAL;
			goto free_rest;
		}
		r->dir = argv[i];
	}
	if (options_parse(report_opts, &r->o, n, rest, err, errlen)) {
		rc = -EINVAL;
		goto free_rest;
	}
	if (!r->dir && !r->o.help) {
		snprintf(err, errlen, "DIR: the directory of *.jsonl files is missing");
		rc = -EINVAL;
	}
free_rest:
	free(rest);
	return rc;
}

static int write_outputs(struct report *r)
{
	char tables[4096], md[4096];
	FILE *f;
	int rc;

	snprintf(tables, sizeof(tables), "%s/tables.md", r->dir);
	snprintf(md, sizeof(md), "%s/report.md", r->dir);
	f = fopen(tables, "w");
	if (!f) {
		rc = -errno;
		snprintf(r->err, sizeof(r->err), "%s: %s", tables, strerror(-rc));
		return rc;
	}
	rc = report_write_tables(r, f);
	if (fclose(f) && !rc)
		rc = -errno;
	if (rc) {
		snprintf(r->err, sizeof(r->err), "%s: write failed: %s", tables, strerror(-rc));
		return rc;
	}
	rc = search_write_tsv(r);
	if (rc)
		return rc;
	if (r->o.figures)
		report_figures(r);
	else
		report_note(r, "- Figures were not drawn (--figures off).\n");
	return report_write_md(r, tables, md);
}

int cmd_report(int argc, char **argv)
{
	struct report *r = calloc(1, sizeof(*r));
	struct stat st;
	char err[1024];
	int code = EXIT_USAGE;

	if (!r) {
		fprintf(stderr, "evopar report: out of memory\n");
		return EXIT_FAILED;
	}
	r->o.figures = 1;
	if (parse_args(r, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "evopar report: %s\n", err);
		goto free_report;
	}
	if (r->o.help) {
		usage(stdout);
		code = 0;
		goto free_report;
	}
	if (stat(r->dir, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "evopar report: DIR: %s is not a directory\n", r->dir);
		goto free_report;
	}
	find_plots(r);
	code = EXIT_FAILED;
	if (load_dir(r) || write_outputs(r)) {
		fprintf(stderr, "evopar report: %s\n", r->err);
		goto free_report;
	}
	code = 0;
free_report:
	report_free(r);
	return code;
}
