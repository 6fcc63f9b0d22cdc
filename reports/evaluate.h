/*
 * evaluate.tsv (evaluate_tables.c): the evaluate phase of every run configuration per unit of
 * work, and where a GPU played it, the split of its time. Experiment 5 reads it by column name.
 */
#ifndef EVOPAR_REPORTS_EVALUATE_H
#define EVOPAR_REPORTS_EVALUATE_H

struct report;

/* DIR/evaluate.tsv from the bench files' run configurations; 0, or -errno with r->err */
int evaluate_write_tsv(struct report *r);

#endif
