/*
 * Command-line options as a table: name, type, range or allowed values, default and help.
 * The parser validates against it and --help is printed from it, so the two cannot drift.
 */
#ifndef EVOPAR_OPTIONS_H
#define EVOPAR_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

#include "strategies/strategy.h"

enum opt_type {
	OPT_INT,          /* int within [min, max] */
	OPT_U64,          /* uint64_t, any value */
	OPT_DOUBLE,       /* double within [min, max] */
	OPT_CHOICE,       /* int: the index of the value in choices[] */
	OPT_STRING,       /* const char *, any value */
	OPT_STRATEGY,     /* const char *, a name in the strategy registry */
	OPT_FLAG,         /* int set to 1; takes no value */
};

struct opt_spec {
	const char *name;               /* without the leading -- */
	enum opt_type type;
	size_t offset;                  /* into the options struct */
	double min, max;                /* OPT_INT, OPT_DOUBLE */
	const char *const *choices;     /* OPT_CHOICE, NULL-terminated */
	const char *help;
};

/* What `evopar run` reads from its command line. */
struct run_options {
	struct strategy_config cfg;
	const char *out;            /* JSON Lines destination; "-" for stdout */
	double sample_ms;           /* thread and process sampler period; 0: no sampler */
	int counters;               /* PAPI counters: 0 off, 1 on */
	int device;                 /* enum device_kind (harness/device.h): where evaluate runs */
	double stall_timeout_s;     /* no generation (search: trial) finished this long: the
				       run fails naming what it waited for; 0: never */
	int quiet;
	int help;
};

extern const struct opt_spec run_opts[];
void run_options_defaults(struct run_options *o);

/*
 * Parse argv[0..argc) into opts by the table; 0, or -1 with one line in err naming the
 * option and what it allows. Options take "--name value" or "--name=value".
 */
int options_parse(const struct opt_spec *table, void *opts, int argc, char **argv,
		  char *err, size_t errlen);
/*
 * What the table cannot say of a run's options: the pairs (--elite and --tournament against
 * --pop) and --inject-fault against the strategy; 0, or -1 with one line in err.
 */
int run_options_check(const struct run_options *o, char *err, size_t errlen);
/*
 * An input file named by an option, opened for reading: every path option of every command
 * refuses a missing or unreadable file, or a directory, the same way, before any work. NULL
 * with "--OPTION PATH: why" in err.
 */
FILE *options_open_input(const char *option, const char *path, char *err, size_t errlen);
/* one line per option with its default, read from defaults */
void options_help(FILE *f, const struct opt_spec *table, const void *defaults);
/* the value of one option as text (for --help and meta) */
void options_format(const struct opt_spec *spec, const void *opts, char *buf, size_t len);

#endif
