/*
 * The strategy registry: a static table, one line per strategy, found by name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc/proc.h"
#include "strategies/strategy.h"

extern const struct strategy_ops strategy_sequential;
extern const struct strategy_ops strategy_islands;
extern const struct strategy_ops strategy_fork_pool;
extern const struct strategy_ops strategy_persistent;
extern const struct strategy_ops strategy_threads;
extern const struct strategy_ops strategy_thread_limited;

static const struct strategy_ops *const strategies[] = {
	&strategy_sequential,
	&strategy_threads,
	&strategy_thread_limited,
	&strategy_fork_pool,
	&strategy_persistent,
	&strategy_islands,
};

const char *const phase_names[PHASE_COUNT] = { "mutate", "prepare", "evaluate", "resample" };

const struct strategy_ops *strategy_at(size_t i)
{
	return i < sizeof(strategies) / sizeof(strategies[0]) ? strategies[i] : NULL;
}

const struct strategy_ops *strategy_find(const char *name)
{
	size_t i;

	for (i = 0; strategy_at(i); i++)
		if (!strcmp(strategies[i]->name, name))
			return strategies[i];
	return NULL;
}

/* The hooks a strategy cannot do without; checked once before a run starts. */
int strategy_ops_check(const struct strategy_ops *ops, char *err, size_t errlen)
{
	if (!ops->name || !ops->summary || !ops->mutate || !ops->prepare || !ops->evaluate ||
	    !ops->resample) {
		snprintf(err, errlen, "strategy %s lacks a required hook",
			 ops->name ? ops->name : "(unnamed)");
		return -1;
	}
	return 0;
}

void strategy_request_stop(int sig)
{
	proc_stop_requested = sig;
}

int strategy_text_room(char **buf, size_t *cap, size_t need)
{
	size_t c = *cap ? *cap : 1024;
	char *b;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	b = realloc(*buf, c);
	if (!b)
		return -ENOMEM;
	*buf = b;
	*cap = c;
	return 0;
}

int strategy_add_records(struct strategy *s, const char *text, size_t len)
{
	if (strategy_text_room(&s->records, &s->records_cap, s->records_len + len + 1))
		return -ENOMEM;
	memcpy(s->records + s->records_len, text, len);
	s->records_len += len;
	s->records[s->records_len] = 0;
	return 0;
}

void strategy_config_defaults(struct strategy_config *cfg)
{
	*cfg = (struct strategy_config){
		.strategy = "sequential",
		.workers = 1,
		.chunk = 0,
		.blas_threads = 0,
		.start = START_FORK,
		.transport = TRANSPORT_PIPE,
		.worker_scope = SCOPE_MUTATE,
		.worker_timeout_s = 30.0,
		.inject_fault = NULL,
		.self_exe = NULL,
		.islands = 2,
		.island_id = -1,
		.migrate_every = 5,
		.migrants = 2,
		.migration_dir = NULL,
		.migration = MIGRATION_SYNC,
		.topology = TOPOLOGY_RING,
		.migrant_select = MIGRANTS_BEST,
	};
	evo_config_defaults(&cfg->evo);
}
