/*
 * Fault injection (see fault.h): the spec names a phase, so it lives with the strategies,
 * not in proc/, which knows no phases.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strategies/common/fault.h"
#include "strategies/strategy.h"

#define ALL_PHASES ((1u << PHASE_COUNT) - 1)

static const char *const fault_kinds[] = { "", "kill", "hang", "garbage" };

/* a worker or generation number: digits only (no sign, no blank), below a million */
static int parse_number(const char *s, int *out)
{
	size_t n = strspn(s, "0123456789");

	if (!n || s[n] || n > 6)
		return -1;
	*out = atoi(s);
	return 0;
}

static int find_name(const char *s, const char *const *names, int from, int count)
{
	int i;

	for (i = from; i < count; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

int fault_parse(const char *spec, struct fault *f, char *err, size_t errlen)
{
	char buf[64], *rest = buf, *field[5];
	int n = 0;

	memset(f, 0, sizeof(*f));
	if (!spec)
		return 0;
	/* strsep, not sscanf: an empty field, a sign, a blank or a trailing word is refused */
	if (strlen(spec) < sizeof(buf)) {
		strcpy(buf, spec);
		while (n < 5 && (field[n] = strsep(&rest, ":")))
			n++;
	}
	if (n == 4 && (f->kind = find_name(field[0], fault_kinds, 1, 4)) > 0 &&
	    !parse_number(field[1], &f->worker) &&
	    (f->phase = find_name(field[2], phase_names, 0, PHASE_COUNT)) >= 0 &&
	    !parse_number(field[3], &f->gen))
		return 0;
	snprintf(err, errlen, "--inject-fault: expected KIND:WORKER:PHASE:GEN with KIND one of "
		 "kill hang garbage, WORKER and GEN numbers from 0, and PHASE one of mutate prepare "
		 "evaluate resample, got '%s'", spec);
	memset(f, 0, sizeof(*f));
	return -EINVAL;
}

/*
 * The phases in which the strategy's workers get a command to act a fault out on
 * (fork_pool.c, persistent.c, island_worker.c; islands_mpi.c strikes in every hook); 0 for
 * a strategy that has no workers of its own.
 */
static unsigned fault_phases(const struct strategy_config *c)
{
	if (!strcmp(c->strategy, "fork-pool"))
		return 1u << PHASE_MUTATE | 1u << PHASE_EVALUATE;
	if (!strcmp(c->strategy, "persistent"))
		return c->worker_scope == SCOPE_ALL ? ALL_PHASES :
		       1u << PHASE_MUTATE | 1u << PHASE_RESAMPLE;
	if (!strcmp(c->strategy, "islands"))
		return ALL_PHASES;
	return 0;
}

/* "mutate and evaluate": the phases in the mask, for a message */
static void phase_list(unsigned mask, char *buf, size_t len)
{
	size_t at = 0;
	int i, left = __builtin_popcount(mask);

	buf[0] = 0;
	for (i = 0; i < PHASE_COUNT && at < len; i++)
		if (mask & 1u << i) {
			left--;
			at += (size_t)snprintf(buf + at, len - at, "%s%s", phase_names[i],
					       left > 1 ? ", " : left == 1 ? " and " : "");
		}
}

int fault_check(const struct strategy_config *c, char *err, size_t errlen)
{
	int islands = !strcmp(c->strategy, "islands");
	const char *spec = c->inject_fault, *noun = islands ? "island" : "worker";
	unsigned phases = fault_phases(c);
	int workers = islands ? c->islands : c->workers;
	char list[64];
	struct fault f;

	if (!spec)
		return 0;
	if (fault_parse(spec, &f, err, errlen))
		return -EINVAL;
	if (!phases) {
		snprintf(err, errlen, "--inject-fault %s: --strategy %s has no worker processes to act "
			 "it out; the strategies whose workers do: fork-pool persistent islands", spec, c->strategy);
		return -EINVAL;
	}
	if (islands && c->island_id >= 0) {
		snprintf(err, errlen, "--inject-fault %s: not with --island-id, whose island runs in "
			 "this process, without a worker", spec);
		return -EINVAL;
	}
	if (f.worker >= workers) {
		snprintf(err, errlen, "--inject-fault %s: no %s %d: --%ss %d runs %ss 0 to %d",
			 spec, noun, f.worker, noun, workers, noun, workers - 1);
		return -EINVAL;
	}
	if (!(phases & 1u << f.phase)) {
		phase_list(phases, list, sizeof(list));
		snprintf(err, errlen, "--inject-fault %s: the workers of --strategy %s%s act out %s only",
			 spec, c->strategy, strcmp(c->strategy, "persistent") ? "" :
			 c->worker_scope == SCOPE_ALL ? " --worker-scope all" : " --worker-scope mutate", list);
		return -EINVAL;
	}
	if (f.gen >= c->evo.gens) {
		snprintf(err, errlen, "--inject-fault %s: no generation %d: --gens %d runs generations "
			 "0 to %d", spec, f.gen, c->evo.gens, c->evo.gens - 1);
		return -EINVAL;
	}
	return 0;
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
