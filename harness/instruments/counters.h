/*
 * The counters of a run, through PAPI: every asked event is probed alone, the readable ones
 * then count over the whole process tree (workers and threads too), and meta says why not.
 */
#ifndef EVOPAR_COUNTERS_H
#define EVOPAR_COUNTERS_H

#include <stdint.h>

#include "harness/records/record.h"

#define COUNTERS_MAX 16
#define COUNTERS_WHYLEN 160

enum counters_method {
	COUNTERS_NONE,          /* nothing counts: off, PAPI unusable, or no event readable */
	COUNTERS_PAPI,          /* one PAPI event set with PAPI_INHERIT */
	COUNTERS_PERF,          /* PAPI probes, perf_event_open with inherit counts: PAPI_INHERIT failed */
};

struct counter {
	const char *name;                /* as asked: a PAPI preset or a native event name */
	int readable;                    /* PAPI added, started and stopped it alone */
	int counting;                    /* part of the run's set: its value is read */
	int fd;                          /* COUNTERS_PERF: the probing thread's descriptor, inherited
					    by what it starts; else -1 */
	int *others;                     /* COUNTERS_PERF: one per thread already running at start */
	int n_others;
	uint32_t type;                   /* COUNTERS_PERF: the perf_event type and config */
	uint64_t config;
	long long value;                 /* after counters_stop */
	char why[COUNTERS_WHYLEN];       /* why it is not counting */
};

struct counters {
	int enabled;
	int n;
	struct counter ev[COUNTERS_MAX];
	enum counters_method method;
	int papi_live;                   /* PAPI is initialised by us: PAPI_shutdown owed */
	int eventset;                    /* COUNTERS_PAPI */
	int running;
	int read_ok;                     /* counters_stop read the values */
	char library[64];                /* "PAPI 7.0.0.0", or why it could not start */
	char why[COUNTERS_WHYLEN];       /* the scope, or why nothing counts */
};

/* cycles, instructions, L1/L2 data cache misses, branch misses, then the software events */
extern const char *const counters_default_events[];
extern const int counters_default_count;

/*
 * Probe names[0..n) (at most COUNTERS_MAX) and prepare the set that counts them over the
 * process tree. Never fails: what cannot be counted gets its reason. enabled 0: nothing is
 * touched, and meta says the counters are off.
 */
void counters_probe(struct counters *c, const char *const *names, int n, int enabled);
/* start counting (from zero); a failure leaves a reason and no values, never an error */
void counters_start(struct counters *c);
void counters_stop(struct counters *c);
void counters_release(struct counters *c);

/* the value of one event after counters_stop; -1 when it was not counted */
long long counters_value(const struct counters *c, const char *name);

/* "counters" of meta: what was asked, what is read, and why the others are not */
void counters_write_meta(const struct counters *c, struct jw *w);
/* "counters" of the summary: event name -> value, or null when nothing was read */
void counters_write_values(const struct counters *c, struct jw *w);

#endif
