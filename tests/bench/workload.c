/*
 * The benchmark workloads: populations made by the engine's own phases in the order of one
 * evopar run, snapshots to restore them from, and their size for reports.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/task.h"
#include "workload.h"

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void workload_config(struct evo_config *cfg, int mode)
{
	evo_config_defaults(cfg);
	cfg->mode = mode;
}

static int workload_init(struct workload *w, const struct evo_config *cfg)
{
	int rc;

	memset(w, 0, sizeof(*w));
	w->cfg = *cfg;
	rc = population_init(&w->pop, &w->cfg, w->err, sizeof(w->err));
	return rc;
}

/* Every plan built and no elite flag left, so each network does the full work when measured. */
static int workload_settle(struct workload *w)
{
	int i, rc;

	for (i = 0; i < w->pop.n; i++)
		w->pop.nets[i].elite = 0;
	rc = engine_prepare_range(&w->pop, &w->scratch, 0, w->pop.n);
	if (rc)
		snprintf(w->err, sizeof(w->err), "prepare: %s", strerror(-rc));
	return rc;
}

static int phase_failed(struct workload *w, const char *phase, int rc)
{
	snprintf(w->err, sizeof(w->err), "generation %d, %s: %s", w->pop.gen, phase, strerror(-rc));
	return rc;
}

static int generation(struct workload *w, int evaluate)
{
	struct population *p = &w->pop;
	int rc;

	population_begin_generation(p);
	engine_mutate_range(p, 0, p->n);
	rc = engine_prepare_range(p, &w->scratch, 0, p->n);
	if (rc)
		return phase_failed(w, "prepare", rc);
	if (evaluate) {
		rc = engine_evaluate_range(p, &w->scratch, 0, p->n);
		if (rc)
			return phase_failed(w, "evaluate", rc);
	}
	engine_select(p);
	rc = engine_build_children(p, 0, p->n);
	if (rc)
		return phase_failed(w, "resample", rc);
	population_swap(p);
	p->gen++;
	return 0;
}

int workload_generation_no_eval(struct workload *w)
{
	return generation(w, 0);
}

int workload_evolve(struct workload *w, const struct evo_config *cfg, int gens)
{
	double t0 = wall_s();
	int g, rc;

	rc = workload_init(w, cfg);
	for (g = 0; !rc && g < gens; g++)
		rc = generation(w, 1);
	if (!rc)
		rc = workload_settle(w);
	w->setup_s = wall_s() - t0;
	return rc;
}

int workload_grow(struct workload *w, const struct evo_config *cfg, int gens)
{
	double t0 = wall_s();
	int g, rc;

	rc = workload_init(w, cfg);
	for (g = 0; !rc && g < gens; g++) {
		engine_mutate_range(&w->pop, 0, w->pop.n);
		w->pop.gen++;
	}
	if (!rc)
		rc = workload_settle(w);
	w->setup_s = wall_s() - t0;
	return rc;
}

int workload_snapshot(struct workload *w)
{
	int i, rc;

	if (!w->pristine) {
		w->pristine = calloc((size_t)w->pop.n, sizeof(*w->pristine));
		if (!w->pristine) {
			snprintf(w->err, sizeof(w->err), "snapshot: out of memory");
			return -ENOMEM;
		}
	}
	for (i = 0; i < w->pop.n; i++) {
		rc = net_copy(&w->pristine[i], &w->pop.nets[i]);
		if (rc) {
			snprintf(w->err, sizeof(w->err), "snapshot: out of memory");
			return rc;
		}
	}
	w->pristine_gen = w->pop.gen;
	return 0;
}

/* Back to the snapshot, reusing the population's arrays (no allocation once warm). */
int workload_restore(struct workload *w)
{
	int i, rc;

	for (i = 0; i < w->pop.n; i++) {
		rc = net_copy(&w->pop.nets[i], &w->pristine[i]);
		if (rc) {
			snprintf(w->err, sizeof(w->err), "restore: out of memory");
			return rc;
		}
	}
	w->pop.gen = w->pristine_gen;
	return 0;
}

void workload_size_of(const struct workload *w, struct workload_size *s)
{
	double nodes = 0.0, conns = 0.0;
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < w->pop.n; i++) {
		const struct net *n = &w->pop.nets[i];
		unsigned nn = n->mode == MODE_STATIC ? n->n_in + 1 + 2 * n->hidden + n->n_out : n->n_nodes;
		unsigned nc = n->mode == MODE_STATIC ? n->n_weights : n->n_conns;

		nodes += nn;
		conns += nc;
		s->max_nodes = nn > s->max_nodes ? nn : s->max_nodes;
		s->max_conns = nc > s->max_conns ? nc : s->max_conns;
	}
	s->mean_nodes = w->pop.n ? nodes / w->pop.n : 0.0;
	s->mean_conns = w->pop.n ? conns / w->pop.n : 0.0;
}

void workload_release(struct workload *w)
{
	int i;

	for (i = 0; w->pristine && i < w->pop.n; i++)
		net_release(&w->pristine[i]);
	free(w->pristine);
	population_release(&w->pop);
	scratch_release(&w->scratch);
	memset(w, 0, sizeof(*w));
}
