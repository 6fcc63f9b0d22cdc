/*
 * `evopar watch`: run a command (or attach to a running process) and diagnose the parallelism
 * of its process tree from /proc. Here: the interval series the rules read, the rules'
 * thresholds (also stated in README.md), and what the room's files call in one another.
 */
#ifndef EVOPAR_WATCH_H
#define EVOPAR_WATCH_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "harness/instruments/proctree.h"
#include "harness/records/record.h"

/* --- the rules' thresholds ------------------------------------------------------------ */
#define WATCH_BUSY_WANTED 0.5     /* an interval counts when the tree wanted at least this many cores */
#define WATCH_ACTIVE_SHARE 0.05   /* a thread is active in an interval when it ran this share of it */
#define WATCH_BUSY_PROCESS 0.5    /* a busy worker: a process whose threads ran this many cores */
#define WATCH_OVERSUB_FACTOR 1.5  /* oversubscribed: runnable threads above this many x the cores */
#define WATCH_OVERSUB_SHARE 0.5   /* ... in at least this share of the busy intervals */
#define WATCH_TURN_RATE 20        /* threads take turns when each blocks this often per second */
#define WATCH_EXPLODE_MULT 2      /* thread explosion: above MULT x cores + SLACK threads, */
#define WATCH_EXPLODE_SLACK 4     /*   SLACK being a runtime's service threads (Python's Pool: 3) */
#define WATCH_EXPLODE_SHARE 0.25  /* ... in at least this share of the samples */
#define WATCH_COSTLY_SHARE 0.10   /* sampling above this share of a core: suggest a longer interval */

/* one interval between two samples: what the rules read */
struct watch_interval {
	float t_s, dt_s;          /* the sample's time since the start, and the interval's length */
	float cpu_util;           /* cores the tree's threads ran on, on average */
	float wanted;             /* cores the threads wanted, on average: CPU time plus run-queue
				     time per second (CPU time alone where the latter is hidden) */
	int runnable;             /* threads in state R at the sample: on a core or waiting for one */
	int active;               /* threads that ran at least WATCH_ACTIVE_SHARE of the interval */
	int busy_procs;           /* processes whose threads ran at least WATCH_BUSY_PROCESS cores */
	int active_procs;         /* processes with an active thread */
	int turn_takers;          /* the most active threads of one process that each blocked (a
				     voluntary context switch) WATCH_TURN_RATE times a second or more */
	int threads, processes;   /* alive at the sample */
	int proc_threads_max;     /* threads of the process with the most */
	int teams;                /* processes holding at least `cores` threads: a team each */
	int futex;                /* threads in a futex wait at the sample; -1 where not visible */
	int cores;                /* online cores, or fewer in the job's affinity mask */
	float vol_rate, invol_rate;   /* context switches per second over the tree */
	float machine_busy;       /* cores busy machine-wide; < 0 unknown */
};

struct watch_series {
	struct watch_interval *iv;
	int n, cap;
	int cores;                /* as at the last sample */
	int jobs;                 /* --jobs; 0 when not given */
	int workers_seen;         /* distinct processes that were busy workers in some interval */
	int have_wait;            /* run-queue time was read at every sample */
};

enum watch_kind {
	WATCH_NO_OVERLAP,         /* kind a: the tasks ran one after another */
	WATCH_NO_PROGRESS,        /* kind b: they ran at once and progressed as one */
	WATCH_OVERSUBSCRIBED,
	WATCH_EXPLOSION,
	WATCH_HEALTHY,
	WATCH_KINDS
};
extern const char *const watch_kind_names[WATCH_KINDS];    /* "no_overlap", ...: the records' */
extern const char *const watch_kind_titles[WATCH_KINDS];   /* "no overlap (kind a)", ...: people's */

/* what the rules found, and the measures they found it on */
struct watch_verdict {
	int fired[WATCH_KINDS];
	int intervals, busy;      /* intervals, and those in which the tree wanted WATCH_BUSY_WANTED */
	int cores;
	double util, wanted;      /* means over the busy intervals */
	int runnable;             /* runnable threads reached in at least half the busy samples */
	double runnable_mean;
	int active;               /* threads active in at least half the busy intervals */
	int turn_takers;          /* threads of one process taking turns, in half the busy intervals */
	int expected;             /* the parallelism the job was meant to have */
	const char *expected_from;    /* "--jobs", "busy worker processes", "active threads" */
	double ideal;             /* min(expected, cores) */
	double near_one;          /* runnable threads below this are near 1: midway to the ideal */
	double oversub_limit;     /* WATCH_OVERSUB_FACTOR x cores */
	double oversub_share;     /* busy samples with more runnable threads than that */
	double wait_share;        /* run-queue time over run plus run-queue time, busy intervals */
	double vol_rate, invol_rate;  /* means over the busy intervals */
	double futex_mean;        /* threads in a futex wait per sample, busy intervals; < 0 hidden */
	double others_busy;       /* cores busy outside the tree, mean over busy intervals; < 0 unknown */
	int explode_limit;        /* WATCH_EXPLODE_MULT x cores + WATCH_EXPLODE_SLACK */
	double explode_share;     /* intervals over it, in one process or in teams across the tree */
	int explode_by_teams;     /* it was the tree's teams, not one process */
	int threads_max, proc_threads_max, teams_max;
};

/* watch_diagnose.c: the rules over a series; pure, for the unit tests */
void watch_diagnose(const struct watch_series *s, struct watch_verdict *v);
/* room for one more interval; NULL without memory */
struct watch_interval *watch_series_add(struct watch_series *s);
void watch_series_release(struct watch_series *s);

/* --- the state of one watch: watch_sample.c ------------------------------------------ */

/* a thread's interval: shares of it running and runnable on a queue (-1: the thread is new
   since the sample before), and voluntary context switches per second (it blocked) */
struct watch_thread_use {
	float util, wait, blocks;
};

/* what watch keeps of each process it saw: the evidence of the rules names them */
struct watch_proc {
	pid_t pid;
	char comm[PT_COMM];
	int busy_intervals;       /* it was a busy worker */
	int top_intervals;        /* it held the most active threads of the tree */
	int active_max;
	int threads_max;
};

#define WATCH_TEXT 1024

struct watch_state {
	pid_t root;
	double interval_s;
	struct pt_snapshot snap[2];
	int cur;                  /* snap[cur] is the newest; snap[!cur] the one before */
	int have_prev;
	double t_prev;
	struct watch_thread_use *use;   /* per thread of the newest snapshot */
	int cap_use;
	struct pt_machine machine;
	struct watch_series series;
	struct watch_proc *procs;
	int n_procs, cap_procs;
	/* evidence taken where it was seen: the process with the most threads, the tree's teams */
	char peak_proc[WATCH_TEXT];
	char peak_teams[WATCH_TEXT];
	char peak_caps[WATCH_TEXT];   /* the thread caps in that process's environment */
	int peak_proc_threads, peak_team_threads;
	int futex_visible;
	long samples;
	double cpu_s;             /* CPU time of watch's sampling (snapshot, pairing, record written),
				     summed by the caller */
	double wall_s;            /* how long the tree was watched */
	long threads_read;        /* threads read over all samples */
	long rss_kb_max;
};

void watch_state_init(struct watch_state *st, pid_t root, double interval_ms, int jobs);
void watch_state_release(struct watch_state *st);
/* one sample of the tree at t_s: the record into w (to be written), an interval into the
   series from the second on; 0, or -errno where the root has gone (w then holds nothing) */
int watch_sample(struct watch_state *st, struct jw *w, double t_s);

/* watch_summary.c: evidence, fixes, the summary's diagnosis fields and stderr */
/* the diagnosis of kind k in words: what was seen, and a fix; for the record and stderr */
void watch_explain(const struct watch_state *st, const struct watch_verdict *v, int k,
		   char *evidence, size_t elen, char *fix, size_t flen);
/* the summary's measures, diagnoses and sampler cost into w (left open for the caller) */
void watch_write_diagnosis(const struct watch_state *st, const struct watch_verdict *v,
			   struct jw *w);
/* the diagnoses on f, each with its evidence and fix */
void watch_print_diagnosis(const struct watch_state *st, const struct watch_verdict *v, FILE *f);

int cmd_watch(int argc, char **argv);

#endif
