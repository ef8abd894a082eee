/* handoff_check.c - the submission checks (SPEC.md "Submission checks").
 *
 * Everything goes through file descriptors: each entry is looked at with fstatat
 * (AT_SYMLINK_NOFOLLOW), opened with O_NOFOLLOW, and fstat'ed again on the fd, whose
 * device and inode must match: a path is never trusted twice. Accepted: regular files
 * (one link only: chown on a hard link would change a file outside DIR), directories,
 * and symlinks whose target the kernel resolves inside DIR (openat2 RESOLVE_BENEATH from
 * DIR's fd, or the same walk in user space without openat2: resolve.c; a lexical check
 * is fooled by `b -> .` plus `d/a -> ../b/..`). Rejected:
 * FIFOs, sockets, devices, absolute or escaping or dangling symlinks, the limits.
 *
 * Afterwards the grader can read and traverse everything and modify nothing: as root,
 * owner root:root, directories 0755, files 0644 (0755 when any x bit was set),
 * setuid/setgid/sticky cleared. Not as root: the modes are only checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "handoff.h"
#include "lockdown.h"
#include "log.h"
#include "plan.h"
#include "stages.h"
#include "sys.h"
#include "util.h"

/* One directory being read. The walk is iterative, on a heap stack of these: a
 * recursive walk put ~12 KiB of stack per level and a 500-deep submission crashed
 * PID 1 (no result at all). Depth is bounded by --max-depth (at most 4096). */
struct frame {
	int fd;
	unsigned depth;
	size_t rel_len; /* w->rel[0..rel_len) is this directory's path in DIR */
	struct dents d;
};

struct walk {
	const struct usher_config *cfg;
	struct usher_report *rep;
	int root;   /* DIR's fd */
	bool owner; /* usher may chown (root) */
	uid_t uid;  /* the grader's */
	uint64_t entries, files, bytes;
	char rel[4096];
	struct frame *stack;
	unsigned top, cap;
};

static int reject(struct walk *w, const char *rel, const char *rule)
{
	report_fail(w->rep, STEP_CHECK, 0, "submission rejected: %s: %s", *rel ? rel : ".", rule);
	return -OUTCOME_REJECTED;
}

/* Make an entry readable (and traversable) by the grader and writable by nobody. */
static int normalise(struct walk *w, int fd, const struct stat *st, const char *rel)
{
	mode_t want = S_ISDIR(st->st_mode) || (st->st_mode & 0111) ? 0755 : 0644;
	int rc = 0;
	if (w->owner) {
		if ((st->st_uid != 0 || st->st_gid != 0) && (rc = sys_fchown(fd, 0, 0)) < 0)
			return report_fail(w->rep, STEP_CHECK, -rc, "chown %s/%s", w->cfg->submission, rel);
		if ((st->st_mode & 07777) != want && (rc = sys_fchmod(fd, want)) < 0)
			return report_fail(w->rep, STEP_CHECK, -rc, "chmod %s/%s", w->cfg->submission, rel);
		return 0;
	}
	/* Not root: the grader is usher's own uid. Setuid/setgid bits still go; what the
	 * grader owns it could make writable again, which only root can prevent. */
	if ((st->st_mode & 07000) && (rc = sys_fchmod(fd, st->st_mode & 0777)) < 0)
		return report_fail(w->rep, STEP_CHECK, -rc, "chmod %s/%s", w->cfg->submission, rel);
	if (st->st_uid != w->uid && !(st->st_mode & 04))
		return reject(w, rel, "not readable by the grader (usher is not root and cannot fix it)");
	return 0;
}

/* One entry. Returns 0, an error, or (*descend >= 0) the fd of a directory to walk. */
static int entry(struct walk *w, int dirfd, const char *name, const char *rel, int *descend)
{
	struct stat st, fst;
	int rc = sys_fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW);
	if (rc < 0)
		return report_fail(w->rep, STEP_CHECK, -rc, "stat %s/%s", w->cfg->submission, rel);
	if (++w->entries > w->cfg->max_files)
		return reject(w, rel, "more entries than --max-files");
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = sys_readlinkat(dirfd, name, target, sizeof target - 1);
		if (n < 0)
			return report_fail(w->rep, STEP_CHECK, (int)-n, "readlink %s/%s", w->cfg->submission, rel);
		target[n] = '\0';
		if (target[0] == '/')
			return reject(w, rel, "symlink with an absolute target");
		int fd = resolve_beneath(w->root, rel);
		if (fd == -EXDEV)
			return reject(w, rel, "symlink that leads out of the submission");
		if (fd == -ELOOP)
			return reject(w, rel, "symlink loop");
		if (fd == -ENOENT || fd == -ENOTDIR)
			return reject(w, rel, "dangling symlink");
		if (fd < 0)
			return report_fail(w->rep, STEP_CHECK, -fd, "resolve %s/%s", w->cfg->submission, rel);
		w->files++;
		return 0;
	}
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return reject(w, rel, S_ISFIFO(st.st_mode) ? "FIFO" : S_ISSOCK(st.st_mode) ? "socket" : "device node");
	if (S_ISREG(st.st_mode) && st.st_nlink > 1)
		return reject(w, rel, "hard link (a file with more than one name)");
	/* O_NONBLOCK|O_NOCTTY: if the entry was swapped for a FIFO or a tty since the
	 * fstatat, opening it must not hang or adopt it; the inode check then rejects it. */
	int fd = sys_openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
					 (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0), 0);
	/* Not root, usher opens with the grader's own uid: what it may not read, the
	 * grader may not either. That is the submission's fault, not usher's. */
	if (fd == -EACCES && !w->owner)
		return reject(w, rel, "not readable by the grader (usher is not root and cannot fix it)");
	if (fd < 0)
		return report_fail(w->rep, STEP_CHECK, -fd, "open %s/%s", w->cfg->submission, rel);
	if ((rc = sys_fstat(fd, &fst)) < 0 || fst.st_dev != st.st_dev || fst.st_ino != st.st_ino) {
		sys_close(fd);
		return rc < 0 ? report_fail(w->rep, STEP_CHECK, -rc, "fstat %s/%s", w->cfg->submission, rel)
			      : reject(w, rel, "changed while being checked");
	}
	rc = normalise(w, fd, &fst, rel);
	if (rc == 0 && S_ISDIR(fst.st_mode)) {
		*descend = fd;
		return 0;
	} else if (rc == 0) {
		w->files++;
		w->bytes += (uint64_t)fst.st_size;
		if (w->bytes > w->cfg->max_bytes)
			rc = reject(w, rel, "more bytes than --max-bytes");
	}
	sys_close(fd);
	return rc;
}

static int push(struct walk *w, int fd, unsigned depth, size_t rel_len)
{
	if (depth > w->cfg->max_depth) {
		sys_close(fd);
		return reject(w, w->rel, "nested deeper than --max-depth");
	}
	if (w->top == w->cap) {
		unsigned cap = w->cap ? w->cap * 2 : 8;
		struct frame *s = realloc(w->stack, cap * sizeof *s);
		if (!s) {
			sys_close(fd);
			return report_fail(w->rep, STEP_CHECK, ENOMEM, "walk %s", w->cfg->submission);
		}
		w->stack = s;
		w->cap = cap;
	}
	struct frame *f = &w->stack[w->top++];
	f->fd = fd;
	f->depth = depth;
	f->rel_len = rel_len;
	f->d.len = f->d.off = 0;
	return 0;
}

static int walk(struct walk *w)
{
	int rc = push(w, w->root, 0, 0);
	while (rc == 0 && w->top) {
		struct frame *f = &w->stack[w->top - 1];
		int err, sub = -1;
		const char *name = dents_next(f->fd, &f->d, &err);
		if (!name) {
			w->rel[f->rel_len] = '\0';
			if (err < 0)
				rc = report_fail(w->rep, STEP_CHECK, -err, "read directory %s/%s",
						 w->cfg->submission, w->rel);
			if (f->fd != w->root)
				sys_close(f->fd);
			w->top--;
			continue;
		}
		size_t len = f->rel_len;
		int n = snprintf(w->rel + len, sizeof w->rel - len, "%s%s", len ? "/" : "", name);
		if (n < 0 || (size_t)n >= sizeof w->rel - len) {
			w->rel[len] = '\0';
			rc = reject(w, w->rel, "path longer than 4095 bytes");
			break;
		}
		unsigned depth = f->depth; /* push() may move the stack */
		rc = entry(w, f->fd, name, w->rel, &sub);
		if (rc == 0 && sub >= 0)
			rc = push(w, sub, depth + 1, len + (size_t)n);
	}
	while (w->top) /* after a failure: close what is still open */
		if (w->stack[--w->top].fd != w->root)
			sys_close(w->stack[w->top].fd);
	free(w->stack);
	w->stack = NULL;
	return rc;
}

static int verify_manifest(struct walk *w)
{
	const struct usher_report *rep = w->rep;
	char why[128];
	if (rep->manifest.has_files && rep->manifest.files != w->files) {
		snprintf(why, sizeof why, "the ready marker says files=%llu, found %llu",
			 (unsigned long long)rep->manifest.files, (unsigned long long)w->files);
		return reject(w, "", why);
	}
	if (rep->manifest.has_bytes && rep->manifest.bytes != w->bytes) {
		snprintf(why, sizeof why, "the ready marker says bytes=%llu, found %llu",
			 (unsigned long long)rep->manifest.bytes, (unsigned long long)w->bytes);
		return reject(w, "", why);
	}
	return 0;
}

int check_submission(const struct usher_config *cfg, const struct usher_plan *plan,
		     struct usher_report *rep)
{
	static struct walk w;
	struct stat st;
	int rc;

	memset(&w, 0, sizeof w);
	w.cfg = cfg;
	w.rep = rep;
	w.owner = plan->priv.chown;
	w.uid = plan->uid; /* in a non-root start, usher's own: the uid the grader really has */
	/* DIR itself: a real directory, never followed through a symlink. */
	w.root = sys_openat(AT_FDCWD, cfg->submission, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
	if (w.root == -ENOENT && cfg->no_wait) {
		/* --no-wait with nothing delivered: graders that need no submission (and
		 * `docker run --entrypoint usher IMAGE --no-wait -- CMD`) just run. After a
		 * ready marker, a missing directory is a broken drop and is rejected. */
		log_warn("check %s: no submission directory: the grader runs without one", cfg->submission);
		rep->submission.checked = true;
		return 0;
	}
	if (w.root == -ENOENT)
		return reject(&w, "", "the submission directory does not exist");
	if (w.root == -ENOTDIR || w.root == -ELOOP)
		return reject(&w, "", "not a directory (a symlink or a file)");
	if (w.root < 0)
		return report_fail(rep, STEP_CHECK, -w.root, "open %s", cfg->submission);
	if ((rc = sys_fstat(w.root, &st)) < 0)
		rc = report_fail(rep, STEP_CHECK, -rc, "fstat %s", cfg->submission);
	else if ((rc = normalise(&w, w.root, &st, "")) == 0 && (rc = walk(&w)) == 0)
		rc = verify_manifest(&w);
	sys_close(w.root);
	if (rc < 0)
		return rc;
	rep->submission.checked = true;
	rep->submission.files = w.files;
	rep->submission.bytes = w.bytes;
	if (rep->wait_ms >= 0)
		log_info("submission ready after %.2f s: %llu files, %.1f KiB", (double)rep->wait_ms / 1000,
			 (unsigned long long)w.files, (double)w.bytes / 1024);
	else
		log_info("submission checked: %llu files, %.1f KiB", (unsigned long long)w.files,
			 (double)w.bytes / 1024);
	return 0;
}
