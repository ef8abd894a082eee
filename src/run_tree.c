/* run_tree.c - the file trees of a run, walked as root: --dir given to the run and back,
 * and what the run left removed. The learner made these trees, so the walks
 *   never follow a symlink (every open is O_NOFOLLOW, every chown AT_SYMLINK_NOFOLLOW);
 *   never recurse on the stack: a tree 100000 deep costs no more memory than one
 *   level (the walk goes down by openat, back up by "..", and finds its place again
 *   by the inode it came from);
 *   are bounded (WALK_MAX steps): a tree that keeps changing cannot keep a keeper busy.
 * The learner's processes are all gone when they run (after the sweep), except
 * tree_chown before the run, where the tree is still the grader's alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "run.h"
#include "sys.h"
#include "util.h"

#define WALK_MAX 1000000L

static int open_dir(int parent, const char *name)
{
	return sys_openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
}

/* One post-order walk of the tree under top. enter(): go into this directory? visit():
 * called on each entry after its contents; returns 0, or < 0 to stop. The directory
 * entered is left with visit() called on its entry in its parent. */
struct walk {
	bool (*enter)(const struct walk *w, const struct stat *st);
	int (*visit)(const struct walk *w, int dirfd, const char *name, const struct stat *st);
	uid_t from, to_uid;
	gid_t to_gid;
	long done;
};

static int walk(int top, struct walk *w)
{
	int dir = sys_openat(top, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0), depth = 0, err = 0;
	long steps = 0;
	if (dir < 0)
		return dir;
	for (;;) {
		struct dents d = {0};
		const char *name;
		bool descended = false;
		while (!descended && (name = dents_next(dir, &d, &err))) {
			struct stat st;
			if (++steps > WALK_MAX) {
				sys_close(dir);
				return -ELOOP;
			}
			if (sys_fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
				continue; /* gone meanwhile */
			if (S_ISDIR(st.st_mode) && w->enter(w, &st)) {
				int sub = open_dir(dir, name);
				if (sub >= 0) {
					sys_close(dir);
					dir = sub, depth++;
					descended = true; /* a new listing from its start */
					continue;
				}
			}
			int rc = w->visit(w, dir, name, &st);
			if (rc < 0) {
				sys_close(dir);
				return rc;
			}
		}
		if (descended)
			continue;
		if (depth == 0)
			break;
		/* Done with this directory: up, then visit it in its parent, found by inode. */
		struct stat self;
		int up = sys_openat(dir, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0), rc = sys_fstat(dir, &self);
		sys_close(dir);
		if (up < 0 || rc < 0) {
			if (up >= 0)
				sys_close(up);
			return up < 0 ? up : rc;
		}
		dir = up, depth--;
		struct dents d2 = {0};
		while ((name = dents_next(dir, &d2, &err))) {
			struct stat st;
			if (sys_fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_ino == self.st_ino &&
			    st.st_dev == self.st_dev) {
				if ((rc = w->visit(w, dir, name, &st)) < 0) {
					sys_close(dir);
					return rc;
				}
				break;
			}
		}
		/* The parent's listing again from its start: what is done is skipped by the
		 * walk's own rule (a directory given away is not entered again, a removed
		 * entry is not there), so no position needs remembering. */
		if ((rc = (int)sys_lseek(dir, 0, SEEK_SET)) < 0) {
			sys_close(dir);
			return rc;
		}
	}
	sys_close(dir);
	return err;
}

static bool enter_owned(const struct walk *w, const struct stat *st) { return st->st_uid == w->from; }

static int chown_one(const struct walk *w, int dirfd, const char *name, const struct stat *st)
{
	/* A file with other links may be anyone's elsewhere: it stays as it is. */
	if (st->st_uid != w->from || (!S_ISDIR(st->st_mode) && st->st_nlink > 1))
		return 0;
	int rc = sys_fchownat(dirfd, name, w->to_uid, w->to_gid, AT_SYMLINK_NOFOLLOW);
	if (rc == 0)
		((struct walk *)w)->done++;
	return rc == -ENOENT ? 0 : rc;
}

long tree_chown(int dirfd, uid_t from, uid_t to_uid, gid_t to_gid)
{
	struct walk w = {.enter = enter_owned, .visit = chown_one, .from = from, .to_uid = to_uid,
			 .to_gid = to_gid};
	struct stat st;
	int rc = walk(dirfd, &w);
	/* Directories are changed after their contents: the walk tells a directory it has
	 * done from one it has not by its owner. Then the top itself. */
	if (rc == 0 && (rc = sys_fstat(dirfd, &st)) == 0 && st.st_uid == from &&
	    (rc = sys_fchownat(dirfd, "", to_uid, to_gid, AT_EMPTY_PATH)) == 0)
		w.done++;
	return rc < 0 ? rc : w.done;
}

static bool enter_all(const struct walk *w, const struct stat *st)
{
	(void)w, (void)st;
	return true;
}

static int unlink_one(const struct walk *w, int dirfd, const char *name, const struct stat *st)
{
	(void)w;
	int rc = sys_unlinkat(dirfd, name, S_ISDIR(st->st_mode) ? AT_REMOVEDIR : 0);
	return rc == -ENOENT ? 0 : rc;
}

int tree_remove(int parent, const char *name)
{
	struct stat st;
	int rc = sys_fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW);
	if (rc < 0)
		return rc == -ENOENT ? 0 : rc;
	if (S_ISDIR(st.st_mode)) {
		struct walk w = {.enter = enter_all, .visit = unlink_one};
		int fd = open_dir(parent, name);
		if (fd < 0)
			return fd;
		rc = walk(fd, &w);
		sys_close(fd);
		if (rc < 0)
			return rc;
	}
	rc = sys_unlinkat(parent, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0);
	return rc == -ENOENT ? 0 : rc;
}

int tree_remove_owned(int dirfd, uid_t uid)
{
	char names[64][256];
	int err = 0, rc;
	/* Collected first, removed after (removing while listing skips entries), 64 at a
	 * time, for at most 256 rounds. */
	for (int round = 0; round < 256; round++) {
		struct dents d = {0};
		const char *name;
		int n = 0;
		if ((rc = (int)sys_lseek(dirfd, 0, SEEK_SET)) < 0)
			return rc;
		while (n < 64 && (name = dents_next(dirfd, &d, &rc))) {
			struct stat st;
			if (sys_fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_uid == uid)
				snprintf(names[n++], sizeof names[0], "%s", name);
		}
		for (int i = 0; i < n; i++)
			if ((rc = tree_remove(dirfd, names[i])) < 0)
				err = rc;
		if (n < 64 || err < 0)
			break;
	}
	return err;
}
