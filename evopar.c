/*
 * The evopar program: dispatches a subcommand from a static table, which also feeds `evopar
 * help` (the list, a command's --help, the man page and the bash completion). It stands above
 * every room, as git's git.c does: the commands are harness/'s and studies/'s.
 */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "strategies/strategy.h"
#include "harness/cli.h"
#include "harness/records/meta.h"
#include "harness/run.h"
#include "harness/search/search.h"
#include "strategies/common/blas.h"
#include "strategies/common/worker.h"
#include "studies/studies.h"

static int cmd_help(int argc, char **argv);
static int cmd_list(int argc, char **argv);

/* a worker exec'd by a process strategy (--start spawn); not for people to type */
static int cmd_worker(int argc, char **argv)
{
	if (argc > 0 && (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help"))) {
		printf("usage: evopar worker\n\nInternal: a worker process that --start spawn execs, "
		       "reading its configuration on fd 3.\n");
		return 0;
	}
	if (argc > 0 && (!strcmp(argv[0], "-V") || !strcmp(argv[0], "--version"))) {
		options_version(stdout);
		return 0;
	}
	if (argc > 0) {
		fprintf(stderr, "evopar worker: takes no arguments ('%s')\n", argv[0]);
		return EXIT_USAGE;
	}
	return worker_exec_main();
}

struct list_options {
	int help;
};

static const struct opt_spec list_opts[] = {
	{ "help", OPT_FLAG, offsetof(struct list_options, help), 0, 0, NULL, "this text" },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static void list_usage(FILE *f)
{
	fprintf(f, "usage: evopar list\n\nThe strategies of --strategy, one a line with what it does.\n"
		   "\noptions:\n");
	options_help(f, list_opts, &(struct list_options){ 0 });
}

static const struct cli_doc list_doc = { list_opts, list_usage, NULL, sizeof(struct list_options),
					 CLI_NO_OPERANDS };

struct help_options {
	int man;
	int completion;
	int help;
};

#define HO(field) offsetof(struct help_options, field)

static const struct opt_spec help_opts[] = {
	{ "man", OPT_FLAG, HO(man), 0, 0, NULL, "the man page evopar.1 (roff) on stdout, from the option tables" },
	{ "completion", OPT_FLAG, HO(completion), 0, 0, NULL, "the bash completion script on stdout, from the option tables" },
	{ "help", OPT_FLAG, HO(help), 0, 0, NULL, "this text" },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static void help_usage(FILE *f)
{
	fprintf(f, "usage: evopar help [COMMAND]\n"
		   "       evopar help --man | --completion\n\n"
		   "The commands, or COMMAND's --help; the man page or the bash completion, both written\n"
		   "from the option tables (make installs them).\n\noptions:\n");
	options_help(f, help_opts, &(struct help_options){ 0 });
}

static const struct cli_doc help_doc = { help_opts, help_usage, NULL, sizeof(struct help_options),
					 CLI_SUBCOMMAND };

static const struct cli_command commands[] = {
	{ "run", cmd_run, "evolve one population under one strategy; JSON Lines records", &run_doc, 0 },
	{ "search", cmd_search, "trial-level parallelism: many evolutions with drawn hyperparameters", &search_doc, 0 },
	{ "bench", cmd_bench, "run configurations R times each, interleaved, into one file", &bench_doc, 0 },
	{ "report", cmd_report, "tables, figures and report.md from the records in a directory", &report_doc, 0 },
	{ "study", cmd_study, "measure a study document's claims (evopar study --help lists them)", &study_doc, 0 },
	{ "advise", cmd_advise, "will parallelism pay? measure the costs, predict every strategy at 1..N workers, recommend", &advise_doc, 0 },
	{ "compare", cmd_compare, "two results per configuration: ratio of medians, 95% interval, verdict", &compare_doc, 0 },
	{ "watch", cmd_watch, "run any command (or attach to a pid) and diagnose its parallelism from /proc", &watch_doc, 0 },
	{ "list", cmd_list, "the strategies, one line each", &list_doc, 0 },
	{ "worker", cmd_worker, "(internal) a worker process started by --start spawn", NULL, 1 },
	{ "help", cmd_help, "this text; a command's --help; the man page; the bash completion", &help_doc, 0 },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct cli_command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < N_COMMANDS; i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

static int cmd_list(int argc, char **argv)
{
	struct list_options o = { 0 };
	char err[256];
	size_t i;

	if (options_parse(list_opts, &o, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "evopar list: %s\n", err);
		return EXIT_USAGE;
	}
	if (o.help)
		return options_answer(o.help, list_usage);
	for (i = 0; strategy_at(i); i++)
		printf("%-16s %s\n", strategy_at(i)->name, strategy_at(i)->summary);
	return 0;
}

static void overview(FILE *f)
{
	size_t i;

	fprintf(f, "usage: evopar <command> [options]    (evopar <command> --help for its options)\n\n");
	for (i = 0; i < N_COMMANDS; i++)
		if (!commands[i].internal)
			fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nEvery command takes -h/--help and -V/--version; -- ends the options.\n"
		   "evopar %s: a harness that measures when parallelism pays for neuroevolution.\n",
		   EVOPAR_VERSION);
}

/* evopar help [COMMAND | --man | --completion] */
static int cmd_help(int argc, char **argv)
{
	struct help_options o = { 0 };
	const struct cli_command *c = NULL;
	char err[256];

	if (argc > 0 && argv[0][0] != '-') {
		c = find_command(argv[0]);
		if (!c || !c->doc) {
			fprintf(stderr, "evopar help: unknown command '%s'; see evopar help\n", argv[0]);
			return EXIT_USAGE;
		}
		argc--;
		argv++;
	}
	if (options_parse(help_opts, &o, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "evopar help: %s\n", err);
		return EXIT_USAGE;
	}
	if (o.help)
		return options_answer(o.help, help_usage);
	if (o.man + o.completion + (c != NULL) > 1) {
		fprintf(stderr, "evopar help: one of COMMAND, --man and --completion\n");
		return EXIT_USAGE;
	}
	if (o.man)
		help_man(stdout, commands, N_COMMANDS);
	else if (o.completion)
		help_completion(stdout, commands, N_COMMANDS);
	else if (c)
		c->doc->usage(stdout);
	else
		overview(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const struct cli_command *c;

	/*
	 * A file past the size limit (ulimit -f) is a write error like a full disk: the write
	 * returns EFBIG and the command removes its temp file and says so, instead of dying of
	 * SIGXFSZ with the temp file left behind. Workers started by exec inherit this.
	 */
	signal(SIGXFSZ, SIG_IGN);
	/*
	 * OpenBLAS starts its pool as the library loads, and the pool's threads spin for about
	 * 0.1 s before they sleep: a core taken from the workers at the start of every run,
	 * whatever its strategy (a short run is all start). A BLAS call that wants threads
	 * makes them again, so what BLAS threads cost where BLAS runs is still measured.
	 */
	blas_end_idle_pool();
	if (argc < 2) {
		overview(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		overview(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		options_version(stdout);
		return 0;
	}
	c = find_command(argv[1]);
	if (c)
		return c->fn(argc - 2, argv + 2);
	fprintf(stderr, "evopar: unknown command '%s'; see evopar help\n", argv[1]);
	return EXIT_USAGE;
}
