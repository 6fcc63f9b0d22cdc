/*
 * Genome storage: sorted node and connection arrays and the operations that keep them
 * valid (insert, remove, look up, reachability), plus the invariant checker tests use.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/config.h"
#include "engine/net.h"
#include "engine/rng.h"

void net_init(struct net *n)
{
	memset(n, 0, sizeof(*n));
}

static void plan_release(struct plan *p)
{
	free(p->order);
	free(p->start);
	free(p->src);
	free(p->w);
	free(p->conn_slot);
	memset(p, 0, sizeof(*p));
}

void net_release(struct net *n)
{
	free(n->nodes);
	free(n->conns);
	free(n->weights);
	plan_release(&n->plan);
	net_init(n);
}

/* Grow *buf to hold at least want items of size sz, doubling; 0 or -ENOMEM. */
static int grow(void **buf, size_t *cap, size_t want, size_t sz)
{
	size_t c = *cap ? *cap : 8;
	void *nb;

	if (want <= *cap)
		return 0;
	while (c < want)
		c *= 2;
	nb = realloc(*buf, c * sz);
	if (!nb)
		return -ENOMEM;
	*buf = nb;
	*cap = c;
	return 0;
}

int net_reserve(struct net *n, size_t nodes, size_t conns)
{
	if (grow((void **)&n->nodes, &n->cap_nodes, nodes, sizeof(*n->nodes)))
		return -ENOMEM;
	return grow((void **)&n->conns, &n->cap_conns, conns, sizeof(*n->conns));
}

/* Make room in a plan for n_order nodes, n_edges edges and n_conns connections. */
int plan_reserve(struct plan *p, size_t n_order, size_t n_edges, size_t n_conns)
{
	size_t cn = p->cap_nodes, ce = p->cap_edges, cc = p->cap_conns;

	if (grow((void **)&p->order, &cn, n_order, sizeof(*p->order)) ||
	    grow((void **)&p->src, &ce, n_edges, sizeof(*p->src)) ||
	    grow((void **)&p->conn_slot, &cc, n_conns, sizeof(*p->conn_slot)))
		return -ENOMEM;
	/* start[] and w[] follow the capacities of order[] and src[] */
	if (cn != p->cap_nodes || !p->start) {
		uint32_t *st = realloc(p->start, (cn + 1) * sizeof(*st));

		if (!st)
			return -ENOMEM;
		p->start = st;
		p->cap_nodes = cn;
	}
	if (ce != p->cap_edges || !p->w) {
		float *w = realloc(p->w, ce * sizeof(*w));

		if (!w)
			return -ENOMEM;
		p->w = w;
		p->cap_edges = ce;
	}
	p->cap_conns = cc;
	return 0;
}

static int plan_copy(struct plan *dst, const struct plan *src, uint32_t n_conns)
{
	if (plan_reserve(dst, src->n_order, src->n_edges, n_conns))
		return -ENOMEM;
	memcpy(dst->order, src->order, src->n_order * sizeof(*src->order));
	memcpy(dst->start, src->start, (src->n_order + 1) * sizeof(*src->start));
	memcpy(dst->src, src->src, src->n_edges * sizeof(*src->src));
	memcpy(dst->w, src->w, src->n_edges * sizeof(*src->w));
	memcpy(dst->conn_slot, src->conn_slot, n_conns * sizeof(*src->conn_slot));
	dst->n_order = src->n_order;
	dst->n_edges = src->n_edges;
	dst->valid = 1;
	dst->weights_dirty = src->weights_dirty;
	return 0;
}

/* Copy src into dst, reusing dst's arrays; a valid plan is copied rather than rebuilt. */
int net_copy(struct net *dst, const struct net *src)
{
	dst->mode = src->mode;
	dst->fitness = src->fitness;
	dst->origin = src->origin;
	dst->elite = src->elite;
	dst->n_in = src->n_in;
	dst->n_out = src->n_out;
	dst->hidden = src->hidden;
	if (src->mode == MODE_STATIC) {
		if (dst->n_weights != src->n_weights) {
			float *w = realloc(dst->weights, src->n_weights * sizeof(*w));

			if (!w)
				return -ENOMEM;
			dst->weights = w;
			dst->n_weights = src->n_weights;
		}
		memcpy(dst->weights, src->weights, src->n_weights * sizeof(*src->weights));
		return 0;
	}
	if (net_reserve(dst, src->n_nodes, src->n_conns))
		return -ENOMEM;
	memcpy(dst->nodes, src->nodes, src->n_nodes * sizeof(*src->nodes));
	memcpy(dst->conns, src->conns, src->n_conns * sizeof(*src->conns));
	dst->n_nodes = src->n_nodes;
	dst->n_conns = src->n_conns;
	dst->plan.valid = 0;
	if (src->plan.valid)
		return plan_copy(&dst->plan, &src->plan, src->n_conns);
	return 0;
}

/* index of the first node whose id is >= id */
static size_t node_lower_bound(const struct net *n, uint32_t id)
{
	size_t lo = 0, hi = n->n_nodes;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (n->nodes[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

long net_find_node(const struct net *n, uint32_t id)
{
	size_t i = node_lower_bound(n, id);

	return i < n->n_nodes && n->nodes[i].id == id ? (long)i : -1;
}

/* index of the first connection whose innovation is >= key */
static size_t conn_lower_bound(const struct net *n, uint64_t key)
{
	size_t lo = 0, hi = n->n_conns;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (conn_innovation(&n->conns[mid]) < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

long net_find_conn(const struct net *n, uint32_t in, uint32_t out)
{
	uint64_t key = (uint64_t)in << 32 | out;
	size_t i = conn_lower_bound(n, key);

	return i < n->n_conns && conn_innovation(&n->conns[i]) == key ? (long)i : -1;
}

int net_insert_node(struct net *n, uint32_t id, enum node_kind kind)
{
	size_t lo = node_lower_bound(n, id);

	if (lo < n->n_nodes && n->nodes[lo].id == id)
		return -EEXIST;
	if (net_reserve(n, n->n_nodes + 1, 0))
		return -ENOMEM;
	memmove(&n->nodes[lo + 1], &n->nodes[lo], (n->n_nodes - lo) * sizeof(*n->nodes));
	n->nodes[lo] = (struct node_gene){ .id = id, .kind = (uint8_t)kind };
	n->n_nodes++;
	n->plan.valid = 0;
	return 0;
}

int net_insert_conn(struct net *n, uint32_t in, uint32_t out, float weight, int enabled)
{
	uint64_t key = (uint64_t)in << 32 | out;
	size_t i = conn_lower_bound(n, key);

	if (i < n->n_conns && conn_innovation(&n->conns[i]) == key)
		return -EEXIST;
	if (net_reserve(n, 0, n->n_conns + 1))
		return -ENOMEM;
	memmove(&n->conns[i + 1], &n->conns[i], (n->n_conns - i) * sizeof(*n->conns));
	n->conns[i] = (struct conn_gene){ .in = in, .out = out, .weight = weight,
					  .enabled = (uint8_t)!!enabled };
	n->n_conns++;
	n->plan.valid = 0;
	return 0;
}

void net_remove_conn_at(struct net *n, size_t i)
{
	memmove(&n->conns[i], &n->conns[i + 1], (n->n_conns - i - 1) * sizeof(*n->conns));
	n->n_conns--;
	n->plan.valid = 0;
}

/*
 * Remove the hidden node with this id and every connection touching it. The node is found
 * by id, never by comparing contents: two nodes with equal weights are different nodes
 * (the study's prune bug removed the first equal one).
 */
int net_remove_node(struct net *n, uint32_t id)
{
	long at = net_find_node(n, id);
	size_t i, kept = 0;

	if (at < 0)
		return -ENOENT;
	if (n->nodes[at].kind != NODE_HIDDEN)
		return -EINVAL;
	memmove(&n->nodes[at], &n->nodes[at + 1], (n->n_nodes - (size_t)at - 1) * sizeof(*n->nodes));
	n->n_nodes--;
	for (i = 0; i < n->n_conns; i++)
		if (n->conns[i].in != id && n->conns[i].out != id)
			n->conns[kept++] = n->conns[i];
	n->n_conns = (uint32_t)kept;
	n->plan.valid = 0;
	return 0;
}

/*
 * Is there a directed path from -> to over all connections, enabled or not (a disabled one
 * may be enabled later, so it counts against cycles too)? Outgoing connections of a node are
 * contiguous because connections are sorted by (in, out).
 */
int net_path_exists(const struct net *n, uint32_t from, uint32_t to)
{
	uint32_t stack_buf[256];
	uint8_t seen_buf[256];
	uint32_t *stack = stack_buf;
	uint8_t *seen = seen_buf;
	size_t top = 0, nn = n->n_nodes;
	int found = 0;

	if (from == to)
		return 1;
	if (net_find_node(n, from) < 0)
		return 0;     /* no such node: no path from it */
	if (nn > 256) {
		stack = malloc(nn * sizeof(*stack));
		seen = calloc(nn, 1);
		if (!stack || !seen) {
			free(stack);
			free(seen);
			return 1;   /* cannot tell: the caller treats it as a cycle and skips */
		}
	} else {
		memset(seen, 0, nn);
	}
	stack[top++] = from;
	seen[net_find_node(n, from)] = 1;
	while (top && !found) {
		uint32_t v = stack[--top];
		size_t i = conn_lower_bound(n, (uint64_t)v << 32);

		for (; i < n->n_conns && n->conns[i].in == v; i++) {
			uint32_t w = n->conns[i].out;
			long wi;

			if (w == to) {
				found = 1;
				break;
			}
			wi = net_find_node(n, w);
			if (wi >= 0 && !seen[wi]) {
				seen[wi] = 1;
				stack[top++] = w;
			}
		}
	}
	if (stack != stack_buf) {
		free(stack);
		free(seen);
	}
	return found;
}

uint32_t net_split_id(const struct net *n, uint32_t in, uint32_t out)
{
	uint64_t k;

	for (k = 0;; k++) {
		uint64_t h = rng_mix64(((uint64_t)in << 32 | out) ^ rng_mix64(k + 0x517cc1b727220a95ULL));
		uint32_t id = (uint32_t)(h >> 32) | NODE_HIDDEN_BIT;

		if (net_find_node(n, id) < 0)
			return id;
	}
}

uint32_t net_hidden_count(const struct net *n)
{
	return n->n_nodes - n->n_in - 1 - n->n_out;
}

/* inputs 0..n_in-1, bias n_in, outputs n_in+1.., all inputs wired to all outputs */
int net_dynamic_minimal(struct net *n, uint32_t n_in, uint32_t n_out)
{
	uint32_t i, o, k = 0;

	n->mode = MODE_DYNAMIC;
	n->n_in = n_in;
	n->n_out = n_out;
	if (net_reserve(n, n_in + 1 + n_out, (n_in + 1) * n_out))
		return -ENOMEM;
	for (i = 0; i < n_in + 1 + n_out; i++)
		n->nodes[i] = (struct node_gene){
			.id = i,
			.kind = i < n_in ? NODE_INPUT : i == n_in ? NODE_BIAS : NODE_OUTPUT,
		};
	n->n_nodes = n_in + 1 + n_out;
	for (i = 0; i <= n_in; i++)
		for (o = 0; o < n_out; o++)
			n->conns[k++] = (struct conn_gene){ .in = i, .out = n_in + 1 + o,
							    .weight = 0.0f, .enabled = 1 };
	n->n_conns = k;
	n->plan.valid = 0;
	return 0;
}

static int fail(char *why, size_t len, const char *msg, unsigned long a)
{
	if (why && len)
		snprintf(why, len, msg, a);
	return -EINVAL;
}

/* Kahn's algorithm over all connections: 0 if acyclic. */
static int check_acyclic(const struct net *n, char *why, size_t len)
{
	uint32_t *indeg = calloc(n->n_nodes + 1, sizeof(*indeg));
	uint32_t *queue = malloc((n->n_nodes + 1) * sizeof(*queue));
	size_t head = 0, tail = 0, i, done = 0;
	int rc = 0;

	if (!indeg || !queue) {
		rc = fail(why, len, "out of memory%lu", 0);
		goto out;
	}
	for (i = 0; i < n->n_conns; i++)
		indeg[net_find_node(n, n->conns[i].out)]++;
	for (i = 0; i < n->n_nodes; i++)
		if (!indeg[i])
			queue[tail++] = (uint32_t)i;
	while (head < tail) {
		uint32_t v = n->nodes[queue[head++]].id;
		size_t c = conn_lower_bound(n, (uint64_t)v << 32);

		done++;
		for (; c < n->n_conns && n->conns[c].in == v; c++) {
			long w = net_find_node(n, n->conns[c].out);

			if (--indeg[w] == 0)
				queue[tail++] = (uint32_t)w;
		}
	}
	if (done != n->n_nodes)
		rc = fail(why, len, "cycle through %lu nodes", n->n_nodes - done);
out:
	free(indeg);
	free(queue);
	return rc;
}

/* Every invariant of DESIGN.md for a dynamic genome: 0, or -EINVAL and why. */
int net_check(const struct net *n, char *why, size_t len)
{
	uint32_t i, fixed = n->n_in + 1 + n->n_out;

	if (n->mode != MODE_DYNAMIC)
		return 0;
	if (n->n_nodes < fixed)
		return fail(why, len, "only %lu nodes", n->n_nodes);
	for (i = 0; i < n->n_nodes; i++) {
		const struct node_gene *g = &n->nodes[i];
		int want = i < n->n_in ? NODE_INPUT : i == n->n_in ? NODE_BIAS :
			   i < fixed ? NODE_OUTPUT : NODE_HIDDEN;

		if (i < fixed && g->id != i)
			return fail(why, len, "fixed node %lu has a wrong id", i);
		if (g->kind != want)
			return fail(why, len, "node %lu has a wrong kind", i);
		if (i >= fixed && !(g->id & NODE_HIDDEN_BIT))
			return fail(why, len, "hidden node %lu lacks the hidden bit", i);
		if (i && n->nodes[i - 1].id >= g->id)
			return fail(why, len, "node ids not strictly increasing at %lu", i);
	}
	for (i = 0; i < n->n_conns; i++) {
		const struct conn_gene *c = &n->conns[i];
		long a = net_find_node(n, c->in), b = net_find_node(n, c->out);

		if (i && conn_innovation(&n->conns[i - 1]) >= conn_innovation(c))
			return fail(why, len, "duplicate or unsorted connection at %lu", i);
		if (a < 0 || b < 0)
			return fail(why, len, "connection %lu has a dangling endpoint", i);
		if (n->nodes[b].kind == NODE_INPUT || n->nodes[b].kind == NODE_BIAS)
			return fail(why, len, "connection %lu enters an input", i);
	}
	return check_acyclic(n, why, len);
}

void mlp_shape_of(struct mlp_shape *s, uint32_t n_in, uint32_t hidden, uint32_t n_out)
{
	s->n_in = n_in;
	s->hidden = hidden;
	s->n_out = n_out;
	s->w1 = 0;
	s->b1 = s->w1 + hidden * n_in;
	s->w2 = s->b1 + hidden;
	s->b2 = s->w2 + hidden * hidden;
	s->w3 = s->b2 + hidden;
	s->b3 = s->w3 + n_out * hidden;
	s->total = s->b3 + n_out;
}

int net_static_alloc(struct net *n, uint32_t n_in, uint32_t hidden, uint32_t n_out)
{
	struct mlp_shape s;

	mlp_shape_of(&s, n_in, hidden, n_out);
	n->mode = MODE_STATIC;
	n->n_in = n_in;
	n->n_out = n_out;
	n->hidden = hidden;
	n->weights = calloc(s.total, sizeof(*n->weights));
	if (!n->weights)
		return -ENOMEM;
	n->n_weights = s.total;
	return 0;
}
