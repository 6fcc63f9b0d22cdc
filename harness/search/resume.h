/*
 * `evopar search --resume FILE`: the records of an earlier search, checked with the other
 * options against this one (the same study, or refused), and their finished trials kept.
 */
#ifndef EVOPAR_RESUME_H
#define EVOPAR_RESUME_H

#include <stdint.h>
#include <stdio.h>

#include "harness/records/record.h"
#include "harness/search/search.h"

struct resume {
	FILE *f;                   /* the records, read past their meta; NULL: no --resume */
	const char *path;
};

/*
 * Open o->resume and compare its meta with this search in every option that keys trials
 * (seed, space, mode, task, pop, gens, episodes, steps, seeds); 0, or -EINVAL with one line
 * in err naming --resume, the path and the first difference (a usage error).
 */
int resume_open(struct resume *r, const struct search_options *o, const struct search_space *space,
		char *err, size_t errlen);
/* copy its ok trial records with id < trials to out and mark them in skip; how many, or -errno */
int resume_copy(struct resume *r, struct output *out, uint8_t *skip, int trials);
void resume_close(struct resume *r);
/* the meta field a later --resume compares: the space as drawn from, not its file's name */
void resume_write_space(struct jw *w, const struct search_space *space);

#endif
