/* report_reserve.c - room for the result and the learner's file, taken before the
 * grader starts, so that a grader that fills the disk cannot keep usher from writing
 * them (SPEC: the result is written for every outcome).
 *
 * reserve() creates the temp file that file_publish() would create at the end, O_EXCL
 * beside the final name, and asks the filesystem for its blocks (fallocate): they stay
 * usher's whatever the grader writes meanwhile. At the end, reserved_publish() writes
 * into those blocks, gives back the rest (ftruncate), fsyncs and renames over the final
 * name: the same atomic publication, with no allocation left to fail. Where fallocate
 * is not supported (some network filesystems), the file is filled with zeros instead,
 * which reserves the blocks just as well. The temp file is root's, 0600, and outside
 * everything Landlock lets the grader write.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reserve.h"
#include "sys.h"
#include "util.h"

static int fill_zeros(int fd, size_t size)
{
	static const char zeros[4096];
	for (size_t off = 0; off < size;) {
		size_t n = size - off < sizeof zeros ? size - off : sizeof zeros;
		ssize_t w = sys_pwrite(fd, zeros, n, (off_t)off);
		if (w == -EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? (int)w : -EIO;
		off += (size_t)w;
	}
	return sys_fsync(fd);
}

int reserve(struct reserved *r, int dirfd, const char *name, size_t size)
{
	int fd, rc;
	r->fd = -1;
	r->dirfd = dirfd;
	if ((size_t)snprintf(r->tmp, sizeof r->tmp, ".%.200s.usher-tmp.%d", name, (int)getpid()) >= sizeof r->tmp)
		return -ENAMETOOLONG;
	fd = sys_openat(dirfd, r->tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
	if (fd == -EEXIST) { /* a leftover of an earlier run with our pid: ours to replace */
		sys_unlinkat(dirfd, r->tmp, 0);
		fd = sys_openat(dirfd, r->tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
	}
	if (fd < 0)
		return fd;
	rc = sys_fallocate(fd, 0, (off_t)size);
	if (rc == -EOPNOTSUPP || rc == -ENOSYS)
		rc = fill_zeros(fd, size);
	if (rc < 0) {
		sys_close(fd);
		sys_unlinkat(dirfd, r->tmp, 0);
		return rc;
	}
	r->fd = fd;
	r->size = size;
	return 0;
}

int reserved_publish(struct reserved *r, const char *name, const void *data, size_t len, mode_t mode)
{
	int rc = 0;
	if (r->fd < 0)
		return -EBADF;
	if (len > r->size)
		rc = -EFBIG; /* would need blocks nobody reserved: the caller publishes the usual way */
	if (rc == 0)
		rc = write_whole(r->fd, data, len);
	if (rc == 0)
		rc = sys_ftruncate(r->fd, (off_t)len);
	if (rc == 0)
		rc = sys_fchmod(r->fd, mode);
	if (rc == 0)
		rc = sys_fsync(r->fd);
	sys_close(r->fd);
	r->fd = -1;
	if (rc == 0)
		rc = sys_renameat(r->dirfd, r->tmp, r->dirfd, name);
	if (rc < 0)
		sys_unlinkat(r->dirfd, r->tmp, 0);
	return rc;
}

void reserved_drop(struct reserved *r)
{
	if (r->fd < 0)
		return;
	sys_close(r->fd);
	sys_unlinkat(r->dirfd, r->tmp, 0);
	r->fd = -1;
}
