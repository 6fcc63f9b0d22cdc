/*
 * Mutation of one network from its own random stream (seed, generation, index): weight
 * perturbation, add connection, add node, toggle, prune connection, prune node; static
 * networks perturb their weights. No mutation can create a cycle.
 */
#include "engine/engine.h"
#include "engine/rng.h"

#define WEIGHT_LIMIT 8.0f
#define ADD_CONN_TRIES 8

static float clamp_weight(float w)
{
	return w > WEIGHT_LIMIT ? WEIGHT_LIMIT : w < -WEIGHT_LIMIT ? -WEIGHT_LIMIT : w;
}

static void perturb_weights(struct net *n, const struct evo_config *cfg, struct rng *r)
{
	float sigma = (float)cfg->weight_sigma, init = (float)cfg->weight_init;
	uint32_t i;

	for (i = 0; i < n->n_conns; i++) {
		struct conn_gene *c = &n->conns[i];

		if (rng_chance(r, cfg->p_weight_reset))
			c->weight = rng_gauss(r) * init;
		else
			c->weight = clamp_weight(c->weight + rng_gauss(r) * sigma);
	}
	n->plan.weights_dirty = 1;
}

/* A source is any node but an output; a target is an output or a hidden node. */
static void add_connection(struct net *n, const struct evo_config *cfg, struct rng *r)
{
	uint32_t n_src = n->n_nodes - n->n_out, n_dst = n->n_nodes - n->n_in - 1;
	int t;

	for (t = 0; t < ADD_CONN_TRIES; t++) {
		uint32_t si = rng_below(r, n_src), di = rng_below(r, n_dst);
		uint32_t in, out;

		/* sources: inputs and bias (0..n_in), then hidden; targets: outputs, then hidden */
		si = si <= n->n_in ? si : si + n->n_out;
		di = di + n->n_in + 1;
		in = n->nodes[si].id;
		out = n->nodes[di].id;
		if (in == out || net_find_conn(n, in, out) >= 0 || net_path_exists(n, out, in))
			continue;
		net_insert_conn(n, in, out, rng_gauss(r) * (float)cfg->weight_init, 1);
		return;
	}
}

/* Split an enabled connection a->b into a->new (weight 1) and new->b (the old weight). */
static void add_node(struct net *n, struct rng *r)
{
	uint32_t i, enabled = 0, pick, in, out, id;
	float w;

	for (i = 0; i < n->n_conns; i++)
		enabled += n->conns[i].enabled;
	if (!enabled)
		return;
	pick = rng_below(r, enabled);
	for (i = 0; i < n->n_conns; i++)
		if (n->conns[i].enabled && !pick--)
			break;
	in = n->conns[i].in;
	out = n->conns[i].out;
	w = n->conns[i].weight;
	n->conns[i].enabled = 0;
	id = net_split_id(n, in, out);
	if (net_insert_node(n, id, NODE_HIDDEN))
		return;
	net_insert_conn(n, in, id, 1.0f, 1);
	net_insert_conn(n, id, out, w, 1);
}

static void toggle_connection(struct net *n, struct rng *r)
{
	if (!n->n_conns)
		return;
	n->conns[rng_below(r, n->n_conns)].enabled ^= 1;
	n->plan.valid = 0;
}

static void prune_connection(struct net *n, struct rng *r)
{
	if (n->n_conns)
		net_remove_conn_at(n, rng_below(r, n->n_conns));
}

static void prune_node(struct net *n, struct rng *r)
{
	uint32_t hidden = net_hidden_count(n);

	if (hidden)
		net_remove_node(n, n->nodes[n->n_in + 1 + n->n_out + rng_below(r, hidden)].id);
}

static void mutate_dynamic(struct net *n, const struct evo_config *cfg, struct rng *r)
{
	if (rng_chance(r, cfg->p_weights))
		perturb_weights(n, cfg, r);
	if (rng_chance(r, cfg->p_add_conn))
		add_connection(n, cfg, r);
	if (rng_chance(r, cfg->p_add_node))
		add_node(n, r);
	if (rng_chance(r, cfg->p_toggle))
		toggle_connection(n, r);
	if (rng_chance(r, cfg->p_prune_conn))
		prune_connection(n, r);
	if (rng_chance(r, cfg->p_prune_node))
		prune_node(n, r);
}

static void mutate_static(struct net *n, const struct evo_config *cfg, struct rng *r)
{
	float sigma = (float)cfg->static_sigma;
	uint32_t i;

	if (!rng_chance(r, cfg->p_weights))
		return;
	for (i = 0; i < n->n_weights; i++)
		n->weights[i] = clamp_weight(n->weights[i] + rng_gauss(r) * sigma);
}

/* Elites were copied unchanged by resample and stay so for one mutation phase. */
void net_grow(struct net *n, struct rng *r, int nodes)
{
	int k;

	for (k = 0; k < nodes; k++)
		add_node(n, r);
}

void net_mutate(struct net *n, const struct evo_config *cfg, uint64_t gen, uint64_t index)
{
	struct rng r;

	if (n->elite) {
		n->elite = 0;
		return;
	}
	rng_init(&r, cfg->seed, gen, index, RNG_MUTATE);
	if (n->mode == MODE_STATIC)
		mutate_static(n, cfg, &r);
	else
		mutate_dynamic(n, cfg, &r);
}

void engine_mutate_range(struct population *p, int lo, int hi)
{
	int i;

	for (i = lo; i < hi; i++)
		net_mutate(&p->nets[i], p->cfg, (uint64_t)p->gen, (uint64_t)i);
}
