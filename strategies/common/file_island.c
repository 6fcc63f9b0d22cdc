/*
 * An island migrating through files (see file_island.h): migration.c reads and writes the
 * files, island.c chooses and places the migrants; this file decides which files to take,
 * and which belong to another run.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc/clock.h"
#include "strategies/common/file_island.h"

int file_island_init(struct file_island *fi, const struct strategy_config *run_cfg, int id,
		     int n, const char *dir, const char *run, int sync)
{
	int rc = island_init(&fi->isl, run_cfg, id, n);

	fi->dir = dir;
	fi->run = run;
	fi->sync = sync;
	fi->n_bad = 0;
	fi->n_foreign = 0;
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
	if (migration_write(fi->dir, fi->run, isl->id, gen, isl->emig, isl->cfg.migrants, why,
			    sizeof(why)))
		text_append(isl->warning, sizeof(isl->warning),
			    "island %d: migrants of generation %d not written: %s", isl->id, gen, why);
	isl->io_ms += (proc_now_s() - t) * 1e3;
}

/*
 * Decode one file into the next free immigrant slots; the number of migrants, or 0 with the
 * reason in why, or FOREIGN with the run it belongs to in other. *sent gets the generation
 * the file was written in.
 */
#define FOREIGN (-1)
static int island_load(struct file_island *fi, const char *path, int src, int want_gen,
		       int *sent, char other[MIGRATION_RUN_BYTES], char *why, size_t whylen)
{
	struct island *isl = &fi->isl;
	struct net *to = isl->imm + isl->n_imm;
	struct migration_head h;
	int i;

	if (migration_read(path, src, to, isl->cfg.migrants, &h, why, whylen))
		return 0;
	if (strcmp(h.run, fi->run)) {
		memcpy(other, h.run, sizeof(h.run));
		return FOREIGN;
	}
	*sent = h.gen;
	if (want_gen >= 0 && h.gen != want_gen) {
		snprintf(why, whylen, "holds generation %d, expected %d", h.gen, want_gen);
		return 0;
	}
	for (i = 0; i < h.count; i++)
		if (!island_fits(isl, &to[i])) {
			snprintf(why, whylen, "networks of another shape (--mode, --task or --hidden)");
			return 0;
		}
	if (!h.count)
		snprintf(why, whylen, "no networks in it");
	return h.count;
}

/* A file of another run sharing the directory: skipped, with a warning the first time
   that run is met. */
static void skip_foreign(struct file_island *fi, const char *path, const char *other)
{
	int i, n = fi->n_foreign < FILE_ISLAND_FOREIGN_KEPT ? fi->n_foreign : FILE_ISLAND_FOREIGN_KEPT;

	for (i = 0; i < n; i++)
		if (!strcmp(fi->foreign[i], other))
			return;
	snprintf(fi->foreign[fi->n_foreign++ % FILE_ISLAND_FOREIGN_KEPT], MIGRATION_RUN_BYTES, "%s",
		 other);
	text_append(fi->isl.warning, sizeof(fi->isl.warning), "island %d: migrant file %s skipped: "
		    "written by another run sharing the directory (run id %s, this run %s); its "
		    "other files are skipped silently", fi->isl.id, path,
		    *other ? other : "none", fi->run);
}

static int seen_bad(const struct file_island *fi, int src, const struct migration_file *f)
{
	int i, n = fi->n_bad < FILE_ISLAND_BAD_KEPT ? fi->n_bad : FILE_ISLAND_BAD_KEPT;

	for (i = 0; i < n; i++)
		if (fi->bad[i].src == src && fi->bad[i].f.gen == f->gen &&
		    !strcmp(fi->bad[i].f.run, f->run) &&
		    !migration_newer(f, &fi->bad[i].f) && !migration_newer(&fi->bad[i].f, f))
			return 1;
	return 0;
}

static void skipped(struct island *isl, const char *path, const char *why)
{
	text_append(isl->warning, sizeof(isl->warning), "island %d: migrant file %s skipped: %s",
		    isl->id, path, why);
}

/*
 * sync: exactly src's file of this generation, which the barrier says is complete: under the
 * plain name, or, where a file not this run's was there first, under this run's own name.
 */
static int island_take_exact(struct file_island *fi, int src, int gen, int *sent)
{
	struct island *isl = &fi->isl;
	char path[PATH_MAX + 64], own[PATH_MAX + 64], why[STRATEGY_ERRLEN];
	char other[MIGRATION_RUN_BYTES];
	int count;

	migration_path(path, sizeof(path), fi->dir, src, gen, NULL);
	count = island_load(fi, path, src, gen, sent, other, why, sizeof(why));
	if (count > 0)
		return count;
	if (count == FOREIGN)
		skip_foreign(fi, path, other);
	migration_path(own, sizeof(own), fi->dir, src, gen, fi->run);
	if (count == FOREIGN || !access(own, F_OK)) {
		if (!count)
			skipped(isl, path, why);
		snprintf(path, sizeof(path), "%s", own);
		count = island_load(fi, path, src, gen, sent, other, why, sizeof(why));
		if (count == FOREIGN) {
			snprintf(why, sizeof(why), "written by run %s, not this one", other);
			count = 0;
		}
	}
	if (!count)
		skipped(isl, path, why);
	return count;
}

/*
 * async: the newest file of src not yet taken. Newest by the time it was renamed into
 * place, not by generation; files of other runs are skipped (those named for another run
 * without being read). A bad file is reported once.
 */
static int island_take_newest(struct file_island *fi, int src, int *sent)
{
	struct island *isl = &fi->isl;
	struct migration_file *files, *f;
	char path[PATH_MAX + 64], why[STRATEGY_ERRLEN], other[MIGRATION_RUN_BYTES];
	int n, i, count = 0;

	if (migration_list(fi->dir, src, &files, &n, why, sizeof(why))) {
		text_append(isl->warning, sizeof(isl->warning), "island %d: %s", isl->id, why);
		return 0;
	}
	for (i = 0; i < n && !count; i++) {
		f = &files[i];
		if (fi->consumed[src] && !migration_newer(f, &fi->last[src]))
			break;
		migration_path(path, sizeof(path), fi->dir, src, f->gen, f->run);
		if (*f->run && strcmp(f->run, fi->run)) {
			skip_foreign(fi, path, f->run);
			continue;
		}
		if (seen_bad(fi, src, f))
			continue;
		count = island_load(fi, path, src, -1, sent, other, why, sizeof(why));
		if (count > 0) {
			fi->last[src] = *f;
			fi->consumed[src] = 1;
			continue;
		}
		fi->bad[fi->n_bad++ % FILE_ISLAND_BAD_KEPT] = (struct bad_file){ src, *f };
		if (count == FOREIGN)
			skip_foreign(fi, path, other);
		else
			skipped(isl, path, why);
		count = 0;
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
