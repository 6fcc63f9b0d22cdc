/*
 * A private temp directory a run makes for itself (the islands' migration files when no
 * --migration-dir is given), locked while any process of the run lives, and the tidy of
 * those whose run died without removing them (a SIGKILL): the next run of this user does it.
 */
#ifndef EVOPAR_PRIVATE_DIR_H
#define EVOPAR_PRIVATE_DIR_H

#include <limits.h>
#include <stddef.h>

#define PRIVATE_DIR_LOCK ".lock"          /* flock'ed by the run; its pid inside, for people */
#define PRIVATE_DIR_UNLOCKED_S 600        /* a directory with no lock this old is abandoned */

struct private_dir {
	char path[PATH_MAX];      /* "": none made */
	int lock_fd;              /* holds the lock; forked children share it */
};

/*
 * Under $TMPDIR (or /tmp): first remove what dead runs of this user left under prefix, then
 * make prefix + "XXXXXX" and take its lock. 0, or -errno with a message.
 */
int private_dir_make(struct private_dir *pd, const char *prefix, char *err, size_t errlen);
/* remove the directory and everything in it, then let go of the lock */
void private_dir_remove(struct private_dir *pd);
/*
 * Remove every directory under base named prefix + 6 characters, owned by this user, whose
 * lock no process holds (or, with no lock file, untouched for PRIVATE_DIR_UNLOCKED_S).
 * Returns how many were removed.
 */
int private_dir_tidy(const char *base, const char *prefix);

#endif
