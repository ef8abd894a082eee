/* supervise_limits.c - memory and CPU time, the limits PID 1 enforces beside --timeout.
 *
 * Memory. The kernel enforces the container's limit itself: its OOM killer picks the
 * grader's processes (their oom_score_adj is above usher's, lockdown step 4) and the
 * cgroup counts the kill (memory.oom_control in v1, memory.events in v2), which is how
 * the result tells `memory_limit` from any other SIGKILL (without Landlock the grader
 * may write its score back down, and lockdown step 4 says so). Two cases need more:
 *   memory.oom.group = 1 (cgroup v2, Kubernetes >= 1.28): an OOM kill takes the whole
 *     cgroup, usher with it, and no result is written. So while such a limit exists,
 *     PID 1 reads the memory the kernel cannot reclaim (anon + shmem + kernel stacks,
 *     page tables...: never page cache, which the kernel would reclaim first) every
 *     GUARD_INTERVAL_MS and kills the grader's tree at a margin below the limit. PID 1
 *     also asks for oom_score_adj -1000, which exempts it from group kills, but only
 *     CAP_SYS_RESOURCE grants that, and runtimes do not give it by default.
 *   --memory SIZE below the container's limit (or with none): a cgroup of the grader's
 *     own with that limit where the runtime delegated a writable one
 *     (supervise_delegate.c; the kernel then enforces it exactly), else the same guard
 *     with SIZE as its threshold. The guard reads every 10 ms: an allocation faster
 *     than margin/10 ms (~3 GB/s at 512 MiB) can still reach the kernel's limit first.
 *
 * CPU time (--cpu-time). What counts is every process of the grader's tree, living or
 * dead: where the cgroup is ours (a container's), its CPU counter minus usher's own
 * time, which also sees processes whose parent never waited for them; elsewhere (a host
 * run) the processes of /proc that are usher's children or run as the grader's own uid
 * (utime+stime plus what they reaped), plus what usher reaped. RLIMIT_CPU alone cannot
 * do this: it is per process, and a grader that forks resets it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "enforce.h"
#include "log.h"
#include "parse.h"
#include "plan.h"
#include "stages.h"
#include "supervise.h"
#include "sys.h"
#include "util.h"

#define MIB (UINT64_C(1) << 20)
#define CPU_INTERVAL_CGROUP_MS 100 /* one small read */
#define CPU_INTERVAL_PROC_MS 250   /* a walk of /proc */

static struct limits the_limits;

uint64_t guard_margin(uint64_t limit)
{
	uint64_t m = limit / 16;
	return m < 8 * MIB ? 8 * MIB : m > 256 * MIB ? 256 * MIB : m;
}

static double mib(uint64_t b) { return (double)b / (double)MIB; }

int limits_init(struct limits *l, const struct usher_config *cfg, struct usher_report *rep)
{
	const struct cgroup *cg = &l->cg;
	uint64_t container = CGROUP_NO_LIMIT;
	l->child = -1;
	l->mem = l->cpu = -1;
	l->cpu_limit_ns = cfg->cpu_time_ms > UINT64_MAX / 1000000 ? UINT64_MAX : cfg->cpu_time_ms * 1000000;
	if (cg->mem >= 0 && cgroup_mem_limit(cg->mem_version, cg->mem, &container) < 0)
		container = CGROUP_NO_LIMIT;
	if (cg->ours) {
		l->mem = cg->mem, l->mem_version = cg->mem_version;
		l->cpu = cg->cpu, l->cpu_version = cg->cpu_version;
		l->limit = container == CGROUP_NO_LIMIT ? 0 : container;
	}
	if (cfg->memory_limit && cfg->memory_limit < container) {
		int fd = cg->mem >= 0 ? cgroup_delegate(cg->mem_version, cg->mem, cfg->memory_limit, l->child_name,
							 sizeof l->child_name)
				      : -ENOENT;
		l->limit = cfg->memory_limit;
		if (fd >= 0) {
			l->child = l->mem = fd;
			l->child_version = l->mem_version = cg->mem_version;
			if (cg->mem_version == 2) /* the grader alone is in it: its CPU too */
				l->cpu = fd, l->cpu_version = 2;
			log_info("--memory %.1f MiB: the kernel enforces it in the grader's own cgroup (%s)",
				 mib(cfg->memory_limit), l->child_name);
		} else if (l->mem >= 0) {
			l->guard = true;
			l->guard_at = cfg->memory_limit;
			log_info("--memory %.1f MiB: enforced by usher's guard (no delegated cgroup: %s)",
				 mib(cfg->memory_limit), strerror(-fd));
		} else {
			return report_fail(rep, STEP_LIMITS, -fd, "--memory %.1f MiB: no cgroup to count the "
					   "grader's memory in (not a container's own, none delegated)",
					   mib(cfg->memory_limit));
		}
	} else if (cfg->memory_limit) {
		log_verbose("--memory %.1f MiB: the container's limit (%.1f MiB) is lower and holds",
			    mib(cfg->memory_limit), mib(container));
	}
	if (!l->guard && l->child < 0 && l->mem >= 0 && container != CGROUP_NO_LIMIT &&
	    cgroup_oom_group(cg->mem_version, cg->mem)) {
		l->guard = true;
		l->guard_at = container - guard_margin(container);
		log_info("memory.oom.group: an OOM kill would take usher too; its guard kills the grader at "
			 "%.1f of %.1f MiB", mib(l->guard_at), mib(container));
	}
	return 0;
}

/* Plan time, before the grader's process exists: usher's own OOM score down to 0 where
 * the runtime gave more (Kubernetes: 1000 to BestEffort pods, 2-999 to Burstable ones),
 * so that the grader's score (lockdown step 4: halfway from usher's to 1000) has room
 * above it. A process may lower its score without privilege only down to the minimum,
 * which the last writer with CAP_SYS_RESOURCE pinned: runc and crun write the
 * container's score that way, so usher usually keeps it (EACCES), and lowers it only
 * where nothing pinned it (an engine without CAP_SYS_RESOURCE in its bounding set, as on
 * the machines these tests run on). At 1000, step 4 says the protection is degraded. A non-root usher is not
 * dumpable, so its /proc files are root's and it cannot write them: it keeps its score
 * (PID 1's dumpability is not touched again for this). */
static void oom_score_self(const struct usher_plan *plan)
{
	if (!plan->priv.root)
		return;
	int fd = sys_openat(AT_FDCWD, "/proc/self/oom_score_adj", O_RDWR, 0);
	if (fd < 0)
		return; /* step 4 reads the score again and says what it could not do */
	char buf[16] = "";
	ssize_t n = sys_pread(fd, buf, sizeof buf - 1, 0);
	long score = n > 0 ? strtol(buf, NULL, 10) : 0;
	if (score > 0) {
		ssize_t w = sys_write(fd, "0", 1);
		log_verbose("oom_score_adj %ld given by the runtime, 0 for usher: %s", score,
			    w < 0 ? strerror((int)-w) : "done");
	}
	sys_close(fd);
}

int limits_prepare(const struct usher_config *cfg, struct usher_plan *plan, struct usher_report *rep)
{
	struct limits *l = &the_limits;
	if (cfg->exec_mode)
		return 0; /* PID 1 becomes the grader: nobody is left to enforce anything */
	oom_score_self(plan);
	int rc = cgroup_open(&l->cg);
	if (rc < 0) {
		log_verbose("cgroup: %s: no OOM verdicts, no peak memory", strerror(-rc));
		l->cg = (struct cgroup){.mem = -1, .cpu = -1};
	}
	plan->limits = l;
	return limits_init(l, cfg, rep);
}

int limits_adopt(struct usher_plan *plan, struct usher_report *rep, pid_t child)
{
	struct limits *l = plan->limits;
	int rc, fd;
	if (!l)
		return 0;
	if (l->child >= 0 && (rc = cgroup_adopt(l->child, child)) < 0) {
		/* The guard takes over where it can count; else this run cannot keep --memory. */
		sys_close(l->child);
		sys_unlinkat(l->cg.mem, l->child_name, AT_REMOVEDIR);
		l->child = -1;
		l->mem = l->cg.ours ? l->cg.mem : -1, l->mem_version = l->cg.mem_version;
		l->cpu = l->cg.ours ? l->cg.cpu : -1, l->cpu_version = l->cg.cpu_version;
		if (l->mem < 0)
			return report_fail(rep, STEP_LIMITS, -rc, "move the grader into cgroup %s", l->child_name);
		l->guard = true;
		l->guard_at = l->limit;
		log_warn("move the grader into cgroup %s: %s: usher's guard enforces --memory instead",
			 l->child_name, strerror(-rc));
	}
	/* Exempt from any OOM kill, group kills included; after the fork, so that the
	 * grader's process does not inherit the right to lower its own score again. */
	fd = sys_openat(AT_FDCWD, "/proc/self/oom_score_adj", O_WRONLY, 0);
	rc = fd < 0 ? fd : sys_write(fd, "-1000", 5) == 5 ? 0 : -EACCES;
	if (fd >= 0)
		sys_close(fd);
	log_verbose("oom_score_adj -1000 for PID 1: %s", rc < 0 ? strerror(-rc) : "done");
	return 0;
}

uint64_t rusage_cpu_ns(const struct rusage *ru)
{
	return ((uint64_t)ru->ru_utime.tv_sec + (uint64_t)ru->ru_stime.tv_sec) * 1000000000u +
	       ((uint64_t)ru->ru_utime.tv_usec + (uint64_t)ru->ru_stime.tv_usec) * 1000u;
}

static uint64_t ru_ns(int who)
{
	struct rusage ru;
	return sys_getrusage(who, &ru) < 0 ? 0 : rusage_cpu_ns(&ru);
}

int proc_cpu_ticks(int proc, const char *pid, uint64_t *ticks, pid_t *ppid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "%s/stat", pid);
	if (file_read_small(proc, path, buf, sizeof buf, false) < 0)
		return -ENOENT;
	/* The command name may hold spaces and parentheses: fields start after the last ')'.
	 * Then: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
	 * stime cutime cstime (proc(5), fields 3-17). */
	const char *p = strrchr(buf, ')');
	uint64_t f[15] = {0};
	for (int i = 0; p && i < 15; i++) {
		while (*++p == ' ')
			;
		if (i > 0) { /* field 0 is the state letter */
			char *end;
			f[i] = strtoull(p, &end, 10);
			if (end == p)
				return -EIO;
			p = end - 1;
		}
		p = strchr(p, ' ');
	}
	if (!p)
		return -EIO; /* shorter than proc(5) says */
	*ppid = (pid_t)f[1];
	*ticks = f[11] + f[12] + f[13] + f[14];
	return 0;
}

/* The CPU ticks of /proc/PID when its parent is usher or, by_uid, its uid (the owner of
 * /proc/PID) is the grader's. */
static uint64_t proc_ticks(int proc, const char *pid, pid_t self, const struct limits *l)
{
	struct stat st;
	uint64_t ticks;
	pid_t ppid;
	if (proc_cpu_ticks(proc, pid, &ticks, &ppid) < 0)
		return 0;
	bool mine = ppid == self;
	if (!mine && l->by_uid && sys_fstatat(proc, pid, &st, 0) == 0)
		mine = st.st_uid == l->uid;
	return mine ? ticks : 0;
}

uint64_t limits_cpu_ns(const struct limits *l)
{
	uint64_t ns;
	if (l->cpu >= 0 && cgroup_cpu_ns(l->cpu_version, l->cpu, &ns) == 0) {
		uint64_t used = ns > l->cpu_base_ns ? ns - l->cpu_base_ns : 0;
		if (l->cpu == l->cg.cpu) { /* usher counts in it too */
			uint64_t self = ru_ns(RUSAGE_SELF) - l->self_base_ns;
			used = used > self ? used - self : 0;
		}
		return used;
	}
	int proc = sys_openat(AT_FDCWD, "/proc", O_RDONLY | O_DIRECTORY, 0), err;
	uint64_t ticks = 0, hz = (uint64_t)sysconf(_SC_CLK_TCK);
	struct dents d = {0};
	const char *name;
	pid_t self = getpid();
	while (proc >= 0 && (name = dents_next(proc, &d, &err))) {
		uint64_t pid;
		if (parse_u64(name, &pid) == 0 && (pid_t)pid != self)
			ticks += proc_ticks(proc, name, self, l);
	}
	if (proc >= 0)
		sys_close(proc);
	uint64_t reaped = ru_ns(RUSAGE_CHILDREN) - l->children_base_ns;
	return ticks * (1000000000u / (hz ? hz : 100)) + reaped;
}

void limits_start(struct limits *l, pid_t grader, bool by_uid, uid_t uid)
{
	uint64_t t = now_ms();
	l->grader = grader;
	l->by_uid = by_uid;
	l->uid = uid;
	if (l->mem >= 0 && cgroup_oom_kills(l->mem_version, l->mem, &l->oom_base) < 0)
		l->oom_base = 0;
	if (l->cpu >= 0 && cgroup_cpu_ns(l->cpu_version, l->cpu, &l->cpu_base_ns) < 0)
		l->cpu_base_ns = 0;
	l->self_base_ns = ru_ns(RUSAGE_SELF);
	l->children_base_ns = ru_ns(RUSAGE_CHILDREN);
	l->next_guard = t;
	l->next_cpu = t + CPU_INTERVAL_CGROUP_MS;
}

int limits_timeout(const struct limits *l, uint64_t now)
{
	uint64_t next = 0;
	if (l->guard)
		next = l->next_guard;
	if (l->cpu_limit_ns && (!next || l->next_cpu < next))
		next = l->next_cpu;
	if (!next)
		return -1;
	return next <= now ? 0 : (int)(next - now > 1000 ? 1000 : next - now);
}

static enum usher_limit fire(struct limits *l, struct usher_report *rep, enum usher_limit what)
{
	signal_grader(l->grader, SIGKILL); /* the sweep takes the rest once it is gone */
	rep->grader.limit = what;
	return what;
}

enum usher_limit limits_check(struct limits *l, struct usher_report *rep, uint64_t now)
{
	uint64_t v;
	if (rep->grader.limit != LIMIT_NONE)
		return LIMIT_NONE; /* the first one to fire is the cause */
	if (l->guard && now >= l->next_guard) {
		l->next_guard = now + GUARD_INTERVAL_MS;
		if (cgroup_mem_unreclaimable(l->mem_version, l->mem, &v) == 0 && v >= l->guard_at) {
			fire(l, rep, LIMIT_MEMORY);
			log_info("grader reached %.1f MiB of memory the kernel cannot reclaim (limit %.1f MiB): "
				 "SIGKILL", mib(v), mib(l->limit));
			return LIMIT_MEMORY;
		}
	}
	if (l->cpu_limit_ns && now >= l->next_cpu) {
		l->next_cpu = now + (l->cpu >= 0 ? CPU_INTERVAL_CGROUP_MS : CPU_INTERVAL_PROC_MS);
		if ((v = limits_cpu_ns(l)) >= l->cpu_limit_ns) {
			fire(l, rep, LIMIT_CPU_TIME);
			log_info("grader used %.3f s of CPU time (--cpu-time %.3f s): SIGKILL", (double)v / 1e9,
				 (double)l->cpu_limit_ns / 1e9);
			return LIMIT_CPU_TIME;
		}
	}
	return LIMIT_NONE;
}

void limits_finish(struct limits *l, struct usher_report *rep)
{
	uint64_t v, tree = rep->grader.user_ms + rep->grader.sys_ms;
	/* What usher reaped misses processes whose parent never waited; the cgroup's count
	 * does not (and covers them once the sweep is done). The larger is the truer. */
	v = l->cpu >= 0 ? limits_cpu_ns(l) / 1000000 : 0;
	rep->grader.cpu_ms = v > tree ? v : tree;
	rep->grader.memory_limit = l->limit;
	if (l->mem >= 0 && cgroup_mem_peak(l->mem_version, l->mem, &v) == 0) {
		rep->grader.has_peak = true;
		rep->grader.peak_memory_kib = v / 1024;
	}
	if (l->mem >= 0 && cgroup_oom_kills(l->mem_version, l->mem, &v) == 0 && v > l->oom_base)
		rep->grader.oom_kills = v - l->oom_base;
}

void limits_release(struct limits *l)
{
	if (!l)
		return;
	if (l->child >= 0) {
		sys_close(l->child);
		/* Empty now (the sweep is done): the cgroup goes with its last process. */
		sys_unlinkat(l->cg.mem, l->child_name, AT_REMOVEDIR);
		l->child = -1;
	}
	cgroup_close(&l->cg);
}
