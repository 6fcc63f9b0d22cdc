/*
 * harness/: the evopar command. evopar.c's commands[] table names the subcommands declared
 * here; options.c parses every command line from tables; run.c evolves one population under
 * one strategy, bench*.c runs configurations as fresh processes, stall.c ends a run that stops
 * making progress. Beneath: records/ (JSON Lines writers, meta, the one summary writer),
 * instruments/ (PAPI counters, the /proc sampler, the calibration floors) and search/
 * (`evopar search` and its farm backends). The harness knows strategies only through the
 * registry (strategies/strategy.h), and starts processes only through proc/.
 */
#ifndef EVOPAR_RUN_H
#define EVOPAR_RUN_H

/* exit codes */
#define EXIT_USAGE 2          /* bad command line: nothing was run or written */
#define EXIT_FAILED 3         /* the run started and failed (a worker died, an error) */
#define EXIT_INTERRUPTED 130  /* SIGINT or SIGTERM: the run ended cleanly, status interrupted */

int cmd_run(int argc, char **argv);
int cmd_bench(int argc, char **argv);    /* bench.c */
int cmd_report(int argc, char **argv);   /* report_cmd.c */
int cmd_compare(int argc, char **argv);  /* compare_cmd.c */
int cmd_advise(int argc, char **argv);   /* advise/advise.c */
int cmd_watch(int argc, char **argv);    /* watch/watch.c */

#endif
