/*
 * Unit tests for strategies/common/migration.c and private_dir.c: a migrant file round-trips
 * with its run identity, runs sharing a directory never replace each other's files, a file of
 * format 1, a garbled identity or any truncation is an error with a message, and a private
 * directory is tidied only once no process holds its lock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/engine.h"
#include "engine/serial.h"
#include "strategies/common/migration.h"
#include "proc/private_dir.h"
#include "strategies/strategy.h"

#define COUNT 3

struct fixture {
	struct strategy_config cfg;
	struct population p;
	const struct net *send[COUNT];
	struct net got[COUNT];
	char dir[64];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[200];
	int i;

	assert_non_null(f);
	strategy_config_defaults(&f->cfg);
	f->cfg.evo.task = TASK_XOR;
	f->cfg.evo.pop = 8;
	assert_int_equal(population_init(&f->p, &f->cfg.evo, err, sizeof(err)), 0);
	for (i = 0; i < COUNT; i++) {
		f->p.nets[i].fitness = (float)i;
		f->send[i] = &f->p.nets[i];
		net_init(&f->got[i]);
	}
	snprintf(f->dir, sizeof(f->dir), "/tmp/evopar-test-migration-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];
	int i;

	for (i = 0; i < COUNT; i++)
		net_release(&f->got[i]);
	population_release(&f->p);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static int exists(const struct fixture *f, int island, int gen, const char *run)
{
	char path[256];

	migration_path(path, sizeof(path), f->dir, island, gen, run);
	return access(path, F_OK) == 0;
}

static void read_back(struct fixture *f, const char *run, const char *want_run)
{
	struct migration_head h;
	char path[256], err[200];

	migration_path(path, sizeof(path), f->dir, 1, 4, run);
	assert_int_equal(migration_read(path, 1, f->got, COUNT, &h, err, sizeof(err)), 0);
	assert_string_equal(h.run, want_run);
	assert_int_equal(h.gen, 4);
	assert_int_equal(h.count, COUNT);
	assert_true(f->got[2].fitness == 2.0f);
}

static void test_runs_apart(void **state)
{
	struct fixture *f = *state;
	struct migration_file *files;
	char err[200];
	int n;

	assert_int_equal(migration_write(f->dir, "runA", 1, 4, f->send, COUNT, err, sizeof(err)), 0);
	assert_true(exists(f, 1, 4, NULL));
	/* another run: the plain name stays run A's, run B's goes under its own */
	assert_int_equal(migration_write(f->dir, "runB", 1, 4, f->send, COUNT, err, sizeof(err)), 0);
	assert_true(exists(f, 1, 4, "runB"));
	read_back(f, NULL, "runA");
	read_back(f, "runB", "runB");
	/* the same run again (an earlier run of one --run-id): the plain name is replaced */
	assert_int_equal(migration_write(f->dir, "runA", 1, 4, f->send, COUNT, err, sizeof(err)), 0);
	assert_false(exists(f, 1, 4, "runA"));
	assert_int_equal(migration_list(f->dir, 1, &files, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_true(!strcmp(files[0].run, "runB") || !strcmp(files[1].run, "runB"));
	assert_true(!strcmp(files[0].run, "") || !strcmp(files[1].run, ""));
	free(files);
}

static void test_run_ids(void **state)
{
	char a[MIGRATION_RUN_BYTES], b[MIGRATION_RUN_BYTES], err[200];

	(void)state;
	migration_run_fresh(a);
	migration_run_fresh(b);
	assert_int_equal(strlen(a), 16);
	assert_string_not_equal(a, b);
	assert_int_equal(migration_run_check(a, err, sizeof(err)), 0);
	assert_int_equal(migration_run_check("seed-42_x", err, sizeof(err)), 0);
	assert_int_not_equal(migration_run_check("", err, sizeof(err)), 0);
	assert_int_not_equal(migration_run_check("a/b", err, sizeof(err)), 0);
	assert_int_not_equal(migration_run_check("a.mig", err, sizeof(err)), 0);
	assert_int_not_equal(migration_run_check("0123456789012345678901234567890123", err,
						 sizeof(err)), 0);
}

/* the written file, for the tests that spoil it */
static uint8_t *written(struct fixture *f, size_t *len)
{
	char path[256], err[200];
	uint8_t *buf;
	FILE *in;

	assert_int_equal(migration_write(f->dir, "runA", 1, 4, f->send, COUNT, err, sizeof(err)), 0);
	migration_path(path, sizeof(path), f->dir, 1, 4, NULL);
	in = fopen(path, "rb");
	assert_non_null(in);
	buf = malloc(1 << 16);
	*len = fread(buf, 1, 1 << 16, in);
	fclose(in);
	return buf;
}

static void expect_error(struct fixture *f, const uint8_t *buf, size_t len, const char *what)
{
	char err[200] = "";
	int count, gen;

	assert_int_not_equal(migration_decode(buf, len, 1, f->got, COUNT, &count, &gen, err,
					      sizeof(err)), 0);
	if (what && !strstr(err, what))
		fail_msg("'%s' does not say '%s'", err, what);
}

static void test_bad_files(void **state)
{
	struct fixture *f = *state;
	size_t len, cut;
	uint8_t *buf = written(f, &len);

	/* format 1: the same first 24 bytes, version 1 */
	le32_put(buf + 4, 1);
	expect_error(f, buf, len, "format version 1 (an older evopar's), this build reads 2");
	le32_put(buf + 4, MIGRATION_VERSION | 0x10000);
	expect_error(f, buf, len, "unknown flags");
	le32_put(buf + 4, MIGRATION_VERSION);
	/* a run identity of a character no run has, with a checksum that fits */
	buf[24] = '/';
	le32_put(buf + len - 4, serial_crc32(buf, len - 4));
	expect_error(f, buf, len, "garbled run identity");
	buf[24] = 'r';
	le32_put(buf + len - 4, serial_crc32(buf, len - 4));
	for (cut = 0; cut < len; cut++)
		expect_error(f, buf, cut, NULL);
	free(buf);
}

static void test_private_dir(void **state)
{
	struct fixture *f = *state;
	struct private_dir pd = { .lock_fd = -1 };
	char err[200], base[PATH_MAX];
	struct stat st;

	(void)state;
	snprintf(base, sizeof(base), "%s", f->dir);
	assert_int_equal(setenv("TMPDIR", base, 1), 0);
	assert_int_equal(private_dir_make(&pd, "evopar-t-", err, sizeof(err)), 0);
	assert_int_equal(stat(pd.path, &st), 0);
	/* held: not tidied; let go without removing (as a SIGKILL does): tidied */
	assert_int_equal(private_dir_tidy(base, "evopar-t-"), 0);
	assert_int_equal(stat(pd.path, &st), 0);
	close(pd.lock_fd);
	assert_int_equal(private_dir_tidy(base, "evopar-t-"), 1);
	assert_int_not_equal(stat(pd.path, &st), 0);
	unsetenv("TMPDIR");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_runs_apart, setup, teardown),
		cmocka_unit_test(test_run_ids),
		cmocka_unit_test_setup_teardown(test_bad_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_private_dir, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
