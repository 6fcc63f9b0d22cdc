/*
 * Tests of harness/search.c and the farm registry (farm.c): the sampler is a function of (study seed,
 * trial, parameter) alone, stays in its range, the space file is parsed and refused with a
 * message, the backend table and its name list agree, and the trials left after --resume.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness/search/search.h"

static void test_draw_is_keyed_and_in_range(void **state)
{
	struct search_space s;
	int t, i;

	(void)state;
	space_default(&s);
	for (t = 0; t < 500; t++)
		for (i = 0; i < s.n; i++) {
			double v = space_draw(&s, i, 42, t);

			assert_true(v >= s.p[i].low && v <= s.p[i].high);
			if (s.p[i].integer)
				assert_true(v == (double)(long)v);
			/* the same key gives the same value, in any order of asking */
			assert_true(v == space_draw(&s, i, 42, t));
		}
	/* another study seed or trial gives other values */
	assert_true(space_draw(&s, 0, 42, 1) != space_draw(&s, 0, 43, 1));
	assert_true(space_draw(&s, 0, 42, 1) != space_draw(&s, 0, 42, 2));
}

static void test_integer_covers_both_ends(void **state)
{
	struct search_space s = { .n = 1, .p = { { "tournament", 1, 2, 4 } } };
	int seen[5] = { 0 }, t;

	(void)state;
	for (t = 0; t < 300; t++)
		seen[(int)space_draw(&s, 0, 7, t)]++;
	assert_int_equal(seen[0] + seen[1], 0);
	assert_true(seen[2] > 0 && seen[3] > 0 && seen[4] > 0);
}

static char *write_temp(const char *text)
{
	static char path[64];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/evopar-space-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_space_file(void **state)
{
	struct search_space s;
	char err[256];
	char *path = write_temp("# a comment\np-add-node float 0.01 0.1\n\ntournament int 2 5 # inline\n");

	(void)state;
	assert_int_equal(space_load(&s, path, err, sizeof(err)), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.p[0].name, "p-add-node");
	assert_int_equal(s.p[1].integer, 1);
	assert_true(s.p[1].high == 5);
	unlink(path);
}

static void test_space_file_refused(void **state)
{
	static const char *const bad[] = {
		"no-such-option float 0 1\n",
		"p-add-node double 0 1\n",
		"p-add-node float 1 0\n",
		"p-add-node float 0\n",
		"out float 0 1\n",
	};
	struct search_space s;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *path = write_temp(bad[i]);

		err[0] = 0;
		assert_int_not_equal(space_load(&s, path, err, sizeof(err)), 0);
		assert_non_null(strstr(err, "--space"));
		unlink(path);
	}
	assert_int_not_equal(space_load(&s, "/nonexistent/space", err, sizeof(err)), 0);
}

static void test_farm_names_match_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; farm_at(i); i++) {
		assert_non_null(farm_names[i]);
		assert_string_equal(farm_names[i], farm_at(i)->name);
		assert_non_null(farm_at(i)->run);
	}
	assert_null(farm_names[i]);
}

/* the trials a backend hands out after --resume: those not recorded, in order */
static void test_next_trial_skips_recorded(void **state)
{
	struct search_options o = { .trials = 6 };
	uint8_t skip[6] = { 1, 0, 0, 1, 1, 0 };
	struct farm f = { .o = &o, .skip = skip };

	(void)state;
	assert_int_equal(farm_next_trial(&f, 0), 1);
	assert_int_equal(farm_next_trial(&f, 2), 2);
	assert_int_equal(farm_next_trial(&f, 3), 5);
	assert_int_equal(farm_next_trial(&f, 6), 6);
	memset(skip, 1, sizeof(skip));
	assert_int_equal(farm_next_trial(&f, 0), 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_draw_is_keyed_and_in_range),
		cmocka_unit_test(test_integer_covers_both_ends),
		cmocka_unit_test(test_space_file),
		cmocka_unit_test(test_space_file_refused),
		cmocka_unit_test(test_farm_names_match_table),
		cmocka_unit_test(test_next_trial_skips_recorded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
