/*
 * `evopar report DIR`: what report.c reads from the JSON Lines files of a directory, the
 * statistics it computes, and the writers of tables (report_md.c) and figures (report_plot.c).
 */
#ifndef EVOPAR_REPORT_H
#define EVOPAR_REPORT_H

#include <jansson.h>
#include <stdio.h>

/* rows of the study's table; the last is the study's own "total" (no evaluate) */
enum report_row { ROW_MUTATE, ROW_PREPARE, ROW_EVALUATE, ROW_RESAMPLE, ROW_TOTAL, ROW_MPR, ROW_COUNT };
extern const char *const report_row_names[ROW_COUNT];

#define UNSTABLE_CV 0.10          /* coefficient of variation above which a cell is unstable */
#define UNSTABLE_MIN_N 5          /* fewer samples than this: unstable */

struct sample_stats {
	int n;
	double median, min, max, mean;
	double cv;                /* sample standard deviation / mean; 0 for n < 2 */
	int unstable;
};

/* one repetition of one configuration: per-generation means and its summary */
struct report_rep {
	int rep;
	double sum_ms[ROW_COUNT]; /* over generations 1.. (generation 0 is warm-up) */
	int gens;                 /* generations summed */
	int have_summary;
	int ok;                   /* the summary said "ok" */
	double wall_s, cpu_s;     /* cpu_s: self and children, user and system */
	double threads_max, threads_mean, processes_max;  /* < 0: not recorded */
	double rss_kb, children_rss_kb, ctx_vol, ctx_invol;
	json_t *timeline;         /* summary.sampler.timeline, or NULL */
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
	struct sample_stats util; /* cpu seconds / wall second */
	struct sample_stats wall;
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
};

struct report_options {
	const char *title;
	const char *intro;        /* markdown file put at the top of report.md */
	const char *reference;    /* the study's own figures, shown beside ours */
	const char *plots;        /* directory of the gnuplot scripts */
	int figures;              /* 0: no gnuplot */
	int help;
};

struct report {
	struct report_options o;
	const char *dir;
	struct report_group *g;
	int n_g;
	char plots_dir[4096];
	/* figures: for each group the base name given to gnuplot, and what was skipped */
	char notes[4096];
	size_t notes_len;
	char err[8400];           /* room for a path and what went wrong */
};

/* stats over x[0..n) (x is sorted in place) */
void stats_compute(struct sample_stats *s, double *x, int n);
/* "12.3", "0.00812": three significant digits, no exponent */
void fmt_ms(char *buf, size_t len, double v);
/* the speedup of c against its baseline for a row, and whether it is unstable; 0 when none */
double report_speedup(const struct report_group *g, const struct report_config *c, int row,
		      int *unstable);
/* the floor's median in microseconds from a calibration record; 0 when absent */
double report_floor_us(const json_t *cal, const char *name);
__attribute__((format(printf, 2, 3)))
void report_note(struct report *r, const char *fmt, ...);

/* report_md.c */
int report_write_tables(struct report *r, FILE *f);
int report_write_md(struct report *r, const char *tables_path, const char *md_path);

/* report_plot.c: data files and gnuplot; a figure that cannot be drawn becomes a note */
void report_figures(struct report *r);

#endif
