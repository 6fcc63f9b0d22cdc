/*
 * Island migration files (see migration.h): encode, write by temp name and rename, list a
 * source island's files newest first, decode without trusting a byte of what was read.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/serial.h"
#include "strategies/common/migration.h"
#include "proc/proc.h"

void migration_path(char *buf, size_t len, const char *dir, int island, int gen)
{
	snprintf(buf, len, "%s/island-%d-gen-%d.mig", dir, island, gen);
}

uint8_t *migration_encode(int island, int gen, const struct net *const *nets, int count,
				 size_t *len)
{
	size_t payload = 0, at = MIGRATION_HEADER;
	uint8_t *buf;
	int i;

	for (i = 0; i < count; i++)
		payload += serial_size(nets[i]);
	*len = MIGRATION_HEADER + payload + 4;
	buf = malloc(*len);
	if (!buf)
		return NULL;
	memcpy(buf, MIGRATION_MAGIC, 4);
	le32_put(buf + 4, MIGRATION_VERSION);     /* version in the low half, flags 0 */
	le32_put(buf + 8, (uint32_t)island);
	le32_put(buf + 12, (uint32_t)gen);
	le32_put(buf + 16, (uint32_t)count);
	le32_put(buf + 20, (uint32_t)payload);
	for (i = 0; i < count; i++)
		at += serial_write(nets[i], buf + at);
	le32_put(buf + at, serial_crc32(buf, at));
	return buf;
}

/*
 * Readers list the directory at any time, so the file appears under its final name only
 * when complete. No fsync: readers are on this machine and rename is atomic for them; a
 * file lost in a crash is a migration skipped, not a corrupt one.
 */
int migration_write(const char *dir, int island, int gen, const struct net *const *nets,
		    int count, char *err, size_t errlen)
{
	char tmp[4096], path[4096];
	size_t len;
	uint8_t *buf = migration_encode(island, gen, nets, count, &len);
	int fd, rc;

	if (!buf) {
		snprintf(err, errlen, "migration file: out of memory");
		return -ENOMEM;
	}
	migration_path(path, sizeof(path), dir, island, gen);
	snprintf(tmp, sizeof(tmp), "%s/.island-%d-gen-%d.mig.tmp.%ld", dir, island, gen,
		 (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto free_buf;
	}
	rc = fd_write_full(fd, buf, len, 0);
	if (close(fd) && !rc)
		rc = -errno;
	if (rc) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(-rc));
		goto remove_tmp;
	}
	if (rename(tmp, path)) {
		rc = -errno;
		snprintf(err, errlen, "rename to %s: %s", path, strerror(errno));
		goto remove_tmp;
	}
	free(buf);
	return 0;
remove_tmp:
	unlink(tmp);
free_buf:
	free(buf);
	return rc;
}

static int corrupt(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s", what);
	return -EINVAL;
}

static int decode_header(const uint8_t *buf, size_t len, int island, int *count, int *gen,
			 size_t *payload, char *err, size_t errlen)
{
	if (len < MIGRATION_HEADER + 4)
		return corrupt(err, errlen, "truncated header");
	if (memcmp(buf, MIGRATION_MAGIC, 4))
		return corrupt(err, errlen, "bad magic (not a migration file)");
	if (le32_get(buf + 4) != MIGRATION_VERSION) {
		snprintf(err, errlen, "version/flags 0x%x, this build reads %u", le32_get(buf + 4),
			 MIGRATION_VERSION);
		return -EINVAL;
	}
	if (island >= 0 && le32_get(buf + 8) != (uint32_t)island) {
		snprintf(err, errlen, "written by island %u, named for island %d", le32_get(buf + 8),
			 island);
		return -EINVAL;
	}
	*gen = (int)le32_get(buf + 12);
	*count = (int)le32_get(buf + 16);
	*payload = le32_get(buf + 20);
	if (*gen < 0 || *count < 0)
		return corrupt(err, errlen, "generation or count out of range");
	if (MIGRATION_HEADER + *payload + 4 > len)
		return corrupt(err, errlen, "truncated (shorter than its header says)");
	if (MIGRATION_HEADER + *payload + 4 < len)
		return corrupt(err, errlen, "trailing bytes after the checksum");
	if (le32_get(buf + len - 4) != serial_crc32(buf, len - 4))
		return corrupt(err, errlen, "checksum mismatch (corrupted)");
	return 0;
}

int migration_decode(const uint8_t *buf, size_t len, int island, struct net *nets, int max,
		     int *count, int *gen, char *err, size_t errlen)
{
	size_t payload, at = MIGRATION_HEADER, used;
	int n, i, rc;

	rc = decode_header(buf, len, island, &n, gen, &payload, err, errlen);
	if (rc)
		return rc;
	/* every network is decoded, even past max: a bad one anywhere means a bad file */
	for (i = 0; i < n; i++) {
		struct net spare, *dst = i < max ? &nets[i] : &spare;

		if (dst == &spare)
			net_init(&spare);
		rc = serial_read(dst, buf + at, MIGRATION_HEADER + payload - at, &used, err, errlen);
		if (dst == &spare)
			net_release(&spare);
		if (rc)
			return rc;
		at += used;
	}
	if (at != MIGRATION_HEADER + payload)
		return corrupt(err, errlen, "payload longer than its networks");
	*count = n < max ? n : max;
	return 0;
}

int migration_read(const char *path, int island, struct net *nets, int max, int *count,
		   int *gen, char *err, size_t errlen)
{
	struct stat st;
	uint8_t *buf = NULL;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s", strerror(errno));
		return rc;
	}
	if (fstat(fd, &st)) {
		rc = -errno;
		snprintf(err, errlen, "stat: %s", strerror(errno));
		goto close_fd;
	}
	if (st.st_size > (off_t)MIGRATION_MAX_BYTES) {
		rc = corrupt(err, errlen, "larger than any migration file");
		goto close_fd;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto close_fd;
	}
	rc = fd_read_full(fd, buf, (size_t)st.st_size, 0);
	if (rc) {
		snprintf(err, errlen, "read: %s", rc == -EPIPE ? "shorter than its size" :
			 strerror(-rc));
		goto free_buf;
	}
	rc = migration_decode(buf, (size_t)st.st_size, island, nets, max, count, gen, err, errlen);
free_buf:
	free(buf);
close_fd:
	close(fd);
	return rc;
}

int migration_newer(const struct migration_file *a, const struct migration_file *b)
{
	if (a->mtime.tv_sec != b->mtime.tv_sec)
		return a->mtime.tv_sec > b->mtime.tv_sec;
	if (a->mtime.tv_nsec != b->mtime.tv_nsec)
		return a->mtime.tv_nsec > b->mtime.tv_nsec;
	return a->gen > b->gen;
}

static int newest_first(const void *pa, const void *pb)
{
	const struct migration_file *a = pa, *b = pb;

	if (migration_newer(a, b))
		return -1;
	return migration_newer(b, a);
}

/* "island-I-gen-G.mig" with I == island; *gen gets G */
static int name_matches(const char *name, int island, int *gen)
{
	int i, g, end = 0;

	if (sscanf(name, "island-%d-gen-%d.mig%n", &i, &g, &end) != 2 || name[end] || i != island ||
	    g < 0)
		return 0;
	*gen = g;
	return 1;
}

static int add_file(struct migration_file **files, int *n, int *cap, int gen,
		    const struct timespec *mtime)
{
	if (*n == *cap) {
		int nc = *cap ? *cap * 2 : 16;
		struct migration_file *f = realloc(*files, (size_t)nc * sizeof(*f));

		if (!f)
			return -ENOMEM;
		*files = f;
		*cap = nc;
	}
	(*files)[(*n)++] = (struct migration_file){ .gen = gen, .mtime = *mtime };
	return 0;
}

int migration_list(const char *dir, int island, struct migration_file **files, int *n,
		   char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st;
	int cap = 0, gen, rc = 0;

	*files = NULL;
	*n = 0;
	if (!d) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return rc;
	}
	while ((e = readdir(d))) {
		if (!name_matches(e->d_name, island, &gen))
			continue;
		/* a file replaced or removed since readdir is simply not a candidate */
		if (fstatat(dirfd(d), e->d_name, &st, 0) || !S_ISREG(st.st_mode))
			continue;
		rc = add_file(files, n, &cap, gen, &st.st_mtim);
		if (rc) {
			snprintf(err, errlen, "listing %s: out of memory", dir);
			break;
		}
	}
	closedir(d);
	if (rc) {
		free(*files);
		*files = NULL;
		*n = 0;
		return rc;
	}
	if (*n > 1)
		qsort(*files, (size_t)*n, sizeof(**files), newest_first);
	return 0;
}

void migration_tidy(const char *dir, const long *pids, int n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int i, isl, gen, end;
	long pid;

	if (!d)
		return;
	while ((e = readdir(d))) {
		end = 0;
		if (sscanf(e->d_name, ".island-%d-gen-%d.mig.tmp.%ld%n", &isl, &gen, &pid, &end) != 3 ||
		    e->d_name[end])
			continue;
		for (i = 0; i < n; i++)
			if (pids[i] == pid)
				unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

int migration_remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	return rmdir(dir) ? -errno : 0;
}
