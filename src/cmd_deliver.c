/* cmd_deliver.c - `usher deliver`: the sidecar side of the handoff (docs/protocol.md).
 *
 *   usher deliver [--to DIR] SOURCE...   copy files and trees into DIR, then publish
 *                                        DIR.ready with files= and bytes= by rename
 *   usher deliver --fail REASON          publish DIR.failed with REASON by rename
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

static int copy_tree(int sdir, const char *sname, int ddir, const char *dname, struct usher_report *rep);

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

static int copy_dir(int sfd, int ddir, const char *dname, struct usher_report *rep)
{
	struct dents d = {0};
	const char *name;
	int err, rc = sys_mkdirat(ddir, dname, 0755);
	if (rc < 0 && rc != -EEXIST)
		return report_fail(rep, STEP_DELIVER, -rc, "mkdir %s", dname);
	int dfd = sys_openat(ddir, dname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
	if (dfd < 0)
		return report_fail(rep, STEP_DELIVER, -dfd, "open %s", dname);
	rc = 0;
	while (rc >= 0 && (name = dents_next(sfd, &d, &err)))
		rc = copy_tree(sfd, name, dfd, name, rep);
	if (rc >= 0 && err < 0)
		rc = report_fail(rep, STEP_DELIVER, -err, "read directory %s", dname);
	sys_close(dfd);
	return rc < 0 ? rc : 0;
}

static int copy_tree(int sdir, const char *sname, int ddir, const char *dname, struct usher_report *rep)
{
	struct stat st;
	int rc = sys_fstatat(sdir, sname, &st, AT_SYMLINK_NOFOLLOW);
	if (rc < 0)
		return report_fail(rep, STEP_DELIVER, -rc, "stat %s", sname);
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = sys_readlinkat(sdir, sname, target, sizeof target - 1);
		if (n < 0)
			return report_fail(rep, STEP_DELIVER, (int)-n, "readlink %s", sname);
		target[n] = '\0';
		sys_unlinkat(ddir, dname, 0);
		return symlinkat(target, ddir, dname) < 0 ? report_fail(rep, STEP_DELIVER, errno, "symlink %s", dname) : 0;
	}
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		log_warn("deliver: %s: skipped: not a regular file, directory or symlink", sname);
		return 0;
	}
	int sfd = sys_openat(sdir, sname, O_RDONLY | O_NOFOLLOW | O_NONBLOCK, 0);
	if (sfd < 0)
		return report_fail(rep, STEP_DELIVER, -sfd, "open %s", sname);
	rc = S_ISDIR(st.st_mode) ? copy_dir(sfd, ddir, dname, rep) : copy_file(sfd, ddir, dname, st.st_mode, rep);
	sys_close(sfd);
	return rc;
}

/* Count DIR as the shim's check will. */
static int count(int dfd, struct count *c)
{
	struct dents d = {0};
	const char *name;
	int err;
	while ((name = dents_next(dfd, &d, &err))) {
		struct stat st;
		if (sys_fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub = sys_openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
			if (sub < 0)
				return sub;
			int rc = count(sub, c);
			sys_close(sub);
			if (rc < 0)
				return rc;
		} else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
			c->files++;
			c->bytes += S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
		}
	}
	return err;
}

/* Publish a marker atomically (file_publish: temp file, fsync, rename). */
static int publish(const char *path, const char *text, struct usher_report *rep)
{
	const char *name;
	int dirfd = path_open_parent(path, &name), rc = dirfd;
	if (dirfd >= 0) {
		rc = file_publish(dirfd, name, text, strlen(text), 0644);
		sys_close(dirfd);
	}
	return rc < 0 ? report_fail(rep, STEP_DELIVER, -rc, "publish %s", path) : 0;
}

int deliver_main(const struct usher_config *cfg, struct usher_report *rep)
{
	char text[512];
	struct count c = {0};
	int rc;

	if (cfg->deliver_fail) {
		snprintf(text, sizeof text, "%s\n", cfg->deliver_fail);
		if ((rc = publish(cfg->failed_file, text, rep)) == 0)
			log_info("published %s: %s", cfg->failed_file, cfg->deliver_fail);
		return rc;
	}
	if (!cfg->deliver_sources.n)
		return report_fail(rep, STEP_DELIVER, EINVAL, "usher deliver: no SOURCE to deliver (or --fail REASON)");
	/* mkdir -p: the volume may be empty. */
	char path[4096];
	snprintf(path, sizeof path, "%s", cfg->deliver_to);
	for (char *p = path + 1;; p++) {
		if (*p == '/' || !*p) {
			char saved = *p;
			*p = '\0';
			rc = sys_mkdirat(AT_FDCWD, path, 0755);
			if (rc < 0 && rc != -EEXIST)
				return report_fail(rep, STEP_DELIVER, -rc, "mkdir %s", path);
			*p = saved;
			if (!saved)
				break;
		}
	}
	int dfd = sys_openat(AT_FDCWD, cfg->deliver_to, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
	if (dfd < 0)
		return report_fail(rep, STEP_DELIVER, -dfd, "open %s", cfg->deliver_to);
	rc = 0;
	for (size_t i = 0; i < cfg->deliver_sources.n && rc >= 0; i++) {
		const char *src = cfg->deliver_sources.v[i];
		const char *base = strrchr(src, '/');
		struct stat st;
		base = base && base[1] ? base + 1 : src;
		/* A directory SOURCE is delivered by content (like `cp -r SRC/. DIR`), a file
		 * by name, so `usher deliver --to DIR ./submission` fills DIR itself. */
		if (sys_fstatat(AT_FDCWD, src, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
			int sfd = sys_openat(AT_FDCWD, src, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
			rc = sfd < 0 ? report_fail(rep, STEP_DELIVER, -sfd, "open %s", src) : copy_dir(sfd, dfd, ".", rep);
			if (sfd >= 0)
				sys_close(sfd);
		} else {
			rc = copy_tree(AT_FDCWD, src, dfd, base, rep);
		}
	}
	if (rc >= 0 && (rc = count(dfd, &c)) < 0)
		rc = report_fail(rep, STEP_DELIVER, -rc, "count %s", cfg->deliver_to);
	sys_close(dfd);
	if (rc < 0)
		return rc;
	snprintf(text, sizeof text, "files=%llu\nbytes=%llu\n", (unsigned long long)c.files, (unsigned long long)c.bytes);
	if ((rc = publish(cfg->ready_file, text, rep)) == 0)
		log_info("delivered %llu files, %llu bytes to %s; published %s", (unsigned long long)c.files,
			 (unsigned long long)c.bytes, cfg->deliver_to, cfg->ready_file);
	return rc;
}
