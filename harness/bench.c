/*
 * `evopar bench`: runs a set of configurations, each repetition a fresh `evopar run` (or
 * `evopar search`, optionally under a launcher such as mpirun) child, in interleaved order
 * (A B C A B C ...) so that drift hits all alike, into one JSON Lines file: a calibration
 * record, a bench record, then every run's records tagged with its configuration and
 * repetition, and a bench_run record each with what the bench saw of the child's tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc/clock.h"
#include "harness/bench.h"
#include "harness/cli.h"
#include "harness/instruments/calibrate.h"
#include "harness/records/records.h"
#include "harness/run.h"

#define BO(field) offsetof(struct bench_options, field)

const struct opt_spec bench_opts[] = {
	{ "config", OPT_STRING, BO(config), 0, 0, NULL, "one configuration: 'LABEL: evopar run options' or just the options; repeat it" },
	{ "configs", OPT_STRING, BO(configs), 0, 0, NULL, "a file of configurations, one a line as for --config ('common: ...' applies to all; # comments)" },
	{ "common", OPT_STRING, BO(common), 0, 0, NULL, "evopar run options put before every configuration's own" },
	{ "repeat", OPT_INT, BO(repeat), 1, 100000, NULL, "measured repetitions of every configuration" },
	{ "warmup", OPT_INT, BO(warmup), 0, 1000, NULL, "warm-up repetitions first (recorded, marked warmup, left out of reports)" },
	{ "timeout", OPT_DOUBLE, BO(timeout_s), 1, 604800, NULL, "seconds one run may take before it is stopped (SIGTERM, then SIGKILL) and recorded as failed" },
	{ "sample-ms", OPT_DOUBLE, BO(sample_ms), 0, 60000, NULL, "the bench samples each child's process tree (threads, processes, summed RSS) this often; 0: not" },
	{ "order-seed", OPT_U64, BO(order_seed), 0, 0, NULL, "seed of each round's shuffled order of the configurations; 0: the first configuration's --seed" },
	{ "aa", OPT_FLAG, BO(aa), 0, 0, NULL, "A/A control: run the first sequential configuration twice, the copy labelled 'LABEL A/A'; reports print its ratio as the null band" },
	{ "capacity", OPT_FLAG, BO(capacity), 0, 0, NULL, "capacity arms: for each worker count W > 1, the first sequential configuration beside W - 1 copies of itself (run --copies W), labelled 'LABEL capacity xW'; reports read every speedup as a share of it, paired by round" },
	{ "ci-width", OPT_DOUBLE, BO(ci_width), 0, 10, NULL, "after --repeat rounds, add rounds until every speedup's paired 95% interval has a relative half-width below this (0.05: ±5%); 0: off" },
	{ "max-time", OPT_DOUBLE, BO(max_time_s), 0, 604800, NULL, "add rounds while the whole bench (calibration included) ends within this many seconds: a round that would not end in time is not started; 0: no rounds past --repeat (3600 with --ci-width)" },
	{ "out", OPT_STRING, BO(out), 0, 0, NULL, "JSON Lines records; '-' for stdout; appears when the bench ends" },
	{ "quiet", OPT_FLAG, BO(quiet), 0, 0, NULL, "no progress or summary line; stderr only for errors and warnings" },
	{ "help", OPT_FLAG, BO(help), 0, 0, NULL, "this text" },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

volatile sig_atomic_t bench_stop;

static void on_bench_stop(int sig)
{
	bench_stop = sig;
}

/* the defaults of every option, for the bench and for its --help */
static void bench_options_defaults(struct bench_options *o)
{
	*o = (struct bench_options){ .repeat = 5, .warmup = 1, .timeout_s = 3600, .sample_ms = 20,
				     .out = "-" };
}

static void usage(FILE *f)
{
	struct bench_options d;

	bench_options_defaults(&d);

	fprintf(f, "usage: evopar bench --config 'ARGS' [--config 'ARGS' ...] [options]\n"
		   "       evopar bench --configs FILE [options]\n\n"
		   "Run every configuration --warmup times, then --repeat times, in rounds: each round runs\n"
		   "every configuration once, in an order shuffled afresh (--order-seed; bench_round records),\n"
		   "each run a fresh `evopar run ARGS --quiet` process, into one JSON Lines file: a\n"
		   "calibration record (this machine's floors), a bench record, then each run's records\n"
		   "tagged with config_id, config_label, rep and warmup, and a bench_run record per run\n"
		   "(the child's rusage and what the bench's sampler saw of its process tree).\n"
		   "ARGS may start with `search` for `evopar search ARGS`, or name a launcher before the\n"
		   "word evopar: 'mpirun -np 3 evopar search --backend mpi ...'; --common options go\n"
		   "right after the subcommand.\n"
		   "A run that fails is recorded and the bench goes on. Exit codes: 0 every run ok,\n"
		   "2 bad options (nothing run), 3 some run failed (the file is complete), 130 interrupted.\n"
		   "Then: evopar report DIR.\n\noptions:\n");
	options_help(f, bench_opts, &d);
}

static void write_bench_record(struct bench *b)
{
	struct jw *w = &b->jw;
	int i;

	jw_begin(w, "bench");
	jw_int(w, "schema", EVOPAR_RECORD_SCHEMA);   /* the runs' meta records carry it too */
	jw_str(w, "evopar_version", EVOPAR_VERSION);
	jw_int(w, "repeat", b->o.repeat);
	jw_int(w, "warmups", b->o.warmup);   /* "warmup" is each run's flag */
	jw_str(w, "round_order", "shuffled");   /* each bench_round record has its "order" */
	jw_num(w, "timeout_s", b->o.timeout_s);
	bench_rounds_describe(b);
	jw_arr_begin(w, "configs");
	for (i = 0; i < b->n_cfg; i++) {
		jw_obj_begin(w, NULL);
		jw_int(w, "config_id", i);
		jw_str(w, "config_label", b->cfg[i].label);
		jw_str(w, "args", b->cfg[i].text);
		jw_str(w, "command", b->cfg[i].command);
		if (!strcmp(b->cfg[i].command, "run")) {
			jw_str(w, "strategy", b->cfg[i].ro.cfg.strategy);
			jw_int(w, "workers", b->cfg[i].ro.cfg.workers);
		}
		bench_rounds_config(b, i);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_end(w);
	output_write(&b->out, w);
}

static void show_progress(struct bench *b, int id, int rep, int warm)
{
	double el = proc_now_s() - b->t_start;

	cli_progress(b->o.quiet, "bench: run %d/%d  %.30s %s %d/%d  elapsed %.0f s  remaining %.0f s  failed %d",
		     b->runs_done + 1, b->runs_total, b->cfg[id].label, warm ? "warm-up" : "rep",
		     rep + 1, warm ? b->o.warmup : b->o.repeat, el,
		     b->runs_done ? el / b->runs_done * (b->runs_total - b->runs_done) : 0.0, b->runs_failed);
}

/* The one line at the end: how the bench ended, its runs, where the records went. */
static void show_summary(const struct bench *b, int code, int written)
{
	char figure[128];

	snprintf(figure, sizeof(figure), "%d of %d runs of %d configuration%s, %d failed",
		 b->runs_done, b->runs_total, b->n_cfg, b->n_cfg == 1 ? "" : "s", b->runs_failed);
	cli_summary(b->o.quiet, "bench", &(struct cli_end){ .status = !code ? "ok" :
		    code == EXIT_INTERRUPTED ? "interrupted" : "failed",
		    .wall_s = b->t_start > 0 ? proc_now_s() - b->t_start : 0, .figure = figure,
		    .what = "records", .out = b->o.out, .written = written });
}

/*
 * W warm-up rounds then R measured rounds (more with --ci-width / --max-time), each round
 * every configuration once in its own shuffled order.
 */
static int bench_all(struct bench *b)
{
	int round, k, rc;

	b->runs_total = (b->o.warmup + b->o.repeat) * b->n_cfg;
	for (round = 0; bench_round_wanted(b, round); round++) {
		int warm = round < b->o.warmup, rep = warm ? round : round - b->o.warmup;

		rc = bench_round_begin(b, round);
		for (k = 0; !rc && k < b->n_cfg; k++) {
			int id = b->order[k];

			if (bench_stop)
				return -EINTR;
			show_progress(b, id, rep, warm);
			rc = bench_one(b, id, rep, warm);
			if (rc)
				return rc;
			bench_round_took(b, round, id);
			b->runs_done++;
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* the last record: how long the whole bench took and how it ended */
static void write_end_record(struct bench *b, int rc)
{
	struct jw *w = &b->jw;

	jw_begin(w, "bench_end");
	jw_str(w, "status", !rc ? "ok" : rc == -EINTR ? "interrupted" : "failed");
	jw_num(w, "elapsed_s", proc_now_s() - b->t_start);
	jw_int(w, "runs", b->runs_done);
	jw_int(w, "runs_failed", b->runs_failed);
	bench_rounds_end(b);
	jw_end(w);
	output_write(&b->out, w);
}

/* locked while the bench lives, so a bench killed outright leaves it to the next one's tidy */
static int make_tmpdir(struct bench *b)
{
	int rc = private_dir_make(&b->tmp, "evopar-bench.", b->err, sizeof(b->err));

	if (rc)
		return rc;
	snprintf(b->tmp_out, sizeof(b->tmp_out), "%s/run.jsonl", b->tmp.path);
	snprintf(b->tmp_err, sizeof(b->tmp_err), "%s/stderr", b->tmp.path);
	return 0;
}

static void remove_tmpdir(struct bench *b)
{
	private_dir_remove(&b->tmp);
}

static void bench_free(struct bench *b)
{
	bench_configs_free(b);
	bench_rounds_free(b);
	jw_release(&b->jw);
	free(b);
}

/* the workload the machine's capacity is measured on: the first plain run configuration's */
static const struct evo_config *capacity_workload(const struct bench *b)
{
	int i;

	for (i = 0; i < b->n_cfg; i++)
		if (!strcmp(b->cfg[i].command, "run") && !b->cfg[i].n_launch)
			return &b->cfg[i].ro.cfg.evo;
	return NULL;
}

/* Calibration, the bench record, every run, the end record; then the file into place. */
static int bench_measure(struct bench *b)
{
	struct calibration cal;
	char err[512];
	int rc;

	if (calibrate_measure(&cal, b->self_exe, b->err, sizeof(b->err)) ||
	    calibrate_capacity(&cal, capacity_workload(b), "no plain evopar run configuration",
			       b->err, sizeof(b->err)))
		return -1;
	calibrate_write(&b->jw, &cal);
	output_write(&b->out, &b->jw);
	write_bench_record(b);
	rc = b->out.error ? -b->out.error : bench_all(b);
	cli_progress_end(b->o.quiet);
	write_end_record(b, rc);
	/* a write error is output_commit's to say, which removes the temp file */
	if (rc && rc != -EINTR && !b->out.error) {
		if (rc == -ENOMEM)
			snprintf(b->err, sizeof(b->err), "out of memory");
		return -1;
	}
	/* an interrupted bench keeps what it measured: the file is valid, only shorter */
	if (output_commit(&b->out, err, sizeof(err))) {
		fprintf(stderr, "evopar bench: %s\n", err);
		show_summary(b, EXIT_FAILED, 0);
		return EXIT_FAILED;
	}
	if (rc != -EINTR)
		bench_rounds_say(b);
	if (b->runs_failed)
		fprintf(stderr, "evopar bench: %d of %d runs failed; their bench_run records say how\n",
			b->runs_failed, b->runs_done);
	if (rc == -EINTR)
		fprintf(stderr, "evopar bench: interrupted by signal %d after %d runs\n",
			(int)bench_stop, b->runs_done);
	rc = rc == -EINTR ? EXIT_INTERRUPTED : b->runs_failed ? EXIT_FAILED : 0;
	show_summary(b, rc, 1);
	return rc;
}

int cmd_bench(int argc, char **argv)
{
	struct bench *b = calloc(1, sizeof(*b));
	char err[512];
	ssize_t len;
	int code = EXIT_USAGE, rc;

	if (!b) {
		fprintf(stderr, "evopar bench: out of memory\n");
		return EXIT_FAILED;
	}
	bench_options_defaults(&b->o);
	/* before the configurations: a search configuration is checked by running this binary */
	len = readlink("/proc/self/exe", b->self_exe, sizeof(b->self_exe) - 1);
	b->self_exe[len > 0 ? len : 0] = 0;
	rc = bench_parse(b, argc, argv);
	if (rc) {
		fprintf(stderr, "evopar bench: %s\n", rc == -ENOMEM ? "out of memory" : b->err);
		goto free_bench;
	}
	if (b->o.help) {
		code = options_answer(b->o.help, usage);
		goto free_bench;
	}
	if (options_check_output("out", b->o.out, err, sizeof(err))) {
		fprintf(stderr, "evopar bench: %s\n", err);
		goto free_bench;
	}
	code = EXIT_FAILED;
	if (output_open(&b->out, b->o.out, err, sizeof(err))) {
		fprintf(stderr, "evopar bench: %s\n", err);
		goto free_bench;
	}
	/* the runs must not inherit the bench file */
	fcntl(fileno(b->out.f), F_SETFD, FD_CLOEXEC);
	code = make_tmpdir(b) ? -1 : 0;
	if (!code) {
		proc_catch_stop(on_bench_stop);
		b->t_start = proc_now_s();
		code = bench_measure(b);
	}
	if (code < 0) {
		fprintf(stderr, "evopar bench: %s\n", b->err);
		output_discard(&b->out);
		code = EXIT_FAILED;
		show_summary(b, code, 0);
	}
	remove_tmpdir(b);
free_bench:
	bench_free(b);
	return code;
}

static void bench_doc_defaults(void *o)
{
	bench_options_defaults(o);
}

const struct cli_doc bench_doc = { bench_opts, usage, bench_doc_defaults, sizeof(struct bench_options),
				   CLI_NO_OPERANDS };
