/*
 * One network of the population: a NEAT-style genome ("dynamic") or a fixed perceptron
 * ("static"), with its cached evaluation plan. Genes live in per-network arrays that grow
 * by doubling and are reused across generations, never one allocation per gene.
 */
#ifndef EVOPAR_NET_H
#define EVOPAR_NET_H

#include <stddef.h>
#include <stdint.h>

enum node_kind { NODE_INPUT, NODE_BIAS, NODE_OUTPUT, NODE_HIDDEN };

/*
 * Node ids are derived from structure: inputs, bias and outputs count from 0; a hidden node
 * made by splitting the connection a->b gets a hash of (a, b, k) with the top bit set, k the
 * smallest value giving an id the network does not yet hold. Nodes are kept sorted by id.
 */
#define NODE_HIDDEN_BIT 0x80000000u

struct node_gene {
	uint32_t id;
	uint8_t kind;              /* enum node_kind */
	uint8_t pad[3];
};

/*
 * A connection's innovation number is (in << 32 | out): a function of its endpoints alone,
 * so two networks that grow the same link agree on it whatever order they were mutated in.
 * Connections are kept sorted by innovation, which makes crossover a merge and the
 * serialisation canonical.
 */
struct conn_gene {
	uint32_t in, out;          /* node ids */
	float weight;
	uint8_t enabled;
	uint8_t pad[3];
};

static inline uint64_t conn_innovation(const struct conn_gene *c)
{
	return (uint64_t)c->in << 32 | c->out;
}

/* The evaluation plan of a dynamic network: non-input nodes in topological order, each
 * with its incoming enabled connections in CSR form over node indices. */
struct plan {
	int valid;                 /* 0: structure changed since it was built */
	int weights_dirty;         /* 1: weights changed, structure did not */
	uint32_t n_order;          /* entries of order[] */
	uint32_t n_edges;          /* entries of src[] and w[] */
	uint32_t *order;           /* node indices to compute, in order */
	uint32_t *start;           /* n_order + 1 offsets into src[] and w[] */
	uint32_t *src;             /* source node index of each edge */
	float *w;                  /* weight of each edge */
	int32_t *conn_slot;        /* per connection: its edge index, or -1 */
	size_t cap_nodes, cap_edges, cap_conns;  /* capacities: order/start, src/w, conn_slot */
	uint64_t rebuilds;         /* how many times it was rebuilt (for tests and reports) */
};

struct net {
	int mode;                  /* enum net_mode */
	float fitness;
	uint32_t origin;           /* sub-population the genome started in (0: one population) */
	uint8_t elite;             /* copied unchanged by resample: mutate leaves it alone */

	/* dynamic */
	uint32_t n_in, n_out;      /* inputs (bias excluded) and outputs */
	uint32_t n_nodes, n_conns;
	size_t cap_nodes, cap_conns;
	struct node_gene *nodes;
	struct conn_gene *conns;
	struct plan plan;

	/* static: one block [W1 b1 W2 b2 W3 b3] for an n_in-hidden-hidden-n_out perceptron */
	uint32_t hidden;
	uint32_t n_weights;
	float *weights;
};

/* layout of a static network's weights */
struct mlp_shape {
	uint32_t n_in, hidden, n_out;
	uint32_t w1, b1, w2, b2, w3, b3;   /* offsets into weights[] */
	uint32_t total;
};
void mlp_shape_of(struct mlp_shape *s, uint32_t n_in, uint32_t hidden, uint32_t n_out);

int plan_reserve(struct plan *p, size_t n_order, size_t n_edges, size_t n_conns);
void net_init(struct net *n);
void net_release(struct net *n);
int net_copy(struct net *dst, const struct net *src);

/* dynamic genome */
int net_dynamic_minimal(struct net *n, uint32_t n_in, uint32_t n_out);
long net_find_node(const struct net *n, uint32_t id);
long net_find_conn(const struct net *n, uint32_t in, uint32_t out);
int net_reserve(struct net *n, size_t nodes, size_t conns);
int net_insert_node(struct net *n, uint32_t id, enum node_kind kind);
int net_insert_conn(struct net *n, uint32_t in, uint32_t out, float weight, int enabled);
void net_remove_conn_at(struct net *n, size_t i);
int net_remove_node(struct net *n, uint32_t id);
int net_path_exists(const struct net *n, uint32_t from, uint32_t to);
uint32_t net_split_id(const struct net *n, uint32_t in, uint32_t out);
uint32_t net_hidden_count(const struct net *n);
int net_check(const struct net *n, char *why, size_t why_len);

/* static genome */
int net_static_alloc(struct net *n, uint32_t n_in, uint32_t hidden, uint32_t n_out);

#endif
