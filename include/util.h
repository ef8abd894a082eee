/* util.h - small helpers used by several stages (util_fs.c, util_time.c): each thing
 * done in more than one place is done here once.
 *
 * Like the seam, every function returns a non-negative value or -errno.
 */
#ifndef USHER_UTIL_H
#define USHER_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* For parsers: write the reason into why[] and return -EINVAL. */
#define WHY(...) (snprintf(why, whylen, __VA_ARGS__), -EINVAL)

/* --- time (util_time.c) --- */
uint64_t now_ms(void); /* CLOCK_MONOTONIC in milliseconds */
/* a + b, saturating at UINT64_MAX: a deadline "now + 500 million years" is "never",
 * not a wrap-around to the past. */
static inline uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}
/* Milliseconds from now until `deadline` for poll(), capped at `cap` (0 when past). */
int ms_until(uint64_t deadline, int cap);

/* --- directories (util_fs.c) --- */

/* Reading a directory with getdents64, one name at a time, "." and ".." skipped:
 *     struct dents d = {0}; const char *name; int err;
 *     while ((name = dents_next(fd, &d, &err))) ...;   err: 0 at the end, or -errno */
struct dents {
	char buf[4096];
	ssize_t len, off;
	unsigned char type; /* d_type of the last name (DT_UNKNOWN on some filesystems) */
};
const char *dents_next(int fd, struct dents *d, int *err);

/* Split PATH into the directory part (into dir[]) and a pointer to the last component:
 * "a/b" -> "a", "b"; "b" -> ".", "b"; "/b" -> "/", "b"; "a/b/" -> -EISDIR. */
int path_split(const char *path, char *dir, size_t dirlen, const char **base);
/* Open the directory part of PATH (O_PATH|O_DIRECTORY) and point *base at the name. */
int path_open_parent(const char *path, const char **base);

/* mkdir -p: every missing directory of PATH, with MODE. */
int mkdir_p(const char *path, mode_t mode);

/* Read a small file whole (at most cap-1 bytes, NUL-terminated) without following a
 * final symlink. Returns the length, or -errno: -EFBIG when it does not fit (buf then
 * holds what did, NUL-terminated), -EINVAL when `regular` and it is not a regular file. */
ssize_t file_read_small(int dirfd, const char *path, char *buf, size_t cap, bool regular);

/* Write all of data at offset 0 of fd (pwrite, EINTR retried); 0 or -errno. */
int write_whole(int fd, const void *data, size_t len);

/* Publish NAME in dirfd atomically: a temp file created O_EXCL beside it, written,
 * fsynced, renamed over NAME. Readers see the old file or the whole new one, never a
 * part; a symlink planted at the temp name is never followed. */
int file_publish(int dirfd, const char *name, const void *data, size_t len, mode_t mode);
/* The same, but never over an existing NAME: -EEXIST then, and nothing changed. */
int file_publish_new(int dirfd, const char *name, const void *data, size_t len, mode_t mode);

#endif
