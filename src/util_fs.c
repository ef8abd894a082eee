/* util_fs.c - directory reading, path splitting, small reads and atomic publishing,
 * shared by the handoff, the report and the subcommands (see include/util.h). Every
 * call that may fail goes through the seam. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0) /* linux/fs.h; musl's stdio.h lacks it */
#endif

#include "sys.h"
#include "util.h"

const char *dents_next(int fd, struct dents *d, int *err)
{
	*err = 0;
	for (;;) {
		if (d->off >= d->len) {
			d->len = sys_getdents64(fd, d->buf, sizeof d->buf);
			d->off = 0;
			if (d->len <= 0) {
				*err = d->len < 0 ? (int)d->len : 0;
				d->len = 0;
				return NULL;
			}
		}
		/* struct linux_dirent64: u64 ino, s64 off, u16 reclen, u8 type, char name[] */
		unsigned short reclen;
		memcpy(&reclen, d->buf + d->off + 16, sizeof reclen);
		const char *name = d->buf + d->off + 19;
		d->type = (unsigned char)d->buf[d->off + 18];
		d->off += reclen;
		if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0)
			return name;
	}
}

int path_split(const char *path, char *dir, size_t dirlen, const char **base)
{
	const char *slash = strrchr(path, '/');
	*base = slash ? slash + 1 : path;
	if (!**base)
		return -EISDIR;
	size_t len = !slash ? 1 : slash == path ? 1 : (size_t)(slash - path);
	if (len >= dirlen)
		return -ENAMETOOLONG;
	if (!slash)
		memcpy(dir, ".", 1);
	else
		memcpy(dir, path, len);
	dir[len] = '\0';
	return 0;
}

int path_open_parent(const char *path, const char **base)
{
	char dir[4096];
	int rc = path_split(path, dir, sizeof dir, base);
	if (rc < 0)
		return rc;
	return sys_openat(AT_FDCWD, dir, O_PATH | O_DIRECTORY, 0);
}

int mkdir_p(const char *path, mode_t mode)
{
	char p[4096];
	if ((size_t)snprintf(p, sizeof p, "%s", path) >= sizeof p)
		return -ENAMETOOLONG;
	for (char *c = p + 1;; c++) {
		if (*c != '/' && *c)
			continue;
		char saved = *c;
		*c = '\0';
		int rc = sys_mkdirat(AT_FDCWD, p, mode);
		if (rc < 0 && rc != -EEXIST)
			return rc;
		*c = saved;
		if (!saved)
			return 0;
	}
}

ssize_t file_read_small(int dirfd, const char *path, char *buf, size_t cap, bool regular)
{
	struct stat st;
	size_t len = 0;
	int fd = sys_openat(dirfd, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0), rc;
	if (fd < 0)
		return fd;
	if (regular && ((rc = sys_fstat(fd, &st)) < 0 || !S_ISREG(st.st_mode))) {
		sys_close(fd);
		return rc < 0 ? rc : -EINVAL;
	}
	for (;;) {
		ssize_t r = sys_read(fd, buf + len, cap - 1 - len);
		if (r == -EINTR)
			continue;
		if (r < 0) {
			sys_close(fd);
			return r;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len == cap - 1) {
			char extra;
			buf[len] = '\0'; /* what fits is there, also when it is not all */
			r = sys_read(fd, &extra, 1);
			sys_close(fd);
			return r == 0 ? (ssize_t)len : r < 0 ? r : -EFBIG;
		}
	}
	sys_close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}

int write_whole(int fd, const void *data, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t w = sys_pwrite(fd, (const char *)data + off, len - off, (off_t)off);
		if (w == -EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? (int)w : -EIO;
		off += (size_t)w;
	}
	return 0;
}

static int publish(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
		   bool replace)
{
	char tmp[300];
	int fd, rc;
	if ((size_t)snprintf(tmp, sizeof tmp, ".%.200s.usher-tmp.%d", name, (int)getpid()) >= sizeof tmp)
		return -ENAMETOOLONG;
	fd = sys_openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
	if (fd == -EEXIST) { /* a leftover of an earlier run with our pid: ours to replace */
		sys_unlinkat(dirfd, tmp, 0);
		fd = sys_openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
	}
	if (fd < 0)
		return fd;
	rc = write_whole(fd, data, len);
	if (rc == 0)
		rc = sys_fsync(fd);
	sys_close(fd);
	if (rc == 0 && replace) {
		rc = sys_renameat(dirfd, tmp, dirfd, name);
	} else if (rc == 0) {
		/* rename(2) without replacing: renameat2 RENAME_NOREPLACE (3.15), or, on a
		 * filesystem without it (EINVAL: NFS, some FUSE), a hard link, which also
		 * fails when the name exists. */
		rc = sys_renameat2(dirfd, tmp, dirfd, name, RENAME_NOREPLACE);
		if (rc == -EINVAL && (rc = sys_linkat(dirfd, tmp, dirfd, name)) == 0)
			rc = 1; /* linked: the temp name goes below */
	}
	if (rc != 0)
		sys_unlinkat(dirfd, tmp, 0);
	return rc > 0 ? 0 : rc;
}

int file_publish(int dirfd, const char *name, const void *data, size_t len, mode_t mode)
{
	return publish(dirfd, name, data, len, mode, true);
}

int file_publish_new(int dirfd, const char *name, const void *data, size_t len, mode_t mode)
{
	return publish(dirfd, name, data, len, mode, false);
}
