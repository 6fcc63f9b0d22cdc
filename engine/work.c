/*
 * The work evaluate did in this process: pole's simulated physics steps, xor's network
 * evaluations. One counter for the process, so any thread may add and a run reads it around
 * a generation; worker processes send theirs back with their replies.
 */
#include <stdatomic.h>

#include "engine/engine.h"

/* relaxed: a sum read after the threads that added to it were joined or answered */
static _Atomic uint64_t work_done;

void engine_work_add(uint64_t units)
{
	atomic_fetch_add_explicit(&work_done, units, memory_order_relaxed);
}

uint64_t engine_work_done(void)
{
	return atomic_load_explicit(&work_done, memory_order_relaxed);
}
