/* run_tree.c - the file trees of a run, walked by the keeper: --dir lent to the run and
 * given back (as root: chown), and what the run left removed (as the run itself). The
 * learner made these trees and the grader may change them while they are walked, so
 * the walks
 *   never follow a symlink: every directory is opened O_NOFOLLOW from the fd of its
 *   parent, and every entry is changed through an O_PATH fd of its own, after the
 *   checks were made on that very fd (no name is looked up twice: a rename between a
 *   check and a change cannot swap the inode, CVE-class TOCTOU);
 *   never go up by "..": the walk keeps the fd of every directory above it, so moving a
 *   directory out of the tree while it is walked cannot lead the walk anywhere else
 *   (it goes on in the moved directory, whose entries the rules below still judge);
 *   are bounded: WALK_DEPTH levels (deeper is left, and said), WALK_MAX entries.
 * Removal runs with the run's own filesystem ids (run_keeper.c), so it can remove only
 * what the run itself could: a directory someone moved into the run's tree is out of
 * its reach.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"
#include "sys.h"
#include "util.h"

#define WALK_MAX 1000000L
#define WALK_DEPTH 128

struct level {
	int fd;              /* the directory, open for listing */
	struct dents d;      /* its listing, where it stopped */
	int self;            /* its O_PATH fd, for its visit in the parent */
	struct stat st;      /* what it is */
	char name[256];      /* its name in the parent */
};

/* A post-order walk of the tree under top (which is not visited). enter(): go into
 * this directory? visit(): called on each entry with an O_PATH fd of it, after its
 * contents for a directory; returns 0, or < 0 to stop. Returns 0, or the first error
 * (-ELOOP: too many entries, -EMLINK: too deep; the rest is then left as it is). */
struct walk {
	bool (*enter)(const struct walk *w, const struct stat *st);
	int (*visit)(struct walk *w, int dirfd, const char *name, int fd, const struct stat *st);
	uid_t from, to_uid;
	gid_t to_gid;
	long done;
	int err;         /* the first failure of a visit that did not stop the walk */
	bool make_room;  /* removal: a directory is made 0700 before it is listed (its owner
			  * may; a learner's `chmod 0` must not keep its files) */
};

/* Into the directory whose O_PATH fd is `self`: opened through that fd (the very inode
 * checked), never by its name again. */
static int open_listing(int self)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", self);
	return sys_openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
}

static int walk(int top, struct walk *w)
{
	struct level *stack = calloc(WALK_DEPTH, sizeof *stack);
	int depth = 0, rc = 0, err = 0;
	long steps = 0;
	if (!stack)
		return -ENOMEM;
	stack[0].self = -1;
	if ((stack[0].fd = sys_openat(top, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)) < 0) {
		rc = stack[0].fd;
		free(stack);
		return rc;
	}
	while (rc == 0) {
		struct level *l = &stack[depth];
		const char *name = dents_next(l->fd, &l->d, &err);
		if (!name) {
			/* Done with this directory: back to its parent, which visits it. */
			sys_close(l->fd);
			if (depth == 0)
				break;
			depth--;
			rc = w->visit(w, stack[depth].fd, l->name, l->self, &l->st);
			sys_close(l->self);
			continue;
		}
		if (++steps > WALK_MAX) {
			rc = -ELOOP;
			break;
		}
		struct stat st;
		int fd = sys_openat(l->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
		if (fd < 0)
			continue; /* gone meanwhile */
		if (sys_fstat(fd, &st) < 0) {
			sys_close(fd);
			continue;
		}
		if (S_ISDIR(st.st_mode) && w->enter(w, &st) && depth + 1 < WALK_DEPTH && strlen(name) < 256) {
			if (w->make_room) {
				char self[64];
				snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
				sys_fchmodat(AT_FDCWD, self, 0700);
			}
			int sub = open_listing(fd);
			if (sub >= 0) {
				struct level *n = &stack[++depth];
				*n = (struct level){.fd = sub, .self = fd, .st = st};
				snprintf(n->name, sizeof n->name, "%s", name);
				continue;
			}
		} else if (S_ISDIR(st.st_mode) && w->enter(w, &st) && !w->err) {
			w->err = -EMLINK; /* too deep: left as it is */
		}
		rc = w->visit(w, l->fd, name, fd, &st);
		sys_close(fd);
	}
	for (; rc != 0 && depth >= 0; depth--) {
		sys_close(stack[depth].fd);
		if (stack[depth].self >= 0)
			sys_close(stack[depth].self);
	}
	free(stack);
	return rc ? rc : err ? err : w->err;
}

static bool enter_owned(const struct walk *w, const struct stat *st) { return st->st_uid == w->from; }

/* Through the entry's own fd: the owner and link count checked are the inode's that
 * is changed. A file with other links may be anyone's elsewhere: it stays as it is. */
static int chown_one(struct walk *w, int dirfd, const char *name, int fd, const struct stat *st)
{
	(void)dirfd, (void)name;
	if (st->st_uid != w->from || (!S_ISDIR(st->st_mode) && st->st_nlink > 1))
		return 0;
	int rc = sys_fchownat(fd, "", w->to_uid, w->to_gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
	if (rc == 0)
		w->done++;
	else if (!w->err)
		w->err = rc;
	return 0;
}

long tree_chown(int dirfd, uid_t from, uid_t to_uid, gid_t to_gid)
{
	struct walk w = {.enter = enter_owned, .visit = chown_one, .from = from, .to_uid = to_uid,
			 .to_gid = to_gid};
	struct stat st;
	int rc;
	/* The top first: given back even when what is below cannot all be. */
	if ((rc = sys_fstat(dirfd, &st)) == 0 && st.st_uid == from &&
	    (rc = sys_fchownat(dirfd, "", to_uid, to_gid, AT_EMPTY_PATH)) == 0)
		w.done++;
	if (rc < 0)
		return rc;
	rc = walk(dirfd, &w);
	return rc < 0 ? rc : w.done;
}

static bool enter_all(const struct walk *w, const struct stat *st)
{
	(void)w, (void)st;
	return true;
}

static int unlink_one(struct walk *w, int dirfd, const char *name, int fd, const struct stat *st)
{
	(void)fd;
	int rc = sys_unlinkat(dirfd, name, S_ISDIR(st->st_mode) ? AT_REMOVEDIR : 0);
	if (rc < 0 && rc != -ENOENT && !w->err)
		w->err = rc;
	return 0;
}

int tree_remove(int parent, const char *name)
{
	struct stat st;
	int rc = sys_fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW);
	if (rc < 0)
		return rc == -ENOENT ? 0 : rc;
	if (S_ISDIR(st.st_mode)) {
		struct walk w = {.enter = enter_all, .visit = unlink_one, .make_room = true};
		int fd = sys_openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
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

int tree_hide(int fd, uid_t grader, gid_t grader_gid, bool foreign)
{
	struct stat st;
	char path[64];
	int rc;
	if ((rc = sys_fstat(fd, &st)) < 0)
		return rc;
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return -EINVAL;
	if (st.st_uid != grader && !foreign)
		return -EPERM;
	mode_t mode = st.st_mode & 07777 & ~(mode_t)(S_ISUID | S_ISGID);
	if (st.st_uid != grader && st.st_gid != grader_gid) {
		/* Not the grader's: its group becomes the grader's, with the read and search
		 * rights others had (never write), so the grader keeps what it could do. */
		if ((rc = sys_fchownat(fd, "", (uid_t)-1, grader_gid, AT_EMPTY_PATH)) < 0)
			return rc;
		mode = (mode & ~(mode_t)070) | ((mode & 05) << 3);
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	return sys_fchmodat(AT_FDCWD, path, mode & ~(mode_t)07);
}
