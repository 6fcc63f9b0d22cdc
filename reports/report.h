/*
 * `evopar report DIR`: what report.c reads from the JSON Lines files of a directory, the
 * statistics it computes, and the writers of tables (report_md.c), figures (report_plot.c)
 * and of what is particular to trial searches (report_search.c).
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

/* one trial of an evopar search, as its record says */
struct search_trial {
	int id, worker, pid;
	int threads;              /* threads seen in its process when it ended */
	int ok;
	double start_s, end_s, cpu_s;
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

/* causes of a sequential fallback the records can show (bits of search_stats.causes) */
enum {
	CAUSE_THREAD_POOL = 1,    /* threads per process far above what the backend needs: BLAS's pool */
	CAUSE_OVERSUBSCRIBED = 2, /* jobs x BLAS threads above the cores */
	CAUSE_ONE_PROCESS = 4,    /* every trial in one process, progressing at about one core */
	CAUSE_SERIALISED = 8,     /* never more than one trial at a time */
	CAUSE_IDLE = 16,          /* the trials filled less of the wall time than one job would */
	CAUSE_LATE_START = 32,    /* start-up before the first trial took a share of the wall */
	CAUSE_IDLE_TAIL = 64,     /* workers out of trials while others still ran */
};

/* what report_search.c makes of the repetitions of one search configuration */
struct search_stats {
	int jobs, blas_threads, cores;
	int processes, threads_seen, max_in_flight;   /* over the repetitions: the most */
	int own_threads;          /* threads per process the backend itself needs */
	int cpu_tells;            /* a trial's thread CPU is all its work: no BLAS threads help it */
	struct sample_stats concurrency, parallelism, slowdown, startup_share, tail_share;
	struct sample_stats user_s, sys_s, ctx_vol, ctx_invol, tree_threads, tree_processes, rss_kb;
	int compared;             /* a sequential baseline of the same workload exists */
	double speedup, speedup_lo, speedup_hi;
	double baseline_parallelism;   /* the sequential search's: below 1 when other load took the core */
	int flagged;              /* speedup below FALLBACK_FLAG_SHARE x min(jobs, cores) */
	char kind;                /* 'a' did not overlap, 'b' overlapped but not in parallel, 0 */
	int causes;
};

/*
 * The rules of the sequential-fallback verdict (stated in every report that applies them).
 * "Near x" and "far from x" split at the midpoint between the parallel and the serial value.
 */
#define FALLBACK_FLAG_SHARE 0.5   /* flagged: speedup below this share of min(--jobs, cores) */
#define THREAD_EXCESS_MIN 2       /* threads per process this far above the backend's own: a pool */
#define LOADED_PARALLELISM 0.9   /* a sequential search below this had the machine shared */
#define WASTE_SHARE 0.10          /* start-up or idle tail above this share of the wall: named */
#define MPI_OWN_THREADS 3         /* an Open MPI rank: main and Open MPI's two (measured here) */

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
/* a record's number or string field, or dflt where it is missing or of another type */
double report_num(const json_t *o, const char *key, double dflt);
const char *report_str(const json_t *o, const char *key, const char *dflt);
int report_write_md(struct report *r, const char *tables_path, const char *md_path);

/* report_plot.c: data files and gnuplot; a figure that cannot be drawn becomes a note */
void report_figures(struct report *r);
/* gnuplot -e "data=..; out=..; n=N; cores=C; EXTRA" SCRIPT; 0, -ENOENT without gnuplot */
int report_gnuplot(struct report *r, const char *script, const char *data, const char *out,
		   int n, int cores, const char *extra);
/* a label as a gnuplot data string: double quotes, none inside */
void report_put_label(FILE *f, const char *s);

/* report_search.c: evopar search records */
void search_take_meta(struct report_config *c, const json_t *rec);
int search_take_trial(struct report_rep *p, const json_t *rec);
void search_take_summary(struct report_config *c, struct report_rep *p, const json_t *rec);
void search_take_bench_run(struct report_rep *p, const json_t *rec);
void search_init_rep(struct report_rep *p);
void search_free_group(struct report_group *g);
/* per-configuration statistics and verdicts, once baselines are chosen */
int search_group_stats(struct report_group *g);
int search_write_tables(const struct report_group *g, FILE *f);
void search_write_section(struct report *r, const struct report_group *g, FILE *f);
int search_write_tsv(struct report *r);
void search_figures(struct report *r, struct report_group *g);

#endif
