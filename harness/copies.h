/*
 * The capacity arm of a run (`evopar run --copies N`): N - 1 forked copies of the run's own
 * sequential evolution run beside it from its first generation to its last, so that its
 * generations are timed while N evolutions share the machine. Against the same run alone, in
 * the same bench round, that is the machine's capacity at N: paired with the strategies.
 */
#ifndef EVOPAR_COPIES_H
#define EVOPAR_COPIES_H

#include <stddef.h>

#include "engine/config.h"
#include "proc/child.h"

#define COPIES_MAX 1024

struct copies {
	struct child *kids;
	int n;                    /* copies started beside the run */
	struct evo_config evo;    /* theirs: the run's, with generations to spare */
};

/* Start n - 1 copies of evo beside the caller (n <= 1: none); 0, or -errno with err set. */
int copies_start(struct copies *c, const struct evo_config *evo, int n, char *err, size_t errlen);
/*
 * End every copy (SIGTERM, then SIGKILL) and reap it. 0 when each ran until now; -1 with err
 * naming the first that had ended before (the run was then not timed beside n - 1 others).
 */
int copies_stop(struct copies *c, char *err, size_t errlen);

#endif
