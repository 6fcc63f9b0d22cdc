/*
 * A search's part of tables.md (wall time, speedup, concurrency, parallelism, slowdown and
 * what evopar bench saw of its process tree) and searches.tsv, the same numbers for scripts
 * and the experiments' rules (reports/search_verdict.c), with every repetition's wall and RSS.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"

#define CELL 160

static void fmt_speedup(char *buf, size_t len, const struct report_group *g, const struct report_config *c)
{
	const struct search_stats *ss = &c->ss;
	char med[32], lo[32], hi[32];
	int unstable;

	if (!ss->compared) {
		snprintf(buf, len, "-");
		return;
	}
	report_speedup(g, c, ROW_TOTAL, &unstable);
	fmt_ms(med, sizeof(med), ss->speedup);
	if (&g->cfg[c->baseline] == c || c->row[ROW_TOTAL].n < 2) {
		snprintf(buf, len, "%s%s", med, unstable ? " ?" : "");
		return;
	}
	fmt_ms(lo, sizeof(lo), ss->speedup_lo);
	fmt_ms(hi, sizeof(hi), ss->speedup_hi);
	fmt_interval(buf, len, med, lo, hi, unstable);
}

static void write_search_workload(FILE *f, const struct report_group *g)
{
	const json_t *c = g->n_cfg ? g->cfg[0].config : NULL;

	if (!c)
		return;
	fprintf(f, "Workload: %d trials, each %d seed%s of %s networks on %s, population %d, %d generations",
		(int)report_num(c, "trials", 0), (int)report_num(c, "seeds", 0), report_num(c, "seeds", 0) == 1 ? "" : "s",
		report_str(c, "mode", "?"), report_str(c, "task", "?"), (int)report_num(c, "pop", 0), (int)report_num(c, "gens", 0));
	if (!strcmp(report_str(c, "task", ""), "pole"))
		fprintf(f, ", %d episodes of up to %d steps", (int)report_num(c, "episodes", 0), (int)report_num(c, "steps", 0));
	if (report_str(c, "space", "")[0])
		fprintf(f, ", search space %s", report_str(c, "space", ""));
	fprintf(f, ", study seed %.0f.\n", report_num(c, "seed", 0));
}

static void write_search_row(FILE *f, const struct report_group *g, const struct report_config *c)
{
	const struct search_stats *ss = &c->ss;
	char wall[CELL], sp[CELL], conc[CELL], par[CELL], slow[CELL], util[CELL];
	char user[CELL], sys[CELL], vol[CELL], invol[CELL], tt[CELL], rss[CELL], per[CELL];
	double jobs = ss->jobs > 0 ? ss->jobs : 1;

	fmt_stat(wall, sizeof(wall), &c->wall, 1);
	fmt_speedup(sp, sizeof(sp), g, c);
	fmt_stat(conc, sizeof(conc), &ss->concurrency, 1);
	fmt_stat(par, sizeof(par), &ss->parallelism, 1);
	fmt_stat(slow, sizeof(slow), &ss->slowdown, 1);
	fmt_stat(util, sizeof(util), &c->util, 1);
	fmt_stat(user, sizeof(user), &ss->user_s, 1);
	fmt_stat(sys, sizeof(sys), &ss->sys_s, 1);
	fmt_stat(vol, sizeof(vol), &ss->ctx_vol, 0);
	fmt_stat(invol, sizeof(invol), &ss->ctx_invol, 0);
	fmt_stat(tt, sizeof(tt), &ss->tree_threads, 0);
	fmt_stat(rss, sizeof(rss), &ss->rss_kb, 1.0 / 1024);
	fmt_stat(per, sizeof(per), &ss->rss_kb, 1.0 / 1024 / jobs);
	fprintf(f, "| %s | %d | %d | %d%s | %s | %s | %s | %s | %s | %s | %s | %s | %d | %s | %s | %s | %s | %s | %s |\n",
		c->label, ss->jobs, ss->blas_threads, ss->jobs * ss->blas_threads,
		ss->causes & CAUSE_OVERSUBSCRIBED ? " !" : "", wall, sp, conc, par, slow, util, user, sys,
		ss->threads_seen, tt, rss, per, vol, invol, c->ss.flagged ? "**yes**" :
		ss->compared && ss->jobs > 1 ? "no" : "-");
}

int search_write_tables(const struct report_group *g, FILE *f)
{
	int i;

	write_search_workload(f, g);
	if (g->bench)
		fprintf(f, "%d repetition%s after %d warm-up round%s, interleaved (A B C A B C ...), each a fresh process.\n",
			(int)report_num(g->bench, "repeat", 0), report_num(g->bench, "repeat", 0) == 1 ? "" : "s",
			(int)report_num(g->bench, "warmups", 0), report_num(g->bench, "warmups", 0) == 1 ? "" : "s");
	else
		fprintf(f, "Plain `evopar search` files: each file is one search, a configuration of its own.\n");
	fprintf(f, "Cells: median [min–max] across repetitions. wall s: the search's own clock; speedup: "
		   "sequential's median wall / this median [its paired bootstrap 95%% interval, rounds as pairs]; "
		   "concurrency: trial-seconds / wall-seconds; parallelism: trial CPU-seconds / wall-seconds; "
		   "slowdown: the median over trials of a trial's time / the same trial's time in the sequential "
		   "search; CPU util., user s, sys s and context switches: the whole process tree as evopar bench "
		   "saw it (wait4), or the search's own summary without a bench; threads/process: the most a trial "
		   "saw in its process; tree threads and RSS: the peak over the tree, sampled by the bench; "
		   "`!`: jobs × BLAS threads above the %d cores.\n\n",
		g->n_cfg ? g->cfg[0].cores : 0);
	fprintf(f, "| search | jobs | BLAS threads | jobs × BLAS | wall s | speedup | concurrency | parallelism | "
		   "slowdown | CPU util. | user s | sys s | threads/process | tree threads | tree RSS MiB | "
		   "RSS MiB per job | voluntary ctx sw | involuntary ctx sw | flagged |\n"
		   "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | "
		   "---: | ---: | ---: | ---: | ---: | --- |\n");
	for (i = 0; i < g->n_cfg; i++)
		if (g->cfg[i].search)
			write_search_row(f, g, &g->cfg[i]);
	return ferror(f) ? -EIO : 0;
}

/* --- searches.tsv: the same numbers for scripts (the experiments' verdicts) ------------------ */
/* A missing value is an empty field: what awk, pandas and DuckDB read as missing. */

static void tsv_stat(FILE *f, const struct sample_stats *s, double scale)
{
	if (s->n)
		fprintf(f, "\t%.6g\t%.6g\t%.6g", s->median * scale, s->min * scale, s->max * scale);
	else
		fprintf(f, "\t\t\t");
}

/* a measure of every measured repetition by its index, comma-separated, empty where that
   repetition failed or did not measure it: what paired intervals pair round by round */
static void tsv_reps(FILE *f, const struct report_config *c, size_t offset, double scale)
{
	int *round = malloc(sizeof(*round) * (size_t)(c->n_reps + 1)), i;
	double *v = malloc(sizeof(*v) * (size_t)(c->n_reps + 1));

	for (i = 0; round && v && i < c->n_reps; i++) {
		const struct report_rep *p = &c->reps[i];
		double x = *(const double *)((const char *)p + offset);

		round[i] = p->rep;
		v[i] = p->ok && x >= 0 ? x * scale : -1;
	}
	if (round && v)
		tsv_round_list(f, round, v, c->n_reps);
	else
		fputc('\t', f);
	free(round);
	free(v);
}

static void tsv_row(FILE *f, const struct report_group *g, const struct report_config *c)
{
	const struct search_stats *ss = &c->ss;

	fprintf(f, "%s\t%s\t%s\t%d\t%d\t%d\t%d", g->file, c->label, c->strategy ? c->strategy : "",
		ss->jobs, ss->blas_threads, ss->cores, c->wall.n);
	tsv_stat(f, &c->wall, 1);
	if (ss->compared)
		fprintf(f, "\t%.6g\t%.6g\t%.6g", ss->speedup, ss->speedup_lo, ss->speedup_hi);
	else
		fprintf(f, "\t\t\t");
	tsv_stat(f, &ss->concurrency, 1);
	tsv_stat(f, &ss->parallelism, 1);
	tsv_stat(f, &ss->slowdown, 1);
	tsv_stat(f, &c->util, 1);
	tsv_stat(f, &ss->user_s, 1);
	tsv_stat(f, &ss->sys_s, 1);
	tsv_stat(f, &ss->ctx_vol, 1);
	tsv_stat(f, &ss->ctx_invol, 1);
	tsv_stat(f, &ss->tree_threads, 1);
	tsv_stat(f, &ss->rss_kb, 1.0 / 1024);
	fprintf(f, "\t%d\t%d\t%d\t%s\t%s\t%d\t%d\t%d", ss->threads_seen, ss->processes,
		ss->max_in_flight, ss->flagged ? "yes" : ss->compared && ss->jobs > 1 ? "no" : "",
		(char[2]){ ss->kind, 0 }, ss->causes, c->wall.unstable, c->failed);
	tsv_reps(f, c, offsetof(struct report_rep, wall_s), 1);
	tsv_reps(f, c, offsetof(struct report_rep, tree_rss_kb), 1.0 / 1024);
	fputc('\n', f);
}

int search_write_tsv(struct report *r)
{
	static const char *const stats[] = { "wall_s", "speedup", "concurrency", "parallelism", "slowdown",
					     "cpu_util", "user_s", "sys_s", "ctx_vol", "ctx_invol",
					     "tree_threads", "rss_mib" };
	char path[4200];
	size_t k;
	int gi, i, any = 0;
	FILE *f;

	for (gi = 0; gi < r->n_g; gi++)
		any |= r->g[gi].search;
	if (!any)
		return 0;
	snprintf(path, sizeof(path), "%s/searches.tsv", r->dir);
	f = fopen(path, "w");
	if (!f) {
		snprintf(r->err, sizeof(r->err), "%s: %s", path, strerror(errno));
		return -errno;
	}
	fprintf(f, "file\tlabel\tbackend\tjobs\tblas_threads\tcores\treps");
	for (k = 0; k < sizeof(stats) / sizeof(stats[0]); k++)
		fprintf(f, "\t%s\t%s_min\t%s_max", stats[k], stats[k], stats[k]);
	fprintf(f, "\tthreads_per_process\tprocesses\tmax_in_flight\tflagged\tkind\tcauses\tunstable\tfailed\twall_s_reps\trss_mib_reps\n");
	for (gi = 0; gi < r->n_g; gi++)
		for (i = 0; i < r->g[gi].n_cfg; i++)
			if (r->g[gi].cfg[i].search)
				tsv_row(f, &r->g[gi], &r->g[gi].cfg[i]);
	if (fclose(f)) {
		snprintf(r->err, sizeof(r->err), "%s: write failed: %s", path, strerror(errno));
		return -EIO;
	}
	return 0;
}

