/*
 * The host side of the GPU path: the population packed into one block as the kernel reads it
 * (gpu/packed.h), fitness and counts from what the threads return, and the same threads run
 * on the host, which is how the tests hold the kernel's code to the engine's results.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/task.h"
#include "gpu/gpu.h"
#include "gpu/packed.h"
#include "proc/clock.h"

#define WARP 32

static size_t align8(size_t x)
{
	return (x + 7) & ~(size_t)7;
}

int gpu_layout_of(struct gpu_layout *l, const struct population *p, char *err, size_t errlen)
{
	const struct evo_config *cfg = p->cfg;
	size_t at;
	int i;

	memset(l, 0, sizeof(*l));
	if (cfg->task != TASK_POLE) {
		snprintf(err, errlen, "the GPU path plays the pole task only, not %s", p->task->name);
		return -EINVAL;
	}
	l->mlp = cfg->mode == MODE_STATIC;
	l->n = p->n;
	l->episodes = cfg->episodes;
	l->steps = cfg->steps;
	l->n_in = (uint32_t)p->task->n_in;
	l->n_out = (uint32_t)p->task->n_out;
	l->states = 0;
	at = align8((size_t)cfg->episodes * POLE_STATE * sizeof(float));
	if (l->mlp) {
		mlp_shape_of(&l->shape, l->n_in, (uint32_t)cfg->hidden, l->n_out);
		l->scratch_floats = 2 * l->shape.hidden;
		l->weights = at;
		l->bytes = at + (size_t)p->n * l->shape.total * sizeof(float);
		return 0;
	}
	for (i = 0; i < p->n; i++) {
		const struct net *n = &p->nets[i];

		l->n_order += n->plan.n_order;
		l->n_start += n->plan.n_order + 1;
		l->n_edges += n->plan.n_edges;
		if (n->n_nodes > l->scratch_floats)
			l->scratch_floats = n->n_nodes;
	}
	l->nets = at;
	l->order = align8(l->nets + (size_t)p->n * sizeof(struct gpu_net));
	l->start = align8(l->order + l->n_order * sizeof(uint32_t));
	l->src = align8(l->start + l->n_start * sizeof(uint32_t));
	l->w = align8(l->src + l->n_edges * sizeof(uint32_t));
	l->bytes = align8(l->w + l->n_edges * sizeof(float));
	return 0;
}

static void pack_plans(const struct gpu_layout *l, const struct population *p, unsigned char *block)
{
	struct gpu_net *g = (struct gpu_net *)(block + l->nets);
	uint32_t *order = (uint32_t *)(block + l->order), *start = (uint32_t *)(block + l->start);
	uint32_t *src = (uint32_t *)(block + l->src), o = 0, s = 0, e = 0;
	float *w = (float *)(block + l->w);
	int i;

	for (i = 0; i < p->n; i++) {
		const struct plan *pl = &p->nets[i].plan;

		g[i] = (struct gpu_net){ .order_at = o, .start_at = s, .edge_at = e,
					 .n_order = pl->n_order };
		memcpy(order + o, pl->order, pl->n_order * sizeof(*order));
		memcpy(start + s, pl->start, (pl->n_order + 1) * sizeof(*start));
		memcpy(src + e, pl->src, pl->n_edges * sizeof(*src));
		memcpy(w + e, pl->w, pl->n_edges * sizeof(*w));
		o += pl->n_order;
		s += pl->n_order + 1;
		e += pl->n_edges;
	}
}

void gpu_pack(const struct gpu_layout *l, const struct population *p, unsigned char *block)
{
	size_t total = l->shape.total;
	int i;

	memcpy(block + l->states, p->episode_states,
	       (size_t)l->episodes * POLE_STATE * sizeof(float));
	if (!l->mlp) {
		pack_plans(l, p, block);
		return;
	}
	for (i = 0; i < p->n; i++)
		memcpy((float *)(block + l->weights) + (size_t)i * total, p->nets[i].weights,
		       total * sizeof(float));
}

void gpu_unpack(const struct gpu_layout *l, struct population *p, const int *survived,
		struct gpu_times *t)
{
	long threads = (long)l->n * l->episodes, k, w;
	double steps = 0.0, busy = 0.0;
	int i;

	for (i = 0; i < l->n; i++) {
		const int *mine = survived + (size_t)i * l->episodes;

		p->nets[i].fitness = step_pole_fitness(mine, l->episodes, l->steps);
		/* the same count the CPU's evaluate adds (engine_work_add) */
		engine_work_add((uint64_t)step_pole_work(mine, l->episodes, l->steps));
	}
	if (!t)
		return;
	/* a warp runs until its longest episode ends: its lanes are busy that long */
	for (w = 0; w < threads; w += WARP) {
		int longest = 0;

		for (k = w; k < threads && k < w + WARP; k++) {
			int s = step_pole_steps_run(survived[k], l->steps);

			steps += s;
			if (s > longest)
				longest = s;
		}
		busy += (double)longest * (double)(k - w);
	}
	t->threads = (double)threads;
	t->steps = steps;
	t->lane_use = busy > 0 ? steps / busy : 1.0;
}

int gpu_host_evaluate(struct population *p, struct gpu_times *t, char *err, size_t errlen)
{
	struct gpu_layout l;
	unsigned char *block;
	float *scratch;
	int *survived, rc;
	double t0 = proc_now_s();
	long k;

	rc = gpu_layout_of(&l, p, err, errlen);
	if (rc)
		return rc;
	block = malloc(l.bytes);
	survived = malloc((size_t)l.n * l.episodes * sizeof(int) + 1);
	scratch = malloc(l.scratch_floats * sizeof(float) + 1);
	rc = -ENOMEM;
	if (!block || !survived || !scratch) {
		snprintf(err, errlen, "host evaluation of %d networks: out of memory", p->n);
		goto release;
	}
	gpu_pack(&l, p, block);
	for (k = 0; k < (long)l.n * l.episodes; k++)
		survived[k] = gpu_packed_episode(&l, block, k, scratch);
	gpu_unpack(&l, p, survived, t);
	if (t) {
		t->kernel_ms = (proc_now_s() - t0) * 1e3;
		t->bytes_h2d = (double)l.bytes;
	}
	rc = 0;
release:
	free(scratch);
	free(survived);
	free(block);
	return rc;
}
