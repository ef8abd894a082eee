/* handoff_resolve.c - does a path inside the submission resolve, and stay inside it?
 *
 * The kernel answers with openat2(RESOLVE_BENEATH) since Linux 5.6. Older kernels
 * (Amazon Linux 2's 4.14), runtimes whose seccomp profile predates openat2 (EPERM or
 * ENOSYS), and valgrind do not have it; for them the same walk is done here, one
 * component at a time, the way the kernel does it: a stack of directory fds from DIR
 * (so ".." after a symlink climbs the directory the symlink led to, not the text of the
 * path), symlink targets spliced in front of what is left, at most 40 of them.
 * The walk is not atomic, but by the time it runs the sidecar is done and the grader
 * has not started: nothing writes the tree. Answers are openat2's errnos: 0, -EXDEV
 * (leaves DIR, or an absolute target), -ELOOP, -ENOENT, -ENOTDIR, or another -errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "handoff.h"
#include "log.h"
#include "sys.h"

#ifndef RESOLVE_BENEATH
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_BENEATH 0x08
#endif

enum { MAX_LINKS = 40, MAX_DEPTH = 256, PATH_LEN = 4096 };

/* Put the next component of `left` in `name` and remove it from `left`. */
static void next_component(char *left, char *name)
{
	char *p = left;
	while (*p == '/')
		p++;
	size_t n = strcspn(p, "/");
	memcpy(name, p, n);
	name[n] = '\0';
	memmove(left, p + n, strlen(p + n) + 1);
}

int resolve_walk(int root, const char *rel)
{
	char left[PATH_LEN], name[PATH_LEN], target[PATH_LEN];
	int dirs[MAX_DEPTH], depth = 0, links = 0, rc = 0;

	if (snprintf(left, sizeof left, "%s", rel) >= (int)sizeof left)
		return -ENAMETOOLONG;
	dirs[0] = root; /* borrowed: never closed here */
	for (;;) {
		next_component(left, name);
		if (!*name)
			break; /* the whole path resolved */
		if (!strcmp(name, "."))
			continue;
		if (!strcmp(name, "..")) {
			if (depth == 0) {
				rc = -EXDEV;
				break;
			}
			sys_close(dirs[depth--]);
			continue;
		}
		struct stat st;
		if ((rc = sys_fstatat(dirs[depth], name, &st, AT_SYMLINK_NOFOLLOW)) < 0)
			break;
		if (S_ISLNK(st.st_mode)) {
			ssize_t n = sys_readlinkat(dirs[depth], name, target, sizeof target - 1);
			if (n < 0) {
				rc = (int)n;
				break;
			}
			target[n] = '\0';
			if (++links > MAX_LINKS) {
				rc = -ELOOP;
				break;
			}
			if (target[0] == '/') {
				rc = -EXDEV;
				break;
			}
			/* What the link says, then what was left after it. */
			char rest[PATH_LEN];
			if (snprintf(rest, sizeof rest, "%s%s%s", target, *left ? "/" : "", left) >=
			    (int)sizeof rest) {
				rc = -ENAMETOOLONG;
				break;
			}
			memcpy(left, rest, sizeof left);
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			/* A file ends the path: anything after it, even a lone "/", cannot be
			 * resolved (what is left starts with the '/' that followed the name). */
			rc = *left ? -ENOTDIR : 0;
			break;
		}
		if (depth + 1 >= MAX_DEPTH) {
			rc = -ENAMETOOLONG;
			break;
		}
		int fd = sys_openat(dirs[depth], name, O_PATH | O_DIRECTORY | O_NOFOLLOW, 0);
		if (fd < 0) {
			rc = fd;
			break;
		}
		dirs[++depth] = fd;
	}
	while (depth > 0)
		sys_close(dirs[depth--]);
	return rc;
}

int resolve_beneath(int root, const char *rel)
{
	/* openat2(2): EAGAIN when a rename anywhere on the machine raced with a ".." of
	 * this lookup; "retry". A few times, then the user-space walk decides. */
	int fd = -EAGAIN;
	for (int i = 0; i < 8 && fd == -EAGAIN; i++)
		fd = sys_openat2(root, rel, O_PATH, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
	if (fd >= 0) {
		sys_close(fd);
		return 0;
	}
	if (fd != -ENOSYS && fd != -EPERM && fd != -EAGAIN)
		return fd;
	static bool said;
	if (!said)
		log_verbose("openat2: %s: resolving symlinks in the submission in user space",
			    strerror(-fd));
	said = true;
	return resolve_walk(root, rel);
}
