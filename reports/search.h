/*
 * What `evopar report` makes of `evopar search` records (private to reports/): the trials and
 * their timing (search_trials.c), the sequential-fallback diagnosis (search_fallback.c) and the
 * search's tables and searches.tsv (search_tables.c).
 */
#ifndef EVOPAR_REPORTS_SEARCH_H
#define EVOPAR_REPORTS_SEARCH_H

#include <jansson.h>
#include <stdio.h>

#include "reports/stats.h"

struct report;
struct report_group;
struct report_config;
struct report_rep;

/* one trial of an evopar search, as its record says */
struct search_trial {
	int id, worker, pid;
	int threads;              /* threads seen in its process when it ended */
	int ok;
	double start_s, end_s, cpu_s;
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

/* what search_fallback.c makes of the repetitions of one search configuration */
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

/* search_trials.c: the records, each repetition's timing, the trial and threads figures */
int search_is_backend(const struct report_config *c, const char *name);
void search_init_rep(struct report_rep *p);
void search_take_meta(struct report_config *c, const json_t *rec);
int search_take_trial(struct report_rep *p, const json_t *rec);
void search_take_summary(struct report_config *c, struct report_rep *p, const json_t *rec);
void search_take_bench_run(struct report_rep *p, const json_t *rec);
void search_free_group(struct report_group *g);
/* a repetition's concurrency, parallelism, overlap, processes, start-up and idle tail */
void search_rep_measures(struct report_rep *p);
/* per trial id, its median duration over the baseline's repetitions (< 0 where unseen); NULL
   without memory */
double *search_alone_durations(const struct report_config *b, int *n_ids);
/* the median over a repetition's trials of its time / the same trial's time alone */
void search_rep_slowdown(struct report_rep *p, const double *alone, int n_ids);
void search_figures(struct report *r, struct report_group *g);

/* search_fallback.c: per-configuration statistics and verdicts, once baselines are chosen */
int search_group_stats(struct report_group *g);
/* report.md's "Sequential fallback" section: the rules, a verdict per search, the figures */
void search_write_section(const struct report_group *g, FILE *f);

/* search_tables.c */
int search_write_tables(const struct report_group *g, FILE *f);
int search_write_tsv(struct report *r);

#endif
