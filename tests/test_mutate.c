/*
 * Unit tests for engine/mutate.c: many generations of mutation keep every genome valid,
 * each kind of mutation does exactly its job, results depend on (seed, gen, index) only
 * and not on the order networks are mutated in, elites are left alone, static nets too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/engine.h"
#include "engine/rng.h"
#include "engine/serial.h"

/* every structural mutation far more often than the defaults */
static void busy_config(struct evo_config *cfg)
{
	evo_config_defaults(cfg);
	cfg->seed = 2024;
	cfg->p_weights = 0.9;
	cfg->p_add_conn = 0.7;
	cfg->p_add_node = 0.4;
	cfg->p_toggle = 0.3;
	cfg->p_prune_conn = 0.25;
	cfg->p_prune_node = 0.15;
}

/* only one kind of mutation, always */
static void only_config(struct evo_config *cfg, double *which)
{
	evo_config_defaults(cfg);
	cfg->seed = 99;
	cfg->p_weights = cfg->p_add_conn = cfg->p_add_node = 0.0;
	cfg->p_toggle = cfg->p_prune_conn = cfg->p_prune_node = 0.0;
	*which = 1.0;
}

static void minimal_random(struct net *n, uint32_t n_in, uint32_t n_out, uint64_t index)
{
	struct rng r;
	uint32_t i;

	net_init(n);
	assert_int_equal(net_dynamic_minimal(n, n_in, n_out), 0);
	rng_init(&r, 1, 0, index, RNG_INIT);
	for (i = 0; i < n->n_conns; i++)
		n->conns[i].weight = rng_gauss(&r);
}

static uint8_t *bytes_of(const struct net *n, size_t *len)
{
	uint8_t *b = malloc(serial_size(n));

	assert_non_null(b);
	*len = serial_write(n, b);
	return b;
}

static int same_bytes(const struct net *a, const struct net *b)
{
	size_t la, lb;
	uint8_t *ba = bytes_of(a, &la), *bb = bytes_of(b, &lb);
	int same = la == lb && !memcmp(ba, bb, la);

	free(ba);
	free(bb);
	return same;
}

/* what net_check does not hold but mutate promises: outputs are never sources */
static void assert_sources_not_outputs(const struct net *n)
{
	uint32_t i;

	for (i = 0; i < n->n_conns; i++) {
		long a = net_find_node(n, n->conns[i].in);

		assert_true(a >= 0);
		assert_int_not_equal(n->nodes[a].kind, NODE_OUTPUT);
	}
}

/*
 * Many networks of several shapes, many generations with every mutation frequent: the
 * genome is valid after every single mutation, and every kind of change did happen.
 */
static void test_invariants_hold(void **state)
{
	static const struct { uint32_t n_in, n_out; } shapes[] = {
		{ 6, 1 }, { 2, 1 }, { 3, 4 }, { 1, 1 },
	};
	enum { NETS = 16, GENS = 200 };
	struct evo_config cfg;
	size_t s;

	(void)state;
	busy_config(&cfg);
	for (s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
		uint32_t max_hidden = 0, hidden_drops = 0, conn_drops = 0, disabled = 0;
		uint32_t hidden_to_hidden = 0;
		int i, g;

		for (i = 0; i < NETS; i++) {
			struct net n;

			minimal_random(&n, shapes[s].n_in, shapes[s].n_out, (uint64_t)i);
			for (g = 0; g < GENS; g++) {
				uint32_t hid = net_hidden_count(&n), conns = n.n_conns, c;
				char why[160];

				net_mutate(&n, &cfg, (uint64_t)g, (uint64_t)i);
				if (net_check(&n, why, sizeof(why)))
					fail_msg("shape %u-%u net %d gen %d: %s", shapes[s].n_in,
						 shapes[s].n_out, i, g, why);
				assert_sources_not_outputs(&n);
				assert_int_equal(n.n_in, shapes[s].n_in);
				assert_int_equal(n.n_out, shapes[s].n_out);
				hidden_drops += net_hidden_count(&n) < hid;
				conn_drops += n.n_conns < conns;
				if (net_hidden_count(&n) > max_hidden)
					max_hidden = net_hidden_count(&n);
				for (c = 0; c < n.n_conns; c++) {
					disabled += !n.conns[c].enabled;
					hidden_to_hidden += (n.conns[c].in & n.conns[c].out &
							     NODE_HIDDEN_BIT) != 0;
				}
			}
			net_release(&n);
		}
		/* the test exercised what it claims to */
		assert_true(max_hidden >= 5);
		assert_true(hidden_drops > 0);
		assert_true(conn_drops > 0);
		assert_true(disabled > 0);
		assert_true(hidden_to_hidden > 0);
	}
}

/*
 * Mutation is a function of (network, seed, gen, index): a population mutated forwards
 * and one mutated backwards stay byte-identical, generation after generation.
 */
static void test_order_independent(void **state)
{
	enum { NETS = 24, GENS = 40 };
	struct net fwd[NETS], bwd[NETS], other[NETS];
	struct evo_config cfg, cfg2;
	int i, g, differ_seed = 0, differ_index = 0;

	(void)state;
	busy_config(&cfg);
	cfg2 = cfg;
	cfg2.seed = cfg.seed + 1;
	for (i = 0; i < NETS; i++) {
		minimal_random(&fwd[i], 6, 1, 0);    /* every network starts the same */
		minimal_random(&bwd[i], 6, 1, 0);
		minimal_random(&other[i], 6, 1, 0);
	}
	for (g = 0; g < GENS; g++) {
		for (i = 0; i < NETS; i++)
			net_mutate(&fwd[i], &cfg, (uint64_t)g, (uint64_t)i);
		for (i = NETS - 1; i >= 0; i--)
			net_mutate(&bwd[i], &cfg, (uint64_t)g, (uint64_t)i);
		for (i = 0; i < NETS; i += 2)                /* evens, then odds */
			net_mutate(&other[i], &cfg2, (uint64_t)g, (uint64_t)i);
		for (i = 1; i < NETS; i += 2)
			net_mutate(&other[i], &cfg2, (uint64_t)g, (uint64_t)i);
		for (i = 0; i < NETS; i++) {
			if (!same_bytes(&fwd[i], &bwd[i]))
				fail_msg("gen %d net %d: forwards and backwards differ", g, i);
			differ_seed += !same_bytes(&fwd[i], &other[i]);
		}
	}
	/* the same start, different indices or seeds: different results */
	for (i = 1; i < NETS; i++)
		differ_index += !same_bytes(&fwd[0], &fwd[i]);
	assert_int_equal(differ_index, NETS - 1);
	assert_true(differ_seed > NETS * GENS / 2);
	for (i = 0; i < NETS; i++) {
		net_release(&fwd[i]);
		net_release(&bwd[i]);
		net_release(&other[i]);
	}
}

/* a copy mutated with the same key turns out the same, whatever was mutated in between */
static void test_same_key_same_result(void **state)
{
	struct evo_config cfg;
	struct net a, b, noise;
	int g;

	(void)state;
	busy_config(&cfg);
	minimal_random(&a, 3, 2, 5);
	minimal_random(&noise, 3, 2, 6);
	for (g = 0; g < 30; g++)
		net_mutate(&a, &cfg, (uint64_t)g, 5);
	net_init(&b);
	assert_int_equal(net_copy(&b, &a), 0);
	net_mutate(&a, &cfg, 30, 5);
	for (g = 0; g < 10; g++)
		net_mutate(&noise, &cfg, 30, 5);
	net_mutate(&b, &cfg, 30, 5);
	assert_true(same_bytes(&a, &b));
	net_release(&a);
	net_release(&b);
	net_release(&noise);
}

static void test_elite_untouched(void **state)
{
	struct evo_config cfg;
	struct net n, before;
	int mode;

	(void)state;
	busy_config(&cfg);
	cfg.p_weights = 1.0;
	for (mode = 0; mode < 2; mode++) {
		net_init(&before);
		if (mode == MODE_DYNAMIC) {
			minimal_random(&n, 6, 1, 3);
		} else {
			net_init(&n);
			assert_int_equal(net_static_alloc(&n, 6, 8, 1), 0);
			n.weights[0] = 0.5f;
		}
		n.fitness = 0.75f;
		n.elite = 1;
		assert_int_equal(net_copy(&before, &n), 0);
		net_mutate(&n, &cfg, 7, 3);
		assert_int_equal(n.elite, 0);               /* the flag is cleared ... */
		before.elite = 0;
		assert_true(same_bytes(&n, &before));       /* ... and nothing else changed */
		net_mutate(&n, &cfg, 7, 3);                 /* the next mutation does act */
		assert_false(same_bytes(&n, &before));
		net_release(&n);
		net_release(&before);
	}
}

/* static networks: weights move (within the clamp), the shape never does */
static void test_static_weights_only(void **state)
{
	struct evo_config cfg;
	struct net n, before;
	uint32_t i, changed = 0, at_limit = 0;
	int g;

	(void)state;
	busy_config(&cfg);
	cfg.p_weights = 1.0;
	cfg.static_sigma = 1.0;
	net_init(&n);
	net_init(&before);
	assert_int_equal(net_static_alloc(&n, 6, 16, 1), 0);
	for (i = 0; i < n.n_weights; i++)
		n.weights[i] = i % 2 ? 7.9f : -7.9f;        /* near the clamp of +-8 */
	assert_int_equal(net_copy(&before, &n), 0);
	net_mutate(&n, &cfg, 0, 0);
	assert_int_equal(n.mode, MODE_STATIC);
	assert_int_equal(n.n_weights, before.n_weights);
	assert_int_equal(n.hidden, 16);
	assert_int_equal(n.n_in, 6);
	assert_int_equal(n.n_out, 1);
	assert_int_equal(n.n_nodes, 0);
	assert_int_equal(n.n_conns, 0);
	for (i = 0; i < n.n_weights; i++) {
		changed += n.weights[i] != before.weights[i];
		at_limit += n.weights[i] == 8.0f || n.weights[i] == -8.0f;
		assert_true(n.weights[i] >= -8.0f && n.weights[i] <= 8.0f);
	}
	assert_true(changed > n.n_weights * 9 / 10);
	assert_true(at_limit > 0);
	for (g = 1; g < 50; g++) {
		net_mutate(&n, &cfg, (uint64_t)g, 0);
		for (i = 0; i < n.n_weights; i++)
			assert_true(n.weights[i] >= -8.0f && n.weights[i] <= 8.0f);
	}
	assert_int_equal(n.n_weights, before.n_weights);
	assert_int_equal(serial_size(&n), serial_size(&before));

	/* p_weights = 0: nothing at all changes */
	assert_int_equal(net_copy(&before, &n), 0);
	cfg.p_weights = 0.0;
	net_mutate(&n, &cfg, 99, 0);
	assert_true(same_bytes(&n, &before));
	net_release(&n);
	net_release(&before);
}

/* ---- one kind of mutation at a time, on a genome with hidden nodes ---- */

static int same_structure(const struct net *a, const struct net *b)
{
	uint32_t i;

	if (a->n_nodes != b->n_nodes || a->n_conns != b->n_conns ||
	    memcmp(a->nodes, b->nodes, a->n_nodes * sizeof(*a->nodes)))
		return 0;
	for (i = 0; i < a->n_conns; i++)
		if (conn_innovation(&a->conns[i]) != conn_innovation(&b->conns[i]) ||
		    a->conns[i].enabled != b->conns[i].enabled)
			return 0;
	return 1;
}

static void check_weights(const struct net *b, const struct net *a)
{
	uint32_t i, changed = 0;

	assert_true(same_structure(b, a));
	for (i = 0; i < a->n_conns; i++)
		changed += a->conns[i].weight != b->conns[i].weight;
	assert_true(changed > a->n_conns / 2);
	assert_int_equal(a->plan.weights_dirty, 1);
}

static void check_add_conn(const struct net *b, const struct net *a)
{
	uint32_t i;

	assert_int_equal(a->n_nodes, b->n_nodes);
	assert_memory_equal(a->nodes, b->nodes, a->n_nodes * sizeof(*a->nodes));
	assert_int_equal(a->n_conns, b->n_conns + 1);
	for (i = 0; i < b->n_conns; i++) {
		long at = net_find_conn(a, b->conns[i].in, b->conns[i].out);

		assert_true(at >= 0);
		assert_true(a->conns[at].weight == b->conns[i].weight);
		assert_int_equal(a->conns[at].enabled, b->conns[i].enabled);
	}
}

static void check_add_node(const struct net *b, const struct net *a)
{
	uint32_t i, split = 0, in = 0, out = 0, id = 0;
	float w = 0.0f;

	assert_int_equal(a->n_nodes, b->n_nodes + 1);
	assert_int_equal(a->n_conns, b->n_conns + 2);
	for (i = 0; i < a->n_nodes; i++)
		if (net_find_node(b, a->nodes[i].id) < 0) {
			id = a->nodes[i].id;
			assert_int_equal(a->nodes[i].kind, NODE_HIDDEN);
		}
	assert_true(id & NODE_HIDDEN_BIT);
	/* exactly one enabled connection was disabled: the one split */
	for (i = 0; i < b->n_conns; i++) {
		long at = net_find_conn(a, b->conns[i].in, b->conns[i].out);

		assert_true(at >= 0);
		assert_true(a->conns[at].weight == b->conns[i].weight);
		if (a->conns[at].enabled != b->conns[i].enabled) {
			assert_int_equal(b->conns[i].enabled, 1);
			split++;
			in = b->conns[i].in;
			out = b->conns[i].out;
			w = b->conns[i].weight;
		}
	}
	assert_int_equal(split, 1);
	assert_int_equal(id, net_split_id(b, in, out));
	assert_true(a->conns[net_find_conn(a, in, id)].weight == 1.0f);
	assert_true(a->conns[net_find_conn(a, id, out)].weight == w);
	assert_int_equal(a->conns[net_find_conn(a, in, id)].enabled, 1);
	assert_int_equal(a->conns[net_find_conn(a, id, out)].enabled, 1);
	assert_int_equal(a->plan.valid, 0);
}

static void check_toggle(const struct net *b, const struct net *a)
{
	uint32_t i, flipped = 0;

	assert_int_equal(a->n_nodes, b->n_nodes);
	assert_int_equal(a->n_conns, b->n_conns);
	for (i = 0; i < a->n_conns; i++) {
		assert_int_equal(conn_innovation(&a->conns[i]), conn_innovation(&b->conns[i]));
		assert_true(a->conns[i].weight == b->conns[i].weight);
		flipped += a->conns[i].enabled != b->conns[i].enabled;
	}
	assert_int_equal(flipped, 1);
	assert_int_equal(a->plan.valid, 0);
}

static void check_prune_conn(const struct net *b, const struct net *a)
{
	uint32_t i;

	assert_int_equal(a->n_nodes, b->n_nodes);
	assert_int_equal(a->n_conns, b->n_conns - 1);
	for (i = 0; i < a->n_conns; i++) {
		long at = net_find_conn(b, a->conns[i].in, a->conns[i].out);

		assert_true(at >= 0);
		assert_true(a->conns[i].weight == b->conns[at].weight);
	}
	assert_int_equal(a->plan.valid, 0);
}

static void check_prune_node(const struct net *b, const struct net *a)
{
	uint32_t i, gone = 0, lost = 0;

	assert_int_equal(a->n_nodes, b->n_nodes - 1);
	for (i = 0; i < b->n_nodes; i++)
		if (net_find_node(a, b->nodes[i].id) < 0) {
			gone = b->nodes[i].id;
			assert_int_equal(b->nodes[i].kind, NODE_HIDDEN);
		}
	assert_true(gone & NODE_HIDDEN_BIT);
	/* the connections lost are exactly those touching the pruned node */
	for (i = 0; i < b->n_conns; i++) {
		int touches = b->conns[i].in == gone || b->conns[i].out == gone;

		assert_int_equal(net_find_conn(a, b->conns[i].in, b->conns[i].out) < 0, touches);
		lost += touches;
	}
	assert_int_equal(a->n_conns, b->n_conns - lost);
	assert_int_equal(a->plan.valid, 0);
}

static void test_each_kind_alone(void **state)
{
	static const struct {
		const char *name;
		size_t knob;                 /* offset of the probability set to 1 */
		void (*check)(const struct net *before, const struct net *after);
	} kinds[] = {
		{ "weights", offsetof(struct evo_config, p_weights), check_weights },
		{ "add connection", offsetof(struct evo_config, p_add_conn), check_add_conn },
		{ "add node", offsetof(struct evo_config, p_add_node), check_add_node },
		{ "toggle", offsetof(struct evo_config, p_toggle), check_toggle },
		{ "prune connection", offsetof(struct evo_config, p_prune_conn), check_prune_conn },
		{ "prune node", offsetof(struct evo_config, p_prune_node), check_prune_node },
	};
	struct evo_config busy, cfg;
	struct net base, n;
	struct scratch s = { 0 };
	size_t k;
	int g;

	(void)state;
	busy_config(&busy);
	busy.p_prune_node = 0.0;
	minimal_random(&base, 3, 2, 11);
	for (g = 0; g < 40; g++)
		net_mutate(&base, &busy, (uint64_t)g, 11);
	assert_true(net_hidden_count(&base) >= 3);
	net_init(&n);
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		int tries, done = 0;

		only_config(&cfg, (double *)((char *)&cfg + kinds[k].knob));
		/* add-connection may find no free pair in its tries: take the first key it does */
		for (tries = 0; tries < 20 && !done; tries++) {
			char why[160];

			assert_int_equal(net_copy(&n, &base), 0);
			assert_int_equal(net_prepare(&n, 1, &s), 0);
			net_mutate(&n, &cfg, 100, (uint64_t)tries);
			if (net_check(&n, why, sizeof(why)))
				fail_msg("%s: %s", kinds[k].name, why);
			if (n.n_conns == base.n_conns && n.n_nodes == base.n_nodes &&
			    kinds[k].check == check_add_conn)
				continue;
			kinds[k].check(&base, &n);
			done = 1;
		}
		if (!done)
			fail_msg("%s: never happened", kinds[k].name);
	}
	net_release(&base);
	net_release(&n);
	scratch_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invariants_hold),
		cmocka_unit_test(test_order_independent),
		cmocka_unit_test(test_same_key_same_result),
		cmocka_unit_test(test_elite_untouched),
		cmocka_unit_test(test_static_weights_only),
		cmocka_unit_test(test_each_kind_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
