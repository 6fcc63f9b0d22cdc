/*
 * Island migration files (see migration.h): encode, write by temp name and link or rename,
 * list a source island's files newest first, decode without trusting a byte of what was read.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/rng.h"
#include "engine/serial.h"
#include "strategies/common/migration.h"
#include "proc/proc.h"

int migration_run_check(const char *id, char *err, size_t errlen)
{
	size_t i, n = strlen(id);

	for (i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			break;
	}
	if (n >= 1 && n <= MIGRATION_RUN_MAX && i == n)
		return 0;
	snprintf(err, errlen, "expected 1 to %d of A-Z a-z 0-9 _ -, got '%.64s'", MIGRATION_RUN_MAX,
		 id);
	return -EINVAL;
}

/* pid and time tell apart runs on this machine; the random draw, runs on machines sharing a
   directory (and a seed alone cannot: two runs of one seed are two runs) */
void migration_run_fresh(char run[MIGRATION_RUN_BYTES])
{
	struct timespec ts;
	uint64_t r = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		r = 0;
	r ^= rng_mix64(((uint64_t)getpid() << 40) ^ ((uint64_t)ts.tv_sec * 1000000000u +
						      (uint64_t)ts.tv_nsec));
	snprintf(run, MIGRATION_RUN_BYTES, "%016" PRIx64, rng_mix64(r));
}

void migration_path(char *buf, size_t len, const char *dir, int island, int gen, const char *run)
{
	if (run && *run)
		snprintf(buf, len, "%s/island-%d-gen-%d.%s.mig", dir, island, gen, run);
	else
		snprintf(buf, len, "%s/island-%d-gen-%d.mig", dir, island, gen);
}

static uint8_t *encode(const char *run, int island, int gen, const struct net *const *nets,
		       int count, size_t *len)
{
	size_t payload = 0, at = MIGRATION_HEADER;
	uint8_t *buf;
	int i;

	for (i = 0; i < count; i++)
		payload += serial_size(nets[i]);
	*len = MIGRATION_HEADER + payload + 4;
	buf = calloc(1, *len);
	if (!buf)
		return NULL;
	memcpy(buf, MIGRATION_MAGIC, 4);
	le32_put(buf + 4, MIGRATION_VERSION);     /* version in the low half, flags 0 */
	le32_put(buf + 8, (uint32_t)island);
	le32_put(buf + 12, (uint32_t)gen);
	le32_put(buf + 16, (uint32_t)count);
	le32_put(buf + 20, (uint32_t)payload);
	memcpy(buf + 24, run, strnlen(run, MIGRATION_RUN_MAX));
	for (i = 0; i < count; i++)
		at += serial_write(nets[i], buf + at);
	le32_put(buf + at, serial_crc32(buf, at));
	return buf;
}

uint8_t *migration_encode(int island, int gen, const struct net *const *nets, int count,
			  size_t *len)
{
	return encode("", island, gen, nets, count, len);
}

static int corrupt(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s", what);
	return -EINVAL;
}

/* magic and version: what every version of the format begins with */
static int check_format(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	uint32_t v;

	if (len < 8)
		return corrupt(err, errlen, "truncated header");
	if (memcmp(buf, MIGRATION_MAGIC, 4))
		return corrupt(err, errlen, "bad magic (not a migration file)");
	v = le32_get(buf + 4);
	if ((v & 0xffff) != MIGRATION_VERSION) {
		snprintf(err, errlen, "format version %u%s, this build reads %u", v & 0xffff,
			 (v & 0xffff) < MIGRATION_VERSION ? " (an older evopar's)" : "",
			 MIGRATION_VERSION);
		return -EINVAL;
	}
	if (v >> 16) {
		snprintf(err, errlen, "unknown flags 0x%x", v >> 16);
		return -EINVAL;
	}
	return len < MIGRATION_HEADER + 4 ? corrupt(err, errlen, "truncated header") : 0;
}

/* the run identity field: valid characters, then NUL padding; "" is an MPI message's */
static int get_run(const uint8_t *field, char run[MIGRATION_RUN_BYTES])
{
	char e[8];
	size_t n = strnlen((const char *)field, MIGRATION_RUN_BYTES), i;

	if (n == MIGRATION_RUN_BYTES)
		return -EINVAL;
	for (i = n; i < MIGRATION_RUN_BYTES; i++)
		if (field[i])
			return -EINVAL;
	memcpy(run, field, MIGRATION_RUN_BYTES);   /* NUL-padded: terminated */
	return n && migration_run_check(run, e, sizeof(e)) ? -EINVAL : 0;
}

static int decode_header(const uint8_t *buf, size_t len, int island, struct migration_head *h,
			 size_t *payload, char *err, size_t errlen)
{
	int rc = check_format(buf, len, err, errlen);

	if (rc)
		return rc;
	h->island = (int)le32_get(buf + 8);
	if (island >= 0 && le32_get(buf + 8) != (uint32_t)island) {
		snprintf(err, errlen, "written by island %u, named for island %d", le32_get(buf + 8),
			 island);
		return -EINVAL;
	}
	h->gen = (int)le32_get(buf + 12);
	h->count = (int)le32_get(buf + 16);
	*payload = le32_get(buf + 20);
	if (h->gen < 0 || h->count < 0)
		return corrupt(err, errlen, "generation or count out of range");
	if (MIGRATION_HEADER + *payload + 4 > len)
		return corrupt(err, errlen, "truncated (shorter than its header says)");
	if (MIGRATION_HEADER + *payload + 4 < len)
		return corrupt(err, errlen, "trailing bytes after the checksum");
	if (le32_get(buf + len - 4) != serial_crc32(buf, len - 4))
		return corrupt(err, errlen, "checksum mismatch (corrupted)");
	if (get_run(buf + 24, h->run))
		return corrupt(err, errlen, "garbled run identity");
	return 0;
}

static int decode(const uint8_t *buf, size_t len, int island, struct net *nets, int max,
		  struct migration_head *h, char *err, size_t errlen)
{
	size_t payload, at = MIGRATION_HEADER, used;
	int i, rc;

	rc = decode_header(buf, len, island, h, &payload, err, errlen);
	if (rc)
		return rc;
	/* every network is decoded, even past max: a bad one anywhere means a bad file */
	for (i = 0; i < h->count; i++) {
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
	if (h->count > max)
		h->count = max;
	return 0;
}

int migration_decode(const uint8_t *buf, size_t len, int island, struct net *nets, int max,
		     int *count, int *gen, char *err, size_t errlen)
{
	struct migration_head h;
	int rc = decode(buf, len, island, nets, max, &h, err, errlen);

	*count = rc ? 0 : h.count;
	*gen = rc ? -1 : h.gen;
	return rc;
}

/* The file at path in *buf (malloc'ed): all of it, or its first most bytes (most > 0). */
static int slurp(const char *path, size_t most, uint8_t **buf, size_t *len, char *err,
		 size_t errlen)
{
	struct stat st;
	int fd, rc;

	*buf = NULL;
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
	*len = most && (size_t)st.st_size > most ? most : (size_t)st.st_size;
	*buf = malloc(*len + 1);
	if (!*buf) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto close_fd;
	}
	rc = fd_read_full(fd, *buf, *len, 0);
	if (rc) {
		snprintf(err, errlen, "read: %s", rc == -EPIPE ? "shorter than its size" :
			 strerror(-rc));
		free(*buf);
		*buf = NULL;
	}
close_fd:
	close(fd);
	return rc;
}

int migration_read(const char *path, int island, struct net *nets, int max,
		   struct migration_head *head, char *err, size_t errlen)
{
	uint8_t *buf;
	size_t len;
	int rc = slurp(path, 0, &buf, &len, err, errlen);

	if (!rc)
		rc = decode(buf, len, island, nets, max, head, err, errlen);
	free(buf);
	return rc;
}

/* The run identity in the header of the file at path; -1 if it has none this build reads. */
static int head_run(const char *path, char run[MIGRATION_RUN_BYTES])
{
	char e[200];
	uint8_t *buf;
	size_t len;
	int rc = slurp(path, MIGRATION_HEADER + 4, &buf, &len, e, sizeof(e));

	rc = rc ? rc : check_format(buf, len, e, sizeof(e));
	rc = rc ? rc : get_run(buf + 24, run);
	free(buf);
	return rc ? -1 : 0;
}

/*
 * The written temp file into place. link, unlike rename, never replaces a file: the plain
 * name, if free, is taken at once; if it holds this run's (an earlier run of the same
 * --run-id) it is replaced, as before; another run's stays, and this run's goes under its
 * own name. Where links are not supported, rename to the plain name.
 */
static int place(const char *tmp, char *path, size_t plen, const char *dir, const char *run,
		 int island, int gen, char *err, size_t errlen)
{
	char other[MIGRATION_RUN_BYTES];

	if (!link(tmp, path)) {
		unlink(tmp);
		return 0;
	}
	if (errno == EEXIST && (head_run(path, other) || strcmp(other, run)))
		migration_path(path, plen, dir, island, gen, run);
	if (rename(tmp, path)) {
		int rc = -errno;

		snprintf(err, errlen, "rename to %s: %s", path, strerror(errno));
		return rc;
	}
	return 0;
}

/*
 * Readers list the directory at any time, so the file appears under its final name only
 * when complete. No fsync: readers are on this machine and rename is atomic for them; a
 * file lost in a crash is a migration skipped, not a corrupt one.
 */
int migration_write(const char *dir, const char *run, int island, int gen,
		    const struct net *const *nets, int count, char *err, size_t errlen)
{
	char tmp[4096], path[4096];
	size_t len;
	uint8_t *buf = encode(run, island, gen, nets, count, &len);
	int fd, rc;

	if (!buf) {
		snprintf(err, errlen, "migration file: out of memory");
		return -ENOMEM;
	}
	migration_path(path, sizeof(path), dir, island, gen, NULL);
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
	rc = place(tmp, path, sizeof(path), dir, run, island, gen, err, errlen);
	if (rc)
		goto remove_tmp;
	free(buf);
	return 0;
remove_tmp:
	unlink(tmp);
free_buf:
	free(buf);
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

/* "island-I-gen-G.mig" or "island-I-gen-G.RUN.mig" with I == island; *gen gets G, run
   RUN or "" */
static int name_matches(const char *name, int island, int *gen, char run[MIGRATION_RUN_BYTES])
{
	const char *rest;
	char e[8];
	size_t n;
	int i, g, end = 0;

	if (sscanf(name, "island-%d-gen-%d%n", &i, &g, &end) != 2 || i != island || g < 0)
		return 0;
	rest = name + end;
	n = strlen(rest);
	if (n < 4 || rest[0] != '.' || strcmp(rest + n - 4, ".mig"))
		return 0;
	n = n > 4 ? n - 5 : 0;       /* the characters between the dots */
	if (n > MIGRATION_RUN_MAX)
		return 0;
	memcpy(run, rest + 1, n);
	run[n] = 0;
	if (n && migration_run_check(run, e, sizeof(e)))
		return 0;
	*gen = g;
	return 1;
}

static int add_file(struct migration_file **files, int *n, int *cap,
		    const struct migration_file *f)
{
	if (*n == *cap) {
		int nc = *cap ? *cap * 2 : 16;
		struct migration_file *f = realloc(*files, (size_t)nc * sizeof(*f));

		if (!f)
			return -ENOMEM;
		*files = f;
		*cap = nc;
	}
	(*files)[(*n)++] = *f;
	return 0;
}

int migration_list(const char *dir, int island, struct migration_file **files, int *n,
		   char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct migration_file f;
	struct stat st;
	int cap = 0, rc = 0;

	*files = NULL;
	*n = 0;
	if (!d) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return rc;
	}
	while ((e = readdir(d))) {
		if (!name_matches(e->d_name, island, &f.gen, f.run))
			continue;
		/* a file replaced or removed since readdir is simply not a candidate */
		if (fstatat(dirfd(d), e->d_name, &st, 0) || !S_ISREG(st.st_mode))
			continue;
		f.mtime = st.st_mtim;
		rc = add_file(files, n, &cap, &f);
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
