/*
 * `evopar study sync`: document 002's synchronisation costs. Writes meta, this machine's
 * floors, every operation per mode and contention (sync_op), then the actor-learner system
 * under each placement and mode, repetitions interleaved (sync_system), and a summary.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/cli.h"
#include "harness/options.h"
#include "harness/records/records.h"
#include "harness/run.h"
#include "proc/clock.h"
#include "studies/studies.h"
#include "studies/sync.h"

static const char *const part_names[] = { "all", "ops", "system", NULL };
static const char *const mode_choices[] = { "all", "none", "locked", "double", "seqlock", NULL };
static const char *const place_choices[] = { "all", "sequential", "threads", "processes", NULL };

struct sync_options {
	int part;                 /* 0 all, 1 ops, 2 system */
	struct sync_system_config sys;
	int readers;              /* 0: the cores this process may use */
	int batches, reps, warmup;
	int mode, placement;      /* 0: all, else the enum + 1 */
	const char *out;
	int quiet, help;
};

#define SO(f) offsetof(struct sync_options, f)
#define SS(f) offsetof(struct sync_options, sys.f)

static const struct opt_spec sync_opts[] = {
	{ "part", OPT_CHOICE, SO(part), 0, 0, part_names, "what to measure: per-operation costs and floors (ops), the actor-learner system (system), or both" },
	{ "agents", OPT_INT, SS(agents), 1, 100000, NULL, "system: agents, each with its policy and experience ring" },
	{ "turns", OPT_INT, SS(turns), 1, 100000, NULL, "system: turns per epoch (one action per agent per turn)" },
	{ "epochs", OPT_INT, SS(epochs), 1, 10000000, NULL, "system: epochs" },
	{ "learners", OPT_INT, SS(learners), 0, 100000, NULL, "system: learner workers sharing the agents (0: one per agent, the document's shape)" },
	{ "readers", OPT_INT, SO(readers), 0, 64, NULL, "ops: contention measured at 1..N workers at once (0: the cores)" },
	{ "mode", OPT_CHOICE, SO(mode), 0, 0, mode_choices, "system: the synchronisation (all: none sequentially, the other three on threads and processes)" },
	{ "placement", OPT_CHOICE, SO(placement), 0, 0, place_choices, "system: one thread, or an actor and the learners on threads or processes" },
	{ "reps", OPT_INT, SO(reps), 1, 10000, NULL, "system: repetitions of every configuration, interleaved" },
	{ "warmup", OPT_INT, SO(warmup), 0, 1000, NULL, "system: rounds of every configuration run first and not recorded" },
	{ "batches", OPT_INT, SO(batches), 2, 100000, NULL, "ops: timed batches per measuring worker and operation" },
	{ "dim", OPT_INT, SS(dim), 1, 65536, NULL, "floats in a policy and in an observation" },
	{ "ring-epochs", OPT_INT, SS(ring_epochs), 1, 1000, NULL, "system: epochs of experience an agent's ring holds (the actor runs at most this far ahead)" },
	{ "samples", OPT_INT, SS(samples), 1, 100000, NULL, "system: samples per agent per learner epoch" },
	{ "sample-size", OPT_INT, SS(sample_size), 1, 100000, NULL, "system: experiences per sample" },
	{ "act-work", OPT_INT, SS(act_work), 1, 1000000, NULL, "system: passes over the policy per action" },
	{ "learn-work", OPT_INT, SS(learn_work), 1, 1000000, NULL, "system: passes over a sample per update" },
	{ "seed", OPT_U64, SS(seed), 0, 0, NULL, "the experience and every sample's choice are drawn from it" },
	{ "timeout", OPT_DOUBLE, SS(timeout_s), 1, 86400, NULL, "seconds one measurement's workers may take before they are ended" },
	{ "out", OPT_STRING, SO(out), 0, 0, NULL, "JSON Lines records; '-' for stdout; appears when the study ends" },
	{ "quiet", OPT_FLAG, SO(quiet), 0, 0, NULL, "no progress lines on stderr" },
	{ "help", OPT_FLAG, SO(help), 0, 0, NULL, "this text" },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static void sync_defaults(struct sync_options *o)
{
	memset(o, 0, sizeof(*o));
	o->sys = (struct sync_system_config){ .agents = 10, .turns = 10, .epochs = 200, .dim = 64,
		.ring_epochs = 4, .samples = 1, .sample_size = 20, .act_work = 8, .learn_work = 2,
		.seed = 1, .timeout_s = 600 };
	o->batches = 200;
	o->reps = 5;
	o->warmup = 1;
	o->out = "sync.jsonl";
}

static void usage(FILE *f)
{
	struct sync_options d;

	sync_defaults(&d);
	fprintf(f, "usage: evopar study sync [options]\n\n"
		   "Document 002's synchronisation costs, measured. ops: this machine's floors (a private\n"
		   "mutex, an atomic exchange, a futex wake across cores), then every operation per mode on\n"
		   "threads and processes at 1..--readers workers at once: a policy read and publish under a\n"
		   "lock, a double buffer or a seqlock; an experience add and a sample under locks or atomics;\n"
		   "a bare lock, a swap, a queue message, a wake, a worker's creation. system: an actor and\n"
		   "learners at --agents x --turns x --epochs, sequential and on threads and processes under\n"
		   "each mode; the learners' result (learner_checksum) is the same in every mode. Records:\n"
		   "meta, sync_floor, sync_op, sync_system, summary; `evopar report DIR` makes the section.\n"
		   "Exit codes: 0; 2 bad options; 3 a measurement failed or a mode changed the learners' result.\n\n"
		   "options:\n");
	options_help(f, sync_opts, &d);
}

struct sync_run {
	struct sync_options o;
	struct output out;
	struct jw jw;
	uint64_t first_checksum;
	int runs, disagree;
};

static void progress(const struct sync_run *r, const char *what)
{
	if (!r->o.quiet && isatty(STDERR_FILENO))
		fprintf(stderr, "evopar study sync: %s\n", what);
}

static void write_system(struct sync_run *r, enum sync_placement p, enum sync_mode m, int rep,
			 const struct sync_system_result *x)
{
	const struct sync_system_config *c = &r->o.sys;
	struct jw *w = &r->jw;
	long long actions = (long long)c->agents * c->turns * c->epochs;

	jw_begin(w, "sync_system");
	jw_str(w, "placement", sync_placement_names[p]);
	jw_str(w, "mode", sync_mode_names[m]);
	jw_int(w, "rep", rep);
	jw_int(w, "agents", c->agents);
	jw_int(w, "turns", c->turns);
	jw_int(w, "epochs", c->epochs);
	jw_int(w, "workers", x->workers);
	jw_int(w, "reads", actions);
	jw_int(w, "adds", actions);
	jw_int(w, "samples", (long long)c->agents * c->epochs * c->samples);
	jw_int(w, "publishes", (long long)c->agents * c->epochs);
	jw_num(w, "wall_ms", x->wall_ms);
	jw_num(w, "startup_ms", x->startup_ms);
	jw_num(w, "act_ms", x->act_ms);
	jw_num(w, "learn_ms", x->learn_ms);
	jw_num(w, "read_ms", x->read_ms);
	jw_num(w, "add_ms", x->add_ms);
	jw_num(w, "sample_ms", x->sample_ms);
	jw_num(w, "publish_ms", x->publish_ms);
	jw_num(w, "comm_ms", x->read_ms + x->add_ms + x->sample_ms + x->publish_ms);
	jw_num(w, "actor_wait_ms", x->actor_wait_ms);
	jw_num(w, "learner_wait_ms", x->learner_wait_ms);
	jw_hex64(w, "learner_checksum", x->learner_checksum);
	jw_hex64(w, "action_checksum", x->action_checksum);
	jw_end(w);
	output_write(&r->out, w);
}

/* the configurations to run: (placement, mode) pairs as the options select them */
static int system_list(const struct sync_options *o, int list[][2], char *err, size_t errlen)
{
	int p, m, n = 0;

	for (p = 0; p < PLACE_COUNT; p++) {
		if (o->placement && o->placement - 1 != p)
			continue;
		for (m = 0; m < SYNC_MODE_COUNT; m++) {
			if (o->mode ? o->mode - 1 != m : (p == PLACE_SEQUENTIAL) != (m == SYNC_NONE))
				continue;
			if (m == SYNC_NONE && p != PLACE_SEQUENTIAL)
				continue;     /* no synchronisation between workers is no system */
			list[n][0] = p;
			list[n++][1] = m;
		}
	}
	if (!n)
		snprintf(err, errlen, "--mode none runs only with --placement sequential (or all)");
	return n;
}

static int run_systems(struct sync_run *r, char *err, size_t errlen)
{
	int list[PLACE_COUNT * SYNC_MODE_COUNT][2], n, rep, i;
	struct sync_system_result x;

	n = system_list(&r->o, list, err, errlen);
	if (!n)
		return EXIT_USAGE;
	for (rep = -r->o.warmup; rep < r->o.reps; rep++)
		for (i = 0; i < n; i++) {
			/* each configuration in a different slot each round */
			int k = (i + rep + r->o.warmup) % n;

			if (proc_stop_requested) {
				snprintf(err, errlen, "interrupted");
				return EXIT_INTERRUPTED;
			}
			if (sync_system_run(&r->o.sys, list[k][0], list[k][1], &x, err, errlen)) {
				sync_name_failure(err, errlen, "the system on %s, %s, round %d",
						  sync_placement_names[list[k][0]], sync_mode_names[list[k][1]], rep);
				return proc_stop_requested ? EXIT_INTERRUPTED : EXIT_FAILED;
			}
			if (rep < 0)
				continue;
			write_system(r, list[k][0], list[k][1], rep, &x);
			if (!r->runs++)
				r->first_checksum = x.learner_checksum;
			r->disagree += x.learner_checksum != r->first_checksum;
		}
	return 0;
}

static int run_ops(struct sync_run *r, char *err, size_t errlen)
{
	struct sync_ops_config c = { .readers = r->o.readers ? r->o.readers : proc_usable_cpus(),
				     .batches = r->o.batches, .dim = r->o.sys.dim,
				     .timeout_s = r->o.sys.timeout_s };

	progress(r, "floors");
	if (sync_floors(&r->out, &c, err, errlen))
		return proc_stop_requested ? EXIT_INTERRUPTED : EXIT_FAILED;
	progress(r, "operations");
	if (sync_ops(&r->out, &c, err, errlen))
		return proc_stop_requested ? EXIT_INTERRUPTED : EXIT_FAILED;
	return 0;
}

static void write_meta_summary(struct sync_run *r, const char *status, const char *error,
			       double wall_s, int summary)
{
	if (!summary) {
		meta_begin(&r->jw, "study", sync_opts, &r->o);
		jw_str(&r->jw, "study", "sync");
		jw_int(&r->jw, "cores", proc_usable_cpus());
		jw_end(&r->jw);
		output_write(&r->out, &r->jw);
		return;
	}
	jw_begin(&r->jw, "summary");
	jw_str(&r->jw, "status", status);
	if (error)
		jw_str(&r->jw, "error", error);
	jw_num(&r->jw, "wall_s", wall_s);
	jw_int(&r->jw, "system_runs", r->runs);
	jw_bool(&r->jw, "checksums_agree", !r->disagree);
	jw_end(&r->jw);
	output_write(&r->out, &r->jw);
}

static void on_stop(int sig)
{
	(void)sig;
	proc_stop_requested = 1;  /* the study stops between two measurements */
}

/* the closing line: what was measured, whether the learners agreed, where the records are */
static void summary_line(const struct sync_run *r, int code, double wall_s)
{
	char figure[160];

	if (r->o.part == 1)
		snprintf(figure, sizeof(figure), "the floors and the operations measured");
	else
		snprintf(figure, sizeof(figure), "%d system runs%s, the learners' checksum %s", r->runs,
			 r->o.part ? "" : ", the floors and the operations",
			 r->disagree ? "not the same in all" : r->runs ? "the same in all" : "not compared");
	cli_summary(r->o.quiet, "study sync", &(struct cli_end){ .status = code == EXIT_INTERRUPTED ?
		    "interrupted" : code ? "failed" : "ok", .wall_s = wall_s, .figure = figure,
		    .what = "records", .out = r->o.out, .written = 1 });
}

static int sync_study(struct sync_run *r, char *err, size_t errlen)
{
	double t0 = proc_now_s();
	int code = 0;

	proc_catch_stop(on_stop);
	if (output_open(&r->out, r->o.out, err, errlen)) {
		fprintf(stderr, "evopar study sync: %s\n", err);
		return EXIT_FAILED;
	}
	write_meta_summary(r, NULL, NULL, 0, 0);
	if (r->o.part != 2)
		code = run_ops(r, err, errlen);
	if (!code && r->o.part != 1) {
		progress(r, "the actor-learner system");
		code = run_systems(r, err, errlen);
	}
	if (!code && r->disagree) {
		snprintf(err, errlen, "%d of %d system runs ended with another learner checksum than the first",
			 r->disagree, r->runs);
		code = EXIT_FAILED;
	}
	write_meta_summary(r, code == EXIT_INTERRUPTED ? "interrupted" : code ? "failed" : "ok",
			   code ? err : NULL, proc_now_s() - t0, 1);
	if (code)
		fprintf(stderr, "evopar study sync: %s\n", err);
	if (output_commit(&r->out, err, errlen)) {
		fprintf(stderr, "evopar study sync: %s\n", err);
		return EXIT_FAILED;
	}
	summary_line(r, code, proc_now_s() - t0);
	return code;
}

int study_sync_main(int argc, char **argv)
{
	struct sync_run *r = calloc(1, sizeof(*r));
	char err[1024];
	int code = EXIT_USAGE;

	if (!r) {
		fprintf(stderr, "evopar study sync: out of memory\n");
		return EXIT_FAILED;
	}
	sync_defaults(&r->o);
	if (options_parse(sync_opts, &r->o, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "evopar study sync: %s\n", err);
		goto free_run;
	}
	if (r->o.help) {
		code = options_answer(r->o.help, usage);
		goto free_run;
	}
	if (r->o.part != 1 && !system_list(&r->o, (int[PLACE_COUNT * SYNC_MODE_COUNT][2]){ { 0 } }, err,
					     sizeof(err))) {
		fprintf(stderr, "evopar study sync: %s\n", err);
		goto free_run;
	}
	code = sync_study(r, err, sizeof(err));
free_run:
	jw_release(&r->jw);
	free(r);
	return code;
}

static void sync_doc_defaults(void *opts)
{
	sync_defaults(opts);
}

/* the one study's options stand for `evopar study` in the man page and the completion */
const struct cli_doc study_doc = { sync_opts, usage, sync_doc_defaults, sizeof(struct sync_options),
				   CLI_NO_OPERANDS };
