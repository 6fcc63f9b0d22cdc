/*
 * The reports room: `evopar report DIR` turns the records in DIR (bench, run and search files)
 * into tables.md, figures, report.md with its verdicts, and searches.tsv. Here: what the records
 * become and what the room's files call in one another, under the file that defines it.
 */
#ifndef EVOPAR_REPORT_H
#define EVOPAR_REPORT_H

#include <jansson.h>
#include <stdio.h>

#include "reports/interval.h"
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
	double sum_comm[ROW_COUNT];  /* comm_ms, time moving data, summed alike (total: all phases) */
	int comm_gens;            /* generations that carried comm_ms */
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
	/* the generation records' steps (report_work.c): all of them, those of generations 1..
	   (the ones sum_ms covers), and how many records carried one */
	double steps, steps_timed;
	int steps_gens;
	/* CPU seconds of the sampler's thread, and of the process before the run's clock started
	   (report_cpu.c); < 0: not recorded */
	double sampler_cpu_s, startup_cpu_s;
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
	int control;              /* the bench's A/A control: a second sequential arm (--aa) */
	int copies;               /* > 1: a capacity arm, sequential beside copies - 1 of itself */
	struct sample_stats row[ROW_COUNT];
	/* against its baseline: the ratio of medians with its bootstrap 95% interval, paired by
	   round in a bench (unpaired between plain run files, which are not rounds) */
	struct ratio_ci speedup[ROW_COUNT];
	int speedup_paired;
	struct sample_stats comm_share[ROW_COUNT];  /* per repetition comm_ms / phase ms */
	struct sample_stats imbalance[ROW_COUNT];  /* per repetition its mean max/mean busy */
	struct sample_stats util; /* cpu seconds / wall second */
	struct sample_stats wall;
	struct sample_stats steps, rate;  /* a run's work, and its work per second (report_work.c) */
	struct sample_stats util_sampler, util_startup;  /* their shares of util (report_cpu.c) */
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
	int rounds;               /* measured rounds the bench ran (bench_round records), or 0 */
	json_t *bench_end;        /* the bench_end record, or NULL */
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

/* the rules --verdict can write (--rule, harness/report_cmd.c) */
enum report_rule { REPORT_RULE_EVALUATE, REPORT_RULE_ISLANDS };
struct sync_study;

struct report_options {
	const char *title;
	const char *intro;        /* markdown file put at the top of report.md */
	const char *reference;    /* the study's own figures, shown beside ours */
	const char *plots;        /* directory of the gnuplot scripts */
	int figures;              /* 0: no gnuplot */
	const char *headline;     /* the headline paragraph and table into this file (report_headline.c) */
	const char *verdict;      /* experiment 5's part (reports/evaluate_verdict.c) into this file */
	int rule;                 /* whose part --verdict writes: REPORT_RULE_* */
	int trials;               /* experiment 5: trials per configuration of its trials bench */
	int shared_trials;        /* experiment 5: trials per configuration sharing the GPU */
	const char *sweep;        /* a section across files of one sweep (reports/sweep.h), or NULL */
	int quiet;                /* no summary line on stderr */
	int help;
};

struct report {
	struct report_options o;
	const char *dir;
	struct report_group *g;
	int n_g;
	struct report_watch *watch;   /* the evopar watch files of DIR: not groups, a section each */
	int n_watch, cap_watch;
	struct sync_study *sync;      /* the evopar study sync files of DIR (reports/sync.h), or NULL */
	char plots_dir[4096];
	struct notes notes;       /* what was left out or skipped, for report.md's Notes */
	char err[8400];           /* room for a path and what went wrong */
};

/*
 * Calls go down only:
 *   harness/compare_cmd.c (evopar compare) > compare.c > report_load.c, interval.c
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
/* report_read.c: each JSON record of the file name in r->dir to take(ctx, rec) (a line that is
   not JSON becomes a note); 0, or -errno with r->err set (take's error: out of memory) */
int report_read_records(struct report *r, const char *name, int (*take)(void *ctx, json_t *rec),
			void *ctx);
/* one records file of r->dir (a bench's, or a plain run's or search's) into g, with its
   statistics: `evopar compare`'s; 0 or -errno with r->err set */
int report_load_one(struct report *r, struct report_group *g, const char *name);
/* what a group holds (not g itself) */
void report_group_release(struct report_group *g);
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
/* a repetition's ms per generation in a row (a search's wall ms), or -1 when it did not end ok */
double report_rep_value(const struct report_rep *p, int row);
/* the speedup of c against its baseline for a row, and whether it is unstable; 0 when none */
double report_speedup(const struct report_group *g, const struct report_config *c, int row,
		      int *unstable);
/* every configuration's speedups with their intervals (after report_pick_baselines); 0 or
   -ENOMEM */
int report_speedup_stats(struct report_group *g);
/* time(slow) / time(fast) on row, the rounds of two configurations of one bench file as pairs;
   0, or -1 without two paired rounds' worth of values (ci then holds NaN) */
int report_paired_ratio(const struct report_config *slow, const struct report_config *fast, int row,
			struct ratio_ci *ci);
/* time(slow) / time(fast) on row for every round both ran: into ratio (room for fast's
   repetitions); the count, or -1 without memory */
int report_round_ratios(const struct report_config *slow, const struct report_config *fast, int row,
			double *ratio);
/* the interval of c's speedup for a row: NULL without a speedup or without an interval (fewer
   than two pairs, or c is its own baseline) */
const struct ratio_ci *report_speedup_ci(const struct report_group *g, const struct report_config *c,
					 int row);
/* "1.23 [1.10–1.35]" (" ?" after it when unstable), the point alone without an interval, "-"
   without a speedup */
void report_fmt_speedup(char *buf, size_t len, const struct report_group *g,
			const struct report_config *c, int row);
/* the A/A control of a group compared with its sequential arm, or NULL */
const struct report_config *report_control(const struct report_group *g);
/* one sentence on how the group's speedup intervals were drawn (paired or not, resamples) */
void report_say_intervals(FILE *f, const struct report_group *g);
/* configurations compared with a baseline other than themselves */
int report_count_compared(const struct report_group *g);
/* an arm that is compared with sequential and never counted as a parallel configuration:
   the A/A control or a capacity arm */
int report_is_arm(const struct report_config *c);
/* the capacity arm of this many copies that ran ok, or NULL */
const struct report_config *report_capacity_arm(const struct report_group *g, int copies);
/* The machine's capacity at this many workers: measured in the same rounds by a capacity
   arm (copies x its speedup) where the file has one, else the calibration's (its cores
   where more); 0 when none. */
double report_capacity(const struct report_group *g, int workers);
/* c's share of that capacity with its paired 95% interval: the capacity arm's time over
   workers x c's, rounds as pairs; 0, or -1 without an arm of c's workers or two rounds */
int report_share_ci(const struct report_group *g, const struct report_config *c, struct ratio_ci *ci);
/* a configuration's workload as text, the options of not_workload left out (and the seed
   with without_seed), for grouping; malloc'd, NULL without memory or config */
char *report_workload_key(const json_t *config, int without_seed);

/* report_work.c: the work done (the generation records' steps) and the throughput */
#define WORK_SAME_SHARE 0.02      /* work further from the baseline's: a different computation */
void report_work_take(struct report_rep *p, const json_t *rec);   /* a generation record */
int report_work_stats(struct report_config *c);                    /* 0, or -1 without memory */
/* c's work over its baseline's (medians); 0 where either was not counted */
double report_work_ratio(const struct report_group *g, const struct report_config *c);
/* 1 where c's work differs from its baseline's by more than WORK_SAME_SHARE */
int report_work_differs(const struct report_group *g, const struct report_config *c);
/* "0.880 different computation": c's work over its baseline's, labelled; "-" uncounted */
void report_work_cell(char *buf, size_t len, const struct report_group *g,
		      const struct report_config *c);
/* the main table's throughput and work rows, and the lines under it */
void report_work_rows(FILE *f, const struct report_group *g);
void report_work_notes(FILE *f, const struct report_group *g);
/* the speedup figure's blocks of different computations, after `blocks` others; the count */
int report_work_speedup_data(const struct report_group *g, FILE *f, int blocks);
int report_work_apart(const struct report_group *g);   /* how many such blocks it writes */

/* report_cpu.c: the instruments' and the start-up's share of the CPU utilisation */
void report_cpu_take(struct report_rep *p, const json_t *summary);
int report_cpu_stats(struct report_config *c);                     /* 0, or -1 without memory */
void report_cpu_rows(FILE *f, const struct report_group *g);       /* the main table's rows */
void report_cpu_note(FILE *f, const struct report_group *g);       /* what they mean */
void report_cpu_data(FILE *f, const struct report_config *c);      /* cpu.dat's two columns */

/* report_overhead.c: where a file holds a run with instruments on and off, their ratio */
void report_overhead_section(FILE *f, const struct report_group *g);
struct ratio_ci;
/* num's median total ms per generation over den's, the rounds both ran as pairs (paired
   bootstrap, reports/interval.h); 0, or -1 without two such rounds or memory */
int report_paired_ms_ratio(const struct report_config *num, const struct report_config *den,
			   struct ratio_ci *ci);
/* report_headline.c: --headline FILE, the README's table of a make run's records */
int report_write_headline(struct report *r);

/* report_tables.c: tables.md */
int report_write_tables(struct report *r, FILE *f);
/* report_across.c: the table across files that repeat configurations over seeds; 0 or -ENOMEM */
int report_write_across(const struct report *r, FILE *f);
/* report_md.c: report.md around the tables at tables_path */
int report_write_md(struct report *r, const char *tables_path, const char *md_path);
/* the group's sequential configuration that got clearly less than one core (a busy machine:
   its times are inflated), or NULL */
const struct report_config *report_busy_baseline(const struct report_group *g);
/* report_plot.c: data files and gnuplot; a figure that cannot be drawn becomes a note */
void report_figures(struct report *r);

/* compare.c: `evopar compare A B`, two record files (bench or run JSON Lines, or Google
   Benchmark JSON) per configuration: the ratio B/A of median times, its unpaired bootstrap
   interval and a verdict */
struct compare_options {
	const char *a, *b;
	double fail_above;        /* percent: exit 1 when an interval lies wholly above 1 + it; < 0: off */
	int json;                 /* one JSON object per configuration instead of the table */
	int metric;               /* Google Benchmark files: 0 real_time, 1 cpu_time */
	int help;
};
/* the comparison on out; 0, 1 when --fail-above found a regression, or -errno with err set
   (-EINVAL: a file that is not records) */
int compare_files(const struct compare_options *o, FILE *out, char *err, size_t errlen);

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
/* the part of a figure's caption that says what it measured where, from the groups g[0..n):
   "n = 5 repetitions per configuration, seed 42; machine vm (AMD EPYC, 2 cores, load average
   0.41 at the start)" */
void report_fig_about(const struct report_group *g, int n_groups, char *buf, size_t len);
/* "machine HOST (CPU, N cores, load average L at the start)" from a meta record */
void report_fig_machine(const json_t *meta, char *buf, size_t len);
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
