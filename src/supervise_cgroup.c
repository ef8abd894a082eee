/* supervise_cgroup.c - the container's cgroup, read through directory fds without any
 * privilege (see include/cgroup.h), and the one write usher may do there: a cgroup of
 * the grader's own when the runtime delegated a writable one (--memory).
 *
 * Where the directory is: /proc/self/cgroup gives the path in each hierarchy and
 * /proc/self/mountinfo where (and from which root) that hierarchy is mounted. Docker on
 * cgroup v1 shares the host's cgroup namespace, so the path is /docker/ID while the
 * mount's root is that same /docker/ID: the directory is the mount point itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "parse.h"
#include "sys.h"
#include "util.h"

/* The next line of text (NUL-separated in place is not possible on const text: copy). */
static const char *next_line(const char *p, char *line, size_t len)
{
	if (!p || !*p)
		return NULL;
	size_t n = strcspn(p, "\n");
	snprintf(line, len, "%.*s", (int)(n < len ? n : len - 1), p);
	return p[n] ? p + n + 1 : p + n;
}

/* Is `name` an element of the comma list `list`? */
static bool in_list(const char *list, size_t len, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list, *end = list + len; p < end;) {
		const char *c = memchr(p, ',', (size_t)(end - p));
		size_t l = c ? (size_t)(c - p) : (size_t)(end - p);
		if (l == n && !strncmp(p, name, n))
			return true;
		p += l + 1;
	}
	return false;
}

/* mountinfo escapes spaces and the like as \ooo. */
static void unescape(char *s)
{
	char *o = s;
	for (char *p = s; *p; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
		    p[3] >= '0' && p[3] <= '7') {
			*o++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 3;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
}

int cgroup_find(const char *proc_cgroup, const char *mountinfo, const char *controller,
		char *dir, size_t dirlen)
{
	char line[4096], path[4096] = "";
	bool v2 = !*controller, found = false;
	/* "ID:controllers:path"; v2's is "0::path". */
	for (const char *p = proc_cgroup; !found && (p = next_line(p, line, sizeof line));) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		size_t clen = (size_t)(c2 - c1 - 1);
		if (v2 ? (clen == 0 && !strncmp(line, "0:", 2)) : in_list(c1 + 1, clen, controller)) {
			snprintf(path, sizeof path, "%s", c2 + 1);
			found = true;
		}
	}
	if (!found)
		return -ENOENT;
	/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER" */
	for (const char *p = mountinfo; (p = next_line(p, line, sizeof line));) {
		char *f[6], *save = NULL, *dash = strstr(line, " - ");
		if (!dash)
			continue;
		*dash = '\0';
		char *tail = dash + 3, *fstype = strtok_r(tail, " ", &save);
		strtok_r(NULL, " ", &save); /* source */
		char *super = strtok_r(NULL, " ", &save);
		if (!fstype || strcmp(fstype, v2 ? "cgroup2" : "cgroup") != 0)
			continue;
		if (!v2 && (!super || !in_list(super, strlen(super), controller)))
			continue;
		save = NULL;
		int n = 0;
		for (char *t = strtok_r(line, " ", &save); t && n < 6; t = strtok_r(NULL, " ", &save))
			f[n++] = t;
		if (n < 5)
			continue;
		char *root = f[3], *mnt = f[4];
		unescape(root);
		unescape(mnt);
		size_t rl = strcmp(root, "/") == 0 ? 0 : strlen(root);
		if (rl && (strncmp(path, root, rl) != 0 || (path[rl] && path[rl] != '/')))
			continue; /* this mount shows another part of the hierarchy */
		const char *rest = path + rl;
		if (!strcmp(rest, "/"))
			rest = "";
		if ((size_t)snprintf(dir, dirlen, "%s%s", mnt, rest) >= dirlen)
			return -ENAMETOOLONG;
		return 0;
	}
	return -ENOENT;
}

/* Every process in the cgroup is usher or PID 1 (the container's init, under
 * docker --init): the cgroup is the container's, and what it counts is the grader's. */
static bool only_us(int dirfd)
{
	char buf[512], line[32];
	if (file_read_small(dirfd, "cgroup.procs", buf, sizeof buf, false) < 0)
		return false;
	pid_t self = getpid();
	for (const char *p = buf; (p = next_line(p, line, sizeof line));) {
		uint64_t pid;
		if (!*line)
			continue;
		if (parse_u64(line, &pid) < 0 || ((pid_t)pid != self && pid != 1))
			return false;
	}
	return true;
}

static int open_dir(const char *path)
{
	return sys_openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY, 0);
}

static bool has(int dirfd, const char *file)
{
	struct stat st;
	return sys_fstatat(dirfd, file, &st, 0) == 0;
}

int cgroup_open(struct cgroup *cg)
{
	enum { MAX = 1 << 16 };
	char cgroups[4096], dir[4096];
	char *mounts = malloc(MAX);
	*cg = (struct cgroup){.mem = -1, .cpu = -1};
	if (!mounts)
		return -ENOMEM;
	ssize_t n = file_read_small(AT_FDCWD, "/proc/self/cgroup", cgroups, sizeof cgroups, false);
	ssize_t m = n < 0 ? n : file_read_small(AT_FDCWD, "/proc/self/mountinfo", mounts, MAX, false);
	if (n < 0 || m < 0) {
		free(mounts);
		return (int)(n < 0 ? n : m);
	}
	/* v1 first: on a hybrid host the controllers live in v1 hierarchies, and the v2
	 * one is mounted without them. */
	if (cgroup_find(cgroups, mounts, "memory", dir, sizeof dir) == 0 && (cg->mem = open_dir(dir)) >= 0)
		cg->mem_version = 1;
	else if (cgroup_find(cgroups, mounts, "", dir, sizeof dir) == 0 && (cg->mem = open_dir(dir)) >= 0)
		cg->mem_version = has(cg->mem, "memory.stat") ? 2 : 0;
	if (cg->mem >= 0 && !cg->mem_version) {
		sys_close(cg->mem);
		cg->mem = -1;
	}
	if (cgroup_find(cgroups, mounts, "cpuacct", dir, sizeof dir) == 0 && (cg->cpu = open_dir(dir)) >= 0)
		cg->cpu_version = 1;
	else if (cgroup_find(cgroups, mounts, "", dir, sizeof dir) == 0 && (cg->cpu = open_dir(dir)) >= 0)
		cg->cpu_version = has(cg->cpu, "cpu.stat") ? 2 : 0;
	if (cg->cpu >= 0 && !cg->cpu_version) {
		sys_close(cg->cpu);
		cg->cpu = -1;
	}
	free(mounts);
	cg->ours = (cg->mem >= 0 || cg->cpu >= 0) && (cg->mem < 0 || only_us(cg->mem)) &&
		   (cg->cpu < 0 || only_us(cg->cpu));
	return 0;
}

void cgroup_close(struct cgroup *cg)
{
	if (cg->mem >= 0)
		sys_close(cg->mem);
	if (cg->cpu >= 0)
		sys_close(cg->cpu);
	cg->mem = cg->cpu = -1;
	cg->mem_version = cg->cpu_version = 0;
}

/* "key value" lines (memory.stat, memory.events, cpu.stat, memory.oom_control). */
static int read_key(int dirfd, const char *file, const char *key, uint64_t *out)
{
	char buf[8192], line[128];
	ssize_t n = file_read_small(dirfd, file, buf, sizeof buf, false);
	if (n < 0 && n != -EFBIG)
		return (int)n;
	size_t kl = strlen(key);
	for (const char *p = buf; (p = next_line(p, line, sizeof line));)
		if (!strncmp(line, key, kl) && line[kl] == ' ')
			return parse_u64(line + kl + 1, out);
	return -ENOENT;
}

/* One number, or "max". */
static int read_value(int dirfd, const char *file, uint64_t *out)
{
	char buf[64];
	ssize_t n = file_read_small(dirfd, file, buf, sizeof buf, false);
	if (n < 0)
		return (int)n;
	buf[strcspn(buf, "\n")] = '\0';
	if (!strcmp(buf, "max")) {
		*out = CGROUP_NO_LIMIT;
		return 0;
	}
	return parse_u64(buf, out);
}

int cgroup_mem_limit(int version, int dirfd, uint64_t *bytes)
{
	uint64_t v = CGROUP_NO_LIMIT;
	int rc;
	if (version == 1) {
		if ((rc = read_key(dirfd, "memory.stat", "hierarchical_memory_limit", &v)) < 0)
			return rc;
		/* v1 says "unlimited" as the largest page-aligned counter: ~2^63. */
		*bytes = v >= (UINT64_C(1) << 62) ? CGROUP_NO_LIMIT : v;
		return 0;
	}
	/* v2: each ancestor's memory.max bounds it too; walk up while the files exist (the
	 * real root and the namespace's outside have none). */
	uint64_t lowest = CGROUP_NO_LIMIT;
	int fd = sys_openat(dirfd, ".", O_RDONLY | O_DIRECTORY, 0);
	for (int depth = 0; fd >= 0 && depth < 16; depth++) {
		rc = read_value(fd, "memory.max", &v);
		if (rc == 0 && v < lowest)
			lowest = v;
		int up = rc == 0 ? sys_openat(fd, "..", O_RDONLY | O_DIRECTORY, 0) : -1;
		sys_close(fd);
		fd = up;
		if (rc < 0 && depth == 0)
			return rc;
	}
	if (fd >= 0)
		sys_close(fd);
	*bytes = lowest;
	return 0;
}

int cgroup_mem_unreclaimable(int version, int dirfd, uint64_t *bytes)
{
	static const char *const v2[] = {"shmem", "kernel_stack", "pagetables", "sec_pagetables",
					 "percpu", "sock", "slab_unreclaimable"};
	uint64_t v, sum = 0;
	if (version == 1) {
		/* total_*: the hierarchy below too; rss is anonymous memory (and swap cache). */
		int rc = read_key(dirfd, "memory.stat", "total_rss", &v);
		if (rc < 0)
			return rc;
		sum = v;
		if (read_key(dirfd, "memory.stat", "total_shmem", &v) == 0)
			sum += v;
		*bytes = sum;
		return 0;
	}
	char buf[8192], line[128];
	ssize_t n = file_read_small(dirfd, "memory.stat", buf, sizeof buf, false);
	if (n < 0 && n != -EFBIG)
		return (int)n;
	bool anon = false;
	for (const char *p = buf; (p = next_line(p, line, sizeof line));) {
		char *sp = strchr(line, ' ');
		if (!sp || parse_u64(sp + 1, &v) < 0)
			continue;
		*sp = '\0';
		if (!strcmp(line, "anon")) {
			anon = true;
			sum += v;
		}
		for (size_t i = 0; i < sizeof v2 / sizeof v2[0]; i++)
			if (!strcmp(line, v2[i]))
				sum += v;
	}
	if (!anon)
		return -ENOENT;
	*bytes = sum;
	return 0;
}

int cgroup_mem_peak(int version, int dirfd, uint64_t *bytes)
{
	return read_value(dirfd, version == 1 ? "memory.max_usage_in_bytes" : "memory.peak", bytes);
}

int cgroup_oom_kills(int version, int dirfd, uint64_t *count)
{
	return read_key(dirfd, version == 1 ? "memory.oom_control" : "memory.events", "oom_kill", count);
}

bool cgroup_oom_group(int version, int dirfd)
{
	uint64_t v = 0;
	return version == 2 && read_value(dirfd, "memory.oom.group", &v) == 0 && v == 1;
}

int cgroup_cpu_ns(int version, int dirfd, uint64_t *ns)
{
	uint64_t us = 0;
	int rc;
	if (version == 1)
		return read_value(dirfd, "cpuacct.usage", ns);
	if ((rc = read_key(dirfd, "cpu.stat", "usage_usec", &us)) < 0)
		return rc;
	*ns = us > UINT64_MAX / 1000 ? UINT64_MAX : us * 1000;
	return 0;
}

int cgroup_write(int dirfd, const char *file, const char *text)
{
	int fd = sys_openat(dirfd, file, O_WRONLY, 0), rc;
	if (fd < 0)
		return fd;
	ssize_t w = sys_write(fd, text, strlen(text));
	rc = w < 0 ? (int)w : (size_t)w == strlen(text) ? 0 : -EIO;
	sys_close(fd);
	return rc;
}

int cgroup_adopt(int dirfd, pid_t pid)
{
	char text[24];
	snprintf(text, sizeof text, "%d\n", (int)pid);
	return cgroup_write(dirfd, "cgroup.procs", text);
}
