/*
 * `evopar compare A B`: the command. Takes the two files and the options, checks them, and
 * hands them to reports/compare.c, which reads both and writes the comparison on stdout.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "harness/cli.h"
#include "harness/options.h"
#include "harness/run.h"
#include "reports/report.h"

#define CO(field) offsetof(struct compare_options, field)

static const char *const metrics[] = { "real", "cpu", NULL };

static const struct opt_spec compare_opts[] = {
	{ "fail-above", OPT_DOUBLE, CO(fail_above), -1, 1e6, NULL, "exit 1 when a configuration is slower in B beyond this many percent (its interval of B/A lies wholly above 1 + PCT/100), for CI; -1: never" },
	{ "json", OPT_FLAG, CO(json), 0, 0, NULL, "one JSON object per configuration on stdout instead of the table" },
	{ "metric", OPT_CHOICE, CO(metric), 0, 0, metrics, "Google Benchmark files: compare real_time or cpu_time" },
	{ "help", OPT_FLAG, CO(help), 0, 0, NULL, "this text" },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static void compare_doc_defaults(void *opts)
{
	*(struct compare_options *)opts = (struct compare_options){ .fail_above = -1 };
}

static void usage(FILE *f)
{
	struct compare_options d = { .fail_above = -1 };

	fprintf(f, "usage: evopar compare A B [options]\n\n"
		   "Compare two results of the same configurations: A and B are evopar bench or run record\n"
		   "files (JSON Lines; each repetition's total ms per generation, a search's wall time) or\n"
		   "Google Benchmark JSON files with every repetition (make bench). Per configuration (by\n"
		   "label, or benchmark name): the median in each file, the ratio B/A of the medians with\n"
		   "a bootstrap 95%% interval (each file resampled on its own) and a verdict: B faster, B\n"
		   "slower, or no difference at this noise. Exit codes: 0 compared, 1 a regression beyond\n"
		   "--fail-above, 2 bad options or a file that is not records.\n\noptions:\n");
	options_help(f, compare_opts, &d);
}

int cmd_compare(int argc, char **argv)
{
	struct compare_options o = { .fail_above = -1 };
	char err[8600];
	int rc;

	if (argc >= 2 && argv[0][0] != '-' && argv[1][0] != '-') {
		o.a = argv[0];
		o.b = argv[1];
		argc -= 2;
		argv += 2;
	}
	if (options_parse(compare_opts, &o, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "evopar compare: %s\n", err);
		return EXIT_USAGE;
	}
	if (o.help)
		return options_answer(o.help, usage);
	if (!o.a) {
		fprintf(stderr, "evopar compare: A B: two files to compare come first (evopar compare A B [options])\n");
		return EXIT_USAGE;
	}
	rc = compare_files(&o, stdout, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "evopar compare: %s\n", err);
		return rc == -EINVAL ? EXIT_USAGE : EXIT_FAILED;
	}
	return rc;
}

const struct cli_doc compare_doc = { compare_opts, usage, compare_doc_defaults,
				     sizeof(struct compare_options), CLI_FILES };
