/*
 * `evopar bench` inside: its options, the configurations it runs and the state of one bench,
 * shared by the command (bench.c), its configurations (bench_config.c) and the repetitions
 * it starts (bench_child.c).
 */
#ifndef EVOPAR_BENCH_H
#define EVOPAR_BENCH_H

#include <signal.h>
#include <stdint.h>

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
	uint64_t order_seed;        /* the shuffle of every round; 0: the first configuration's --seed */
	int aa;                     /* run the first sequential configuration twice: an A/A control */
	int capacity;               /* add the capacity arms: the baseline beside copies of itself */
	double ci_width;            /* add rounds until every speedup's relative half-width is below; 0: off */
	double max_time_s;          /* ... or until this many seconds; 0: no rounds past --repeat */
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
	int control_of;             /* the configuration this one repeats as the A/A control, or -1 */
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
	/* the rounds (bench_rounds.c) */
	int seq_id;                 /* the first sequential configuration, speedups' baseline; -1: none */
	uint64_t order_seed;        /* as used */
	int *order;                 /* the configurations in this round's order */
	double *values;             /* per measured round and configuration, its ms per generation; -1: failed */
	int rounds_done, cap_rounds;
	double last_value;          /* bench_one: the run's ms per generation (a search's wall ms), or -1 */
	double round_s, t_round;    /* how long the last round took; when this one began */
	const char *stopped;        /* why the rounds ended: repeat, ci-width, max-time */
	double widest;              /* the widest relative half-width when they ended (+inf: none) */
	int widest_id;
	char err[1024];
};

/* bench.c */
extern const struct opt_spec bench_opts[];
extern volatile sig_atomic_t bench_stop;    /* the signal that stops the bench, or 0 */

/* bench_config.c: options and configurations; 0, or -errno with the one-line complaint in
   b->err (none for -ENOMEM) */
int bench_parse(struct bench *b, int argc, char **argv);
void bench_configs_free(struct bench *b);

/* bench_rounds.c: the A/A control added (--aa), the baseline found, the order seeded, after
   the configurations are parsed; 0, or -errno with the complaint in b->err */
int bench_rounds_prepare(struct bench *b);
/* whether round (warm-ups counted) should run; sets b->stopped when not */
int bench_round_wanted(struct bench *b, int round);
/* shuffles b->order for the round and writes its bench_round record; 0 or -errno */
int bench_round_begin(struct bench *b, int round);
/* the measure of the run just done (b->last_value) kept for the adaptive rule */
void bench_round_took(struct bench *b, int round, int id);
/* the bench record's fields of the rounds, and the bench_end record's */
void bench_rounds_describe(struct bench *b);
void bench_rounds_end(struct bench *b);
/* a configuration's fields in the bench record's configs */
void bench_rounds_config(struct bench *b, int id);
/* the last words of the bench on stderr: why the rounds ended, where they are adaptive */
void bench_rounds_say(const struct bench *b);
/* the run's measure from its records at path: the mean total ms per generation past
   generation 0, a search's wall ms; -1 without one */
double bench_run_value(const char *path, const struct bench_config *c);
void bench_rounds_free(struct bench *b);

/* bench_child.c: one repetition of configuration id in a fresh process, its records copied
   and its bench_run record written; a run that fails is recorded, not an error */
int bench_one(struct bench *b, int id, int rep, int warm);

#endif
