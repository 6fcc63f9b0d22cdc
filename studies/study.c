/*
 * `evopar study NAME [options]`: find the study in a static table and run it with the
 * options after its name; without a name, or with --help, list the studies.
 */
#include <stdio.h>
#include <string.h>

#include "harness/options.h"
#include "harness/run.h"
#include "studies/studies.h"

static const struct study studies[] = {
	{ "model", study_model_main, "evopar advise's model checked: every strategy and search backend predicted first, then measured; errors and the recommendation's rank" },
	{ "sync", study_sync_main, "document 002: lock per operation vs double buffer, seqlock and atomic ring, per operation and in an actor-learner system" },
};

#define N_STUDIES (sizeof(studies) / sizeof(studies[0]))

static void study_list(FILE *f)
{
	size_t i;

	fprintf(f, "usage: evopar study NAME [options]    (evopar study NAME --help for its options)\n\n");
	for (i = 0; i < N_STUDIES; i++)
		fprintf(f, "  %-8s %s\n", studies[i].name, studies[i].summary);
}

int cmd_study(int argc, char **argv)
{
	size_t i;

	if (argc < 1) {
		study_list(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[0], "-V") || !strcmp(argv[0], "--version"))
		return options_answer(OPT_ASKED_VERSION, study_list);
	if (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
		study_list(stdout);
		return 0;
	}
	for (i = 0; i < N_STUDIES; i++)
		if (!strcmp(argv[0], studies[i].name))
			return studies[i].run(argc - 1, argv + 1);
	fprintf(stderr, "evopar study: unknown study '%s'; one of:", argv[0]);
	for (i = 0; i < N_STUDIES; i++)
		fprintf(stderr, " %s", studies[i].name);
	fprintf(stderr, "\n");
	return EXIT_USAGE;
}
