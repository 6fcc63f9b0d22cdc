/*
 * Reading the records: every *.jsonl of DIR with jansson, grouped by file and configuration;
 * each repetition reduced to its mean ms per generation (generation 0 left out as warm-up), or
 * a search to its wall time and trials (search_trials.c); then each group's statistics.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"
#include "reports/sync.h"

/* the configuration of an id, or a new one with that id and label */
static struct report_config *find_config(struct report_group *g, int id, const char *label)
{
	struct report_config *c;
	char *copy;
	int i;

	for (i = 0; i < g->n_cfg; i++)
		if (g->cfg[i].id == id)
			return &g->cfg[i];
	copy = strdup(label ? label : "?");
	c = copy ? array_grow(g->cfg, &g->cap_cfg, g->n_cfg, sizeof(*c), 8) : NULL;
	if (!c) {
		free(copy);
		return NULL;
	}
	g->cfg = c;
	c = &g->cfg[g->n_cfg++];
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->label = copy;
	c->baseline = -1;
	c->workers = 1;
	return c;
}

/* the repetition of a configuration, or a new one */
static struct report_rep *find_rep(struct report_config *c, int rep)
{
	struct report_rep *p;
	int i;

	for (i = 0; i < c->n_reps; i++)
		if (c->reps[i].rep == rep)
			return &c->reps[i];
	p = array_grow(c->reps, &c->cap_reps, c->n_reps, sizeof(*p), 8);
	if (!p)
		return NULL;
	c->reps = p;
	p = &c->reps[c->n_reps++];
	memset(p, 0, sizeof(*p));
	p->rep = rep;
	p->threads_max = p->threads_mean = p->processes_max = -1;
	p->sampler_cpu_s = p->startup_cpu_s = -1;
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
	/* schema 1 named the count "warmup", the name each run's flag has */
	if (!json_object_get(rec, "warmups") && json_is_integer(json_object_get(rec, "warmup")))
		json_object_set(rec, "warmups", json_object_get(rec, "warmup"));
	g->bench = json_incref(rec);
	json_array_foreach(cfgs, i, c) {
		struct report_config *rc = find_config(g, (int)report_num(c, "config_id", (double)i),
						       report_str(c, "config_label", NULL));

		if (!rc)
			return -ENOMEM;
		if (report_str(c, "args", NULL) && !rc->args)
			rc->args = strdup(report_str(c, "args", NULL));
		rc->control = json_is_true(json_object_get(c, "aa_control"));
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
	if (!strcmp(report_str(rec, "command", ""), "search")) {
		search_take_meta(c, rec);
		return;
	}
	free(c->strategy);
	c->strategy = report_str(cfg, "strategy", NULL) ? strdup(report_str(cfg, "strategy", NULL)) : NULL;
	c->workers = (int)report_num(cfg, "workers", 1);
	c->copies = (int)report_num(cfg, "copies", 1);
	if (c->strategy && !strcmp(c->strategy, "islands"))
		c->workers = (int)report_num(cfg, "islands", 1);
}

/* the time a generation spent moving data, per phase, summed like its ms */
static void take_comm(struct report_rep *p, const json_t *comm)
{
	double v[ROW_COUNT];
	int i;

	if (!json_is_object(comm))
		return;
	for (i = ROW_MUTATE; i <= ROW_RESAMPLE; i++)
		v[i] = report_num(comm, report_row_names[i], 0);
	v[ROW_TOTAL] = v[ROW_MUTATE] + v[ROW_PREPARE] + v[ROW_EVALUATE] + v[ROW_RESAMPLE];
	v[ROW_MPR] = v[ROW_MUTATE] + v[ROW_PREPARE] + v[ROW_RESAMPLE];
	for (i = 0; i < ROW_COUNT; i++)
		p->sum_comm[i] += v[i];
	p->comm_gens++;
}

static void take_generation(struct report_rep *p, json_t *rec)
{
	json_t *ms = json_object_get(rec, "ms");
	double v[ROW_COUNT];
	int i;

	report_work_take(p, rec);
	if (report_num(rec, "gen", 0) < 1 || !json_is_object(ms))
		return;      /* generation 0 carries first-touch costs: a warm-up */
	for (i = ROW_MUTATE; i <= ROW_RESAMPLE; i++)
		v[i] = report_num(ms, report_row_names[i], 0);
	v[ROW_TOTAL] = report_num(ms, "total", v[0] + v[1] + v[2] + v[3]);
	v[ROW_MPR] = v[ROW_MUTATE] + v[ROW_PREPARE] + v[ROW_RESAMPLE];
	for (i = 0; i < ROW_COUNT; i++)
		p->sum_ms[i] += v[i];
	p->gens++;
	take_comm(p, json_object_get(rec, "comm_ms"));
	if (json_is_object(json_object_get(rec, "imbalance"))) {
		for (i = ROW_MUTATE; i <= ROW_TOTAL; i++)
			p->sum_imbalance[i] += report_num(json_object_get(rec, "imbalance"), report_row_names[i], 1);
		p->imbalance_gens++;
	}
}

static void take_summary(struct report_config *c, struct report_rep *p, json_t *rec, int tagged)
{
	json_t *tl = json_object_get(json_object_get(rec, "sampler"), "timeline");
	const char *status = report_str(rec, "status", NULL);

	p->have_summary = 1;
	p->ok = status && !strcmp(status, "ok");
	if (!p->ok && !tagged)
		c->failed++;
	if (c->search) {
		search_take_summary(c, p, rec);
		return;
	}
	p->wall_s = report_num(rec, "wall_s", 0);
	report_cpu_take(p, rec);
	p->cpu_s = report_num(rec, "cpu_user_s", 0) + report_num(rec, "cpu_sys_s", 0) +
		   report_num(rec, "children_cpu_user_s", 0) + report_num(rec, "children_cpu_sys_s", 0);
	p->threads_max = report_num(rec, "threads_max", -1);
	p->threads_mean = report_num(rec, "threads_mean", -1);
	p->processes_max = report_num(rec, "processes_max", -1);
	p->rss_kb = report_num(rec, "max_rss_kb", 0);
	p->children_rss_kb = report_num(rec, "children_max_rss_kb", 0);
	p->ctx_vol = report_num(rec, "voluntary_ctx_switches", 0);
	p->ctx_invol = report_num(rec, "involuntary_ctx_switches", 0);
	if (json_is_object(tl) && json_array_size(json_object_get(tl, "t_s")) && !p->timeline)
		p->timeline = json_incref(tl);
	if (c->strategy && strcmp(c->strategy, "islands") && json_is_number(json_object_get(rec, "workers")))
		c->workers = (int)report_num(rec, "workers", c->workers);
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

	if (strcmp(report_str(rec, "type", ""), "meta"))
		return pc->cfg_id >= 0 ? 0 : -ENOENT;
	s = report_str(cfg, "strategy", "?");
	workers = (int)report_num(cfg, !strcmp(s, "islands") ? "islands" : "workers", 1);
	if (!strcmp(report_str(rec, "command", ""), "search"))
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
	const char *type = report_str(rec, "type", NULL);
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
		g->elapsed_s = report_num(rec, "elapsed_s", 0);
		if (!g->bench_end)
			g->bench_end = json_incref(rec);
		return 0;
	}
	if (!strcmp(type, "bench_round")) {
		g->rounds += !json_is_true(json_object_get(rec, "warmup"));
		return 0;
	}
	if (json_is_true(json_object_get(rec, "warmup"))) {
		g->warmup_runs += !strcmp(type, "meta");
		return 0;
	}
	if (tagged) {
		cfg_id = (int)json_integer_value(id);
		rep = (int)report_num(rec, "rep", 0);
	} else {
		if (plain_place(g, pc, rec))
			return 0;       /* a record before any meta: nothing to hang it on */
		cfg_id = pc->cfg_id;
		rep = pc->rep;
	}
	c = find_config(g, cfg_id, report_str(rec, "config_label", NULL));
	if (!c)
		return -ENOMEM;
	p = find_rep(c, rep);
	if (!p)
		return -ENOMEM;
	if (!strcmp(type, "bench_run")) {
		const char *st = report_str(rec, "status", NULL);

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

/* a record of a bench or plain file into its group */
struct group_cursor {
	struct report_group *g;
	struct plain_cursor pc;
};

static int take_group_record(void *ctx, json_t *rec)
{
	struct group_cursor *c = ctx;

	return take_record(c->g, &c->pc, rec);
}

static int load_file(struct report *r, struct report_group *g, const char *name)
{
	struct group_cursor c = { g, { -1, -1, name } };

	return report_read_records(r, name, take_group_record, &c);
}

/* the statistics of every configuration, then baselines, then what needs both: searches' */
static int group_stats(struct report_group *g)
{
	int i;

	for (i = 0; i < g->n_cfg; i++) {
		if (report_config_stats(&g->cfg[i]) || report_work_stats(&g->cfg[i]) ||
		    report_cpu_stats(&g->cfg[i]))
			return -ENOMEM;
		g->search |= g->cfg[i].search;
	}
	report_pick_baselines(g);
	if (report_speedup_stats(g))
		return -ENOMEM;
	return g->search ? search_group_stats(g) : 0;
}

int report_load_one(struct report *r, struct report_group *g, const char *name)
{
	int rc;

	g->file = strdup(name);
	if (!g->file)
		return -ENOMEM;
	rc = load_file(r, g, name);
	if (!rc)
		rc = group_stats(g);
	if (rc == -ENOMEM)
		snprintf(r->err, sizeof(r->err), "out of memory");
	return rc;
}

static int is_jsonl(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 6 && !strcmp(d->d_name + n - 6, ".jsonl") && d->d_name[0] != '.';
}

enum { FILE_BENCH, FILE_RUN, FILE_SEARCH, FILE_WATCH, FILE_SYNC };

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
	    !strcmp(report_str(rec, "type", ""), "meta"))
		kind = !strcmp(report_str(rec, "command", ""), "search") ? FILE_SEARCH : FILE_RUN;
	if (rec && report_watch_is(rec))
		kind = FILE_WATCH;
	if (rec && report_sync_is(rec))
		kind = FILE_SYNC;
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

		if (kind == FILE_WATCH || kind == FILE_SYNC) {
			rc = kind == FILE_WATCH ? report_watch_load(r, name) : report_sync_load(r, name);
			continue;
		}
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

int report_load(struct report *r)
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

static void config_release(struct report_config *c)
{
	int k;

	for (k = 0; k < c->n_reps; k++)
		json_decref(c->reps[k].timeline);
	free(c->reps);
	free(c->label);
	free(c->args);
	free(c->strategy);
	json_decref(c->config);
}

void report_group_release(struct report_group *g)
{
	int i;

	search_free_group(g);
	for (i = 0; i < g->n_cfg; i++)
		config_release(&g->cfg[i]);
	json_decref(g->meta);
	json_decref(g->calibration);
	json_decref(g->bench);
	json_decref(g->bench_end);
	free(g->cfg);
	free(g->file);
}

void report_free(struct report *r)
{
	int gi;

	for (gi = 0; gi < r->n_g; gi++)
		report_group_release(&r->g[gi]);
	report_watch_free(r);
	report_sync_free(r);
	free(r->g);
	free(r);
}
