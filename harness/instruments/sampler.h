/*
 * The thread and process sampler: a thread that counts, every period, the threads and
 * processes of a whole process tree from /proc, keeping max, mean and a bounded timeline.
 */
#ifndef EVOPAR_SAMPLER_H
#define EVOPAR_SAMPLER_H

#include <pthread.h>
#include <sys/types.h>

#include "harness/records/record.h"

#define SAMPLER_POINTS 512        /* timeline length; halved by merging pairs when full */

struct sampler_point {
	float t_s;                /* seconds since sampler_start at the point's first sample */
	int threads;              /* maxima over the samples the point stands for */
	int processes;
};

struct sampler {
	pid_t root;
	double period_s;
	double t0, t1;            /* monotonic seconds at start and stop */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;      /* signalled by sampler_stop; CLOCK_MONOTONIC waits */
	int stop;
	int started;
	pid_t tid;                /* the sampler's own thread: not counted, it is the instrument */
	/* results: written by the sampler thread, read after sampler_stop */
	long samples;
	int threads_max, processes_max;
	int track_rss;            /* sum the resident memory of the tree at every sample too */
	long rss_kb_max;          /* the largest such sum: what the tree held at its peak */
	double threads_sum;
	double cpu_s;             /* CPU time of the sampler thread, start to stop */
	struct sampler_point *points;
	int n_points;
	int stride;               /* samples per point: doubles each time the timeline is halved */
	struct sampler_point acc; /* the point being filled */
	int acc_n;
};

/* one walk of the tree under root: threads (skip_tid not counted) and processes alive now;
 * 0, or -errno when root itself cannot be read */
int sampler_walk(pid_t root, pid_t skip_tid, int *threads, int *processes);

/* what a walk shows its visitor: each thread as it is listed, then its process with the count
 * of its threads (a process's threads come together, before its children's) */
struct tree_visitor {
	void (*thread)(void *ctx, pid_t pid, pid_t tid);
	void (*process)(void *ctx, pid_t pid, int threads);
	void *ctx;
};

/* the same walk, each thread and process shown to v; 0, or -errno when root cannot be read */
int sampler_visit(pid_t root, pid_t skip_tid, const struct tree_visitor *v);
/* fn(ctx, tid) for every thread of pid but skip_tid: how many, or -errno when pid is gone */
int sampler_each_thread(pid_t pid, pid_t skip_tid, void (*fn)(void *ctx, pid_t tid), void *ctx);

/* start sampling root's tree every period_ms; 0 or -errno with a message */
int sampler_start(struct sampler *s, pid_t root, double period_ms, char *err, size_t errlen);
/* the same, and with track_rss the tree's summed resident memory as well (rss_max_kb) */
int sampler_start_tree(struct sampler *s, pid_t root, double period_ms, int track_rss,
		       char *err, size_t errlen);
void sampler_stop(struct sampler *s);
void sampler_release(struct sampler *s);

/* summary fields: threads_max, threads_mean, processes_max (rss_max_kb when tracked) and the
 * "sampler" object with its own cost and the timeline; nulls when the sampler did not run */
void sampler_write(const struct sampler *s, struct jw *w);

#endif
