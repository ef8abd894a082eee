/* cgroup.h - the container's own cgroup, read without privileges (supervise_cgroup.c),
 * and the limits usher enforces with it (supervise_limits.c).
 *
 * Both versions: v1 (Amazon Linux 2's ECS, Docker on these machines: one hierarchy per
 * controller) and v2 (Amazon Linux 2023, current Kubernetes: one unified hierarchy).
 * Every reader takes directory fds, so a unit test can point them at a temporary
 * directory laid out like /sys/fs/cgroup (tests/unit/test_cgroup.c).
 */
#ifndef USHER_CGROUP_H
#define USHER_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CGROUP_NO_LIMIT UINT64_MAX

struct cgroup {
	int mem_version; /* 1 or 2; 0: no memory cgroup found */
	int mem;         /* the memory controller's directory (v1 memory/, v2 the unified one); -1 */
	int cpu_version; /* 1 or 2; 0: no CPU counter found */
	int cpu;         /* the directory with the CPU counter (v1 cpuacct/, v2 the unified one); -1 */
	/* It holds usher and its descendants only (and the container's init): a
	 * container's own. On a host it is shared, and only a child of usher's counts. */
	bool ours;
};

/* Pure: the directory of `controller` ("memory", "cpuacct"; "" for the v2 unified
 * hierarchy) for this process, from the text of /proc/self/cgroup and
 * /proc/self/mountinfo: the mount of that hierarchy whose root is a prefix of the
 * process's cgroup path, plus the rest of the path (Docker's v1 mounts show the
 * container's cgroup at /sys/fs/cgroup/memory while /proc/self/cgroup says
 * /docker/ID). 0, -ENOENT when the controller is not mounted, -ENAMETOOLONG. */
int cgroup_find(const char *proc_cgroup, const char *mountinfo, const char *controller,
		char *dir, size_t dirlen);

/* Finds and opens this process's memory and CPU cgroups (from /proc/self), and says
 * whether they are ours. Returns 0, versions 0 for what is not there. */
int cgroup_open(struct cgroup *cg);
void cgroup_close(struct cgroup *cg);

/* Readers; each returns 0 or -errno (-ENOENT: the kernel has no such file). */
/* The memory limit: v1 hierarchical_memory_limit (ancestors included), v2 the lowest
 * memory.max of the directory and the ancestors visible above it. CGROUP_NO_LIMIT
 * when there is none. */
int cgroup_mem_limit(int version, int dirfd, uint64_t *bytes);
/* Memory the kernel cannot reclaim, what an OOM kill is about: anonymous memory and
 * shmem (tmpfs, memfds) in both versions; in v2 also kernel stacks, page tables,
 * unreclaimable slab, per-cpu and socket memory. Never page cache. */
int cgroup_mem_unreclaimable(int version, int dirfd, uint64_t *bytes);
/* Peak usage: v1 memory.max_usage_in_bytes, v2 memory.peak (Linux 5.19). Both count
 * page cache too, since the cgroup's creation. */
int cgroup_mem_peak(int version, int dirfd, uint64_t *bytes);
/* OOM kills so far: v1 memory.oom_control oom_kill (4.13), v2 memory.events oom_kill. */
int cgroup_oom_kills(int version, int dirfd, uint64_t *count);
/* v2 memory.oom.group: an OOM kill takes the whole cgroup, PID 1 included (Kubernetes
 * 1.28+ sets it). false in v1, which has no such thing. */
bool cgroup_oom_group(int version, int dirfd);
/* CPU time used by the cgroup's processes, living and dead: v1 cpuacct.usage, v2
 * cpu.stat usage_usec. */
int cgroup_cpu_ns(int version, int dirfd, uint64_t *ns);

/* A cgroup of the grader's own under `parent` (delegation, for --memory): created with
 * the limit; v2 first moves usher into a leaf of its own (no process may sit in a
 * cgroup whose children have controllers). Returns the child's dirfd or -errno, having
 * undone what it did. */
int cgroup_delegate(int version, int parent, uint64_t limit, char *name, size_t namelen);
/* Moves pid into the delegated cgroup (writes cgroup.procs). */
int cgroup_adopt(int dirfd, pid_t pid);
/* Writes `text` into dirfd/file: the kernel's interface to a cgroup. */
int cgroup_write(int dirfd, const char *file, const char *text);

#endif
