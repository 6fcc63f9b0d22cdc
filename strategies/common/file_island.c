/*
 * An island migrating through files (see file_island.h): migration.c reads and writes the
 * files, island.c chooses and places the migrants; this file decides which files to take.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "proc/clock.h"
#include "strategies/common/file_island.h"

int file_island_init(struct file_island *fi, const struct strategy_config *run_cfg, int id,
		     int n, const char *dir, int sync)
{
	int rc = island_init(&fi->isl, run_cfg, id, n);

	fi->dir = dir;
	fi->sync = sync;
	fi->n_bad = 0;
	fi->consumed = calloc((size_t)run_cfg->islands, 1);
	fi->last = calloc((size_t)run_cfg->islands, sizeof(*fi->last));
	return rc ? rc : fi->consumed && fi->last ? 0 : -ENOMEM;
}

void file_island_release(struct file_island *fi)
{
	free(fi->consumed);
	free(fi->last);
	island_release(&fi->isl);
}

/* Write the chosen migrants; a failure to write is a migration lost, not a failed run. */
void file_island_emigrate(struct file_island *fi, int gen)
{
	struct island *isl = &fi->isl;
	double t = proc_now_s();
	char why[STRATEGY_ERRLEN];

	if (!island_migrates(&isl->cfg, gen))
		return;
	island_pick_emigrants(isl, gen);
	if (migration_write(fi->dir, isl->id, gen, isl->emig, isl->cfg.migrants, why, sizeof(why)))
		text_append(isl->warning, sizeof(isl->warning),
			    "island %d: migrants of generation %d not written: %s", isl->id, gen, why);
	isl->io_ms += (proc_now_s() - t) * 1e3;
}

/*
 * Decode one file into the next free immigrant slots; the number of migrants, or 0 with the
 * reason in why. *sent gets the generation the file was written in.
 */
static int island_load(struct island *isl, const char *path, int src, int want_gen, int *sent,
		       char *why, size_t whylen)
{
	struct net *to = isl->imm + isl->n_imm;
	int count = 0, i;

	if (migration_read(path, src, to, isl->cfg.migrants, &count, sent, why, whylen))
		return 0;
	if (want_gen >= 0 && *sent != want_gen) {
		snprintf(why, whylen, "holds generation %d, expected %d", *sent, want_gen);
		return 0;
	}
	for (i = 0; i < count; i++)
		if (!island_fits(isl, &to[i])) {
			snprintf(why, whylen, "networks of another shape (--mode, --task or --hidden)");
			return 0;
		}
	if (!count)
		snprintf(why, whylen, "no networks in it");
	return count;
}

static int seen_bad(const struct file_island *fi, int src, const struct migration_file *f)
{
	int i, n = fi->n_bad < FILE_ISLAND_BAD_KEPT ? fi->n_bad : FILE_ISLAND_BAD_KEPT;

	for (i = 0; i < n; i++)
		if (fi->bad[i].src == src && fi->bad[i].f.gen == f->gen &&
		    !migration_newer(f, &fi->bad[i].f) && !migration_newer(&fi->bad[i].f, f))
			return 1;
	return 0;
}

/* sync: exactly src's file of this generation, which the barrier says is complete */
static int island_take_exact(struct file_island *fi, int src, int gen, int *sent)
{
	struct island *isl = &fi->isl;
	char path[PATH_MAX + 64], why[STRATEGY_ERRLEN];
	int count;

	migration_path(path, sizeof(path), fi->dir, src, gen);
	count = island_load(isl, path, src, gen, sent, why, sizeof(why));
	if (!count)
		text_append(isl->warning, sizeof(isl->warning),
			    "island %d: migrant file %s skipped: %s", isl->id, path, why);
	return count;
}

/*
 * async: the newest file of src not yet taken. Newest by the time it was renamed into
 * place, not by generation, so a stale file of an earlier run in the same directory is at
 * worst taken once and never hides the files this run writes. A bad file is reported once.
 */
static int island_take_newest(struct file_island *fi, int src, int *sent)
{
	struct island *isl = &fi->isl;
	struct migration_file *files;
	char path[PATH_MAX + 64], why[STRATEGY_ERRLEN];
	int n, i, count = 0;

	if (migration_list(fi->dir, src, &files, &n, why, sizeof(why))) {
		text_append(isl->warning, sizeof(isl->warning), "island %d: %s", isl->id, why);
		return 0;
	}
	for (i = 0; i < n && !count; i++) {
		if (fi->consumed[src] && !migration_newer(&files[i], &fi->last[src]))
			break;
		if (seen_bad(fi, src, &files[i]))
			continue;
		migration_path(path, sizeof(path), fi->dir, src, files[i].gen);
		count = island_load(isl, path, src, -1, sent, why, sizeof(why));
		if (count) {
			fi->last[src] = files[i];
			fi->consumed[src] = 1;
		} else {
			fi->bad[fi->n_bad++ % FILE_ISLAND_BAD_KEPT] = (struct bad_file){ src, files[i] };
			text_append(isl->warning, sizeof(isl->warning),
				    "island %d: migrant file %s skipped: %s", isl->id, path, why);
		}
	}
	free(files);
	return count;
}

/* Take every source's migrants, log them, and put them in place of the worst. */
static int island_immigrate(struct file_island *fi, int gen)
{
	struct island *isl = &fi->isl;
	double t = proc_now_s();
	int i, src, sent, count, rc = 0;

	if (!island_migrates(&isl->cfg, gen))
		return 0;
	for (i = 0; i < isl->n_sources && !rc; i++) {
		src = isl->sources[i];
		count = fi->sync ? island_take_exact(fi, src, gen, &sent) :
				   island_take_newest(fi, src, &sent);
		if (count)
			rc = island_log_arrival(isl, gen, src, sent, isl->n_imm, count);
		isl->n_imm += count;
	}
	if (rc)
		island_failed(isl, "logging migrants", rc);
	else
		rc = island_replace_worst(isl);
	isl->io_ms += (proc_now_s() - t) * 1e3;
	return rc;
}

int file_island_resample(struct file_island *fi, int gen, int write_first)
{
	int rc;

	if (write_first)
		file_island_emigrate(fi, gen);
	rc = island_immigrate(fi, gen);
	return rc ? rc : island_breed(&fi->isl, gen);
}
