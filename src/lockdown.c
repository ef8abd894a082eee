/* lockdown.c - SPEC.md "Lockdown of the grader", steps 1-9, in order, in the grader's
 * own process (after the fork, or in usher itself with --exec). Each step is one
 * function; a failed step returns at once, so nothing after it runs and the exec
 * never happens: there is no recovering from half a privilege drop.
 *
 * Steps 5-6 live in lockdown_creds.c, 8 in lockdown_landlock.c, 10 in lockdown_exec.c;
 * the seccomp program of step 9 was compiled before the wait (plan.c,
 * lockdown_seccomp.c) and is only attached here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "lockdown.h"
#include "log.h"
#include "parse.h"
#include "stages.h"
#include "sys.h"
#include "util.h"

int privilege_read(struct privilege *p)
{
	uint64_t eff, prm;
	int rc = sys_caps_get(&eff, &prm);
	if (rc < 0)
		return rc;
#define HAS(cap) (!!(eff & (UINT64_C(1) << (cap))))
	p->root = geteuid() == 0;
	p->setid = HAS(6) && HAS(7); /* CAP_SETGID, CAP_SETUID */
	p->setpcap = HAS(8);         /* CAP_SETPCAP */
	p->chown = HAS(0);           /* CAP_CHOWN */
#undef HAS
	return 0;
}

/* 2. Environment: built by the config stage (env.c) from the scrub list, --env-keep,
 * --env-drop and --setenv, and passed to execve. Checked again here, because a secret
 * that reached the grader could never be taken back. */
static int step_env(const struct usher_config *cfg, const struct usher_plan *plan,
		    struct usher_report *rep)
{
	for (const char **e = plan->env; e && *e; e++) {
		if (!env_is_secret(*e))
			continue;
		/* Only --setenv may pass a credential's name, on purpose (config refuses
		 * USHER_* there); the entry is then the option's own string. */
		bool on_purpose = *e == plan->run_var; /* usher run's channel, put there by usher */
		for (size_t i = 0; i < cfg->setenv.n; i++)
			on_purpose |= cfg->setenv.v[i] == *e;
		if (!on_purpose)
			return report_fail(rep, STEP_ENV, EPERM, "environment: %.40s would reach the grader", *e);
	}
	return 0;
}

/* 4. rlimits, before the identity change: lowering a hard limit needs no privilege,
 * raising one needs CAP_SYS_RESOURCE, which Docker's default set does not grant. So a
 * value above the container's hard limit is refused, naming that limit; "unlimited"
 * means "no limit of usher's" and is clamped to the hard limit the container has. */
static int step_rlimits(const struct usher_config *cfg, struct usher_report *rep)
{
	for (int r = 0; r < USHER_RLIMIT_MAX; r++) {
		if (!cfg->rlimits[r].set)
			continue;
		struct rlimit rl = {cfg->rlimits[r].soft, cfg->rlimits[r].hard}, now;
		int rc = sys_setrlimit(r, &rl);
		if (rc == -EPERM && sys_getrlimit(r, &now) == 0 && now.rlim_max < rl.rlim_max) {
			if (rl.rlim_max == RLIM_INFINITY) {
				rl.rlim_max = now.rlim_max;
				if (rl.rlim_cur > rl.rlim_max)
					rl.rlim_cur = rl.rlim_max;
				log_verbose("rlimit %s=unlimited: the container's hard limit, %llu, is the most",
					    rlimit_name(r), (unsigned long long)now.rlim_max);
				rc = sys_setrlimit(r, &rl);
			} else {
				return report_fail(rep, STEP_RLIMIT, EPERM, "setrlimit %s: the container's hard "
						   "limit is %llu: ask for at most that, or raise it in the runtime "
						   "(docker run --ulimit, ECS ulimits)", rlimit_name(r),
						   (unsigned long long)now.rlim_max);
			}
		}
		if (rc < 0)
			return report_fail(rep, STEP_RLIMIT, -rc, "setrlimit %s", rlimit_name(r));
	}
	return 0;
}

/* 4 (limits, continued). The OOM killer's choice: the grader's processes (after any run
 * of the learner's: oom_score_grader, lockdown.h), never usher (a grader that fills
 * unmapped memfds charges the cgroup without growing any process's RSS, and the largest
 * process might then be usher). Children inherit it. Lowering it again needs no
 * privilege down to the runtime's minimum (usually usher's 0), only a write to /proc,
 * which Landlock does not grant the grader. Without Landlock nothing stops that write
 * (the grader is dumpable after its exec: its /proc files are its own), and with equal
 * scores the largest process goes, usher rather than a grader whose memory is in
 * memfds: the protection is then degraded, and the result says so. (PID 1's guard
 * cannot take its place: a memfd fills the last 1/16 of a limit faster than 10 ms.)
 *
 * In a non-root start this process inherited PID 1's non-dumpability, and the files of
 * a non-dumpable process's /proc directory belong to root: the write would get EACCES.
 * It is dumpable for the open only, before any of the grader's code exists (a grader
 * of usher's uid is what non-dumpability keeps out, and there is none yet). */
static int step_oom(const struct usher_config *cfg, const struct usher_plan *plan,
		    struct usher_report *rep)
{
	bool flip = !plan->priv.root;
	int fd = flip ? sys_prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) : 0, rc;
	if (fd == 0)
		fd = sys_openat(AT_FDCWD, "/proc/self/oom_score_adj", O_RDWR, 0);
	if (flip && (rc = sys_prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) < 0) {
		if (fd >= 0)
			sys_close(fd);
		return report_fail(rep, STEP_RLIMIT, -rc, "prctl PR_SET_DUMPABLE 0 (after opening oom_score_adj)");
	}
	if (fd < 0)
		return degrade(cfg, rep, PROT_OOM_SCORE, 0, "open /proc/self/oom_score_adj: %s",
			       strerror(-fd));
	char buf[16] = "";
	ssize_t n = sys_pread(fd, buf, sizeof buf - 1, 0);
	char *end = buf;
	long usher_score = n > 0 ? strtol(buf, &end, 10) : 0;
	if (n <= 0 || end == buf || usher_score < -1000 || usher_score > 1000) {
		sys_close(fd);
		return degrade(cfg, rep, PROT_OOM_SCORE, 0, "read /proc/self/oom_score_adj: %s",
			       n < 0 ? strerror((int)-n) : "not a score");
	}
	int score = oom_score_grader((int)usher_score), len = snprintf(buf, sizeof buf, "%d", score);
	ssize_t w = sys_write(fd, buf, (size_t)len);
	sys_close(fd);
	if (w != len) /* a raise: no privilege needed, so only a broken /proc gets here */
		return degrade(cfg, rep, PROT_OOM_SCORE, 0, "write %d to /proc/self/oom_score_adj: %s",
			       score, strerror(w < 0 ? (int)-w : EIO));
	if (cfg->exec_mode)
		return 0; /* no usher is left to be the OOM killer's victim */
	if (score <= usher_score)
		return degrade(cfg, rep, PROT_OOM_SCORE, 0, "usher's oom_score_adj is %ld, set by the "
			       "runtime, and cannot go lower (CAP_SYS_RESOURCE): the OOM killer may take usher",
			       usher_score);
	if (plan->landlock_abi == 0 || cfg->landlock == LANDLOCK_OFF)
		return degrade(cfg, rep, PROT_OOM_SCORE, 0, "no Landlock: the grader may write its "
			       "oom_score_adj back down to usher's %ld, and the OOM killer may then take "
			       "usher", usher_score);
	return 0;
}

/* 7. no_new_privs: no exec can grant privileges again (setuid bits, file capabilities),
 * and it is what lets an unprivileged process stack Landlock and seccomp. */
static int step_nnp(struct usher_report *rep)
{
	int rc = sys_prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (rc < 0)
		return report_fail(rep, STEP_NO_NEW_PRIVS, -rc, "prctl PR_SET_NO_NEW_PRIVS");
	rep->lockdown.no_new_privs = true;
	return 0;
}

/* 9. seccomp, last: attach the program compiled before the wait. Last because every
 * step before needs syscalls the filter may deny.
 *
 * With a supervisor, the notification variant goes on with a user-notification
 * listener (SECCOMP_FILTER_FLAG_NEW_LISTENER, Linux 5.0): refused calls and AF_INET
 * sockets are then answered by PID 1, which names them in the result and makes
 * loopback-only sockets. The listener's fd goes to PID 1 through the spawn channel and
 * is closed before the exec: a grader holding it could answer its own refused calls.
 * Where the kernel refuses the flag (EINVAL before 5.0, EBUSY when a runtime's filter
 * already has a listener), the plain program goes on instead, and the result says what
 * is lost (no names, and no network at all instead of loopback). */
static int step_seccomp(const struct usher_config *cfg, const struct usher_plan *plan,
			struct usher_report *rep)
{
	int rc;
	rep->lockdown.seccomp = plan->seccomp_name;
	if (!plan->seccomp.len)
		return 0;
	if (plan->seccomp_notify.len) {
		struct sock_fprog prog = {.len = plan->seccomp_notify.len, .filter = plan->seccomp_notify.insn};
		int fd = sys_seccomp_attach(&prog, SECCOMP_FILTER_FLAG_NEW_LISTENER);
		if (fd >= 0) {
			rep->listener_fd = fd;
			rep->lockdown.notify = true;
			return 0;
		}
		if (fd != -EINVAL && fd != -EBUSY)
			return report_fail(rep, STEP_SECCOMP, -fd, "attach the seccomp filter (%s) with a listener",
					   plan->seccomp_name);
		if ((rc = degrade(cfg, rep, PROT_DENIED_CALLS, 0, "seccomp user notification: %s: refused "
				  "calls are not named", strerror(-fd))) < 0)
			return rc;
		if (rep->lockdown.network == NET_LOOPBACK) {
			rep->lockdown.network = NET_NONE;
			if ((rc = degrade(cfg, rep, PROT_LOOPBACK, 0, "seccomp user notification: %s: the "
					  "grader gets no network at all", strerror(-fd))) < 0)
				return rc;
		}
	}
	struct sock_fprog prog = {.len = plan->seccomp.len, .filter = plan->seccomp.insn};
	if ((rc = sys_seccomp_attach(&prog, 0)) < 0)
		return report_fail(rep, STEP_SECCOMP, -rc, "attach the seccomp filter (%s)", plan->seccomp_name);
	return 0;
}

int lockdown(const struct usher_config *cfg, const struct usher_plan *plan, struct usher_report *rep)
{
	int rc;
	/* What the grader will reach, as the plan settled it; step 9 may narrow it. */
	rep->lockdown.network = plan->network;
	if ((rc = lockdown_fds(plan, rep)) < 0 ||
	    (rc = step_env(cfg, plan, rep)) < 0 ||
	    (rc = lockdown_session(rep)) < 0 ||
	    (rc = step_rlimits(cfg, rep)) < 0 ||
	    (rc = step_oom(cfg, plan, rep)) < 0 ||
	    (rc = lockdown_identity(cfg, plan, rep)) < 0 ||
	    (rc = lockdown_caps(cfg, rep)) < 0 ||
	    (rc = step_nnp(rep)) < 0 ||
	    (rc = lockdown_verify(cfg, plan, rep)) < 0 ||
	    (rc = landlock_apply(cfg, plan, rep)) < 0 ||
	    (rc = step_seccomp(cfg, plan, rep)) < 0)
		return rc;
	rep->lockdown.applied = true;
	return 0;
}
