/*
 * Fault injection (see fault.h): the spec names a phase, so it lives with the strategies,
 * not in proc/, which knows no phases.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "strategies/common/fault.h"
#include "strategies/strategy.h"

int fault_parse(const char *spec, struct fault *f, char *err, size_t errlen)
{
	static const char *const kinds[] = { "", "kill", "hang", "garbage" };
	char kind[16], phase[16];
	int i;

	memset(f, 0, sizeof(*f));
	if (!spec)
		return 0;
	if (sscanf(spec, "%15[a-z]:%d:%15[a-z]:%d", kind, &f->worker, phase, &f->gen) != 4)
		goto bad;
	for (i = 1; i < 4; i++)
		if (!strcmp(kind, kinds[i]))
			f->kind = i;
	f->phase = -1;
	for (i = 0; i < PHASE_COUNT; i++)
		if (!strcmp(phase, phase_names[i]))
			f->phase = i;
	if (f->kind && f->phase >= 0 && f->worker >= 0 && f->gen >= 0)
		return 0;
bad:
	snprintf(err, errlen, "--inject-fault: expected KIND:WORKER:PHASE:GEN with KIND one of "
		 "kill hang garbage and PHASE one of mutate prepare evaluate resample, got '%s'", spec);
	f->kind = FAULT_NONE;
	return -EINVAL;
}

int fault_strike(const struct fault *f, int worker, int phase, int gen)
{
	if (f->kind == FAULT_NONE || f->worker != worker || f->phase != phase || f->gen != gen)
		return FAULT_NONE;
	if (f->kind == FAULT_KILL)
		raise(SIGKILL);
	if (f->kind == FAULT_HANG)
		for (;;)
			pause();
	return f->kind;
}
