/*
 * Experiment 3's runs as a table: every measured run of DIR/bench.jsonl (configurations
 * labelled "ARM sSEED") becomes a row of DIR/islands.tsv, with the target fitness every run
 * reached and the generation and wall second at which each reached it; and the figure of the
 * best fitness so far per generation (DIR/islands-fitness.*), drawn where gnuplot is.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/islands.h"
#include "reports/report.h"

/* one run as its records say */
struct irun {
	char arm[128], digest[40], cpu[128];
	long long seed;
	int rep, ok;
	double wall_s, distance, top_share, load_1m;
	int origins, workers, processes_max, migrations, cores, affinity;
	int gens, islands, every, migrants;
	double *best, *ms;        /* per generation: its best fitness and its ms */
	int n_gen, cap_gen, cap_ms;
	int g_target;             /* the first generation at or above the target; -1: none */
	double s_target;
};

struct irun_set {
	struct irun *run;
	int n, cap;
	struct irun *cur;         /* the run whose records are being read; NULL: a warm-up */
	double target;
};

/* "islands s3" -> "islands": the arm is the label without its seed */
static void arm_of(const char *label, char *arm, size_t len)
{
	const char *sp = strrchr(label, ' ');

	snprintf(arm, len, "%.*s", sp && sp[1] == 's' ? (int)(sp - label) : (int)strlen(label), label);
}

static int start_run(struct irun_set *s, json_t *rec)
{
	const json_t *cfg = json_object_get(rec, "config");
	struct irun *u;

	s->cur = NULL;
	if (json_is_true(json_object_get(rec, "warmup")))
		return 0;
	s->run = array_grow(s->run, &s->cap, s->n, sizeof(*s->run), 16);
	if (!s->run)
		return -ENOMEM;
	u = s->cur = &s->run[s->n++];
	memset(u, 0, sizeof(*u));
	arm_of(report_str(rec, "config_label", "?"), u->arm, sizeof(u->arm));
	snprintf(u->cpu, sizeof(u->cpu), "%s", report_str(rec, "cpu_model", "?"));
	u->seed = json_integer_value(json_object_get(cfg, "seed"));
	u->rep = (int)report_num(rec, "rep", 0);
	u->cores = (int)report_num(rec, "online_cores", 0);
	u->affinity = (int)report_num(rec, "affinity_cores", 0);
	u->load_1m = report_num(rec, "load_average_1m", NAN);
	u->gens = (int)report_num(cfg, "gens", 0);
	u->islands = (int)report_num(cfg, "islands", 0);
	u->every = (int)report_num(cfg, "migrate-every", 0);
	u->migrants = (int)report_num(cfg, "migrants", 0);
	u->distance = u->top_share = NAN;
	u->g_target = -1;
	return 0;
}

static int add_generation(struct irun *u, json_t *rec)
{
	const json_t *ms = json_object_get(rec, "ms");
	double *best = array_grow(u->best, &u->cap_gen, u->n_gen, sizeof(*u->best), 64), *t;

	if (!best)
		return -ENOMEM;
	u->best = best;
	t = array_grow(u->ms, &u->cap_ms, u->n_gen, sizeof(*u->ms), 64);
	if (!t)
		return -ENOMEM;
	u->ms = t;
	u->best[u->n_gen] = report_num(rec, "best_fitness", NAN);
	u->ms[u->n_gen++] = report_num(ms, "total", NAN);
	return 0;
}

static void take_summary(struct irun *u, json_t *rec)
{
	const json_t *share = json_object_get(rec, "origin_share"), *v;
	size_t i;

	u->ok = !strcmp(report_str(rec, "status", ""), "ok");
	u->wall_s = report_num(rec, "wall_s", NAN);
	u->workers = (int)report_num(rec, "workers", 0);
	u->processes_max = (int)report_num(rec, "processes_max", 0);
	u->distance = report_num(rec, "mean_distance", NAN);
	snprintf(u->digest, sizeof(u->digest), "%s", report_str(rec, "digest", "-"));
	json_array_foreach(share, i, v) {
		double x = json_number_value(v);

		u->origins += x > 0;
		u->top_share = isnan(u->top_share) || x > u->top_share ? x : u->top_share;
	}
}

static int take_record(void *ctx, json_t *rec)
{
	struct irun_set *s = ctx;
	const char *type = report_str(rec, "type", "");

	if (!strcmp(type, "meta") && json_object_get(rec, "config_label"))
		return start_run(s, rec);
	if (!s->cur)
		return 0;
	if (!strcmp(type, "generation"))
		return add_generation(s->cur, rec);
	if (!strcmp(type, "migration"))
		s->cur->migrations++;
	else if (!strcmp(type, "summary"))
		take_summary(s->cur, rec);
	else if (!strcmp(type, "bench_run")) {
		s->cur->ok &= !strcmp(report_str(rec, "status", ""), "ok");
		s->cur = NULL;
	}
	return 0;
}

/* the target: the lowest final best-so-far of any run, so every run of every arm reaches it;
   then each run's first generation there, and the wall second it ended (the run's set-up and
   end charged before generation 0, as its own clock has them) */
static void find_targets(struct irun_set *s)
{
	int i, g;

	s->target = INFINITY;
	for (i = 0; i < s->n; i++) {
		double b = -INFINITY;

		for (g = 0; g < s->run[i].n_gen; g++)
			b = s->run[i].best[g] > b ? s->run[i].best[g] : b;
		if (s->run[i].ok && s->run[i].n_gen && b < s->target)
			s->target = b;
	}
	for (i = 0; i < s->n; i++) {
		struct irun *u = &s->run[i];
		double sum = 0, t;

		for (g = 0; g < u->n_gen; g++)
			sum += u->ms[g] / 1e3;
		t = u->wall_s > sum ? u->wall_s - sum : 0;
		for (g = 0; u->ok && g < u->n_gen && u->g_target < 0; g++) {
			t += u->ms[g] / 1e3;
			if (u->best[g] >= s->target) {
				u->g_target = g;
				u->s_target = t;
			}
		}
	}
}

static const char *const tsv_cols =
	"arm\tseed\trep\tstatus\tcpu_model\tcores\taffinity_cores\tload_1m\tgens\tislands\t"
	"migrate_every\tmigrants\twall_s\tbest\ttarget\tgens_to_target\ts_to_target\tworkers\t"
	"processes_max\tmigrations\ttop_share\torigins\tdistance\tdigest\n";

/* a number, or "-" where there is none */
static void put_num(FILE *f, double x, const char *end)
{
	if (isfinite(x))
		fprintf(f, "%.9g%s", x, end);
	else
		fprintf(f, "-%s", end);
}

static void write_row(FILE *f, const struct irun *u, double target)
{
	double best = u->n_gen ? u->best[0] : NAN;
	int g;

	for (g = 1; g < u->n_gen; g++)
		best = u->best[g] > best ? u->best[g] : best;
	fprintf(f, "%s\t%lld\t%d\t%s\t%s\t%d\t%d\t", u->arm, u->seed, u->rep, u->ok ? "ok" : "failed",
		u->cpu, u->cores, u->affinity);
	put_num(f, u->load_1m, "\t");
	fprintf(f, "%d\t%d\t%d\t%d\t", u->gens, u->islands, u->every, u->migrants);
	put_num(f, u->ok ? u->wall_s : NAN, "\t");
	put_num(f, u->ok ? best : NAN, "\t");
	put_num(f, target, "\t");
	put_num(f, u->g_target >= 0 ? u->g_target + 1 : NAN, "\t");
	put_num(f, u->g_target >= 0 ? u->s_target : NAN, "\t");
	fprintf(f, "%d\t%d\t%d\t", u->workers, u->processes_max, u->migrations);
	put_num(f, u->top_share, "\t");
	fprintf(f, "%d\t", u->origins);
	put_num(f, u->distance, "\t");
	fprintf(f, "%s\n", u->digest);
}

int islands_write_file(struct report *r, const char *path, const char *name,
		       int (*fill)(FILE *f, const void *ctx), const void *ctx)
{
	FILE *f = fopen(path, "w");
	int rc, e;

	if (!f) {
		rc = -errno;
		snprintf(r->err, sizeof(r->err), "%s%s: %s", name, path, strerror(-rc));
		return rc;
	}
	rc = fill(f, ctx);
	e = fclose(f) ? -errno : 0;
	if (rc == -ENOMEM)
		snprintf(r->err, sizeof(r->err), "out of memory");
	else if (e && !rc)
		snprintf(r->err, sizeof(r->err), "%s%s: write failed: %s", name, path, strerror(-e));
	return rc ? rc : e;
}

static int fill_tsv(FILE *f, const void *ctx)
{
	const struct irun_set *s = ctx;
	int i;

	fputs(tsv_cols, f);
	for (i = 0; i < s->n; i++)
		write_row(f, &s->run[i], s->target);
	return 0;
}

static int write_tsv(struct report *r, const struct irun_set *s)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/islands.tsv", r->dir);
	return islands_write_file(r, path, "", fill_tsv, s);
}

/* one arm's block of the figure's data: per generation the median, min and max best so far */
static void fitness_block(FILE *f, const struct irun_set *s, const char *arm)
{
	double *v = calloc((size_t)s->n, sizeof(*v)), *bsf = calloc((size_t)s->n, sizeof(*bsf));
	int g, i, n, more = 1;

	for (i = 0; v && bsf && i < s->n; i++)
		bsf[i] = -INFINITY;
	for (g = 0; v && bsf && more; g++) {
		struct sample_stats st;

		for (i = n = more = 0; i < s->n; i++) {
			const struct irun *u = &s->run[i];

			if (!u->ok || strcmp(u->arm, arm) || g >= u->n_gen)
				continue;
			bsf[i] = u->best[g] > bsf[i] ? u->best[g] : bsf[i];
			v[n++] = bsf[i];
			more = 1;
		}
		if (!n)
			break;
		stats_compute(&st, v, n);
		fprintf(f, "%d %.6g %.6g %.6g\n", g, st.median, st.min, st.max);
	}
	fprintf(f, "\n\n");
	free(bsf);
	free(v);
}

static void draw_fitness(struct report *r, const struct irun_set *s)
{
	static const char *const arms[] = { ARM_SINGLE, ARM_ISLANDS, ARM_NOMIG };
	char data[4200], base[4200], script[4200], extra[1024];
	FILE *f;
	size_t i;

	snprintf(data, sizeof(data), "%s/islands-fitness.dat", r->dir);
	snprintf(base, sizeof(base), "%s/islands-fitness", r->dir);
	snprintf(script, sizeof(script), "%s/bands.gp", r->plots_dir);
	f = report_open_data(r, data, "islands fitness figure");
	if (!f)
		return;
	for (i = 0; i < sizeof(arms) / sizeof(arms[0]); i++)
		fitness_block(f, s, arms[i]);
	if (fclose(f))
		return;
	snprintf(extra, sizeof(extra), "names='%s %s %s'; lts='1 3 4'; title='Best fitness so far per "
		 "generation (median over seeds; band min-max; the target: dotted)'; xlabel='generation "
		 "(equal evaluations: the whole population each)'; ylabel='best fitness so far'; "
		 "ymin=0; ymax=1.05; hline=%.6g; hlabel='target'", arms[0], arms[1], arms[2], s->target);
	report_draw(r, script, data, base, 3, 0, extra, "islands fitness figure");
}

int islands_tsv_write(struct report *r)
{
	struct irun_set s = { 0 };
	int rc, i;

	rc = report_read_records(r, "bench.jsonl", take_record, &s);
	if (!rc && !s.n) {
		snprintf(r->err, sizeof(r->err), "%s/bench.jsonl: no measured run", r->dir);
		rc = -EINVAL;
	}
	if (!rc) {
		find_targets(&s);
		rc = write_tsv(r, &s);
	}
	if (!rc && r->o.figures)
		draw_fitness(r, &s);
	for (i = 0; i < s.n; i++) {
		free(s.run[i].best);
		free(s.run[i].ms);
	}
	free(s.run);
	return rc;
}
