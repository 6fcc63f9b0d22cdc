/*
 * The work evaluate did in this process: pole's simulated physics steps, xor's network
 * evaluations. One counter for the process, to which each thread flushes its scratch's share
 * once per range, and a run reads it around a generation; worker processes send theirs back
 * with their replies.
 */
#include <stdatomic.h>

#include "engine/engine.h"

/* relaxed: a sum read after the threads that added to it were joined or answered */
static _Atomic uint64_t work_done;

void engine_work_add(uint64_t units)
{
	atomic_fetch_add_explicit(&work_done, units, memory_order_relaxed);
}

void engine_work_flush(struct scratch *s)
{
	if (s->work) {
		engine_work_add(s->work);
		s->work = 0;
	}
}

uint64_t engine_work_done(void)
{
	return atomic_load_explicit(&work_done, memory_order_relaxed);
}
