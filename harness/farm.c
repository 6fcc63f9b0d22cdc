/*
 * The trial farm's backends: a static table, one line per backend. farm_names[] is the same
 * list for the option parser (tests/test_farm.c holds the two in step).
 */
#include <stddef.h>

#include "search.h"

extern const struct farm_ops farm_sequential;
extern const struct farm_ops farm_threads;

static const struct farm_ops *const farms[] = {
	&farm_sequential,
	&farm_threads,
};

const char *const farm_names[] = {
	"sequential",
	"threads",
	NULL,
};

const struct farm_ops *farm_at(size_t i)
{
	return i < sizeof(farms) / sizeof(farms[0]) ? farms[i] : NULL;
}
