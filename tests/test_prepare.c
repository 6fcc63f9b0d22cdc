/*
 * Unit tests for engine/prepare.c: plans are topological and hold exactly the enabled
 * connections; the cache refreshes weights in place and rebuilds only after structural
 * change, matching a fresh rebuild; net_forward_dynamic against hand-computed values.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/engine.h"
#include "engine/rng.h"

#define H(k) (NODE_HIDDEN_BIT | (uint32_t)(k))

static void busy_config(struct evo_config *cfg)
{
	evo_config_defaults(cfg);
	cfg->seed = 7;
	cfg->p_weights = 0.8;
	cfg->p_add_conn = 0.6;
	cfg->p_add_node = 0.3;
	cfg->p_toggle = 0.3;
	cfg->p_prune_conn = 0.1;
	cfg->p_prune_node = 0.05;
}

/*
 * The plan of a prepared network, checked against its genome: every non-input node once,
 * in an order where each edge's source is an input, the bias or an earlier node, and
 * the edges exactly the enabled connections with their weights.
 */
static void check_plan(const struct net *n)
{
	const struct plan *p = &n->plan;
	uint32_t fixed_in = n->n_in + 1, k, e, c, enabled = 0;
	int32_t *pos = malloc(n->n_nodes * sizeof(*pos));
	uint8_t *used = calloc(p->n_edges + 1, 1);

	assert_non_null(pos);
	assert_non_null(used);
	assert_int_equal(p->valid, 1);
	assert_int_equal(p->weights_dirty, 0);
	for (k = 0; k < n->n_nodes; k++)
		pos[k] = -1;
	assert_int_equal(p->n_order, n->n_nodes - fixed_in);
	for (k = 0; k < p->n_order; k++) {
		assert_true(p->order[k] >= fixed_in && p->order[k] < n->n_nodes);
		assert_int_equal(pos[p->order[k]], -1);             /* once only */
		pos[p->order[k]] = (int32_t)k;
	}
	assert_int_equal(p->start[0], 0);
	for (k = 0; k < p->n_order; k++) {
		assert_true(p->start[k] <= p->start[k + 1]);
		for (e = p->start[k]; e < p->start[k + 1]; e++) {
			uint32_t s = p->src[e];

			assert_true(s < n->n_nodes);
			if (s >= fixed_in && !(pos[s] >= 0 && (uint32_t)pos[s] < k))
				fail_msg("edge %u into order[%u] comes from a later node", e, k);
		}
	}
	assert_int_equal(p->start[p->n_order], p->n_edges);
	for (c = 0; c < n->n_conns; c++) {
		const struct conn_gene *g = &n->conns[c];
		int32_t slot = p->conn_slot[c];
		long in = net_find_node(n, g->in), out = net_find_node(n, g->out);

		if (!g->enabled) {
			assert_int_equal(slot, -1);
			continue;
		}
		enabled++;
		assert_true(slot >= 0 && (uint32_t)slot < p->n_edges);
		assert_false(used[slot]);
		used[slot] = 1;
		assert_int_equal(p->src[slot], in);
		assert_true(p->w[slot] == g->weight);
		assert_true((uint32_t)slot >= p->start[pos[out]] &&
			    (uint32_t)slot < p->start[pos[out] + 1]);
	}
	assert_int_equal(enabled, p->n_edges);
	free(pos);
	free(used);
}

static void forward(const struct net *n, const float *in, float *out)
{
	float *act = malloc(n->n_nodes * sizeof(*act));

	assert_non_null(act);
	net_forward_dynamic(n, in, act, out);
	free(act);
}

/* the output of n on a few fixed inputs equals that of a plan rebuilt from scratch */
static void assert_matches_rebuild(const struct net *n, struct scratch *s)
{
	static const float inputs[3][6] = {
		{ 0.1f, -0.2f, 0.3f, 0.0f, 1.0f, -1.0f },
		{ 0.9f, 0.5f, -0.7f, 0.25f, -0.1f, 0.3f },
		{ -1.0f, -1.0f, -1.0f, 1.0f, 1.0f, 1.0f },
	};
	struct net fresh;
	float a[8], b[8];
	int i;

	assert_true(n->n_in <= 6 && n->n_out <= 8);
	net_init(&fresh);
	assert_int_equal(net_copy(&fresh, n), 0);
	fresh.plan.valid = 0;
	assert_int_equal(net_prepare(&fresh, 0, s), 0);
	for (i = 0; i < 3; i++) {
		forward(n, inputs[i], a);
		forward(&fresh, inputs[i], b);
		assert_memory_equal(a, b, n->n_out * sizeof(float));
	}
	net_release(&fresh);
}

static double sig(double x)
{
	return 1.0 / (1.0 + exp(-4.9 * x));
}

/*
 * 0 -> 3 1.5, 1 -> 3 3.0 (disabled), bias -> 3 -0.5, 0 -> A 0.5, 1 -> A -1.0,
 * bias -> A 0.25, A -> 3 2.0, B -> 3 0.7 (B has no enabled input), 1 -> B 9 (disabled)
 */
static void hand_net(struct net *n)
{
	static const struct { uint32_t in, out; float w; int on; } conns[] = {
		{ 0, H(1), 0.5f, 1 }, { 1, H(1), -1.0f, 1 }, { 2, H(1), 0.25f, 1 },
		{ H(1), 3, 2.0f, 1 }, { H(2), 3, 0.7f, 1 }, { 1, H(2), 9.0f, 0 },
	};
	size_t i;

	net_init(n);
	assert_int_equal(net_dynamic_minimal(n, 2, 1), 0);
	n->conns[net_find_conn(n, 0, 3)].weight = 1.5f;
	n->conns[net_find_conn(n, 1, 3)].weight = 3.0f;
	n->conns[net_find_conn(n, 1, 3)].enabled = 0;
	n->conns[net_find_conn(n, 2, 3)].weight = -0.5f;
	assert_int_equal(net_insert_node(n, H(1), NODE_HIDDEN), 0);
	assert_int_equal(net_insert_node(n, H(2), NODE_HIDDEN), 0);
	for (i = 0; i < sizeof(conns) / sizeof(conns[0]); i++)
		assert_int_equal(net_insert_conn(n, conns[i].in, conns[i].out, conns[i].w,
						 conns[i].on), 0);
	assert_int_equal(net_check(n, NULL, 0), 0);
}

static void test_forward_hand_computed(void **state)
{
	static const float cases[][2] = {
		{ 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 }, { 0.3f, -0.8f }, { -2.0f, 0.5f },
	};
	struct scratch s = { 0 };
	struct net n;
	size_t i;

	(void)state;
	hand_net(&n);
	assert_int_equal(net_prepare(&n, 1, &s), 0);
	check_plan(&n);
	assert_int_equal(n.plan.n_order, 3);
	assert_int_equal(n.plan.n_edges, 7);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double x0 = cases[i][0], x1 = cases[i][1];
		double a = sig(0.5 * x0 - 1.0 * x1 + 0.25), b = sig(0.0);
		double want = sig(1.5 * x0 - 0.5 + 2.0 * a + 0.7 * b);
		float out;

		forward(&n, cases[i], &out);
		assert_float_equal(out, want, 1e-5);
	}
	/* with every weight 0 the output is exactly 1/2 */
	for (i = 0; i < n.n_conns; i++)
		n.conns[i].weight = 0.0f;
	n.plan.weights_dirty = 1;
	assert_int_equal(net_prepare(&n, 1, &s), 0);
	{
		float out;

		forward(&n, cases[3], &out);
		assert_true(out == 0.5f);
	}
	net_release(&n);
	scratch_release(&s);
}

/* the minimal 2-1 network: out = sig(w0 x0 + w1 x1 + wb) */
static void test_forward_minimal(void **state)
{
	struct scratch s = { 0 };
	struct net n;
	float in[2] = { 0.5f, -0.25f }, out;

	(void)state;
	net_init(&n);
	assert_int_equal(net_dynamic_minimal(&n, 2, 1), 0);
	n.conns[0].weight = 0.8f;
	n.conns[1].weight = 0.4f;
	n.conns[2].weight = -0.1f;
	assert_int_equal(net_prepare(&n, 0, &s), 0);
	assert_int_equal(n.plan.n_order, 1);
	forward(&n, in, &out);
	assert_float_equal(out, sig(0.8 * 0.5 - 0.4 * 0.25 - 0.1), 1e-6);
	net_release(&n);
	scratch_release(&s);
}

static void test_cache_weight_change_in_place(void **state)
{
	struct evo_config cfg;
	struct scratch s = { 0 };
	struct net n;
	uint64_t built;
	int g;

	(void)state;
	hand_net(&n);
	assert_int_equal(net_prepare(&n, 1, &s), 0);
	assert_int_equal(n.plan.rebuilds, 1);
	assert_int_equal(net_prepare(&n, 1, &s), 0);        /* nothing changed */
	assert_int_equal(n.plan.rebuilds, 1);

	/* a weight changed by hand */
	n.conns[net_find_conn(&n, H(1), 3)].weight = -4.0f;
	n.plan.weights_dirty = 1;
	assert_int_equal(net_prepare(&n, 1, &s), 0);
	assert_int_equal(n.plan.rebuilds, 1);
	check_plan(&n);
	assert_matches_rebuild(&n, &s);

	/* weight mutations only: the plan is refreshed, never rebuilt */
	evo_config_defaults(&cfg);
	cfg.p_weights = 1.0;
	cfg.p_add_conn = cfg.p_add_node = cfg.p_toggle = 0.0;
	cfg.p_prune_conn = cfg.p_prune_node = 0.0;
	built = n.plan.rebuilds;
	for (g = 0; g < 20; g++) {
		net_mutate(&n, &cfg, (uint64_t)g, 0);
		assert_int_equal(n.plan.valid, 1);
		assert_int_equal(n.plan.weights_dirty, 1);
		assert_int_equal(net_prepare(&n, 1, &s), 0);
		assert_int_equal(n.plan.rebuilds, built);
		check_plan(&n);
		assert_matches_rebuild(&n, &s);
	}
	net_release(&n);
	scratch_release(&s);
}

static void test_cache_off_rebuilds(void **state)
{
	struct scratch s = { 0 };
	struct net n;
	int i;

	(void)state;
	hand_net(&n);
	for (i = 1; i <= 4; i++) {
		assert_int_equal(net_prepare(&n, 0, &s), 0);
		assert_int_equal(n.plan.rebuilds, (uint64_t)i);
		check_plan(&n);
	}
	net_release(&n);
	scratch_release(&s);
}

/* a copy of a prepared network carries its plan: no rebuild, same outputs, own arrays */
static void test_copy_carries_plan(void **state)
{
	static const float in[2] = { 0.4f, -0.6f };
	struct scratch s = { 0 };
	struct net n, c;
	float on, oc, before;

	(void)state;
	hand_net(&n);
	assert_int_equal(net_prepare(&n, 1, &s), 0);
	net_init(&c);
	assert_int_equal(net_dynamic_minimal(&c, 6, 3), 0);   /* reused storage */
	assert_int_equal(net_copy(&c, &n), 0);
	assert_int_equal(c.plan.valid, 1);
	check_plan(&c);
	assert_int_equal(net_prepare(&c, 1, &s), 0);
	assert_int_equal(c.plan.rebuilds, 0);
	forward(&n, in, &on);
	forward(&c, in, &oc);
	assert_true(on == oc);
	before = oc;
	/* changing the original's weights leaves the copy's plan alone */
	n.conns[net_find_conn(&n, 0, 3)].weight = 5.0f;
	n.plan.weights_dirty = 1;
	assert_int_equal(net_prepare(&n, 1, &s), 0);
	forward(&n, in, &on);
	forward(&c, in, &oc);
	assert_true(oc == before);
	assert_true(on != oc);

	/* copied between a weight change and its prepare: the copy still sees the change */
	n.conns[net_find_conn(&n, H(1), 3)].weight = -3.0f;
	n.plan.weights_dirty = 1;
	assert_int_equal(net_copy(&c, &n), 0);
	assert_int_equal(net_prepare(&c, 1, &s), 0);
	check_plan(&c);
	assert_matches_rebuild(&c, &s);
	assert_int_equal(net_prepare(&n, 1, &s), 0);
	forward(&n, in, &on);
	forward(&c, in, &oc);
	assert_true(on == oc);
	net_release(&n);
	net_release(&c);
	scratch_release(&s);
}

/* ---- every structural change invalidates the plan ---- */

static void op_insert_conn(struct net *n)
{
	assert_int_equal(net_insert_conn(n, 0, H(2), -2.0f, 1), 0);
}

static void op_insert_node(struct net *n)
{
	assert_int_equal(net_insert_node(n, H(3), NODE_HIDDEN), 0);
}

static void op_remove_conn(struct net *n)
{
	net_remove_conn_at(n, (size_t)net_find_conn(n, 0, 3));
}

static void op_remove_node(struct net *n)
{
	assert_int_equal(net_remove_node(n, H(1)), 0);
}

static void mutate_only(struct net *n, size_t knob)
{
	struct evo_config cfg;
	int g;

	evo_config_defaults(&cfg);
	cfg.p_weights = cfg.p_add_conn = cfg.p_add_node = cfg.p_toggle = 0.0;
	cfg.p_prune_conn = cfg.p_prune_node = 0.0;
	*(double *)((char *)&cfg + knob) = 1.0;
	/* add-connection may miss in its tries: go on until the genome changed */
	for (g = 0; g < 50 && n->plan.valid; g++)
		net_mutate(n, &cfg, (uint64_t)g, 0);
}

static void op_toggle(struct net *n)
{
	mutate_only(n, offsetof(struct evo_config, p_toggle));
}

static void op_add_node(struct net *n)
{
	mutate_only(n, offsetof(struct evo_config, p_add_node));
}

static void op_add_conn(struct net *n)
{
	mutate_only(n, offsetof(struct evo_config, p_add_conn));
}

static void op_prune_conn(struct net *n)
{
	mutate_only(n, offsetof(struct evo_config, p_prune_conn));
}

static void op_prune_node(struct net *n)
{
	mutate_only(n, offsetof(struct evo_config, p_prune_node));
}

static void test_structure_change_invalidates(void **state)
{
	static const struct {
		const char *name;
		void (*op)(struct net *n);
	} ops[] = {
		{ "net_insert_conn", op_insert_conn },
		{ "net_insert_node", op_insert_node },
		{ "net_remove_conn_at", op_remove_conn },
		{ "net_remove_node", op_remove_node },
		{ "toggle mutation", op_toggle },
		{ "add-node mutation", op_add_node },
		{ "add-connection mutation", op_add_conn },
		{ "prune-connection mutation", op_prune_conn },
		{ "prune-node mutation", op_prune_node },
	};
	struct scratch s = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		struct net n;

		hand_net(&n);
		assert_int_equal(net_prepare(&n, 1, &s), 0);
		assert_int_equal(n.plan.rebuilds, 1);
		ops[i].op(&n);
		if (n.plan.valid)
			fail_msg("%s left the plan valid", ops[i].name);
		assert_int_equal(net_check(&n, NULL, 0), 0);
		assert_int_equal(net_prepare(&n, 1, &s), 0);
		assert_int_equal(n.plan.rebuilds, 2);
		check_plan(&n);
		assert_matches_rebuild(&n, &s);
		net_release(&n);
	}
	scratch_release(&s);
}

/*
 * Random genomes over many generations: a cached network and an uncached twin, mutated
 * alike, have valid plans and the same outputs bit for bit; the cache saves rebuilds.
 */
static void test_cache_matches_no_cache(void **state)
{
	enum { NETS = 20, GENS = 60 };
	struct evo_config cfg;
	struct scratch s = { 0 };
	uint64_t cached = 0, uncached = 0;
	int i, g;

	(void)state;
	busy_config(&cfg);
	for (i = 0; i < NETS; i++) {
		struct net a, b;
		struct rng r;
		uint32_t c;

		net_init(&a);
		net_init(&b);
		assert_int_equal(net_dynamic_minimal(&a, 6, 1), 0);
		rng_init(&r, 1, 0, (uint64_t)i, RNG_INIT);
		for (c = 0; c < a.n_conns; c++)
			a.conns[c].weight = rng_gauss(&r);
		assert_int_equal(net_copy(&b, &a), 0);
		for (g = 0; g < GENS; g++) {
			float in[6], oa, ob;
			int k;

			net_mutate(&a, &cfg, (uint64_t)g, (uint64_t)i);
			net_mutate(&b, &cfg, (uint64_t)g, (uint64_t)i);
			assert_int_equal(net_prepare(&a, 1, &s), 0);
			assert_int_equal(net_prepare(&b, 0, &s), 0);
			check_plan(&a);
			check_plan(&b);
			for (k = 0; k < 6; k++)
				in[k] = rng_uniform(&r) * 2.0f - 1.0f;
			forward(&a, in, &oa);
			forward(&b, in, &ob);
			assert_true(oa == ob);
		}
		assert_int_equal(b.plan.rebuilds, GENS);
		assert_true(a.plan.rebuilds < GENS);
		cached += a.plan.rebuilds;
		uncached += b.plan.rebuilds;
		net_release(&a);
		net_release(&b);
	}
	assert_true(cached < uncached);
	scratch_release(&s);
}

/* an enabled cycle (a genome net_check refuses) is reported, not looped over */
static void test_cycle_refused(void **state)
{
	struct scratch s = { 0 };
	struct net n;

	(void)state;
	hand_net(&n);
	assert_int_equal(net_insert_conn(&n, 3, H(2), 1.0f, 1), 0);   /* B -> 3 -> B */
	assert_int_equal(net_prepare(&n, 0, &s), -ELOOP);
	net_release(&n);
	scratch_release(&s);
}

static void test_static_nothing_to_prepare(void **state)
{
	struct scratch s = { 0 };
	struct net n;

	(void)state;
	net_init(&n);
	assert_int_equal(net_static_alloc(&n, 6, 16, 1), 0);
	assert_int_equal(net_prepare(&n, 1, &s), 0);
	assert_int_equal(net_prepare(&n, 0, &s), 0);
	assert_int_equal(n.plan.rebuilds, 0);
	net_release(&n);
	scratch_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forward_hand_computed),
		cmocka_unit_test(test_forward_minimal),
		cmocka_unit_test(test_cache_weight_change_in_place),
		cmocka_unit_test(test_cache_off_rebuilds),
		cmocka_unit_test(test_copy_carries_plan),
		cmocka_unit_test(test_structure_change_invalidates),
		cmocka_unit_test(test_cache_matches_no_cache),
		cmocka_unit_test(test_cycle_refused),
		cmocka_unit_test(test_static_nothing_to_prepare),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
