/*
 * Trial backend `sequential`: every trial in turn in the main thread; the reference every
 * search speedup is measured against.
 */
#include <errno.h>

#include "proc/proc.h"
#include "harness/search/search.h"

static int seq_run(struct farm *f)
{
	struct trial_result r;
	int id, rc;

	for (id = 0; id < f->o->trials; id++) {
		if (f->skip[id])
			continue;
		farm_handed(f, id);
		trial_run(f, id, 0, &r);
		rc = f->emit(f, &r);
		if (rc)
			return rc;
		if (proc_stop_requested)
			return -EINTR;
	}
	return 0;
}

const struct farm_ops farm_sequential = {
	.name = "sequential",
	.summary = "one trial after another in the main thread; the reference",
	.run = seq_run,
};
