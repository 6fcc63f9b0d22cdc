/*
 * The population as the GPU reads it: one block of memory (start states, then per-network
 * plan headers and the plans in CSR form, or the static weights back to back), its layout,
 * and the function each thread runs on it. Shared by gpu/eval.cu (the kernel) and
 * gpu/pack.c (the packing, and the same threads run on the host).
 */
#ifndef EVOPAR_GPU_PACKED_H
#define EVOPAR_GPU_PACKED_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "engine/step.h"

/* where each part of the block starts (bytes, 8-aligned) and what the threads need */
struct gpu_layout {
	int mlp;                   /* 1: static networks */
	int n, episodes, steps;
	uint32_t n_in, n_out;
	struct mlp_shape shape;    /* static */
	uint32_t scratch_floats;   /* per thread: a slot per node of the widest network, or
				      2 x hidden */
	size_t states;             /* episodes x POLE_STATE floats */
	size_t nets;               /* dynamic: n struct gpu_net */
	size_t order, start, src, w;   /* dynamic: the plans, one after another */
	size_t weights;            /* static: n x shape.total floats */
	size_t bytes;              /* the whole block */
	size_t n_order, n_start, n_edges;   /* dynamic: entries of order, start, src / w */
};

/* one dynamic network's plan within the block: indices into order, start and src / w */
struct gpu_net {
	uint32_t order_at, start_at, edge_at, n_order;
};

/* Network i of the packed block, as an episode reads it. */
STEP_FN void gpu_packed_net(const struct gpu_layout *l, const unsigned char *block, int i,
			    struct step_net *sn)
{
	if (l->mlp) {
		sn->mlp = 1;
		sn->shape = l->shape;
		sn->w = (const float *)(block + l->weights) + (size_t)i * l->shape.total;
	} else {
		const struct gpu_net *g = (const struct gpu_net *)(block + l->nets) + i;

		sn->mlp = 0;
		sn->plan.n_in = l->n_in;
		sn->plan.n_out = l->n_out;
		sn->plan.n_order = g->n_order;
		sn->plan.order = (const uint32_t *)(block + l->order) + g->order_at;
		sn->plan.start = (const uint32_t *)(block + l->start) + g->start_at;
		sn->plan.src = (const uint32_t *)(block + l->src) + g->edge_at;
		sn->plan.w = (const float *)(block + l->w) + g->edge_at;
	}
}

/* Thread t's work: network t / episodes plays episode t % episodes; the steps it survived. */
STEP_FN int gpu_packed_episode(const struct gpu_layout *l, const unsigned char *block, long t,
			       float *scratch)
{
	struct step_net sn;
	int e = (int)(t % l->episodes);

	memset(&sn, 0, sizeof(sn));
	gpu_packed_net(l, block, (int)(t / l->episodes), &sn);
	return step_episode(&sn, (const float *)(block + l->states) + e * POLE_STATE, l->steps,
			    scratch);
}

/* pack.c, host side */
#ifdef __cplusplus
extern "C" {
#endif
struct population;
struct gpu_times;
/* the block's layout for this population; 0, or -EINVAL with err for one the GPU cannot run */
int gpu_layout_of(struct gpu_layout *l, const struct population *p, char *err, size_t errlen);
/* the population into block (l->bytes) */
void gpu_pack(const struct gpu_layout *l, const struct population *p, unsigned char *block);
/* every network's fitness from the steps each thread survived; the steps and lane use in t */
void gpu_unpack(const struct gpu_layout *l, struct population *p, const int *survived,
		struct gpu_times *t);
#ifdef __cplusplus
}
#endif

#endif
