/* cmd_deliver.c - `usher deliver`: the sidecar side of the handoff (docs/protocol.md).
 *
 *   usher deliver [--to DIR] SOURCE...   copy files and trees into DIR, then publish
 *                                        DIR.ready with files= and bytes=
 *   usher deliver --fail REASON          publish DIR.failed with REASON
 *
 * A marker is published atomically and never over another one: when DIR.ready or
 * DIR.failed exists, usher deliver changes nothing and exits 73 (a sidecar restarted
 * mid-grade must not rewrite what is being graded), and two sidecars racing cannot both
 * publish (file_publish_new: rename without replacing).
 *
 * Sources are read without following any symlink (a symlink is copied as a symlink:
 * the shim's check decides whether it stays inside the submission), so a SOURCE tree
 * cannot smuggle in what lies outside it. FIFOs, sockets and devices are skipped with a
 * warning: the shim would reject them anyway. The counts in the marker are those of
 * DIR as published, counted the way the shim's check counts (regular files and
 * symlinks; bytes of regular files).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "stages.h"
#include "sys.h"
#include "util.h"

struct count {
	uint64_t files, bytes;
};

static int copy_file(int sfd, int ddir, const char *dname, mode_t mode, struct usher_report *rep)
{
	char buf[65536];
	int dfd = sys_openat(ddir, dname, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, mode & 0777);
	if (dfd < 0)
		return report_fail(rep, STEP_DELIVER, -dfd, "create %s", dname);
	ssize_t n;
	while ((n = sys_read(sfd, buf, sizeof buf)) > 0)
		for (ssize_t off = 0; off < n;) {
			ssize_t w = sys_write(dfd, buf + off, (size_t)(n - off));
			if (w < 0) {
				sys_close(dfd);
				return report_fail(rep, STEP_DELIVER, (int)-w, "write %s", dname);
			}
			off += w;
		}
	int rc = n < 0 ? (int)n : sys_fsync(dfd);
	sys_close(dfd);
	return rc < 0 ? report_fail(rep, STEP_DELIVER, -rc, "copy %s", dname) : 0;
}

/* One directory being copied (or counted: dst -1). The walk is iterative, on a heap
 * stack bounded by --max-depth: a recursive copy crashed at 700 levels. */
struct level {
	int src, dst;
	struct dents d;
};

/* One entry of src: a directory is created, and returned in *sub and *dsub to walk. */
static int one(int src, int dst, const char *name, struct count *c, int *sub, int *dsub,
	       struct usher_report *rep)
{
	struct stat st;
	int rc = sys_fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW);
	if (rc < 0)
		return report_fail(rep, STEP_DELIVER, -rc, "stat %s", name);
	if (S_ISLNK(st.st_mode) || S_ISREG(st.st_mode)) {
		c->files++;
		c->bytes += S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
	}
	if (S_ISDIR(st.st_mode)) {
		if (dst >= 0 && (rc = sys_mkdirat(dst, name, 0755)) < 0 && rc != -EEXIST)
			return report_fail(rep, STEP_DELIVER, -rc, "mkdir %s", name);
		*sub = sys_openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
		if (*sub < 0)
			return report_fail(rep, STEP_DELIVER, -*sub, "open %s", name);
		if (dst >= 0 && (*dsub = sys_openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0)) < 0) {
			sys_close(*sub);
			return report_fail(rep, STEP_DELIVER, -*dsub, "open %s", name);
		}
		return 0;
	}
	if (dst < 0)
		return 0;
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = sys_readlinkat(src, name, target, sizeof target - 1);
		if (n < 0)
			return report_fail(rep, STEP_DELIVER, (int)-n, "readlink %s", name);
		target[n] = '\0';
		sys_unlinkat(dst, name, 0);
		rc = sys_symlinkat(target, dst, name);
		return rc < 0 ? report_fail(rep, STEP_DELIVER, -rc, "symlink %s", name) : 0;
	}
	if (!S_ISREG(st.st_mode)) {
		log_warn("deliver: %s: skipped: not a regular file, directory or symlink", name);
		return 0;
	}
	int sfd = sys_openat(src, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK, 0);
	if (sfd < 0)
		return report_fail(rep, STEP_DELIVER, -sfd, "open %s", name);
	rc = copy_file(sfd, dst, name, st.st_mode, rep);
	sys_close(sfd);
	return rc;
}

/* Copy the tree under src into dst (dst -1: only count it), at most max_depth deep.
 * src and dst are borrowed: closed by the caller. */
static int tree(int src, int dst, unsigned max_depth, struct count *c, struct usher_report *rep)
{
	struct level *stack = calloc((size_t)max_depth + 1, sizeof *stack);
	unsigned top = 0;
	int rc = 0;
	if (!stack)
		return report_fail(rep, STEP_DELIVER, ENOMEM, "walk the submission");
	stack[top++] = (struct level){.src = src, .dst = dst};
	while (top && rc == 0) {
		struct level *l = &stack[top - 1];
		int err, sub = -1, dsub = -1;
		const char *name = dents_next(l->src, &l->d, &err);
		if (!name) {
			if (err < 0)
				rc = report_fail(rep, STEP_DELIVER, -err, "read a directory");
			if (top > 1) {
				sys_close(l->src);
				if (l->dst >= 0)
					sys_close(l->dst);
			}
			top--;
			continue;
		}
		rc = one(l->src, l->dst, name, c, &sub, &dsub, rep);
		if (rc == 0 && sub >= 0) {
			if (top > max_depth) {
				sys_close(sub);
				if (dsub >= 0)
					sys_close(dsub);
				rc = report_fail(rep, STEP_DELIVER, 0, "%s: nested deeper than --max-depth (%u): the "
						 "shim would reject it", name, max_depth);
				break;
			}
			stack[top++] = (struct level){.src = sub, .dst = dsub};
		}
	}
	while (top > 1) {
		top--;
		sys_close(stack[top].src);
		if (stack[top].dst >= 0)
			sys_close(stack[top].dst);
	}
	free(stack);
	return rc;
}

/* A published submission is never rewritten: a sidecar restarted mid-grade
 * (Kubernetes restartPolicy Always) must not change what is being graded. */
static int already(const char *marker, struct usher_report *rep)
{
	report_fail(rep, STEP_DELIVER, EEXIST, "%s exists: the submission was published already, and "
		    "usher deliver never rewrites it", marker);
	return -EEXIST;
}

static int published(const struct usher_config *cfg, struct usher_report *rep)
{
	struct stat st;
	if (sys_fstatat(AT_FDCWD, cfg->ready_file, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return already(cfg->ready_file, rep);
	if (sys_fstatat(AT_FDCWD, cfg->failed_file, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return already(cfg->failed_file, rep);
	return 0;
}

/* Publish a marker atomically (file_publish: temp file, fsync, rename). */
static int publish(const char *path, const char *text, struct usher_report *rep)
{
	const char *name;
	int dirfd = path_open_parent(path, &name), rc = dirfd;
	if (dirfd >= 0) {
		rc = file_publish_new(dirfd, name, text, strlen(text), 0644);
		sys_close(dirfd);
	}
	if (rc == -EEXIST)
		return already(path, rep);
	return rc < 0 ? report_fail(rep, STEP_DELIVER, -rc, "publish %s", path) : 0;
}

int deliver_main(const struct usher_config *cfg, struct usher_report *rep)
{
	char text[512];
	struct count c = {0}, copied = {0};
	int rc;

	if ((rc = published(cfg, rep)) < 0)
		return rc;
	if (cfg->deliver_fail) {
		char dir[4096];
		const char *base;
		if ((rc = path_split(cfg->failed_file, dir, sizeof dir, &base)) < 0 || (rc = mkdir_p(dir, 0755)) < 0)
			return report_fail(rep, STEP_DELIVER, -rc, "mkdir -p the directory of %s", cfg->failed_file);
		snprintf(text, sizeof text, "%s\n", cfg->deliver_fail);
		if ((rc = publish(cfg->failed_file, text, rep)) == 0)
			log_info("published %s: %s", cfg->failed_file, cfg->deliver_fail);
		return rc;
	}
	if (!cfg->deliver_sources.n)
		return report_fail(rep, STEP_DELIVER, EINVAL, "usher deliver: no SOURCE to deliver (or --fail REASON)");
	/* The volume may be empty. */
	if ((rc = mkdir_p(cfg->deliver_to, 0755)) < 0)
		return report_fail(rep, STEP_DELIVER, -rc, "mkdir -p %s", cfg->deliver_to);
	int dfd = sys_openat(AT_FDCWD, cfg->deliver_to, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
	if (dfd < 0)
		return report_fail(rep, STEP_DELIVER, -dfd, "open %s", cfg->deliver_to);
	rc = 0;
	for (size_t i = 0; i < cfg->deliver_sources.n && rc >= 0; i++) {
		const char *src = cfg->deliver_sources.v[i], *base;
		struct stat st;
		/* A directory SOURCE is delivered by content (like `cp -r SRC/. DIR`), a file
		 * by name, so `usher deliver --to DIR ./submission` fills DIR itself. */
		if (sys_fstatat(AT_FDCWD, src, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
			int sfd = sys_openat(AT_FDCWD, src, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
			rc = sfd < 0 ? report_fail(rep, STEP_DELIVER, -sfd, "open %s", src)
				     : tree(sfd, dfd, cfg->max_depth, &copied, rep);
			if (sfd >= 0)
				sys_close(sfd);
			continue;
		}
		int parent = path_open_parent(src, &base);
		if (parent < 0) {
			rc = report_fail(rep, STEP_DELIVER, -parent, "open the directory of %s", src);
			break;
		}
		int sub = -1, dsub = -1;
		rc = one(parent, dfd, base, &copied, &sub, &dsub, rep);
		sys_close(parent);
	}
	if (rc >= 0)
		rc = tree(dfd, -1, cfg->max_depth, &c, rep);
	sys_close(dfd);
	if (rc < 0)
		return rc;
	snprintf(text, sizeof text, "files=%llu\nbytes=%llu\n", (unsigned long long)c.files, (unsigned long long)c.bytes);
	if ((rc = publish(cfg->ready_file, text, rep)) == 0)
		log_info("delivered %llu files, %llu bytes to %s; published %s", (unsigned long long)c.files,
			 (unsigned long long)c.bytes, cfg->deliver_to, cfg->ready_file);
	return rc;
}
