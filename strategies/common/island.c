/*
 * One island (see island.h): its share of the population and the transport-free half of
 * migration. islands.c moves migrants through files, islands_mpi.c through MPI messages.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/rng.h"
#include "engine/task.h"
#include "strategies/common/island.h"

void text_append(char *buf, size_t len, const char *fmt, ...)
{
	size_t at = strlen(buf);
	va_list ap;

	if (at && at + 2 < len) {
		memcpy(buf + at, "; ", 3);
		at += 2;
	}
	if (at + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + at, len - at, fmt, ap);
	va_end(ap);
}

/* Islands draw from streams of their own, apart from each other and from a plain run. */
uint64_t island_seed(uint64_t seed, int id)
{
	return rng_mix64(seed ^ (0x632be59bd9b4e019ULL * (uint64_t)(id + 1)));
}

int island_lo(int i, int k, int pop)
{
	return (int)((long long)i * pop / k);
}

int island_migrates(const struct strategy_config *cfg, int gen)
{
	return cfg->migrants > 0 && cfg->islands > 1 && (gen + 1) % cfg->migrate_every == 0;
}

static int sources_of(const struct strategy_config *cfg)
{
	if (cfg->islands < 2)
		return 0;
	return cfg->topology == TOPOLOGY_FULL ? cfg->islands - 1 : 1;
}

int island_max_immigrants(const struct strategy_config *cfg)
{
	return cfg->migrants * sources_of(cfg);
}

int island_init(struct island *isl, const struct strategy_config *run_cfg, int id, int n)
{
	int i, m = island_max_immigrants(run_cfg);

	memset(isl, 0, sizeof(*isl));
	isl->id = id;
	isl->k = run_cfg->islands;
	isl->cfg = *run_cfg;
	isl->cfg.evo.seed = island_seed(run_cfg->evo.seed, id);
	isl->cfg.evo.pop = n;
	isl->run_cfg = run_cfg;
	isl->states_gen = -1;
	isl->n_sources = sources_of(run_cfg);
	isl->rank = calloc((size_t)n, sizeof(*isl->rank));
	isl->sources = calloc((size_t)isl->n_sources + 1, sizeof(*isl->sources));
	isl->imm = calloc((size_t)m + 1, sizeof(*isl->imm));
	isl->emig = calloc((size_t)run_cfg->migrants + 1, sizeof(*isl->emig));
	if (!isl->rank || !isl->sources || !isl->imm || !isl->emig)
		return -ENOMEM;
	for (i = 0; i < m; i++)
		net_init(&isl->imm[i]);
	/* ring: island i-1; full: every other island, in order of id */
	if (isl->n_sources == 1)
		isl->sources[0] = (id + isl->k - 1) % isl->k;
	else
		for (i = 0; i < isl->n_sources; i++)
			isl->sources[i] = i < id ? i : i + 1;
	return 0;
}

void island_release(struct island *isl)
{
	int i, m = island_max_immigrants(&isl->cfg);

	for (i = 0; isl->imm && i < m; i++)
		net_release(&isl->imm[i]);
	free(isl->imm);
	free(isl->emig);
	free(isl->rank);
	free(isl->sources);
	free(isl->log);
	scratch_release(&isl->scratch);
	if (isl->owns_pop)
		population_release(&isl->pop);
}

int island_take_share(struct island *isl, const struct population *p, int lo, int hi)
{
	struct population *q = &isl->pop;
	int j, n = hi - lo;

	q->cfg = &isl->cfg.evo;
	q->task = p->task;
	q->n = n;
	q->nets = calloc((size_t)n, sizeof(*q->nets));
	q->next = calloc((size_t)n, sizeof(*q->next));
	q->plan = calloc((size_t)n, sizeof(*q->plan));
	q->episode_states = calloc((size_t)isl->cfg.evo.episodes * (size_t)p->task->state_floats + 1,
				   sizeof(float));
	isl->owns_pop = 1;
	if (!q->nets || !q->next || !q->plan || !q->episode_states)
		return -ENOMEM;
	/* a shallow move: the caller forgets these networks (a fork's copy is never touched
	   again; a rank clears its entries) */
	for (j = 0; j < n; j++)
		q->nets[j] = p->nets[lo + j];
	return 0;
}

static void island_begin(struct island *isl, int gen)
{
	isl->pop.gen = gen;
	if (isl->states_gen != gen) {
		isl->pop.task->make_states(isl->pop.episode_states, &isl->run_cfg->evo, gen);
		isl->states_gen = gen;
	}
}

int island_failed(struct island *isl, const char *what, int rc)
{
	snprintf(isl->err, sizeof(isl->err), "%s: %s", what, strerror(-rc));
	return rc;
}

int island_mutate(struct island *isl, int gen)
{
	island_begin(isl, gen);
	engine_mutate_range(&isl->pop, 0, isl->pop.n);
	return 0;
}

int island_prepare(struct island *isl, int gen)
{
	int rc;

	island_begin(isl, gen);
	rc = engine_prepare_range(&isl->pop, &isl->scratch, 0, isl->pop.n);
	return rc ? island_failed(isl, "prepare", rc) : 0;
}

int island_evaluate(struct island *isl, int gen)
{
	int rc;

	island_begin(isl, gen);
	rc = engine_evaluate_range(&isl->pop, &isl->scratch, 0, isl->pop.n);
	return rc ? island_failed(isl, "evaluate", rc) : 0;
}

/* Selection within the island: the global plan of the main process is not used. */
int island_breed(struct island *isl, int gen)
{
	int rc;

	island_begin(isl, gen);
	engine_select(&isl->pop);
	rc = engine_build_children(&isl->pop, 0, isl->pop.n);
	if (rc)
		return island_failed(isl, "resample", rc);
	population_swap(&isl->pop);
	return 0;
}

static void net_size(const struct net *n, uint32_t *nodes, uint32_t *conns)
{
	if (n->mode == MODE_STATIC) {
		*nodes = n->n_in + 1 + 2 * n->hidden + n->n_out;
		*conns = n->n_weights;
	} else {
		*nodes = n->n_nodes;
		*conns = n->n_conns;
	}
}

void island_stats(const struct island *isl, struct net_stat *st)
{
	int j;

	for (j = 0; j < isl->pop.n; j++) {
		const struct net *n = &isl->pop.nets[j];
		struct net_stat v = { .fitness = n->fitness, .origin = n->origin };

		net_size(n, &v.nodes, &v.conns);
		memcpy(&st[j], &v, sizeof(v));   /* st may sit unaligned in a message */
	}
}

void island_apply_stats(struct net *nets, const uint8_t *stats, int n, double *nodes,
			double *conns)
{
	int j;

	for (j = 0; j < n; j++) {
		struct net_stat v;

		memcpy(&v, stats + (size_t)j * sizeof(v), sizeof(v));
		nets[j].fitness = v.fitness;
		nets[j].origin = v.origin;
		*nodes += v.nodes;
		*conns += v.conns;
	}
}

/* best first; ties keep the lower index first, as selection does */
static int best_first(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;

	if (a->fitness != b->fitness)
		return a->fitness > b->fitness ? -1 : 1;
	return a->index - b->index;
}

static void island_rank(struct island *isl)
{
	int i;

	for (i = 0; i < isl->pop.n; i++)
		isl->rank[i] = (struct ranked){ isl->pop.nets[i].fitness, i };
	qsort(isl->rank, (size_t)isl->pop.n, sizeof(*isl->rank), best_first);
}

void island_pick_emigrants(struct island *isl, int gen)
{
	int i, j, m = isl->cfg.migrants, n = isl->pop.n;
	struct rng r;

	island_rank(isl);
	if (isl->cfg.migrant_select == MIGRANTS_RANDOM) {
		/* the first m steps of a Fisher-Yates shuffle over the ranked order */
		rng_init(&r, isl->cfg.evo.seed, (uint64_t)gen, 0, RNG_MIGRATE);
		for (i = 0; i < m; i++) {
			struct ranked t = isl->rank[i];

			j = i + (int)rng_below(&r, (uint32_t)(n - i));
			isl->rank[i] = isl->rank[j];
			isl->rank[j] = t;
		}
	}
	for (i = 0; i < m; i++)
		isl->emig[i] = &isl->pop.nets[isl->rank[i].index];
}

int island_fits(const struct island *isl, const struct net *n)
{
	if (n->mode != isl->cfg.evo.mode || n->n_in != (uint32_t)isl->pop.task->n_in ||
	    n->n_out != (uint32_t)isl->pop.task->n_out)
		return 0;
	return n->mode != MODE_STATIC || n->hidden == (uint32_t)isl->cfg.evo.hidden;
}

static int log_room(struct island *isl, size_t n)
{
	return strategy_text_room(&isl->log, &isl->log_cap, isl->log_len + n + 1);
}

__attribute__((format(printf, 2, 3)))
static int log_put(struct island *isl, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || log_room(isl, (size_t)n))
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(isl->log + isl->log_len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	isl->log_len += (size_t)n;
	return 0;
}

/* a fitness as the record writer writes a double (harness/records/): a decimal point always */
static int log_fitness(struct island *isl, int i, float f)
{
	char num[32];

	if (!isfinite(f))
		return log_put(isl, "%snull", i ? "," : "");
	snprintf(num, sizeof(num), "%.9g", (double)f);
	return log_put(isl, "%s%s%s", i ? "," : "", num, strpbrk(num, ".e") ? "" : ".0");
}

/*
 * One "migration" record per arrival: wall-clock time_s, seconds since the epoch (so islands
 * on other machines line up), the generation it was taken in and the one it was sent in,
 * source, destination, and each migrant's fitness as sent.
 */
int island_log_arrival(struct island *isl, int gen, int src, int sent_gen, int first, int count)
{
	struct timespec ts;
	int i, rc;

	clock_gettime(CLOCK_REALTIME, &ts);
	rc = log_put(isl, "{\"type\":\"migration\",\"time_s\":%.6f,\"gen\":%d,\"sent_gen\":%d,"
		     "\"src\":%d,\"dst\":%d,\"fitness\":[", (double)ts.tv_sec + ts.tv_nsec * 1e-9,
		     gen, sent_gen, src, isl->id);
	for (i = 0; i < count && !rc; i++)
		rc = log_fitness(isl, i, isl->imm[first + i].fitness);
	return rc ? rc : log_put(isl, "]}\n");
}

int island_replace_worst(struct island *isl)
{
	int j, rc = 0;

	if (!isl->n_imm)
		return 0;
	/* one ranking for all sources: immigrants never take each other's places */
	island_rank(isl);
	for (j = 0; j < isl->n_imm && !rc; j++) {
		struct net *slot = &isl->pop.nets[isl->rank[isl->pop.n - 1 - j].index];

		rc = net_copy(slot, &isl->imm[j]);
		slot->elite = 0;
	}
	isl->n_imm = 0;
	if (rc)
		snprintf(isl->err, sizeof(isl->err), "taking migrants: %s", strerror(-rc));
	return rc;
}

int island_config_check(const struct strategy_config *c, char *why, size_t len)
{
	int smallest = c->evo.pop / c->islands, in = island_max_immigrants(c);

	if (smallest < 2) {
		snprintf(why, len, "--islands %d leaves fewer than 2 networks per island with --pop %d",
			 c->islands, c->evo.pop);
		return -EINVAL;
	}
	if (c->migrants >= smallest) {
		snprintf(why, len, "--migrants %d: expected fewer than the %d networks of the smallest "
			 "island", c->migrants, smallest);
		return -EINVAL;
	}
	/* full: an island takes --migrants from each of the others, all in place of its worst */
	if (in >= smallest) {
		snprintf(why, len, "--topology full with --islands %d and --migrants %d brings %d "
			 "immigrants: expected fewer than the %d networks of the smallest island",
			 c->islands, c->migrants, in, smallest);
		return -EINVAL;
	}
	return 0;
}
