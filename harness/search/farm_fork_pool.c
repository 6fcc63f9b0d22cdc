/*
 * Trial backend `fork-pool`: the shape of joblib/loky's static chunks. The trials still to run
 * are cut up front into --jobs contiguous chunks, one forked process each; a process sends
 * each result over its pipe as it finishes and the main process records them as they arrive.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness/search/farm_procs.h"

struct chunks {
	struct farm *f;
	int *ids;                  /* the trials to run, in order */
	int *lo, *hi;              /* process j runs ids[lo[j]] .. ids[hi[j] - 1] */
};

static int chunk_worker(void *ctx, struct chan *ch, int id)
{
	const struct chunks *c = ctx;
	struct trial_result r;
	int i;

	for (i = c->lo[id]; i < c->hi[id]; i++) {
		trial_run(c->f, c->ids[i], id, &r);
		if (farm_procs_send(ch, &r))
			return 5;
	}
	return 0;
}

/* Cut n trials into jobs chunks whose sizes differ by at most one; returns the chunks made. */
static int chunks_cut(struct chunks *c, int n, int jobs)
{
	int j;

	if (jobs > n)
		jobs = n;
	for (j = 0; j < jobs; j++) {
		c->lo[j] = (int)((long)n * j / jobs);
		c->hi[j] = (int)((long)n * (j + 1) / jobs);
	}
	return jobs;
}

static int fork_pool_run(struct farm *f)
{
	struct chunks c = { .f = f };
	struct farm_procs fp = { 0 };
	struct trial_result r;
	int n = 0, jobs, left, w, id, rc = -ENOMEM;

	c.ids = malloc((size_t)f->o->trials * sizeof(*c.ids));
	c.lo = malloc((size_t)f->o->jobs * sizeof(*c.lo));
	c.hi = malloc((size_t)f->o->jobs * sizeof(*c.hi));
	if (!c.ids || !c.lo || !c.hi) {
		snprintf(f->err, sizeof(f->err), "fork-pool: out of memory");
		goto out;
	}
	for (id = farm_next_trial(f, 0); id < f->o->trials; id = farm_next_trial(f, id + 1))
		c.ids[n++] = id;
	jobs = chunks_cut(&c, n, f->o->jobs);
	rc = 0;
	if (!jobs)
		goto out;
	rc = farm_procs_start(&fp, f, "fork-pool", jobs, chunk_worker, &c);
	if (rc)
		goto out;
	/*
	 * each process's results come in its chunk's order: trial[w] is the one due next, within
	 * --trial-timeout of the process's start or of its last result
	 */
	for (w = 0; w < jobs; w++) {
		fp.trial[w] = c.ids[c.lo[w]];
		farm_handed(f, fp.trial[w]);
		pool_busy(&fp.pool, w);
	}
	for (left = n; left; left--) {
		rc = farm_procs_wait(&fp, &w);
		if (!rc)
			rc = farm_procs_recv(&fp, w, &r);
		if (rc)
			break;
		fp.trial[w] = ++c.lo[w] < c.hi[w] ? c.ids[c.lo[w]] : -1;
		if (fp.trial[w] >= 0) {
			farm_handed(f, fp.trial[w]);
			pool_busy(&fp.pool, w);
		}
		rc = f->emit(f, &r);
		if (rc)
			break;
	}
	farm_procs_stop(&fp);
out:
	free(c.ids);
	free(c.lo);
	free(c.hi);
	return rc;
}

const struct farm_ops farm_fork_pool = {
	.name = "fork-pool",
	.summary = "static contiguous chunks of trials, a forked process per chunk (joblib's shape)",
	.run = fork_pool_run,
};
