/*
 * Private temp directories of a run (see private_dir.h): made locked, removed at the end,
 * and tidied by a later run when the one that made them was killed before it could.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "proc/private_dir.h"

/* Remove the files in the directory open at fd (a run puts only files there). */
static void empty_dir(int fd)
{
	int own = dup(fd);
	DIR *d = own >= 0 ? fdopendir(own) : NULL;
	struct dirent *e;

	if (!d) {
		if (own >= 0)
			close(own);
		return;
	}
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
}

/*
 * Remove base/name if it is this user's directory (not a link to one) and abandoned: its
 * lock is free, so every process that shared it is gone. All through descriptors, so a
 * name swapped meanwhile is never followed. 1 if removed.
 */
static int tidy_one(int base_fd, const char *name)
{
	int fd = openat(base_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int lock = -1, dead = 0, gone = 0;
	struct stat st;

	if (fd < 0)
		return 0;
	if (!fstat(fd, &st) && st.st_uid == geteuid()) {
		lock = openat(fd, PRIVATE_DIR_LOCK, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
		if (lock >= 0)
			dead = !flock(lock, LOCK_EX | LOCK_NB);
		else    /* made before its lock was taken, and never got one */
			dead = errno == ENOENT && time(NULL) - st.st_mtime > PRIVATE_DIR_UNLOCKED_S;
	}
	if (dead) {
		empty_dir(fd);
		gone = !unlinkat(base_fd, name, AT_REMOVEDIR);
	}
	if (lock >= 0)
		close(lock);
	close(fd);
	return gone;
}

int private_dir_tidy(const char *base, const char *prefix)
{
	DIR *d = opendir(base);
	struct dirent *e;
	size_t n = strlen(prefix);
	int gone = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, prefix, n) && strlen(e->d_name) == n + 6)
			gone += tidy_one(dirfd(d), e->d_name);
	closedir(d);
	return gone;
}

/* The lock appears under its name already held, so no tidy ever finds it free while a
   process of this run lives. The descriptor, or -errno. */
static int take_lock(const char *dir)
{
	char tmp[PATH_MAX + 16], path[PATH_MAX + 16], pid[32];
	int fd, n, rc = 0;

	snprintf(tmp, sizeof(tmp), "%s/%s.new", dir, PRIVATE_DIR_LOCK);
	snprintf(path, sizeof(path), "%s/%s", dir, PRIVATE_DIR_LOCK);
	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	errno = 0;
	if (flock(fd, LOCK_EX) || write(fd, pid, (size_t)n) != n || rename(tmp, path))
		rc = errno ? -errno : -EIO;
	if (rc) {
		close(fd);
		unlink(tmp);
		return rc;
	}
	return fd;
}

int private_dir_make(struct private_dir *pd, const char *prefix, char *err, size_t errlen)
{
	const char *base = getenv("TMPDIR");
	int rc;

	if (!base || !*base)
		base = "/tmp";
	pd->lock_fd = -1;
	private_dir_tidy(base, prefix);
	if (snprintf(pd->path, sizeof(pd->path), "%s/%sXXXXXX", base, prefix) >= (int)sizeof(pd->path)) {
		pd->path[0] = 0;
		snprintf(err, errlen, "temp directory under %.300s: path too long", base);
		return -ENAMETOOLONG;
	}
	if (!mkdtemp(pd->path)) {
		rc = -errno;
		snprintf(err, errlen, "mkdtemp %.300s: %s", pd->path, strerror(errno));
		pd->path[0] = 0;
		return rc;
	}
	pd->lock_fd = take_lock(pd->path);
	if (pd->lock_fd < 0) {
		rc = pd->lock_fd;
		/* unlocked, a later run could not tell it from an abandoned one: refuse it */
		snprintf(err, errlen, "locking %.300s/%s: %s (a --migration-dir elsewhere avoids it)",
			 pd->path, PRIVATE_DIR_LOCK, strerror(-rc));
		private_dir_remove(pd);
		return rc;
	}
	return 0;
}

void private_dir_remove(struct private_dir *pd)
{
	int fd;

	if (!pd->path[0])
		return;
	fd = open(pd->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		empty_dir(fd);
		close(fd);
	}
	rmdir(pd->path);
	pd->path[0] = 0;
	if (pd->lock_fd >= 0)
		close(pd->lock_fd);
	pd->lock_fd = -1;
}
