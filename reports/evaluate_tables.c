/*
 * evaluate.tsv: per run configuration of a bench file, the evaluate phase per generation and
 * per simulated step (survived steps: mean fitness x pop x episodes x steps), over generations
 * 1.. like every table, and for `--device cuda` the split of its time (pack, host-to-device,
 * kernel, device-to-host) from the generation records' device objects, and the steps per
 * second of every repetition (for paired intervals). It reads the files again for what
 * report_load() does not keep.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/evaluate.h"
#include "reports/report.h"

/* one repetition's sums over generations 1.. */
struct eval_rep {
	int rep, gens, dev_gens, ok;
	double evaluate_ms, survived_steps;
	double pack_ms, h2d_ms, kernel_ms, d2h_ms, unpack_ms, bytes_h2d, dev_steps, lane_use;
	int scratch_global;
};

enum { E_EVAL_MS, E_STEPS_PER_S, E_PACK, E_H2D, E_KERNEL, E_D2H, E_UNPACK, E_TRANSFER_SHARE,
       E_KERNEL_STEPS_PER_S, E_LANE_USE, E_MIB_H2D, E_COUNT };
static const char *const e_names[E_COUNT] = {
	"evaluate_ms", "steps_per_s", "pack_ms", "h2d_ms", "kernel_ms", "d2h_ms", "unpack_ms",
	"transfer_share", "kernel_steps_per_s", "lane_use", "mib_h2d",
};
/* the ones with _min and _max columns */
#define E_RANGED(k) ((k) <= E_STEPS_PER_S || (k) == E_KERNEL_STEPS_PER_S)

/* per repetition, value k; < 0 where it does not apply */
static double rep_value(const struct eval_rep *p, int k)
{
	double d = p->dev_gens ? p->dev_gens : -1;

	switch (k) {
	case E_EVAL_MS: return p->evaluate_ms / p->gens;
	case E_STEPS_PER_S: return p->evaluate_ms > 0 ? p->survived_steps / (p->evaluate_ms / 1e3) : -1;
	case E_PACK: return d < 0 ? -1 : p->pack_ms / d;
	case E_H2D: return d < 0 ? -1 : p->h2d_ms / d;
	case E_KERNEL: return d < 0 ? -1 : p->kernel_ms / d;
	case E_D2H: return d < 0 ? -1 : p->d2h_ms / d;
	case E_UNPACK: return d < 0 ? -1 : p->unpack_ms / d;
	case E_TRANSFER_SHARE:
		return d < 0 || p->evaluate_ms <= 0 ? -1 :
		       (p->pack_ms + p->h2d_ms + p->d2h_ms) / p->evaluate_ms;
	case E_KERNEL_STEPS_PER_S: return d < 0 || p->kernel_ms <= 0 ? -1 : p->dev_steps / (p->kernel_ms / 1e3);
	case E_LANE_USE: return d < 0 ? -1 : p->lane_use / d;
	case E_MIB_H2D: return d < 0 ? -1 : p->bytes_h2d / d / (1024.0 * 1024.0);
	}
	return -1;
}

/* a configuration's repetitions, found by the bench's config_id and rep */
struct eval_cfg {
	struct eval_rep *reps;
	int n, cap;
};

static struct eval_rep *find_rep(struct eval_cfg *e, int rep)
{
	int i;

	for (i = 0; i < e->n; i++)
		if (e->reps[i].rep == rep)
			return &e->reps[i];
	e->reps = array_grow(e->reps, &e->cap, e->n, sizeof(*e->reps), 8);
	if (!e->reps)
		return NULL;
	memset(&e->reps[e->n], 0, sizeof(*e->reps));
	e->reps[e->n].rep = rep;
	return &e->reps[e->n++];
}

static void take_device(struct eval_rep *p, const json_t *d)
{
	p->dev_gens++;
	p->pack_ms += report_num(d, "pack_ms", 0);
	p->h2d_ms += report_num(d, "h2d_ms", 0);
	p->kernel_ms += report_num(d, "kernel_ms", 0);
	p->d2h_ms += report_num(d, "d2h_ms", 0);
	p->unpack_ms += report_num(d, "unpack_ms", 0);
	p->bytes_h2d += report_num(d, "bytes_h2d", 0);
	p->dev_steps += report_num(d, "steps", 0);
	p->lane_use += report_num(d, "lane_use", 0);
	p->scratch_global |= json_is_true(json_object_get(d, "scratch_global"));
}

/* the work of one generation: every network's survived steps, from the mean fitness */
static double survived_steps(const json_t *config, const json_t *gen)
{
	return report_num(gen, "mean_fitness", 0) * report_num(config, "pop", 0) *
	       report_num(config, "episodes", 0) * report_num(config, "steps", 0);
}

static int take(struct report_group *g, struct eval_cfg *ec, const json_t *rec)
{
	const char *type = report_str(rec, "type", "");
	json_t *id = json_object_get(rec, "config_id");
	struct eval_rep *p;
	int i;

	if (!json_is_integer(id) || json_is_true(json_object_get(rec, "warmup")) ||
	    (strcmp(type, "generation") && strcmp(type, "summary")))
		return 0;
	for (i = 0; i < g->n_cfg && g->cfg[i].id != (int)json_integer_value(id); i++)
		;
	if (i == g->n_cfg || g->cfg[i].search || !g->cfg[i].config)
		return 0;
	p = find_rep(&ec[i], (int)report_num(rec, "rep", 0));
	if (!p)
		return -ENOMEM;
	if (!strcmp(type, "summary")) {
		p->ok = !strcmp(report_str(rec, "status", ""), "ok");
		return 0;
	}
	if (report_num(rec, "gen", 0) < 1)
		return 0;         /* generation 0: first-touch costs (the GPU's context and buffers) */
	p->gens++;
	p->evaluate_ms += report_num(json_object_get(rec, "ms"), "evaluate", 0);
	p->survived_steps += survived_steps(g->cfg[i].config, rec);
	if (json_is_object(json_object_get(rec, "device")))
		take_device(p, json_object_get(rec, "device"));
	return 0;
}

/* one error path for the open, the reading and memory: "PATH: why" in r->err */
static int scan_file(struct report *r, struct report_group *g, struct eval_cfg *ec)
{
	char path[4200], *line = NULL;
	size_t cap = 0;
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", r->dir, g->file);
	f = fopen(path, "r");
	for (rc = f ? 0 : -errno; !rc && getline(&line, &cap, f) >= 0;) {
		json_t *rec = strstr(line, "\"config_id\"") ? json_loads(line, 0, NULL) : NULL;

		if (rec)
			rc = take(g, ec, rec);
		json_decref(rec);
	}
	free(line);
	if (f)
		fclose(f);
	if (rc)
		snprintf(r->err, sizeof(r->err), "%s: %s", path, strerror(-rc));
	return rc;
}

static void write_stat(FILE *f, const struct eval_cfg *e, int k)
{
	struct sample_stats s;
	double x[256];
	int i, n = 0;

	for (i = 0; i < e->n && n < 256; i++) {
		double v = e->reps[i].ok && e->reps[i].gens ? rep_value(&e->reps[i], k) : -1;

		if (v >= 0)
			x[n++] = v;
	}
	stats_compute(&s, x, n);
	if (!n)
		fprintf(f, E_RANGED(k) ? "\t-\t-\t-" : "\t-");
	else if (E_RANGED(k))
		fprintf(f, "\t%.6g\t%.6g\t%.6g", s.median, s.min, s.max);
	else
		fprintf(f, "\t%.6g", s.median);
}

/* value k of every repetition, in round order, comma-separated (empty where one failed): the
   rules pair rounds of two configurations of one bench file */
static void write_reps(FILE *f, const struct eval_cfg *e, int k)
{
	int round[256], i, n = 0;
	double v[256];

	for (i = 0; i < e->n && n < 256; i++, n++) {
		round[n] = e->reps[i].rep;
		v[n] = e->reps[i].ok && e->reps[i].gens ? rep_value(&e->reps[i], k) : -1;
	}
	tsv_round_list(f, round, v, n);
}

static void write_row(FILE *f, const struct report_group *g, const struct report_config *c,
		      const struct eval_cfg *e)
{
	const json_t *cfg = c->config;
	int i, ok = 0, scratch = 0, dev = 0, k;

	for (i = 0; i < e->n; i++) {
		ok += e->reps[i].ok && e->reps[i].gens;
		scratch |= e->reps[i].scratch_global;
		dev |= e->reps[i].dev_gens > 0;
	}
	fprintf(f, "%s\t%s\t%s\t%.0f\t%.0f\t%.0f\t%s\t%s\t%d\t%.0f\t%d\t%d", g->file, c->label,
		report_str(cfg, "mode", "?"), report_num(cfg, "pop", 0), report_num(cfg, "episodes", 0),
		report_num(cfg, "steps", 0), report_str(cfg, "device", "cpu"), c->strategy ? c->strategy : "?",
		c->workers, report_num(g->meta, "online_cores", 0), ok, e->n ? e->reps[0].gens : 0);
	for (k = 0; k < E_COUNT; k++)
		write_stat(f, e, k);
	fprintf(f, "\t%s\t%d", dev ? (scratch ? "yes" : "no") : "-", c->failed);
	write_reps(f, e, E_STEPS_PER_S);
	fputc('\n', f);
}

static void write_header(FILE *f)
{
	int k;

	fprintf(f, "file\tlabel\tmode\tpop\tepisodes\tsteps\tdevice\tstrategy\tworkers\tcores\treps\tgens");
	for (k = 0; k < E_COUNT; k++)
		if (E_RANGED(k))
			fprintf(f, "\t%s\t%s_min\t%s_max", e_names[k], e_names[k], e_names[k]);
		else
			fprintf(f, "\t%s", e_names[k]);
	fprintf(f, "\tscratch_global\tfailed\tsteps_per_s_reps\n");
}

/* one group's rows; 0 or -errno */
static int write_group(struct report *r, struct report_group *g, FILE *f)
{
	struct eval_cfg *ec = calloc((size_t)g->n_cfg + 1, sizeof(*ec));
	int i, rc;

	if (!ec) {
		snprintf(r->err, sizeof(r->err), "out of memory");
		return -ENOMEM;
	}
	rc = scan_file(r, g, ec);
	for (i = 0; !rc && i < g->n_cfg; i++)
		if (!g->cfg[i].search && g->cfg[i].config && ec[i].n)
			write_row(f, g, &g->cfg[i], &ec[i]);
	for (i = 0; i < g->n_cfg; i++)
		free(ec[i].reps);
	free(ec);
	return rc;
}

int evaluate_write_tsv(struct report *r)
{
	char path[4200];
	int gi, i, rc = 0, any = 0;
	FILE *f;

	/* bench files only: their records say which configuration and repetition they are */
	for (gi = 0; gi < r->n_g; gi++)
		for (i = 0; r->g[gi].bench && i < r->g[gi].n_cfg; i++)
			any |= !r->g[gi].cfg[i].search;
	if (!any)
		return 0;
	snprintf(path, sizeof(path), "%s/evaluate.tsv", r->dir);
	f = fopen(path, "w");
	if (!f) {
		rc = -errno;
		snprintf(r->err, sizeof(r->err), "%s: %s", path, strerror(-rc));
		return rc;
	}
	write_header(f);
	for (gi = 0; gi < r->n_g && !rc; gi++)
		if (r->g[gi].bench)
			rc = write_group(r, &r->g[gi], f);
	if (fclose(f) && !rc) {
		snprintf(r->err, sizeof(r->err), "%s: write failed: %s", path, strerror(errno));
		rc = -EIO;
	}
	return rc;
}
