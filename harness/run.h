/*
 * The subcommands of the evopar program.
 */
#ifndef EVOPAR_RUN_H
#define EVOPAR_RUN_H

/* exit codes */
#define EXIT_USAGE 2          /* bad command line: nothing was run or written */
#define EXIT_FAILED 3         /* the run started and failed (a worker died, an error) */
#define EXIT_INTERRUPTED 130  /* SIGINT or SIGTERM: the run ended cleanly, status interrupted */

int cmd_run(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_bench(int argc, char **argv);    /* bench.c */
int cmd_report(int argc, char **argv);   /* report.c */

#endif
