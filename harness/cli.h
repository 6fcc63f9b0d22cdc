/*
 * What every evopar command shows a person: the progress line on a terminal, the one summary
 * line at the end, and the description of its options (for --help, the man page, completion).
 */
#ifndef EVOPAR_CLI_H
#define EVOPAR_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "harness/options.h"

/* what a command takes besides its options, for the completion */
enum cli_operands {
	CLI_NO_OPERANDS,
	CLI_DIRECTORY,            /* report DIR */
	CLI_COMMAND_LINE,         /* watch -- CMD ARGS... */
	CLI_SUBCOMMAND,           /* help CMD */
	CLI_FILES,                /* compare A B */
};

/* A command's options as --help, the man page and the completion read them. */
struct cli_doc {
	const struct opt_spec *opts;    /* the command's option table */
	void (*usage)(FILE *f);         /* its --help text: usage lines, prose, "options:", options */
	void (*defaults)(void *opts);   /* fills an options struct of size bytes; NULL: zeros */
	size_t size;
	enum cli_operands operands;
};

/* the commands' docs, each defined beside its command */
extern const struct cli_doc run_doc, search_doc, bench_doc, report_doc, watch_doc, compare_doc,
	study_doc, advise_doc;

/* one subcommand of evopar, as evopar.c's table lists it */
struct cli_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	const struct cli_doc *doc;
	int internal;             /* not for people to type: left out of help, man and completion */
};

/* help.c: the man page evopar.1 and the bash completion, both from the commands' tables */
void help_man(FILE *f, const struct cli_command *cmds, size_t n);
void help_completion(FILE *f, const struct cli_command *cmds, size_t n);

/*
 * One progress line on stderr, redrawn in place ("\r", the text, then "\033[K" to clear the
 * rest of the old line); only on a terminal and without quiet.
 */
void cli_progress(int quiet, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* the progress line cleared, so that the summary line takes its place */
void cli_progress_end(int quiet);

/* what the summary line of a command says */
struct cli_end {
	const char *status;       /* "ok", "failed", "interrupted" */
	double wall_s;
	const char *figure;       /* the main figure in words, e.g. "30 generations, best 0.91" */
	const char *digest;       /* NULL: none */
	const char *what;         /* "records", "report" */
	const char *out;          /* where they went: a path, or "-" for stdout */
	int written;              /* 0: nothing was written there */
};

/*
 * "evopar CMD: STATUS in W s; FIGURE; digest D; records in OUT", one line on stderr at the
 * end of a command, unless quiet.
 */
void cli_summary(int quiet, const char *cmd, const struct cli_end *e);

#endif
