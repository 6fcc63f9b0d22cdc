/*
 * The trial farm's backends: a static table, one line per backend. farm_names[] is the same
 * list for the option parser (tests/test_search.c holds the two in step).
 */
#include <stddef.h>

#include "harness/search/search.h"

extern const struct farm_ops farm_threads;
extern const struct farm_ops farm_fork_pool;
extern const struct farm_ops farm_persistent;
extern const struct farm_ops farm_thread_limited;
extern const struct farm_ops farm_mpi;

static const struct farm_ops *const farms[] = {
	&farm_sequential,
	&farm_threads,
	&farm_fork_pool,
	&farm_persistent,
	&farm_thread_limited,
	&farm_mpi,
};

const char *const farm_names[] = {
	"sequential",
	"threads",
	"fork-pool",
	"persistent",
	"thread-limited",
	"mpi",
	NULL,
};

const struct farm_ops *farm_at(size_t i)
{
	return i < sizeof(farms) / sizeof(farms[0]) ? farms[i] : NULL;
}

void farm_handed(struct farm *f, int id)
{
	if (f->handed && id >= 0 && id < f->o->trials)
		f->handed[id] = 1;
}

int farm_next_trial(const struct farm *f, int from)
{
	while (from < f->o->trials && f->skip[from])
		from++;
	return from;
}
