/*
 * An island whose migrants travel through files in a directory the islands share: it writes
 * its chosen migrants there and takes its sources' (sync: exactly this generation's, after a
 * barrier; async: the newest not yet taken), reporting each bad file once and each other run
 * that shares the directory once. It runs in an island process of the islands strategy or,
 * with --island-id, in the main process.
 */
#ifndef EVOPAR_FILE_ISLAND_H
#define EVOPAR_FILE_ISLAND_H

#include "strategies/common/island.h"
#include "strategies/common/migration.h"

#define FILE_ISLAND_BAD_KEPT 16      /* bad files remembered, so each is reported once */
#define FILE_ISLAND_FOREIGN_KEPT 8   /* other runs remembered, so each is reported once */

/* A bad file already reported, so that it is reported once. */
struct bad_file {
	int src;
	struct migration_file f;
};

struct file_island {
	struct island isl;
	const char *dir;
	const char *run;                /* this run's identity: files of others are skipped */
	int sync;                       /* take exactly this generation's file, after a barrier */
	char *consumed;                 /* async, per source island: a file was taken; last is it */
	struct migration_file *last;
	struct bad_file bad[FILE_ISLAND_BAD_KEPT];   /* a ring */
	int n_bad;
	char foreign[FILE_ISLAND_FOREIGN_KEPT][MIGRATION_RUN_BYTES];   /* a ring of other runs */
	int n_foreign;
};

int file_island_init(struct file_island *fi, const struct strategy_config *run_cfg, int id,
		     int n, const char *dir, const char *run, int sync);
void file_island_release(struct file_island *fi);
/* write this generation's migrants, if it migrates; a failure to write is a warning */
void file_island_emigrate(struct file_island *fi, int gen);
/* take the sources' migrants (after writing this island's first, if write_first), select
   and build the next generation */
int file_island_resample(struct file_island *fi, int gen, int write_first);

#endif
