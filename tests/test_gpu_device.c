/*
 * Unit tests for gpu/eval.cu on a GPU: device fitness against the CPU's for the same prepared
 * networks (dynamic: the engine's; static: the same threads' code run on the host), within
 * the tolerance below, measured and printed; the device agrees with itself, run after run
 * and digest after digest. Where no GPU can run (no CUDA build, no device) every test is
 * reported as skipped, with the reason.
 *
 * Tolerance: the device computes the same IEEE operations (nvcc --fmad=false, no fused
 * multiply-adds) but its sin, cos, expf and tanhf may differ from glibc's in the last bit, and
 * an episode near a failure limit, or a long chaotic one, can turn on that bit. So: at least
 * 90% of networks with the same fitness bits, and a mean |difference| at most 0.01 (fitness
 * is in [0, 1]).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/engine.h"
#include "gpu/gpu.h"
#include "harness/device.h"

#define MIN_EQUAL_SHARE 0.90
#define MAX_MEAN_DIFF 0.01

static struct gpu *g;

static int open_gpu(void **state)
{
	char err[GPU_ERRLEN];

	(void)state;
	if (gpu_unavailable()) {
		printf("test_gpu_device: SKIPPED: %s\n", gpu_unavailable());
		return 0;
	}
	if (gpu_open(&g, err, sizeof(err))) {
		printf("test_gpu_device: %s\n", err);
		return -1;
	}
	return 0;
}

static int close_gpu(void **state)
{
	(void)state;
	gpu_close(g);
	return 0;
}

#define NEED_GPU() do { if (!g) skip(); } while (0)

struct agreement {
	int nets, equal;
	double max_diff, sum_diff;
};

static void agree(struct agreement *a, const float *cpu, const struct population *p)
{
	int i;

	for (i = 0; i < p->n; i++) {
		double d = fabs((double)p->nets[i].fitness - cpu[i]);

		a->nets++;
		a->equal += !memcmp(&p->nets[i].fitness, &cpu[i], sizeof(float));
		a->sum_diff += d;
		if (d > a->max_diff)
			a->max_diff = d;
	}
}

/* One generation: the CPU's fitness (engine, or the threads' code on the host), the GPU's. */
static void compare_generation(struct population *p, float *cpu, struct agreement *a,
			       struct gpu_times *t)
{
	struct scratch s = { 0 };
	char err[GPU_ERRLEN];
	int i;

	if (p->cfg->mode == MODE_STATIC)
		assert_int_equal(gpu_host_evaluate(p, NULL, err, sizeof(err)), 0);
	else
		assert_int_equal(engine_evaluate_range(p, &s, 0, p->n), 0);
	for (i = 0; i < p->n; i++)
		cpu[i] = p->nets[i].fitness;
	assert_int_equal(gpu_evaluate(g, p, t, err, sizeof(err)), 0);
	agree(a, cpu, p);
	for (i = 0; i < p->n; i++)
		p->nets[i].fitness = cpu[i];
	scratch_release(&s);
}

static void evolve_compare(const struct evo_config *cfg, const char *what)
{
	struct population p;
	struct scratch s = { 0 };
	struct agreement a = { 0 };
	struct gpu_times t;
	char err[ENGINE_ERRLEN];
	float *cpu = malloc((size_t)cfg->pop * sizeof(float));

	assert_non_null(cpu);
	assert_int_equal(population_init(&p, cfg, err, sizeof(err)), 0);
	for (p.gen = 0; p.gen < cfg->gens; p.gen++) {
		population_begin_generation(&p);
		engine_mutate_range(&p, 0, p.n);
		assert_int_equal(engine_prepare_range(&p, &s, 0, p.n), 0);
		compare_generation(&p, cpu, &a, &t);
		engine_select(&p);
		assert_int_equal(engine_build_children(&p, 0, p.n), 0);
		population_swap(&p);
	}
	printf("%s: GPU vs CPU: %d of %d networks bit for bit (%.4f), %d differ, max |diff| %.3g, "
	       "mean |diff| %.3g; last generation: kernel %.3f ms, lane use %.3f%s\n", what, a.equal,
	       a.nets, (double)a.equal / a.nets, a.nets - a.equal, a.max_diff, a.sum_diff / a.nets,
	       t.kernel_ms, t.lane_use, t.scratch_global > 0 ? ", scratch in global memory" : "");
	assert_true(a.equal >= MIN_EQUAL_SHARE * a.nets);
	assert_true(a.sum_diff / a.nets <= MAX_MEAN_DIFF);
	population_release(&p);
	scratch_release(&s);
	free(cpu);
}

static void test_dynamic_matches_cpu(void **state)
{
	struct evo_config cfg;

	(void)state;
	NEED_GPU();
	evo_config_defaults(&cfg);
	cfg.pop = 500;
	cfg.gens = 30;
	cfg.steps = 2000;
	cfg.p_add_node = 0.3;
	cfg.p_add_conn = 0.4;
	evolve_compare(&cfg, "dynamic");
}

/* hidden 16 keeps a thread's scratch in its local array, hidden 40 puts it in global memory */
static void test_static_matches_cpu(void **state)
{
	struct evo_config cfg;

	(void)state;
	NEED_GPU();
	evo_config_defaults(&cfg);
	cfg.mode = MODE_STATIC;
	cfg.pop = 300;
	cfg.gens = 10;
	evolve_compare(&cfg, "static, hidden 16");
	cfg.hidden = 40;
	cfg.gens = 4;
	evolve_compare(&cfg, "static, hidden 40");
}

/* The same population twice on the device: the same bits; whole evolutions: the same digest. */
static void test_repeats_itself(void **state)
{
	struct evo_config cfg;
	struct evolve_result r1, r2;
	char err[ENGINE_ERRLEN];
	int mode;

	(void)state;
	NEED_GPU();
	for (mode = MODE_DYNAMIC; mode <= MODE_STATIC; mode++) {
		evo_config_defaults(&cfg);
		cfg.mode = mode;
		cfg.pop = 400;
		cfg.gens = 15;
		assert_int_equal(device_evolve(DEVICE_CUDA, &cfg, &r1, err, sizeof(err)), 0);
		assert_int_equal(device_evolve(DEVICE_CUDA, &cfg, &r2, err, sizeof(err)), 0);
		printf("%s: GPU digest %016llx twice\n", mode ? "static" : "dynamic",
		       (unsigned long long)r1.digest);
		assert_true(r1.digest == r2.digest);
		assert_true(r1.best == r2.best);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dynamic_matches_cpu),
		cmocka_unit_test(test_static_matches_cpu),
		cmocka_unit_test(test_repeats_itself),
	};

	return cmocka_run_group_tests(tests, open_gpu, close_gpu);
}
