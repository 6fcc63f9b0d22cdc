/*
 * The capacity arm's copies (copies.h): forked children that evolve the run's population
 * afresh, with no records, over and over until the run ends them: none runs out before it, so
 * the run's every generation is timed beside all of them.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "harness/copies.h"

#define END_GRACE_S 1.0           /* SIGTERM, then this long, then SIGKILL */

/*
 * A copy's life: the run's evolution again and again, so that its generations cost what the
 * run's do. A fixed count cannot outlast the run: with generations of a millisecond, 3 copies
 * on 2 cores finished twice the run's plus 16 while the run was still at work (2 benches of 40).
 * The run's SIGTERM handler is not its own, so SIGTERM ends it at once; it dies with the run.
 */
static int copy_main(void *ctx)
{
	const struct evo_config *evo = ctx;
	struct evolve_result res;
	char err[256];

	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	while (!engine_evolve(evo, &res, err, sizeof(err)))
		;
	fprintf(stderr, "evopar run: a capacity copy: %s\n", err);
	return 3;
}

int copies_start(struct copies *c, const struct evo_config *evo, int n, char *err, size_t errlen)
{
	int i, rc;

	memset(c, 0, sizeof(*c));
	if (n <= 1)
		return 0;
	c->evo = *evo;
	c->kids = calloc((size_t)n - 1, sizeof(*c->kids));
	if (!c->kids) {
		snprintf(err, errlen, "--copies: out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < n - 1; i++) {
		struct child *k = &c->kids[i];

		child_init(k);
		k->fn = copy_main;
		k->ctx = &c->evo;
		k->std_in = CHILD_NULL;
		k->std_out = CHILD_NULL;
		rc = child_start(k, err, errlen);
		if (rc) {
			copies_stop(c, NULL, 0);
			return rc;
		}
		c->n++;
	}
	return 0;
}

int copies_stop(struct copies *c, char *err, size_t errlen)
{
	char how[96];
	int i, rc = 0;

	for (i = 0; i < c->n; i++) {
		struct child *k = &c->kids[i];

		/* one that can be reaped now had ended before the run did */
		if (!child_wait(k, 0) && !rc) {
			child_describe(k, how, sizeof(how));
			if (err)
				snprintf(err, errlen, "--copies: capacity copy %d of %d ended before the run did: %s",
					 i + 2, c->n + 1, how);
			rc = -1;
		}
		if (k->pid)
			child_end(k, END_GRACE_S);
	}
	free(c->kids);
	memset(c, 0, sizeof(*c));
	return rc;
}
