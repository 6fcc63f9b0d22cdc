/*
 * persistent's shards: which worker owns which network, the children's owners at resample
 * (longest processing time first over predicted costs, a child staying with its parent's
 * worker where that keeps the balance) and the pool: the networks predicted lightest, which
 * whichever worker is free evaluates, so that a wrong prediction leaves no worker idle.
 */
#ifndef EVOPAR_SHARDS_H
#define EVOPAR_SHARDS_H

#include <stdint.h>

#include "strategies/common/balance.h"

struct shards {
	int n, workers;
	int *owner, *next_owner;     /* per network: its worker; its child's (resample) */
	int *list, *start;           /* shard of worker w: list[start[w] .. start[w + 1]), in
					index order */
	int *next_list, *next_start; /* the same of the children */
	double *cost;                /* per network: its predicted cost (the caller fills it) */
	uint8_t *in_pool;            /* per network: in this generation's pool */
	int32_t *pool;               /* the pool, largest predicted cost first */
	int n_pool;
	double *load;                /* scratch: per worker */
	int *order;                  /* scratch: networks by predicted cost */
	struct balance_key *keys;    /* scratch */
};

/*
 * Shards of n networks over `workers`: contiguous blocks (--assign index), or as
 * shards_assign leaves them with every cost equal; a pool only with `pool` set
 * (persistent --worker-scope all, --assign cost). 0 or -ENOMEM.
 */
int shards_init(struct shards *sh, int n, int workers, int balanced, int pool);
void shards_release(struct shards *sh);

/*
 * The children's owners (next_owner, next_list, next_start) and the next pool, from
 * sh->cost (per child, its predicted cost) and plan (the parents; NULL: none to stay with).
 * Without `balanced` every child stays on its index's worker and there is no pool.
 */
void shards_assign(struct shards *sh, const struct child_plan *plan, int balanced, int pool);
/* the children are the networks now */
void shards_swap(struct shards *sh);

static inline int shard_size(const struct shards *sh, int w)
{
	return sh->start[w + 1] - sh->start[w];
}

static inline const int32_t *shard_of(const struct shards *sh, int w)
{
	return (const int32_t *)&sh->list[sh->start[w]];
}

static inline int next_shard_size(const struct shards *sh, int w)
{
	return sh->next_start[w + 1] - sh->next_start[w];
}

static inline const int32_t *next_shard_of(const struct shards *sh, int w)
{
	return (const int32_t *)&sh->next_list[sh->next_start[w]];
}

#endif
