/*
 * `evopar advise`: will parallelism pay for this workload, and with what? Measures the costs
 * on the spot (probe.c) or reads a foreign workload's (--costs, costs.c), applies the model
 * (model.h), prints every strategy at 1..N workers with intervals and a recommendation, and
 * writes the same as records with --out.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/advise/advise.h"
#include "harness/cli.h"
#include "harness/options.h"
#include "harness/records/meta.h"
#include "harness/records/records.h"
#include "harness/run.h"
#include "proc/clock.h"

struct advise_options {
	struct evo_config evo;
	int cores;                /* predictions for 1..cores; 0: this machine's */
	const char *costs;
	const char *out;
	int quiet, help;
};

static const char *const mode_choices[] = { "dynamic", "static", NULL };
static const char *const task_choices[] = { "pole", "xor", "spin", NULL };

#define AO(f) offsetof(struct advise_options, f)

_Static_assert(ADVISE_MAX_GENS == 512, "--gens's help names the probe's most generations");

static const struct opt_spec advise_opts[] = {
	{ "pop", OPT_INT, AO(evo.pop), 2, 1000000, NULL, "networks in the population" },
	{ "gens", OPT_INT, AO(evo.gens), 1, 10000000, NULL, "generations of the run to advise on: the probe runs its first ones, at most this many (and at most 512); the prediction is per generation" },
	{ "mode", OPT_CHOICE, AO(evo.mode), 0, 0, mode_choices, "network kind" },
	{ "task", OPT_CHOICE, AO(evo.task), 0, 0, task_choices, "what the networks learn" },
	{ "spin", OPT_INT, AO(evo.spin), 0, 1000000000, NULL, "spin task: iterations of work per network evaluation" },
	{ "steps", OPT_INT, AO(evo.steps), 1, 10000000, NULL, "pole: step limit of an episode" },
	{ "episodes", OPT_INT, AO(evo.episodes), 1, 1000, NULL, "pole: episodes per network per generation" },
	{ "hidden", OPT_INT, AO(evo.hidden), 1, 4096, NULL, "static: width of each hidden layer" },
	{ "seed", OPT_U64, AO(evo.seed), 0, 0, NULL, "the run's seed (the probe runs its first generations)" },
	{ "cores", OPT_INT, AO(cores), 0, ADVISE_MAX_CORES, NULL, "predict for 1..N workers (0: the cores this process may use)" },
	{ "costs", OPT_STRING, AO(costs), 0, 0, NULL, "a foreign workload's costs (JSON: item_ms, items, bytes_per_item, rtt_ms, start_ms, workers, cores; see the README): no probe" },
	{ "out", OPT_STRING, AO(out), 0, 0, NULL, "JSON Lines records of the probe, every prediction and the recommendation; '-' for stdout" },
	{ "quiet", OPT_FLAG, AO(quiet), 0, 0, NULL, "no progress or summary line" },
	{ "help", OPT_FLAG, AO(help), 0, 0, NULL, "this text" },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static void advise_defaults(void *opts)
{
	struct advise_options *o = opts;

	memset(o, 0, sizeof(*o));
	evo_config_defaults(&o->evo);
}

/*
 * The first option --costs replaces (the probe's workload and --cores: the costs file holds
 * them) that is not at its default, or NULL: beside --costs it would be ignored without a
 * word, so it is refused.
 */
static const char *probe_option_set(const struct advise_options *o)
{
	const struct opt_spec *s;
	struct advise_options d;
	char given[64], dflt[64];

	advise_defaults(&d);
	for (s = advise_opts; s->offset != AO(costs); s++) {   /* the table lists them first */
		options_format(s, o, given, sizeof(given));
		options_format(s, &d, dflt, sizeof(dflt));
		if (strcmp(given, dflt))
			return s->name;
	}
	return NULL;
}

static void usage(FILE *f)
{
	struct advise_options d;

	advise_defaults(&d);
	fprintf(f, "usage: evopar advise [--pop P --gens G --mode M --task T] [--cores N] [--out FILE]\n"
		   "       evopar advise --costs FILE [--out FILE]\n\n"
		   "Predicts, for every strategy at 1..N workers, the ms per generation and the speedup over\n"
		   "sequential with a 95%% interval, and recommends one. It measures in seconds, on this machine:\n"
		   "each phase's cost per network (a few generations of the workload, each network's evaluation\n"
		   "timed), the floors (thread wake-up, pipe round trip, fork), the parallel capacity (the same\n"
		   "compute alone and as 2..N copies at once), the copy bandwidth alone and on every core, and\n"
		   "every strategy for a few generations at 1 and at %d workers, whose records fit its per-byte,\n"
		   "per-dispatch and fixed terms and the overhead its workers share. --costs takes a foreign\n"
		   "workload's inputs instead (no probe; the workload's options and --cores are refused beside\n"
		   "it). The model is stated in the output and the README. Exit codes: 0; 2 bad options or a\n"
		   "bad costs file (one line naming the field); 3 a measurement failed.\n\noptions:\n", ADVISE_PROBE_WORKERS);
	options_help(f, advise_opts, &d);
}

static int emit_record(void *ctx, const struct jw *w)
{
	return ctx ? output_write(ctx, w) : 0;
}

/* the costs file's text, or NULL with err */
static char *read_costs(const char *path, char *err, size_t errlen)
{
	FILE *f = options_open_input("costs", path, err, errlen);
	char *text = NULL;
	size_t cap = 0, len = 0, n;

	if (!f)
		return NULL;
	do {
		char *t = len + 4096 > cap ? realloc(text, cap = len + 65536) : text;

		if (!t) {
			free(text);
			fclose(f);
			snprintf(err, errlen, "--costs %s: out of memory", path);
			return NULL;
		}
		text = t;
		n = fread(text + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	text[len] = 0;
	fclose(f);
	return text;
}

static int advise_costs_cmd(struct advise_options *o, struct output *out, struct jw *w, char *figure,
			    char *err, size_t errlen)
{
	struct advise_costs c;
	char *text = read_costs(o->costs, err, errlen), msg[512];
	int rc;

	if (!text)
		return EXIT_USAGE;
	rc = advise_costs_parse(text, &c, msg, sizeof(msg));
	free(text);
	if (rc) {
		snprintf(err, errlen, "--costs %s: %s", o->costs, msg);
		return EXIT_USAGE;
	}
	rc = advise_costs_report(&c, o->out && !strcmp(o->out, "-") ? stderr : stdout, w, emit_record,
				 o->out ? out : NULL);
	snprintf(figure, 160, "%s: predicted", c.name);
	return rc ? EXIT_FAILED : 0;
}

static int advise_measure_cmd(struct advise_options *o, struct output *out, struct jw *w,
			      char *figure, char *err, size_t errlen)
{
	struct advise_probe *pr = calloc(1, sizeof(*pr));
	struct advise_result *res = calloc(1, sizeof(*res));
	int rc = pr && res ? 0 : -ENOMEM;

	if (!rc) {
		pr->evo = o->evo;
		pr->cores = o->cores ? o->cores : proc_usable_cpus();
		pr->cores = pr->cores > ADVISE_MAX_CORES ? ADVISE_MAX_CORES : pr->cores < 1 ? 1 : pr->cores;
		cli_progress(o->quiet, "evopar advise: measuring (floors, capacity, each strategy)");
		rc = advise_probe_run(pr, err, errlen);
		cli_progress_end(o->quiet);
	}
	if (!rc)
		rc = advise_predict(pr, res, err, errlen);
	if (!rc) {
		advise_print(o->out && !strcmp(o->out, "-") ? stderr : stdout, pr, res);
		advise_write(w, pr, res, emit_record, o->out ? out : NULL);
		snprintf(figure, 160, "recommended %s x%d, %.2fx", res->pred[res->best].name,
			 res->pred[res->best].workers, res->pred[res->best].speedup);
	}
	if (rc == -ENOMEM && !err[0])
		snprintf(err, errlen, "advise: out of memory");
	if (pr)
		advise_probe_release(pr);
	free(pr);
	free(res);
	return rc ? EXIT_FAILED : 0;
}

int cmd_advise(int argc, char **argv)
{
	struct advise_options o;
	struct output out = { 0 };
	struct jw w = { 0 };
	char err[1024] = "", figure[160] = "";
	double t0 = proc_now_s();
	int rc;

	advise_defaults(&o);
	if (options_parse(advise_opts, &o, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "evopar advise: %s\n", err);
		return EXIT_USAGE;
	}
	if (o.help)
		return options_answer(o.help, usage);
	if (o.costs && probe_option_set(&o)) {
		fprintf(stderr, "evopar advise: --%s: not with --costs (the costs file holds the workload and its cores)\n",
			probe_option_set(&o));
		return EXIT_USAGE;
	}
	if (o.out && (options_check_output("out", o.out, err, sizeof(err)) ||
		      output_open(&out, o.out, err, sizeof(err)))) {
		fprintf(stderr, "evopar advise: %s\n", err);
		return EXIT_USAGE;
	}
	if (o.out) {
		meta_write(&w, "advise", advise_opts, &o);
		output_write(&out, &w);
	}
	rc = o.costs ? advise_costs_cmd(&o, &out, &w, figure, err, sizeof(err)) :
	     advise_measure_cmd(&o, &out, &w, figure, err, sizeof(err));
	if (!rc && o.out && output_commit(&out, err, sizeof(err)))
		rc = EXIT_FAILED;
	else if (rc && o.out)
		output_discard(&out);
	jw_release(&w);
	if (rc)
		fprintf(stderr, "evopar advise: %s\n", err);
	cli_summary(o.quiet || rc, "advise", &(struct cli_end){ .status = rc ? "failed" : "ok",
		    .wall_s = proc_now_s() - t0, .figure = figure,
		    .what = "records", .out = o.out ? o.out : "-", .written = o.out != NULL });
	return rc;
}

const struct cli_doc advise_doc = { advise_opts, usage, advise_defaults, sizeof(struct advise_options),
				    CLI_NO_OPERANDS };
