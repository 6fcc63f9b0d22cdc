/*
 * Unit tests for the synchronisation study (studies/sync_*.c) and boot_median: each mode
 * publishes and reads back the same policy; a seqlock or locked read is never torn; the ring
 * keeps what was added; a failing worker stops its team; the learners' result is the same in
 * every mode and placement; one sample's median interval holds its point.
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

#include "reports/interval.h"
#include "studies/sync.h"

#define DIM 16

static void test_boot_median(void **state)
{
	double same[8] = { 5, 5, 5, 5, 5, 5, 5, 5 }, spread[9] = { 9, 1, 8, 2, 5, 7, 3, 6, 4 };
	double bad[2] = { 1, -1 };
	struct ratio_ci c;

	(void)state;
	assert_int_equal(boot_median(same, 8, BOOT_RESAMPLES, BOOT_SEED, &c), 0);
	assert_true(c.ratio == 5 && c.lo == 5 && c.hi == 5 && c.resamples == BOOT_RESAMPLES);
	assert_int_equal(boot_median(spread, 9, BOOT_RESAMPLES, BOOT_SEED, &c), 0);
	assert_true(c.ratio == 5 && c.lo < 5 && c.hi > 5);
	assert_int_equal(ratio_ci_side(&c, 5), 0);
	assert_int_equal(ratio_ci_side(&c, 0.5), 1);
	assert_int_equal(boot_median(bad, 2, 100, 1, &c), -1);
	assert_true(isnan(c.ratio));
	assert_int_equal(boot_median(spread, 1, 100, 1, &c), 0);
	assert_true(c.ratio == 9 && c.resamples == 0);
}

/* a slot and a ring in one shared mapping */
struct pair {
	struct sync_slot slot;
	struct sync_ring ring;
	_Atomic int stop;
	int mode;                 /* what the publisher thread publishes with */
	float mem[2 * DIM + 8 * (DIM + 2)];
};

static struct pair *pair_make(void)
{
	char err[128];
	struct pair *p = sync_map(sizeof(*p), err, sizeof(err));

	assert_non_null(p);
	assert_int_equal(sync_slot_init(&p->slot, DIM, p->mem), 0);
	assert_int_equal(sync_ring_init(&p->ring, DIM, 8, p->mem + 2 * DIM), 0);
	return p;
}

static void pair_free(struct pair *p)
{
	sync_ring_destroy(&p->ring);
	sync_slot_destroy(&p->slot);
	sync_unmap(p, sizeof(*p));
}

static void test_modes_round_trip(void **state)
{
	float pol[DIM], out[DIM], obs[DIM];
	enum sync_mode m;
	unsigned long i;
	int k;

	(void)state;
	for (m = SYNC_NONE; m < SYNC_MODE_COUNT; m++) {
		struct pair *p = pair_make();

		for (k = 0; k < 3; k++) {
			for (i = 0; i < DIM; i++)
				pol[i] = (float)(k * 100 + (int)i);
			sync_publish(&p->slot, m, pol);
			assert_memory_equal(sync_read(&p->slot, m, out), pol, sizeof(pol));
			assert_memory_equal(sync_peek(&p->slot), pol, sizeof(pol));
		}
		for (i = 0; i < 11; i++) {
			memset(obs, 0, sizeof(obs));
			obs[0] = (float)i;
			sync_add(&p->ring, m, obs, 0.5f, (float)i);
			assert_int_equal(sync_sample_size(&p->ring, m), i + 1 < 8 ? i + 1 : 8);
		}
		for (i = 3; i < 11; i++) {   /* the last capacity items, each where it was put */
			assert_true(sync_item(&p->ring, i)[0] == (float)i);
			assert_true(sync_item(&p->ring, i)[DIM + 1] == (float)i);
		}
		pair_free(p);
	}
}

/* every element of a published policy is its publish number: a torn read mixes two */
static void *publisher(void *arg)
{
	struct pair *p = arg;
	enum sync_mode m = (enum sync_mode)p->mode;
	float pol[DIM];
	int k, i;

	for (k = 1; !atomic_load(&p->stop); k++) {
		for (i = 0; i < DIM; i++)
			pol[i] = (float)k;
		sync_publish(&p->slot, m, pol);
	}
	return NULL;
}

static void test_reads_never_torn(void **state)
{
	static const enum sync_mode modes[] = { SYNC_LOCKED, SYNC_SEQLOCK };
	float out[DIM];
	pthread_t th;
	int k, n, i, torn;

	(void)state;
	for (k = 0; k < 2; k++) {
		struct pair *p = pair_make();

		p->mode = (int)modes[k];
		assert_int_equal(pthread_create(&th, NULL, publisher, p), 0);
		for (n = 0, torn = 0; n < 200000; n++) {
			sync_read(&p->slot, modes[k], out);
			for (i = 1; i < DIM; i++)
				torn += out[i] != out[0];
		}
		atomic_store(&p->stop, 1);
		pthread_join(th, NULL);
		assert_int_equal(torn, 0);
		pair_free(p);
	}
}

/* worker 1 fails; the others wait on a gate that never opens until the abort */
struct failing {
	struct sync_gate gate;
	_Atomic int abort;
};

static int never(void *ctx)
{
	(void)ctx;
	return 0;
}

static int failing_worker(void *ctx, int id)
{
	struct failing *f = ctx;

	if (id == 1)
		return 7;
	return sync_gate_wait(&f->gate, never, NULL, &f->abort) == -ECANCELED ? 0 : 1;
}

static void test_team_failure(void **state)
{
	char err[256];
	int processes;

	(void)state;
	for (processes = 0; processes < 2; processes++) {
		struct failing *f = sync_map(sizeof(*f), err, sizeof(err));

		assert_non_null(f);
		assert_int_equal(sync_team_run(3, processes, failing_worker, f, &f->abort, 30, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "worker 1"));
		assert_int_equal(atomic_load(&f->abort), 1);
		sync_unmap(f, sizeof(*f));
	}
}

static void run_system(const struct sync_system_config *c, enum sync_placement p, enum sync_mode m,
		       struct sync_system_result *res)
{
	char err[256] = "";

	if (sync_system_run(c, p, m, res, err, sizeof(err)))
		fail_msg("%s %s: %s", sync_placement_names[p], sync_mode_names[m], err);
}

static void test_system_same_learners_everywhere(void **state)
{
	struct sync_system_config c = { .agents = 3, .turns = 4, .epochs = 30, .dim = DIM, .ring_epochs = 2,
					.samples = 2, .sample_size = 5, .act_work = 2, .learn_work = 2,
					.seed = 9, .timeout_s = 60 };
	struct sync_system_result ref, lockd, x;
	enum sync_mode m;
	int p, learners;

	(void)state;
	run_system(&c, PLACE_SEQUENTIAL, SYNC_NONE, &ref);
	run_system(&c, PLACE_SEQUENTIAL, SYNC_LOCKED, &lockd);
	/* one thread: the actor reads exactly what was last published, whatever the mode */
	assert_true(lockd.learner_checksum == ref.learner_checksum);
	assert_true(lockd.action_checksum == ref.action_checksum);
	for (learners = 0; learners <= 2; learners += 2)
		for (p = PLACE_THREADS; p <= PLACE_PROCESSES; p++)
			for (m = SYNC_LOCKED; m < SYNC_MODE_COUNT; m++) {
				c.learners = learners;
				run_system(&c, (enum sync_placement)p, m, &x);
				assert_true(x.learner_checksum == ref.learner_checksum);
				assert_int_equal(x.workers, 1 + (learners ? learners : c.agents));
				assert_true(x.wall_ms > 0 && x.startup_ms >= 0);
			}
	c.seed = 10;                  /* the checksum does follow the experience */
	run_system(&c, PLACE_SEQUENTIAL, SYNC_NONE, &x);
	assert_true(x.learner_checksum != ref.learner_checksum);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_median),
		cmocka_unit_test(test_modes_round_trip),
		cmocka_unit_test(test_reads_never_torn),
		cmocka_unit_test(test_team_failure),
		cmocka_unit_test(test_system_same_learners_everywhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
