/* enforce.h - the limits PID 1 enforces on the running grader beyond --timeout
 * (supervise_limits.c): memory (the OOM killer's verdict read from the cgroup, the
 * guard, --memory) and CPU time (--cpu-time), with the figures of the result. */
#ifndef USHER_ENFORCE_H
#define USHER_ENFORCE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "usher.h"

struct usher_plan;

struct limits {
	struct cgroup cg;  /* the container's */
	int child;         /* the grader's delegated cgroup (--memory), -1 */
	int child_version;
	char child_name[32];
	/* Where the grader's memory is counted: the delegated cgroup, else the
	 * container's when it is ours; -1 when neither (a host's shared cgroup). */
	int mem, mem_version;
	int cpu, cpu_version;
	uint64_t limit;    /* the memory limit that applies to the grader, bytes; 0 unknown */
	bool guard;        /* PID 1 polls and kills before the kernel would */
	uint64_t guard_at; /* unreclaimable bytes at which the guard kills */
	uint64_t oom_base; /* OOM kills counted before the grader started */
	uint64_t cpu_limit_ns;
	uint64_t cpu_base_ns, self_base_ns, children_base_ns;
	uint64_t next_guard, next_cpu; /* ms (CLOCK_MONOTONIC) of the next checks */
	pid_t grader;
	bool by_uid;
	uid_t uid;
};

/* How often the guard reads the cgroup, and its margin below a limit the kernel
 * enforces: limit/16, at least 8 MiB, at most 256 MiB. */
#define GUARD_INTERVAL_MS 10
uint64_t guard_margin(uint64_t limit);

/* Plan time (before the fork): find the cgroup, decide how --memory is enforced
 * (delegated cgroup, else the guard), whether the container's limit needs the guard
 * (memory.oom.group), log it. -errno (STEP_LIMITS) when --memory cannot be enforced. */
int limits_prepare(const struct usher_config *cfg, struct usher_plan *plan, struct usher_report *rep);
/* The same decisions on a cgroup already found (for tests on a fake tree). */
int limits_init(struct limits *l, const struct usher_config *cfg, struct usher_report *rep);
/* After the grader's process exists (before its exec): into the delegated cgroup; PID 1
 * asks for oom_score_adj -1000 (only with CAP_SYS_RESOURCE: it then survives even a
 * group OOM kill). A failed move falls back to the guard. */
int limits_adopt(struct usher_plan *plan, struct usher_report *rep, pid_t child);
/* At exec: the baselines. by_uid/uid: the grader's processes are those of its uid. */
void limits_start(struct limits *l, pid_t grader, bool by_uid, uid_t uid);
/* Milliseconds until the next check, for poll(); -1 when nothing is checked. */
int limits_timeout(const struct limits *l, uint64_t now);
/* The checks that are due: the limit that fired (the grader's group has had SIGKILL
 * and rep->grader.limit is set), or LIMIT_NONE. */
enum usher_limit limits_check(struct limits *l, struct usher_report *rep, uint64_t now);
/* The user and system time of a rusage, in nanoseconds. */
struct rusage;
uint64_t rusage_cpu_ns(const struct rusage *ru);
/* /proc/PID/stat (pid a name in the /proc directory fd proc): utime + stime + cutime +
 * cstime in clock ticks, and the parent. 0, or -errno (gone, unreadable). */
int proc_cpu_ticks(int proc, const char *pid, uint64_t *ticks, pid_t *ppid);
/* After the sweep: cpu_ms, peak_memory_kib, oom_kills into the report. */
void limits_finish(struct limits *l, struct usher_report *rep);
void limits_release(struct limits *l);

/* CPU time of the grader's tree so far, ns: the cgroup's count when it is ours, minus
 * usher's own; else the processes of /proc that are usher's children or of the
 * grader's uid, plus what usher reaped. */
uint64_t limits_cpu_ns(const struct limits *l);

#endif
