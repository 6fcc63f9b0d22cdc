/*
 * The reports room: `evopar report DIR` turns the records in DIR (bench, run and search files)
 * into tables.md, figures, report.md with its verdicts, and searches.tsv. Here: what the records
 * become and what the room's files call in one another, under the file that defines it.
 */
#ifndef EVOPAR_REPORT_H
#define EVOPAR_REPORT_H

#include <jansson.h>
#include <stdio.h>

#include "reports/search.h"
#include "reports/stats.h"

/* rows of the study's table; the last is the study's own "total" (no evaluate) */
enum report_row { ROW_MUTATE, ROW_PREPARE, ROW_EVALUATE, ROW_RESAMPLE, ROW_TOTAL, ROW_MPR, ROW_COUNT };
extern const char *const report_row_names[ROW_COUNT];    /* report_compare.c */

/* one repetition of one configuration: per-generation means and its summary */
struct report_rep {
	int rep;
	double sum_ms[ROW_COUNT]; /* over generations 1.. (generation 0 is warm-up) */
	int gens;                 /* generations summed */
	double sum_imbalance[ROW_COUNT];  /* the generation records' imbalance, summed alike */
	int imbalance_gens;       /* generations that carried one */
	int have_summary;
	int ok;                   /* the summary said "ok" */
	double wall_s, cpu_s;     /* cpu_s: self and children, user and system */
	double threads_max, threads_mean, processes_max;  /* < 0: not recorded */
	double rss_kb, children_rss_kb, ctx_vol, ctx_invol;
	json_t *timeline;         /* summary.sampler.timeline, or NULL */
	/* what evopar bench saw of the child (bench_run): its tree's rusage and sampler; < 0: none */
	double child_wall_s, child_user_s, child_sys_s, child_ctx_vol, child_ctx_invol;
	double tree_threads_max, tree_processes_max, tree_rss_kb;
	/* evopar search */
	struct search_trial *trials;
	int n_trials, cap_trials;
	int jobs;                 /* trials in flight at once as the summary says; sequential: 1 */
	int worker_blas_threads;  /* the summary's: > 0 when the backend pinned its workers' BLAS */
	double concurrency;       /* trial-seconds / wall-seconds */
	double parallelism;       /* trial cpu-seconds / wall-seconds */
	double slowdown;          /* median over trials of its time / the same trial's alone; < 0: none */
	int max_in_flight;        /* the most trials that ran at one moment */
	int processes;            /* distinct pids that ran its trials */
	int threads_seen;         /* the most threads a trial saw in its process */
	double startup_share;     /* the first trial's start / the wall time */
	double tail_share;        /* workers' idle time after their last trial / (workers x wall) */
};

struct report_config {
	int id;
	char *label;
	char *args;               /* the bench's evopar run options, or NULL */
	char *strategy;
	int workers;              /* as the run settled it (islands: the island count) */
	json_t *config;           /* meta.config of its first run */
	struct report_rep *reps;
	int n_reps, cap_reps;
	int failed;               /* measured runs that did not end "ok" */
	int baseline;             /* index of the sequential configuration it is compared with */
	struct sample_stats row[ROW_COUNT];
	struct sample_stats imbalance[ROW_COUNT];  /* per repetition its mean max/mean busy */
	struct sample_stats util; /* cpu seconds / wall second */
	struct sample_stats wall;
	int search;               /* an evopar search: the fields below apply */
	int blas_default;         /* meta.blas.threads of its first run */
	int cores;                /* online cores, or fewer in the affinity mask */
	struct search_stats ss;
};

enum report_figure { FIG_SPEEDUP, FIG_PHASES, FIG_CPU, FIG_TIMELINE, FIG_COUNT };
extern const char *const report_figure_names[FIG_COUNT];    /* also the plots/NAME.gp script */

/* the records of one file: one bench, or plain runs */
struct report_group {
	char *file;               /* name within DIR */
	struct report_config *cfg;
	int n_cfg, cap_cfg;
	json_t *meta;             /* the first meta record */
	json_t *calibration;      /* NULL when the file has none */
	json_t *bench;            /* the bench record, or NULL */
	double elapsed_s;         /* the bench_end record's, or 0 */
	int warmup_runs;          /* runs seen and left out as warm-up */
	int plain_runs;           /* untagged runs (evopar run --out) */
	char fig_prefix[128];     /* figure file names: PREFIX + kind + .png / .svg */
	int fig_made[FIG_COUNT];
	int search;               /* its configurations are evopar searches */
	char **trials_fig;        /* search: per configuration its trial timeline's base name, or NULL */
	int threads_fig;          /* search: PREFIX threads.png was drawn */
};

/* one sample of a watched job (evopar watch), as its figure draws it; < 0: not measured */
struct report_watch_point {
	double t_s, threads, processes, cpu_util, wanted, runnable;
};

/* an evopar watch file: its meta, samples and summary (with the diagnosis) */
struct report_watch {
	char *file;               /* name within DIR */
	json_t *meta, *summary;   /* NULL where missing */
	struct report_watch_point *points;
	int n_points, cap_points;
	int cores;                /* as the samples say */
	int fig_made;
};

struct report_options {
	const char *title;
	const char *intro;        /* markdown file put at the top of report.md */
	const char *reference;    /* the study's own figures, shown beside ours */
	const char *plots;        /* directory of the gnuplot scripts */
	int figures;              /* 0: no gnuplot */
	const char *verdict;      /* experiment 5's part (reports/evaluate_verdict.c) into this file */
	int trials;               /* experiment 5: trials per configuration of its trials bench */
	int shared_trials;        /* experiment 5: trials per configuration sharing the GPU */
	int help;
};

struct report {
	struct report_options o;
	const char *dir;
	struct report_group *g;
	int n_g;
	struct report_watch *watch;   /* the evopar watch files of DIR: not groups, a section each */
	int n_watch, cap_watch;
	char plots_dir[4096];
	struct notes notes;       /* what was left out or skipped, for report.md's Notes */
	char err[8400];           /* room for a path and what went wrong */
};

/*
 * Calls go down only:
 *   harness/report_cmd.c (the command) > report.c (report_make) > report_load.c, report_tables.c, report_md.c, report_plot.c,
 *   search_tables.c (searches.tsv), evaluate_verdict.c (--verdict) >
 *   evaluate_sections.c, evaluate_tsv.c; evaluate_sections.c > evaluate_tsv.c; report_load.c, report_md.c, report_plot.c > report_watch.c
 *   > report_gnuplot.c
 *   report_load.c > search_fallback.c > search_trials.c > report_gnuplot.c > proc/child.h
 *   report_tables.c > search_tables.c;  report_md.c > search_fallback.c;  report_plot.c >
 *   search_trials.c, report_gnuplot.c;  most > report_compare.c;  all > stats.c, the leaf
 *   harness/report_cmd.c (--verdict experiment-N) > search_verdict.c > search_verdict_rules.c >
 *   search_verdict_pairs.c > evaluate_tsv.c, interval.c
 */

/* report.c: with r->o and r->dir set, read the records and write the report into r->dir;
   0, or -1 with r->err set */
int report_make(struct report *r);

/* report_load.c: every *.jsonl of r->dir into groups, with their statistics; 0 or -errno
   with r->err set */
int report_load(struct report *r);
/* each JSON record of the file name in r->dir to take(ctx, rec) (a line that is not JSON
   becomes a note); 0, or -errno with r->err set (take's error: out of memory) */
int report_read_records(struct report *r, const char *name, int (*take)(void *ctx, json_t *rec),
			void *ctx);
/* r and all it holds */
void report_free(struct report *r);

/* report_compare.c: statistics of a configuration and comparisons with its baseline */
int report_config_stats(struct report_config *c);
/* each configuration's baseline: a sequential one of the same workload, else the first */
void report_pick_baselines(struct report_group *g);
/* stats over the ok repetitions of the double at offset in struct report_rep (those < 0
   left out; with_trials: only repetitions that ran trials) */
void report_rep_stats(struct sample_stats *s, const struct report_config *c, size_t offset,
		      int with_trials);
/* the speedup of c against its baseline for a row, and whether it is unstable; 0 when none */
double report_speedup(const struct report_group *g, const struct report_config *c, int row,
		      int *unstable);
/* configurations compared with a baseline other than themselves */
int report_count_compared(const struct report_group *g);
/* the calibration's capacity at this many workers (its cores where more); 0 when none */
double report_capacity(const struct report_group *g, int workers);
/* a configuration's workload as text, the options of not_workload left out (and the seed
   with without_seed), for grouping; malloc'd, NULL without memory or config */
char *report_workload_key(const json_t *config, int without_seed);

/* report_tables.c: tables.md */
int report_write_tables(struct report *r, FILE *f);
/* report_md.c: report.md around the tables at tables_path */
int report_write_md(struct report *r, const char *tables_path, const char *md_path);
/* report_plot.c: data files and gnuplot; a figure that cannot be drawn becomes a note */
void report_figures(struct report *r);

/* report_watch.c: evopar watch files */
/* is this first record that of an evopar watch file? */
int report_watch_is(const json_t *first);
/* the file name in r->dir into r->watch; 0 or -errno with r->err set */
int report_watch_load(struct report *r, const char *name);
void report_watch_free(struct report *r);
void report_watch_figures(struct report *r);
/* report.md's first line: every watched job's diagnosis (nothing without watch files) */
void report_watch_first_line(const struct report *r, FILE *f);
/* a section per watched job: command, diagnoses with evidence and fix, measures, the figure */
void report_watch_sections(const struct report *r, FILE *f);

/* report_gnuplot.c: what every figure shares */
/* gnuplot -e "data=..; out=..; n=N; cores=C; EXTRA" SCRIPT, its output appended to
   DIR/gnuplot.log; 0, -ENOENT without gnuplot, -EIO when it failed */
int report_gnuplot(struct report *r, const char *script, const char *data, const char *out,
		   int n, int cores, const char *extra);
/* report_gnuplot, and a note naming what is missing (e.g. "threads figure") when it failed;
   the same codes */
int report_draw(struct report *r, const char *script, const char *data, const char *out,
		int n, int cores, const char *extra, const char *what);
/* a figure's data file opened for writing, or NULL with a note that what was skipped */
FILE *report_open_data(struct report *r, const char *path, const char *what);
/* a label as a gnuplot data string: double quotes, none inside */
void report_put_label(FILE *f, const char *s);
/* a gnuplot single-quoted string: quotes doubled */
void report_gp_quote(char *buf, size_t len, const char *s);

#endif
