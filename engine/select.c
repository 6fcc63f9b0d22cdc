/*
 * Resample, first half: tournament selection with elitism. It reads only fitness and
 * writes the child plan, so it runs in the main process whatever the strategy.
 */
#include <stdlib.h>

#include "engine/engine.h"
#include "engine/rng.h"

struct ranked {
	float fitness;
	int index;
};

/* best first; ties keep the lower index first so the order is total */
static int by_fitness(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;

	if (a->fitness != b->fitness)
		return a->fitness > b->fitness ? -1 : 1;
	return a->index - b->index;
}

static int fitter(const struct population *p, int a, int b)
{
	float fa = p->nets[a].fitness, fb = p->nets[b].fitness;

	return fa > fb || (fa == fb && a < b);
}

static int tournament(const struct population *p, struct rng *r)
{
	int best = (int)rng_below(r, (uint32_t)p->n), k;

	for (k = 1; k < p->cfg->tournament; k++) {
		int c = (int)rng_below(r, (uint32_t)p->n);

		if (fitter(p, c, best))
			best = c;
	}
	return best;
}

/* The elite count is at most pop - 1 (the option's range), so the scratch array fits. */
static void plan_elites(struct population *p, int elite)
{
	struct ranked *rank = malloc((size_t)p->n * sizeof(*rank));
	int i;

	if (!rank) {
		/* without memory for a ranking, keep network 0: still deterministic */
		for (i = 0; i < elite; i++)
			p->plan[i] = (struct child_plan){ .a = 0, .b = -1, .elite = 1 };
		return;
	}
	for (i = 0; i < p->n; i++)
		rank[i] = (struct ranked){ p->nets[i].fitness, i };
	qsort(rank, (size_t)p->n, sizeof(*rank), by_fitness);
	for (i = 0; i < elite; i++)
		p->plan[i] = (struct child_plan){ .a = rank[i].index, .b = -1, .elite = 1 };
	free(rank);
}

void engine_select(struct population *p)
{
	int elite = p->cfg->elite < p->n ? p->cfg->elite : p->n, i;

	plan_elites(p, elite);
	for (i = elite; i < p->n; i++) {
		struct rng r;
		int a, b = -1;

		rng_init(&r, p->cfg->seed, (uint64_t)p->gen, (uint64_t)i, RNG_SELECT);
		a = tournament(p, &r);
		if (rng_chance(&r, p->cfg->p_crossover)) {
			b = tournament(p, &r);
			if (b == a) {
				b = -1;
			} else if (fitter(p, b, a)) {
				int t = a;

				a = b;
				b = t;
			}
		}
		p->plan[i] = (struct child_plan){ .a = a, .b = b, .elite = 0 };
	}
}
