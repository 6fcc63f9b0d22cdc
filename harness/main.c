/*
 * The evopar program: dispatches a subcommand from a static table.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "strategies/strategy.h"
#include "harness/records/meta.h"
#include "harness/run.h"
#include "harness/search/search.h"
#include "strategies/common/worker.h"
#include "studies/studies.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static int cmd_help(int argc, char **argv);
int cmd_watch(int argc, char **argv);   /* harness/watch/watch.c */

/* a worker exec'd by a process strategy (--start spawn); not for people to type */
static int cmd_worker(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return worker_exec_main();
}

static const struct command commands[] = {
	{ "run", cmd_run, "evolve one population under one strategy; JSON Lines records" },
	{ "search", cmd_search, "trial-level parallelism: many evolutions with drawn hyperparameters" },
	{ "bench", cmd_bench, "run configurations R times each, interleaved, into one file" },
	{ "report", cmd_report, "tables, figures and report.md from the records in a directory" },
	{ "study", cmd_study, "measure a study document's claims (evopar study --help lists them)" },
	{ "watch", cmd_watch, "run any command (or attach to a pid) and diagnose its parallelism from /proc" },
	{ "list", cmd_list, "the strategies, one line each" },
	{ "worker", cmd_worker, "(internal) a worker process started by --start spawn" },
	{ "help", cmd_help, "this text" },
};

int cmd_list(int argc, char **argv)
{
	size_t i;

	(void)argv;
	if (argc > 0) {
		fprintf(stderr, "evopar list: takes no arguments\n");
		return EXIT_USAGE;
	}
	for (i = 0; strategy_at(i); i++)
		printf("%-16s %s\n", strategy_at(i)->name, strategy_at(i)->summary);
	return 0;
}

static int cmd_help(int argc, char **argv)
{
	size_t i;

	(void)argc;
	(void)argv;
	printf("usage: evopar <command> [options]    (evopar <command> --help for its options)\n\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %-8s %s\n", commands[i].name, commands[i].summary);
	printf("\nevopar %s: a harness that measures when parallelism pays for neuroevolution.\n",
	       EVOPAR_VERSION);
	return 0;
}

int main(int argc, char **argv)
{
	size_t i;

	/*
	 * A file past the size limit (ulimit -f) is a write error like a full disk: the write
	 * returns EFBIG and the command removes its temp file and says so, instead of dying of
	 * SIGXFSZ with the temp file left behind. Workers started by exec inherit this.
	 */
	signal(SIGXFSZ, SIG_IGN);
	if (argc < 2) {
		cmd_help(0, NULL);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(0, NULL);
	if (!strcmp(argv[1], "--version")) {
		printf("evopar %s\n", EVOPAR_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 2, argv + 2);
	fprintf(stderr, "evopar: unknown command '%s'; see evopar help\n", argv[1]);
	return EXIT_USAGE;
}
