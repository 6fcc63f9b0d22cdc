/*
 * Fault injection for the fault tests (--inject-fault KIND:WORKER:PHASE:GEN): a worker of a
 * process strategy kills itself, hangs, or garbles its reply at one phase of one generation.
 */
#ifndef EVOPAR_FAULT_H
#define EVOPAR_FAULT_H

#include <stddef.h>

struct strategy_config;

enum fault_kind { FAULT_NONE, FAULT_KILL, FAULT_HANG, FAULT_GARBAGE };

struct fault {
	int kind;                  /* enum fault_kind */
	int worker;
	int phase;                 /* enum phase */
	int gen;
};

/* "kill|hang|garbage:WORKER:PHASE:GEN", or NULL for none; 0 or -EINVAL with a message */
int fault_parse(const char *spec, struct fault *f, char *err, size_t errlen);
/*
 * At option time: is cfg->inject_fault (if any) a fault this run's workers will act out?
 * A fault no worker would strike (no workers, a worker or generation the run does not have,
 * a phase the strategy's workers do not serve) would test nothing; 0 or -EINVAL with one
 * line naming --inject-fault and what it allows.
 */
int fault_check(const struct strategy_config *cfg, char *err, size_t errlen);
/* in a worker: act out the fault if it is due here; returns FAULT_GARBAGE to garble a reply */
int fault_strike(const struct fault *f, int worker, int phase, int gen);

#endif
