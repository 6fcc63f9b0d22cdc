/*
 * Experiment 3's part of a report (`evopar report DIR --verdict FILE --rule islands`): the
 * runs of DIR/bench.jsonl as one row each in DIR/islands.tsv (islands_tsv.c), and the verdict
 * rule on that table's named columns (islands_verdict.c).
 */
#ifndef EVOPAR_REPORTS_ISLANDS_H
#define EVOPAR_REPORTS_ISLANDS_H

#include <stdio.h>

struct report;

/* the arms the rule reads, as the configurations' labels start ("ARM sSEED") */
#define ARM_SINGLE "single"               /* one population, sequential: one core */
#define ARM_THREADS "single-threads"      /* the same population on every core (threads) */
#define ARM_ISLANDS "islands"             /* K = cores island processes, migration */
#define ARM_ONE_CORE "islands-1core"      /* the same islands pinned to one core */
#define ARM_NOMIG "islands-nomig"         /* the same islands, no migrants */
#define ARM_AA "single-aa"                /* single again: the A/A control, the null band */

/* islands_tsv.c: DIR/bench.jsonl's measured runs into DIR/islands.tsv, with the target every
   run reached and when; 0, or -errno with r->err set */
int islands_tsv_write(struct report *r);

/* path written by fill(f, ctx); 0, or -errno with r->err naming path after name (an option
   such as "--verdict ", or "") */
int islands_write_file(struct report *r, const char *path, const char *name,
		       int (*fill)(FILE *f, const void *ctx), const void *ctx);

/* islands_verdict.c: DIR/islands.tsv (written first from DIR/bench.jsonl when there is one)
   into r->o.verdict: the verdict, its intervals, the study's criteria; 0 or -errno, r->err */
int islands_verdict_write(struct report *r);

#endif
