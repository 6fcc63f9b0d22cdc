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
	int copies;                 /* the capacity arm: evolutions at once, this one included */
	double stall_timeout_s;     /* no generation (search: trial) finished this long: the
				       run fails naming what it waited for; 0: never */
	int quiet;
	int help;
};

extern const struct opt_spec run_opts[];
void run_options_defaults(struct run_options *o);

/* what the table's "help" field holds after options_parse: the user asked for a text, not a run */
#define OPT_ASKED_HELP 1          /* -h or --help */
#define OPT_ASKED_VERSION 2       /* -V or --version (--help wins when both are given) */

/*
 * Parse argv[0..argc) into opts by the table; 0, or -1 with one line in err naming the
 * option and what it allows. Options take "--name value" or "--name=value"; "-h" is --help,
 * "-V" and "--version" set the help field to OPT_ASKED_VERSION, and "--" ends the options
 * (a command with no operands refuses any word after it).
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
/*
 * An output file named by an option (--out), checked before any work: its missing parent
 * folders are made, and a path that cannot be written (a parent that is a file, no
 * permission, a directory) is refused. "-" (stdout) passes. 0, or -1 with
 * "--OPTION PATH: why" in err.
 */
int options_check_output(const char *option, const char *path, char *err, size_t errlen);
/* what a command prints when options_parse set its help field (asked): the usage or the
   version, on stdout; the exit code, 0 */
int options_answer(int asked, void (*usage)(FILE *f));
/* "evopar VERSION (commit C)" and a newline */
void options_version(FILE *f);
/* the git commit this evopar was built from ("unknown" outside a git tree) */
const char *options_commit(void);
/* what an option's value may be, in words ("an integer from 1 to 1024", "one of: a b") */
void options_describe(const struct opt_spec *s, char *buf, size_t len);
/* one line per option with its default, read from defaults */
void options_help(FILE *f, const struct opt_spec *table, const void *defaults);
/* the value of one option as text (for --help and meta) */
void options_format(const struct opt_spec *spec, const void *opts, char *buf, size_t len);

#endif
