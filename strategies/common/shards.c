/*
 * persistent's shard bookkeeping (see shards.h): arrays over the networks and the workers,
 * rebuilt at every resample; nothing here sends a byte.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strategies/common/shards.h"

/*
 * How far above the least loaded worker a child may stay with its parent's worker, as a
 * share of the mean predicted load: a move costs a serialisation there and back, a few us,
 * and a prediction is rough anyway (a child's steps follow its parent's only loosely). With
 * a pool, which evens out what the shards leave, the shards may be looser.
 */
#define STAY_TOLERANCE 0.02
#define STAY_TOLERANCE_POOLED 0.05

/*
 * The pool: the predicted lightest half of the networks, at 2 workers or more. A parent's steps
 * predict its child's with a correlation near 0.3 here, so LPT alone leaves 3-6% idle, and
 * the lightest fifth (the share before) held too little work to even two workers out: the
 * evaluate phase ran 0.17-1.55 ms past its workers' mean busy time at pop 500, against
 * 0.16-0.28 ms with half (5 seeds, 40 generations). The main process passes the pool's
 * records on without decoding them (net_bytes.h), and the half did not lengthen the other
 * phases (0.93-1.08 ms a generation, against 0.94-1.27 with a fifth).
 */
static int pool_size(int n, int workers)
{
	double share = workers < 2 ? 0 : 0.5;

	return (int)(n * share);
}

int shards_init(struct shards *sh, int n, int workers, int balanced, int pool)
{
	int i, w;

	memset(sh, 0, sizeof(*sh));
	sh->n = n;
	sh->workers = workers;
	sh->owner = malloc((size_t)n * sizeof(*sh->owner));
	sh->next_owner = malloc((size_t)n * sizeof(*sh->next_owner));
	sh->list = malloc((size_t)n * sizeof(*sh->list));
	sh->next_list = malloc((size_t)n * sizeof(*sh->next_list));
	sh->start = malloc((size_t)(workers + 1) * sizeof(*sh->start));
	sh->next_start = malloc((size_t)(workers + 1) * sizeof(*sh->next_start));
	sh->cost = malloc((size_t)n * sizeof(*sh->cost));
	sh->in_pool = calloc((size_t)n, 1);
	sh->pool = malloc((size_t)n * sizeof(*sh->pool));
	sh->load = malloc((size_t)workers * sizeof(*sh->load));
	sh->order = malloc((size_t)n * sizeof(*sh->order));
	sh->keys = malloc((size_t)n * sizeof(*sh->keys));
	if (!sh->owner || !sh->next_owner || !sh->list || !sh->next_list || !sh->start ||
	    !sh->next_start || !sh->cost || !sh->in_pool || !sh->pool || !sh->load || !sh->order ||
	    !sh->keys)
		return -ENOMEM;
	/* the first owners: blocks of n/workers, or what the balanced rule makes of equal costs */
	for (w = 0; w < workers; w++)
		for (i = (int)((long)n * w / workers); i < (int)((long)n * (w + 1) / workers); i++)
			sh->owner[i] = w;
	for (i = 0; i < n; i++)
		sh->cost[i] = 1.0;
	shards_assign(sh, NULL, balanced, pool);
	shards_swap(sh);
	return 0;
}

void shards_release(struct shards *sh)
{
	free(sh->owner);
	free(sh->next_owner);
	free(sh->list);
	free(sh->next_list);
	free(sh->start);
	free(sh->next_start);
	free(sh->cost);
	free(sh->in_pool);
	free(sh->pool);
	free(sh->load);
	free(sh->order);
	free(sh->keys);
	memset(sh, 0, sizeof(*sh));
}

/* owner[] into shards: a counting sort, so that each shard lists its networks in index order */
static void build_lists(const int *owner, int *list, int *start, int workers, int n)
{
	int w, i;

	for (w = 0; w <= workers; w++)
		start[w] = 0;
	for (i = 0; i < n; i++)
		start[owner[i] + 1]++;
	for (w = 0; w < workers; w++)
		start[w + 1] += start[w];
	/* each start[w] runs to the end of its shard, then all move back by one */
	for (i = 0; i < n; i++)
		list[start[owner[i]]++] = i;
	for (w = workers; w > 0; w--)
		start[w] = start[w - 1];
	start[0] = 0;
}

/*
 * Longest processing time first over the children predicted heaviest, each staying with its
 * parent's worker while that worker is within STAY_TOLERANCE of the least loaded; the pool
 * (the predicted lightest) spread by count, also staying with the parent's worker where the
 * counts allow.
 */
static void assign_balanced(struct shards *sh, const struct child_plan *plan, int pool)
{
	int n = sh->n, k = pool ? pool_size(n, sh->workers) : 0, m = n - k, i;
	const int *prefer = plan ? sh->next_owner : NULL;
	double total = 0;

	for (i = 0; plan && i < n; i++)
		sh->next_owner[i] = sh->owner[plan[i].a];
	balance_order(sh->cost, n, sh->keys, sh->order);
	for (i = 0; i < m; i++)
		total += sh->cost[sh->order[i]];
	/* prefer is next_owner itself: each item's preference is read before it is written */
	balance_lpt(sh->cost, sh->order, m, sh->workers, prefer,
		    (k ? STAY_TOLERANCE_POOLED : STAY_TOLERANCE) * total / sh->workers, sh->next_owner, sh->load);
	/* the pool's networks are evaluated wherever: their owners matter only for the counts
	   that mutate and prepare see, which may differ by a quarter of a worker's share */
	balance_lpt(NULL, sh->order + m, k, sh->workers, prefer, k / (4.0 * sh->workers), sh->next_owner,
		    sh->load);
	memset(sh->in_pool, 0, (size_t)n);
	for (i = m; i < n; i++) {
		sh->in_pool[sh->order[i]] = 1;
		sh->pool[i - m] = sh->order[i];
	}
	sh->n_pool = k;
}

void shards_assign(struct shards *sh, const struct child_plan *plan, int balanced, int pool)
{
	if (balanced) {
		assign_balanced(sh, plan, pool);
	} else {
		memcpy(sh->next_owner, sh->owner, (size_t)sh->n * sizeof(*sh->owner));
		sh->n_pool = 0;
	}
	build_lists(sh->next_owner, sh->next_list, sh->next_start, sh->workers, sh->n);
}

static void swap_ints(int **a, int **b)
{
	int *t = *a;

	*a = *b;
	*b = t;
}

void shards_swap(struct shards *sh)
{
	swap_ints(&sh->owner, &sh->next_owner);
	swap_ints(&sh->list, &sh->next_list);
	swap_ints(&sh->start, &sh->next_start);
}
