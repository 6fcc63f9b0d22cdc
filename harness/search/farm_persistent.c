/*
 * Trial backend `persistent`: --jobs long-lived worker processes pulling trials from a queue;
 * the main process hands the next trial to whichever worker reports a result (farm_procs.c).
 */
#include "harness/search/farm_procs.h"

static int persistent_run(struct farm *f)
{
	return farm_procs_queue(f, "persistent", 0);
}

const struct farm_ops farm_persistent = {
	.name = "persistent",
	.summary = "worker processes pulling the next trial from a queue as they finish",
	.run = persistent_run,
};
