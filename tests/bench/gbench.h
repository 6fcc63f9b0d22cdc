/*
 * A C interface to Google Benchmark (1.7.1, C++): register a C function with a context
 * pointer, run its timing loop, pause the clock for set-up, report items and counters.
 * gbench_shim.cc implements it; it is the only C++ in the project.
 */
#ifndef EVOPAR_GBENCH_H
#define EVOPAR_GBENCH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct gbench;                 /* a registered benchmark (benchmark::internal::Benchmark) */
struct gbench_state;           /* one run of it (benchmark::State) */

typedef void (*gbench_fn)(struct gbench_state *st, void *ctx);

enum gbench_unit { GBENCH_NS, GBENCH_US, GBENCH_MS, GBENCH_S };

/* how a counter's value is shown; flags may be or'ed */
enum gbench_counter_flags {
	GBENCH_COUNTER_PLAIN = 0,
	GBENCH_COUNTER_RATE = 1,           /* divided by the elapsed time */
	GBENCH_COUNTER_AVG_ITERATIONS = 2, /* divided by the iterations */
	GBENCH_COUNTER_INVERT = 4,         /* 1 / value: with RATE, seconds per unit */
};

/* Register fn under name; ctx is passed to every call. NULL if registration failed. */
struct gbench *gbench_register(const char *name, gbench_fn fn, void *ctx);
void gbench_use_real_time(struct gbench *b);
void gbench_set_unit(struct gbench *b, enum gbench_unit unit);

/* The timing loop: while (gbench_keep_running(st)) { one iteration } */
int gbench_keep_running(struct gbench_state *st);
int64_t gbench_iterations(const struct gbench_state *st);
void gbench_pause(struct gbench_state *st);
void gbench_resume(struct gbench_state *st);
void gbench_set_items_processed(struct gbench_state *st, int64_t items);
void gbench_set_counter(struct gbench_state *st, const char *name, double value, int flags);
void gbench_set_label(struct gbench_state *st, const char *label);
/* Mark the run failed with a message; return from the function right after. */
void gbench_skip_with_error(struct gbench_state *st, const char *msg);

/* A key and value for the "context" block of the JSON output. */
void gbench_add_context(const char *key, const char *value);

/* Parse the --benchmark_* options, run what they select, report; the exit code for main:
 * 0, 1 when a benchmark failed, 2 for an unknown option. */
int gbench_main(int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif
