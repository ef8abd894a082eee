/* supervise_delegate.c - a cgroup of the grader's own, for --memory, where the runtime
 * delegated a writable cgroup to the container (systemd's Delegate=yes, rootless
 * Podman, a host run as root). The kernel then enforces the limit inside it, and an OOM
 * kill there never reaches usher, even with memory.oom.group set on the container's.
 *
 *   v1  one directory "usher-grader" in the memory hierarchy, memory.limit_in_bytes
 *       (and memory.memsw.limit_in_bytes where swap is accounted, so swap is no way out).
 *   v2  no process may sit in a cgroup whose children have controllers: usher first
 *       moves itself into a leaf "usher", then enables +memory for the children and
 *       creates "grader" with memory.max (memory.swap.max 0). Refused when any other
 *       process shares the cgroup (it would stay behind in an inner node).
 *
 * A directory of that name left by an earlier usher in the same cgroup is reused when no
 * process is in it. Every failure undoes what was done, and the caller falls back to the
 * guard (supervise_limits.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "sys.h"
#include "util.h"

/* mkdir, or an empty leftover of an earlier run; returns its fd. */
static int make_leaf(int parent, const char *name)
{
	int rc = sys_mkdirat(parent, name, 0755);
	if (rc < 0 && rc != -EEXIST)
		return rc;
	int fd = sys_openat(parent, name, O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0 || rc == 0)
		return fd;
	char procs[16];
	ssize_t n = file_read_small(fd, "cgroup.procs", procs, sizeof procs, false);
	if (n != 0) { /* in use, or not a cgroup */
		sys_close(fd);
		return n < 0 ? (int)n : -EBUSY;
	}
	return fd;
}

static int only_self(int dirfd)
{
	char buf[64], want[24];
	ssize_t n = file_read_small(dirfd, "cgroup.procs", buf, sizeof buf, false);
	if (n < 0)
		return (int)n;
	snprintf(want, sizeof want, "%d\n", (int)getpid());
	return strcmp(buf, want) == 0 ? 0 : -EBUSY;
}

static bool lists(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = strstr(list, word); p; p = strstr(p + 1, word))
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || !p[n]))
			return true;
	return false;
}

static int delegate_v1(int parent, const char *limit, char *name, size_t namelen)
{
	snprintf(name, namelen, "usher-grader");
	int fd = make_leaf(parent, name), rc;
	if (fd < 0)
		return fd;
	if ((rc = cgroup_write(fd, "memory.limit_in_bytes", limit)) < 0) {
		sys_close(fd);
		sys_unlinkat(parent, name, AT_REMOVEDIR);
		return rc;
	}
	/* memsw >= limit always holds here (it was unlimited, or at least the container's). */
	(void)cgroup_write(fd, "memory.memsw.limit_in_bytes", limit);
	return fd;
}

static int delegate_v2(int parent, const char *limit, char *name, size_t namelen)
{
	char ctl[256];
	int rc, self = -1, fd = -1;
	bool enabled = false;
	snprintf(name, namelen, "grader");
	if ((rc = (int)file_read_small(parent, "cgroup.controllers", ctl, sizeof ctl, false)) < 0)
		return rc;
	if (!lists(ctl, "memory"))
		return -EOPNOTSUPP; /* the runtime did not delegate the memory controller */
	if ((rc = only_self(parent)) < 0)
		return rc;
	if ((self = make_leaf(parent, "usher")) < 0)
		return self;
	if ((rc = cgroup_write(self, "cgroup.procs", "0")) < 0)
		goto undo;
	if ((rc = (int)file_read_small(parent, "cgroup.subtree_control", ctl, sizeof ctl, false)) < 0)
		goto undo;
	if (!lists(ctl, "memory")) {
		if ((rc = cgroup_write(parent, "cgroup.subtree_control", "+memory")) < 0)
			goto undo;
		enabled = true;
	}
	if ((fd = make_leaf(parent, name)) < 0) {
		rc = fd;
		goto undo;
	}
	if ((rc = cgroup_write(fd, "memory.max", limit)) < 0)
		goto undo;
	(void)cgroup_write(fd, "memory.swap.max", "0"); /* absent without swap accounting */
	sys_close(self);
	return fd;
undo:
	if (fd >= 0) {
		sys_close(fd);
		sys_unlinkat(parent, name, AT_REMOVEDIR);
	}
	if (enabled)
		(void)cgroup_write(parent, "cgroup.subtree_control", "-memory");
	(void)cgroup_write(parent, "cgroup.procs", "0");
	sys_close(self);
	sys_unlinkat(parent, "usher", AT_REMOVEDIR);
	return rc;
}

int cgroup_delegate(int version, int parent, uint64_t limit, char *name, size_t namelen)
{
	char text[24];
	snprintf(text, sizeof text, "%llu", (unsigned long long)limit);
	return version == 1 ? delegate_v1(parent, text, name, namelen)
	       : version == 2 ? delegate_v2(parent, text, name, namelen)
			      : -EOPNOTSUPP;
}
