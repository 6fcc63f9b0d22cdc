/*
 * Unit tests for engine/task_pole.c: the double-pole physics against trajectories from an
 * independent implementation, mirror symmetry, the failure limits, start states, and the
 * fitness of networks whose behaviour is known.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/engine.h"
#include "engine/task.h"

#define PI 3.14159265358979323846

/*
 * Made by tests/data/pole_reference.py (Python, Stanley's CartPole::step and the Numerical
 * Recipes rk4 of his NEAT code, one RK4 step of 0.01 s per row): the state after k steps
 * from a start state under a constant force.
 */
struct checkpoint {
	int step;
	double st[POLE_STATE];
};

static const struct {
	const char *name;
	double start[POLE_STATE];
	double force;
	struct checkpoint at[4];
} trajectories[] = {
	{ "classic_push", { 0.0, 0.0, 0.07, 0.0, 0.0, 0.0 }, 10.0, {
	{   1, { 0.00048395833189532816, 0.096793446770092023, 0.069327160561094434,
		-0.13458811370541823, -0.0072667999641033839, -1.455012609347313 } },
	{  10, { 0.048438852595053067, 0.96851893463754657, 0.0017868592556759804,
		-1.3812307163991471, -0.80186171320130395, -17.241564395044023 } },
	{  50, { 1.1717354381856491, 4.3825995444906498, -1.9297071599749396,
		-8.2150557676395284, -2.4593732046414511, 23.098999585490137 } },
	{ 100, { 4.4626169999281986, 9.0213454494485941, -4.7857365370369358,
		-1.5202231894134535, -3.3974076352955587, 16.79364051278759 } },
	} },
	{ "classic_free", { 0.0, 0.0, 0.07, 0.0, 0.0, 0.0 }, 0.0, {
	{   1, { -2.4949280932231116e-06, -0.00049905399293443905, 0.070055147944568977,
		0.011031037274709126, 3.7462276830819452e-05, 0.0075018945877069121 } },
	{  10, { -0.00025292046062821776, -0.0051282156171465051, 0.075586946041961187,
		0.11320438229642969, 0.0042691328611369744, 0.096524950080620758 } },
	{  50, { -0.0088241231688926409, -0.045450001044471139, 0.25956238798186509,
		0.9889123578992669, 1.163195477241892, 13.421601210826646 } },
	{ 100, { -0.041206669058942755, 0.032199616151201753, 1.6855241666030574,
		5.7198341455040147, 5.2289677110065247, -12.157445167227261 } },
	} },
	{ "moving_pull", { 0.3, -0.4, -0.05, 0.2, 0.04, -0.3 }, -7.5, {
	{   1, { 0.29563671447518808, -0.47266071029561785, -0.047491916404121141,
		0.30168571062673122, 0.042738285377604449, 0.84824330137862969 } },
	{  10, { 0.22360942167352002, -1.1283238143571834, 0.02199171010690424,
		1.2584392543540668, 0.64061080461270636, 13.396873788928687 } },
	{  50, { -0.78696446495326755, -3.7442137201409631, 1.6686268711584742,
		7.315815723725386, 3.7615075201477017, -18.781514866880503 } },
	{ 100, { -3.4265871954141418, -7.1617993333607251, 4.8252053542989399,
		2.6781407224094376, 4.2490863162108079, -1.6120810036554192 } },
	} },
};
#define N_TRAJ (sizeof(trajectories) / sizeof(trajectories[0]))

/* 1e-9 relative, with a floor for values near zero */
static int close_to(double got, double want)
{
	return fabs(got - want) <= 1e-9 * fabs(want) + 1e-12;
}

static void test_reference_trajectories(void **state)
{
	size_t t;

	(void)state;
	for (t = 0; t < N_TRAJ; t++) {
		double st[POLE_STATE];
		int step = 0, c, i;

		memcpy(st, trajectories[t].start, sizeof(st));
		for (c = 0; c < 4; c++) {
			const struct checkpoint *cp = &trajectories[t].at[c];

			while (step < cp->step) {
				pole_rk4(st, trajectories[t].force, 0.01);
				step++;
			}
			for (i = 0; i < POLE_STATE; i++)
				if (!close_to(st[i], cp->st[i]))
					fail_msg("%s step %d state[%d]: %.17g, reference %.17g",
						 trajectories[t].name, step, i, st[i], cp->st[i]);
		}
	}
}

/* at rest and upright with no force nothing moves; a tilted pole falls its way */
static void test_derivs_signs(void **state)
{
	static const double rest[POLE_STATE] = { 0 };
	double d[POLE_STATE], tilt[POLE_STATE] = { 0, 0, 0.1, 0, 0, 0 };
	int i;

	(void)state;
	pole_derivs(rest, 0.0, d);
	for (i = 0; i < POLE_STATE; i++)
		assert_true(d[i] == 0.0);
	pole_derivs(rest, 10.0, d);
	assert_true(d[1] > 0.0);             /* the cart accelerates with the force */
	assert_true(d[3] < 0.0 && d[5] < 0.0);   /* and the poles tip back */
	pole_derivs(tilt, 0.0, d);
	assert_true(d[3] > 0.0);             /* the long pole falls further */
	assert_true(d[1] < 0.0);             /* the cart recoils ... */
	assert_true(d[5] > 0.0);             /* ... and tips the upright short pole forward */
	assert_true(d[0] == 0.0 && d[2] == 0.0 && d[4] == 0.0);
}

/* the world seen in a mirror: negated state and force give the negated trajectory */
static void test_mirror_symmetry(void **state)
{
	size_t t;

	(void)state;
	for (t = 0; t < N_TRAJ; t++) {
		double a[POLE_STATE], b[POLE_STATE];
		int i, k;

		for (i = 0; i < POLE_STATE; i++) {
			a[i] = trajectories[t].start[i];
			b[i] = -a[i];
		}
		for (k = 0; k < 100; k++) {
			pole_rk4(a, trajectories[t].force, 0.01);
			pole_rk4(b, -trajectories[t].force, 0.01);
			for (i = 0; i < POLE_STATE; i++)
				assert_true(fabs(a[i] + b[i]) <= 1e-12 * (fabs(a[i]) + 1.0));
		}
	}
}

static void test_failure_limits(void **state)
{
	static const double deg = PI / 180.0;
	static const struct {
		double x, t1, t2;
		int failed;
	} cases[] = {
		{ 0.0, 0.0, 0.0, 0 },
		{ 2.39, 0.0, 0.0, 0 }, { -2.39, 0.0, 0.0, 0 },
		{ 2.41, 0.0, 0.0, 1 }, { -2.41, 0.0, 0.0, 1 },
		{ 0.0, 35.9 * deg, 0.0, 0 }, { 0.0, -35.9 * deg, 0.0, 0 },
		{ 0.0, 36.1 * deg, 0.0, 1 }, { 0.0, -36.1 * deg, 0.0, 1 },
		{ 0.0, 0.0, 35.9 * deg, 0 }, { 0.0, 0.0, -35.9 * deg, 0 },
		{ 0.0, 0.0, 36.1 * deg, 1 }, { 0.0, 0.0, -36.1 * deg, 1 },
		{ 2.3, 35 * deg, -35 * deg, 0 },
		{ 100.0, 0.0, 0.0, 1 }, { 0.0, PI, 0.0, 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* speeds never make an episode fail */
		double st[POLE_STATE] = { cases[i].x, 50.0, cases[i].t1, -50.0, cases[i].t2, 50.0 };

		if (pole_failed(st) != cases[i].failed)
			fail_msg("case %zu (x %g, t1 %g, t2 %g): failed %d", i, cases[i].x,
				 cases[i].t1, cases[i].t2, pole_failed(st));
	}
}

static void test_start_states(void **state)
{
	struct evo_config cfg;
	float a[8 * POLE_STATE], b[8 * POLE_STATE], c[8 * POLE_STATE];
	int e;

	(void)state;
	evo_config_defaults(&cfg);
	cfg.episodes = 8;
	task_pole.make_states(a, &cfg, 3);
	task_pole.make_states(b, &cfg, 3);
	task_pole.make_states(c, &cfg, 4);
	assert_memory_equal(a, b, sizeof(a));          /* the same for every network */
	assert_memory_not_equal(a, c, sizeof(a));      /* and new each generation */
	for (e = 0; e < 8; e++) {
		const float *st = a + e * POLE_STATE;
		double d[POLE_STATE];
		int i;

		for (i = 0; i < POLE_STATE; i++)
			d[i] = st[i];
		assert_false(pole_failed(d));
		assert_true(st[5] == 0.0f);
		assert_true(fabsf(st[0]) <= 1.5f && fabsf(st[2]) <= 0.3f && fabsf(st[4]) <= 0.1f);
	}
	assert_memory_not_equal(a, a + POLE_STATE, POLE_STATE * sizeof(float));
	assert_ptr_equal(task_find("pole"), &task_pole);
	assert_ptr_equal(task_by_kind(TASK_POLE), &task_pole);
	assert_null(task_find("no such task"));
	assert_null(task_by_kind(-1));
	assert_null(task_by_kind(99));
}

/* a prepared 6-1 network whose only enabled gene is bias -> output with weight w */
static void constant_net(struct net *n, float w, struct scratch *s)
{
	uint32_t i;

	net_init(n);
	assert_int_equal(net_dynamic_minimal(n, 6, 1), 0);
	for (i = 0; i < n->n_conns; i++)
		n->conns[i].weight = 0.0f;
	n->conns[net_find_conn(n, 6, 7)].weight = w;
	assert_int_equal(net_prepare(n, 1, s), 0);
}

/* The same episodes simulated here with pole_rk4 and pole_failed under a constant force. */
static double survived_share(const float *states, int episodes, int steps, double force)
{
	double total = 0.0;
	int e, k, i;

	for (e = 0; e < episodes; e++) {
		double st[POLE_STATE];
		int alive = 0;

		for (i = 0; i < POLE_STATE; i++)
			st[i] = states[e * POLE_STATE + i];
		for (k = 0; k < steps; k++) {
			pole_rk4(st, force, 0.01);
			if (pole_failed(st))
				break;
			alive++;
		}
		total += (double)alive / steps;
	}
	return total / episodes;
}

/*
 * A network with a constant output: fitness in [0, 1], and the share of steps the same
 * episodes survive under the constant force it maps to (force = (out - 1/2) 20 N).
 */
static void test_constant_output_fitness(void **state)
{
	static const float weights[] = { -1.0f, -0.2f, 0.0f, 0.05f, 0.3f, 2.0f };
	struct evo_config cfg;
	struct scratch s = { 0 };
	float states[6 * POLE_STATE];
	size_t i;
	int pushed_out = 0;

	(void)state;
	evo_config_defaults(&cfg);
	cfg.episodes = 6;
	cfg.steps = 300;
	task_pole.make_states(states, &cfg, 0);
	for (i = 0; i < sizeof(weights) / sizeof(weights[0]); i++) {
		struct net n;
		float out = 1.0f / (1.0f + expf(-4.9f * weights[i]));    /* the network's output */
		double want = survived_share(states, cfg.episodes, cfg.steps,
					     ((double)out - 0.5) * 2.0 * 10.0);
		float f;

		constant_net(&n, weights[i], &s);
		f = task_pole.evaluate(&n, states, &cfg, &s);
		assert_true(f >= 0.0f && f <= 1.0f);
		assert_float_equal(f, want, 1e-6);
		pushed_out += f < 0.5f;
		net_release(&n);
	}
	assert_true(pushed_out > 0);     /* full force drives the cart off the track quickly */
	scratch_release(&s);
}

/* hand-made start states whose outcome is known whatever the physics' details */
static void test_known_outcomes(void **state)
{
	static const struct {
		const char *name;
		int episodes;
		float st[3][POLE_STATE];
		float want;
	} cases[] = {
		/* upright at rest with no force: an equilibrium, held for every step */
		{ "at rest", 1, { { 0, 0, 0, 0, 0, 0 } }, 1.0f },
		{ "at rest, three episodes", 3, { { 0 }, { 0 }, { 0 } }, 1.0f },
		/* past the track's end: fails on the first step */
		{ "off the track", 1, { { 3.0f, 0, 0, 0, 0, 0 } }, 0.0f },
		{ "pole down", 1, { { 0, 0, 1.0f, 0, 0, 0 } }, 0.0f },
		{ "one of each", 2, { { 0 }, { -2.6f, 0, 0, 0, 0, 0 } }, 0.5f },
	};
	struct evo_config cfg;
	struct scratch s = { 0 };
	struct net n;
	size_t i;

	(void)state;
	evo_config_defaults(&cfg);
	cfg.steps = 500;
	constant_net(&n, 0.0f, &s);          /* output exactly 1/2: zero force */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		float f;

		cfg.episodes = cases[i].episodes;
		f = task_pole.evaluate(&n, &cases[i].st[0][0], &cfg, &s);
		if (f != cases[i].want)
			fail_msg("%s: fitness %g, expected %g", cases[i].name, f, cases[i].want);
	}
	net_release(&n);
	scratch_release(&s);
}

/* with one step, every drawn start state survives it: fitness 1 for any network */
static void test_one_step_always_survived(void **state)
{
	static const float weights[] = { -3.0f, 0.0f, 3.0f };
	struct evo_config cfg;
	struct scratch s = { 0 };
	float states[16 * POLE_STATE];
	size_t i;

	(void)state;
	evo_config_defaults(&cfg);
	cfg.episodes = 16;
	cfg.steps = 1;
	task_pole.make_states(states, &cfg, 5);
	for (i = 0; i < sizeof(weights) / sizeof(weights[0]); i++) {
		struct net n;

		constant_net(&n, weights[i], &s);
		assert_true(task_pole.evaluate(&n, states, &cfg, &s) == 1.0f);
		net_release(&n);
	}
	scratch_release(&s);
}

/* a static network with all weights 0 outputs 1/2 too: the batched path agrees */
static void test_static_zero_network(void **state)
{
	static const float rest_and_off[2][POLE_STATE] = { { 0 }, { 0, 0, 0, 0, -0.7f, 0 } };
	struct evo_config cfg;
	struct scratch s = { 0 };
	struct net n;
	float states[4 * POLE_STATE], f, want;

	(void)state;
	evo_config_defaults(&cfg);
	cfg.episodes = 2;
	cfg.steps = 400;
	net_init(&n);
	assert_int_equal(net_static_alloc(&n, 6, 16, 1), 0);
	f = task_pole.evaluate(&n, &rest_and_off[0][0], &cfg, &s);
	assert_true(f == 0.5f);
	/* drawn start states: the same as the constant zero-force simulation */
	cfg.episodes = 4;
	task_pole.make_states(states, &cfg, 2);
	want = (float)survived_share(states, 4, cfg.steps, 0.0);
	f = task_pole.evaluate(&n, states, &cfg, &s);
	assert_float_equal(f, want, 1e-6);
	assert_true(f < 1.0f);               /* nobody balances a 17-degree pole with no force */
	net_release(&n);
	scratch_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_trajectories),
		cmocka_unit_test(test_derivs_signs),
		cmocka_unit_test(test_mirror_symmetry),
		cmocka_unit_test(test_failure_limits),
		cmocka_unit_test(test_start_states),
		cmocka_unit_test(test_constant_output_fitness),
		cmocka_unit_test(test_known_outcomes),
		cmocka_unit_test(test_one_step_always_survived),
		cmocka_unit_test(test_static_zero_network),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
