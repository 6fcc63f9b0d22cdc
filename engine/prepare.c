/*
 * Prepare: build a dynamic network's evaluation plan (topological order and incoming
 * edges in CSR form) where its structure changed, or refresh the plan's weights in place
 * where only weights changed. With the cache off every plan is rebuilt every generation.
 */
#include <errno.h>
#include <string.h>

#include "engine/engine.h"

/* Endpoint indices of every connection: a merge walk for sources (both arrays are sorted
 * by id), a binary search for targets. */
static void endpoint_indices(const struct net *n, uint32_t *ni, uint32_t *oi)
{
	uint32_t c, v = 0;

	for (c = 0; c < n->n_conns; c++) {
		while (n->nodes[v].id < n->conns[c].in)
			v++;
		ni[c] = v;
		oi[c] = (uint32_t)net_find_node(n, n->conns[c].out);
	}
}

static int plan_rebuild(struct net *n, struct scratch *s)
{
	struct plan *p = &n->plan;
	uint32_t nn = n->n_nodes, nc = n->n_conns, fixed_in = n->n_in + 1;
	uint32_t *ni, *oi, *indeg, *out_begin, *pos, *queue, *fill;
	uint32_t c, v, head = 0, tail = 0, k;

	if (plan_reserve(p, nn, nc, nc))
		return -ENOMEM;
	ni = scratch_get(s, (2 * (size_t)nc + 5 * (size_t)nn + 2) * sizeof(uint32_t));
	if (!ni)
		return -ENOMEM;
	oi = ni + nc;
	indeg = oi + nc;
	out_begin = indeg + nn;     /* nn + 1 entries */
	pos = out_begin + nn + 1;
	queue = pos + nn;
	fill = queue + nn;          /* nn + 1 entries */

	endpoint_indices(n, ni, oi);
	memset(indeg, 0, nn * sizeof(*indeg));
	memset(out_begin, 0, (nn + 1) * sizeof(*out_begin));
	for (c = 0; c < nc; c++) {
		out_begin[ni[c] + 1]++;
		if (n->conns[c].enabled)
			indeg[oi[c]]++;
	}
	for (v = 0; v < nn; v++)
		out_begin[v + 1] += out_begin[v];

	/* Kahn's algorithm; inputs and bias are set, not computed, so they stay out of order[] */
	for (v = 0; v < nn; v++)
		if (!indeg[v])
			queue[tail++] = v;
	p->n_order = 0;
	while (head < tail) {
		v = queue[head++];
		if (v >= fixed_in) {
			pos[v] = p->n_order;
			p->order[p->n_order++] = v;
		}
		for (c = out_begin[v]; c < out_begin[v + 1]; c++)
			if (n->conns[c].enabled && --indeg[oi[c]] == 0)
				queue[tail++] = oi[c];
	}
	if (tail != nn)
		return -ELOOP;      /* a cycle: net_check would have refused this genome */

	/* incoming edges grouped by the position of their target in order[] */
	memset(fill, 0, (p->n_order + 1) * sizeof(*fill));
	for (c = 0; c < nc; c++)
		if (n->conns[c].enabled)
			fill[pos[oi[c]] + 1]++;
	for (k = 0; k < p->n_order; k++)
		fill[k + 1] += fill[k];
	memcpy(p->start, fill, (p->n_order + 1) * sizeof(*fill));
	for (c = 0; c < nc; c++) {
		if (!n->conns[c].enabled) {
			p->conn_slot[c] = -1;
			continue;
		}
		k = fill[pos[oi[c]]]++;
		p->src[k] = ni[c];
		p->w[k] = n->conns[c].weight;
		p->conn_slot[c] = (int32_t)k;
	}
	p->n_edges = p->start[p->n_order];
	p->valid = 1;
	p->weights_dirty = 0;
	p->rebuilds++;
	return 0;
}

static void plan_refresh_weights(struct net *n)
{
	uint32_t c;

	for (c = 0; c < n->n_conns; c++)
		if (n->plan.conn_slot[c] >= 0)
			n->plan.w[n->plan.conn_slot[c]] = n->conns[c].weight;
	n->plan.weights_dirty = 0;
}

int net_prepare(struct net *n, int cache, struct scratch *s)
{
	if (n->mode == MODE_STATIC)
		return 0;
	if (cache && n->plan.valid) {
		if (n->plan.weights_dirty)
			plan_refresh_weights(n);
		return 0;
	}
	return plan_rebuild(n, s);
}

int engine_prepare_range(struct population *p, struct scratch *s, int lo, int hi)
{
	int i, rc;

	for (i = lo; i < hi; i++) {
		rc = net_prepare(&p->nets[i], p->cfg->prepare_cache, s);
		if (rc)
			return rc;
	}
	return 0;
}
