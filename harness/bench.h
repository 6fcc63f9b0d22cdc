/*
 * `evopar bench` inside: its options, the configurations it runs and the state of one bench,
 * shared by the command (bench.c), its configurations (bench_config.c) and the repetitions
 * it starts (bench_child.c).
 */
#ifndef EVOPAR_BENCH_H
#define EVOPAR_BENCH_H

#include <signal.h>

#include "harness/options.h"
#include "proc/private_dir.h"
#include "harness/records/record.h"

struct bench_options {
	const char *config;         /* only for --help: the values are collected apart */
	const char *configs;        /* a file of configurations, one a line */
	const char *common;         /* run options put before every configuration's own */
	int repeat;
	int warmup;
	double timeout_s;           /* one run's limit; past it the run is stopped and recorded */
	double sample_ms;           /* period of the bench's sampler of each child's tree; 0: off */
	const char *out;
	int quiet;
	int help;
};

struct bench_config {
	char *label;
	char *text;                 /* the command as given, common options inserted */
	char **argv;                /* the options of the evopar command, common ones first */
	int argc;
	char **launch;              /* words before `evopar` (e.g. mpirun -np 3), or none */
	int n_launch;
	const char *command;        /* "run" or "search" */
	int label_given;
	int line_no;                /* its line in --configs, or 0 for a --config */
	struct run_options ro;      /* the options parsed, to check them and to derive a label */
};

struct bench {
	struct bench_options o;
	struct bench_config *cfg;
	int n_cfg, cap_cfg;
	char *common;               /* --common, or the file's common: line */
	char self_exe[4096];
	struct private_dir tmp;    /* run.jsonl and stderr of the run in flight */
	char tmp_out[PATH_MAX + 16], tmp_err[PATH_MAX + 16];
	struct output out;
	struct jw jw;
	double t_start;
	int runs_done, runs_total, runs_failed;
	char err[1024];
};

/* bench.c */
extern const struct opt_spec bench_opts[];
extern volatile sig_atomic_t bench_stop;    /* the signal that stops the bench, or 0 */

/* bench_config.c: options and configurations; 0, or -errno with the one-line complaint in
   b->err (none for -ENOMEM) */
int bench_parse(struct bench *b, int argc, char **argv);
void bench_configs_free(struct bench *b);

/* bench_child.c: one repetition of configuration id in a fresh process, its records copied
   and its bench_run record written; a run that fails is recorded, not an error */
int bench_one(struct bench *b, int id, int rep, int warm);

#endif
