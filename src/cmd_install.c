/* cmd_install.c - `usher install --to DIR`: copy the running binary to DIR/usher.
 *
 * Why a subcommand and not a VOLUME declaration in the distribution image: the carrier
 * container of an ECS task (or the init container of a Kubernetes pod) must put usher
 * into a volume the grader's container mounts. ECS copies an image's files into a
 * task volume only where the image declares VOLUME at the mount path, and Kubernetes
 * never copies image content into an emptyDir. A binary that copies itself works the
 * same everywhere (Fargate, EC2, an init container on an emptyDir, docker run) and
 * needs nothing from the image: the distribution image stays FROM scratch, with no
 * shell and no cp.
 *
 * The source is /proc/self/exe, opened once: the file the kernel is running, whatever
 * path it was started by, even when that path is now hidden by a mount. The copy is
 * written to a temp file created O_EXCL beside the target, made 0755, fsynced, then
 * renamed over DIR/usher: a grader container that starts early sees no usher or the
 * whole of it, never a partial binary. Nothing is followed through a symlink at the
 * target: the temp name is O_NOFOLLOW|O_EXCL and rename replaces a symlink itself.
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

#define INSTALL_NAME "usher"

static int copy_fd(int in, int out, const char *src, const char *dst)
{
	static char buf[65536];
	for (;;) {
		ssize_t n = sys_read(in, buf, sizeof buf);
		if (n == -EINTR)
			continue;
		if (n < 0) {
			log_error("read %s: %s", src, strerror((int)-n));
			return (int)n;
		}
		if (n == 0)
			return 0;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = sys_write(out, buf + off, (size_t)(n - off));
			if (w == -EINTR)
				continue;
			if (w <= 0) {
				int rc = w < 0 ? (int)w : -EIO;
				log_error("write %s: %s", dst, strerror(-rc));
				return rc;
			}
			off += w;
		}
	}
}

/* Write the copy under a temp name in dirfd, then rename it to INSTALL_NAME. */
static int install_into(int exe, int dirfd, const char *dir)
{
	char tmp[64], path[4200];
	int rc, out;
	snprintf(tmp, sizeof tmp, ".%s.install-tmp.%d", INSTALL_NAME, (int)getpid());
	snprintf(path, sizeof path, "%s/%s", dir, tmp);
	out = sys_openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0700);
	if (out == -EEXIST) { /* a leftover of an earlier run with our pid: ours to replace */
		sys_unlinkat(dirfd, tmp, 0);
		out = sys_openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0700);
	}
	if (out < 0) {
		log_error("create %s: %s", path, strerror(-out));
		return out;
	}
	rc = copy_fd(exe, out, "/proc/self/exe", path);
	/* 0755 whatever the umask: the grader's container runs it as root, the
	 * sidecar possibly as another uid. */
	if (rc == 0 && (rc = sys_fchmod(out, 0755)) < 0)
		log_error("chmod %s: %s", path, strerror(-rc));
	if (rc == 0 && (rc = sys_fsync(out)) < 0)
		log_error("fsync %s: %s", path, strerror(-rc));
	sys_close(out);
	if (rc == 0 && (rc = sys_renameat(dirfd, tmp, dirfd, INSTALL_NAME)) < 0)
		log_error("rename %s to %s/%s: %s", path, dir, INSTALL_NAME, strerror(-rc));
	if (rc < 0)
		sys_unlinkat(dirfd, tmp, 0);
	return rc;
}

int install_main(const struct usher_config *cfg, struct usher_report *rep)
{
	const char *dir = cfg->deliver_to;
	struct stat st;
	int exe, dirfd, rc;
	(void)rep;

	if (!dir) {
		log_error("usher install: missing --to DIR (where to put usher)");
		return -EINVAL;
	}
	exe = sys_openat(AT_FDCWD, "/proc/self/exe", O_RDONLY | O_CLOEXEC, 0);
	if (exe < 0) {
		log_error("open /proc/self/exe: %s", strerror(-exe));
		return exe;
	}
	if ((rc = sys_fstat(exe, &st)) < 0 || !S_ISREG(st.st_mode)) {
		rc = rc < 0 ? rc : -EINVAL;
		log_error("stat /proc/self/exe: %s", strerror(-rc));
		sys_close(exe);
		return rc;
	}
	dirfd = sys_openat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (dirfd < 0) {
		log_error("open %s: %s", dir, strerror(-dirfd));
		sys_close(exe);
		return dirfd;
	}
	rc = install_into(exe, dirfd, dir);
	if (rc == 0) {
		/* The rename is durable once the directory is; some filesystems cannot
		 * fsync a directory (EINVAL), which leaves the rename as it is. */
		int s = sys_fsync(dirfd);
		if (s < 0 && s != -EINVAL && s != -EROFS) {
			log_error("fsync %s: %s", dir, strerror(-s));
			rc = s;
		}
	}
	sys_close(dirfd);
	sys_close(exe);
	if (rc == 0)
		log_info("installed %s/%s (%lld bytes)", dir, INSTALL_NAME, (long long)st.st_size);
	return rc;
}
