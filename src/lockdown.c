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
#include <sys/prctl.h>

#include "config.h"
#include "lockdown.h"
#include "log.h"
#include "parse.h"
#include "stages.h"
#include "sys.h"

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif

int privilege_read(struct privilege *p)
{
	uint64_t eff, prm;
	int rc = sys_caps_get(&eff, &prm);
	if (rc < 0)
		return rc;
#define HAS(cap) (!!(eff & (UINT64_C(1) << (cap))))
	p->setid = HAS(6) && HAS(7); /* CAP_SETGID, CAP_SETUID */
	p->setpcap = HAS(8);         /* CAP_SETPCAP */
	p->chown = HAS(0);           /* CAP_CHOWN */
#undef HAS
	return 0;
}

/* 1. Close every inherited fd above 2: what the runtime or the sidecar left open
 * (a socket to the agent, a log pipe) must not reach student code. The report pipe to
 * the parent survives; it is close-on-exec and vanishes with the exec. */
static int step_fds(const struct usher_plan *plan, struct usher_report *rep)
{
	int keep = plan->report_fd, rc;
	if (keep > 3 && (rc = sys_close_range(3, (unsigned)keep - 1, 0)) < 0)
		return report_fail(rep, STEP_FDS, -rc, "close_range 3-%d", keep - 1);
	rc = sys_close_range(keep >= 3 ? (unsigned)keep + 1 : 3, ~0U, 0);
	if (rc == -ENOSYS || rc == -EINVAL) {
		/* Kernels before 5.9: close them one by one up to the fd limit. */
		for (int fd = 3; fd < 65536; fd++)
			if (fd != keep)
				sys_close(fd);
		rc = 0;
	}
	if (rc < 0)
		return report_fail(rep, STEP_FDS, -rc, "close_range");
	return 0;
}

/* 2. Environment: built by the config stage (env.c) from the scrub list, --env-keep,
 * --env-drop and --setenv, and passed to execve. Checked again here, because a secret
 * that reached the grader could never be taken back. */
static int step_env(const struct usher_config *cfg, struct usher_report *rep)
{
	for (const char **e = cfg->grader_env; e && *e; e++) {
		if (!env_is_secret(*e))
			continue;
		/* Only --setenv may pass a credential's name, on purpose (config refuses
		 * USHER_* there); the entry is then the option's own string. */
		bool on_purpose = false;
		for (size_t i = 0; i < cfg->setenv.n; i++)
			on_purpose |= cfg->setenv.v[i] == *e;
		if (!on_purpose)
			return report_fail(rep, STEP_ENV, EPERM, "environment: %.40s would reach the grader", *e);
	}
	return 0;
}

/* 3. A new session and process group: no controlling terminal to inject input into
 * (TIOCSTI needs one), and one group PID 1 can signal as a whole. */
static int step_setsid(struct usher_report *rep)
{
	pid_t rc = sys_setsid();
	if (rc < 0)
		return report_fail(rep, STEP_SETSID, (int)-rc, "setsid");
	return 0;
}

/* 4. rlimits, before the identity change: lowering a hard limit needs no privilege,
 * raising one does, so root sets them while it still may. */
static int step_rlimits(const struct usher_config *cfg, struct usher_report *rep)
{
	for (int r = 0; r < USHER_RLIMIT_MAX; r++) {
		if (!cfg->rlimits[r].set)
			continue;
		struct rlimit rl = {cfg->rlimits[r].soft, cfg->rlimits[r].hard};
		int rc = sys_setrlimit(r, &rl);
		if (rc < 0)
			return report_fail(rep, STEP_RLIMIT, -rc, "setrlimit %s", rlimit_name(r));
	}
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
 * step before needs syscalls the filter may deny. */
static int step_seccomp(const struct usher_plan *plan, struct usher_report *rep)
{
	rep->lockdown.seccomp = plan->seccomp_name;
	if (!plan->bpf_len)
		return 0;
	struct sock_fprog prog = {.len = plan->bpf_len, .filter = plan->bpf};
	int rc = sys_seccomp_attach(&prog, 0);
	if (rc < 0)
		return report_fail(rep, STEP_SECCOMP, -rc, "attach the seccomp filter (%s)", plan->seccomp_name);
	return 0;
}

int lockdown(const struct usher_config *cfg, const struct usher_plan *plan, struct usher_report *rep)
{
	struct privilege priv;
	int rc;

	if ((rc = privilege_read(&priv)) < 0)
		return report_fail(rep, STEP_CAPS, -rc, "read capabilities");
	rep->lockdown.network = cfg->allow_network;
	if ((rc = step_fds(plan, rep)) < 0 ||
	    (rc = step_env(cfg, rep)) < 0 ||
	    (rc = step_setsid(rep)) < 0 ||
	    (rc = step_rlimits(cfg, rep)) < 0 ||
	    (rc = lockdown_identity(cfg, &priv, rep)) < 0 ||
	    (rc = lockdown_caps(cfg, &priv, rep)) < 0 ||
	    (rc = step_nnp(rep)) < 0 ||
	    (rc = lockdown_verify(cfg, &priv, rep)) < 0 ||
	    (rc = landlock_apply(cfg, plan, rep)) < 0 ||
	    (rc = step_seccomp(plan, rep)) < 0)
		return rc;
	rep->lockdown.applied = true;
	return 0;
}
