/* supervise_pid1.c - PID 1 itself (SPEC.md: "PID 1 itself keeps no capability it does
 * not need, is not dumpable, and clears the credential variables from its own memory";
 * the variables are wiped by the config stage).
 *
 * pid1_early(), the first thing main() does: not dumpable, before any fork and before
 * any grader exists, so /proc/1/mem, /proc/1/environ and ptrace are refused to anyone
 * without CAP_SYS_PTRACE from the start, even to a grader of usher's own uid (a non-root
 * start). A non-dumpable flag set after the grader's exec came too late: an fd to
 * /proc/1/mem opened in between kept working. Its children (the grader's process
 * before exec) inherit it.
 *
 * pid1_harden(), before the go byte: every capability goes but CAP_KILL (to signal and
 * sweep a grader of another uid) and, only when the result's directory is not writable
 * by root's own permissions, CAP_DAC_OVERRIDE (to write the result there at the end).
 * Reaping needs nothing; the result is written through a directory fd opened while usher
 * had everything.
 */
#include <errno.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "feedback.h"
#include "lockdown.h"
#include "log.h"
#include "plan.h"
#include "stages.h"
#include "sys.h"

#define CAP_BIT(n) (UINT64_C(1) << (n))
#define CAP_DAC_OVERRIDE_BIT CAP_BIT(1)
#define CAP_KILL_BIT CAP_BIT(5)

int pid1_early(struct usher_report *rep)
{
	int rc = sys_prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	return rc < 0 ? report_fail(rep, STEP_PID1, -rc, "prctl PR_SET_DUMPABLE 0") : 0;
}

/* Can uid 0 create and rename files in dirfd without CAP_DAC_OVERRIDE? */
static bool writable_as_root(int dirfd)
{
	struct stat st;
	if (dirfd < 0 || sys_fstat(dirfd, &st) < 0)
		return true; /* nothing to write there, or nothing to learn: keep nothing */
	const mode_t wx_user = S_IWUSR | S_IXUSR, wx_group = S_IWGRP | S_IXGRP, wx_other = S_IWOTH | S_IXOTH;
	return (st.st_uid == 0 && (st.st_mode & wx_user) == wx_user) ||
	       (st.st_gid == 0 && (st.st_mode & wx_group) == wx_group) ||
	       (st.st_mode & wx_other) == wx_other;
}

int pid1_harden(const struct usher_config *cfg, const struct usher_plan *plan,
		struct usher_report *rep)
{
	uint64_t keep = CAP_KILL_BIT, eff, prm;
	int rc;
	(void)cfg;
	/* The grader's end of usher run's channel: the grader has it now; PID 1 never
	 * talks to the broker. */
	if (plan->run_fd >= 0)
		sys_close(plan->run_fd);
	if (plan->priv.root && (!writable_as_root(plan->result_dirfd) ||
				!writable_as_root(plan->feedback ? plan->feedback->dirfd : -1))) {
		keep |= CAP_DAC_OVERRIDE_BIT;
		log_verbose("pid1: keeps CAP_DAC_OVERRIDE: the result's or the feedback's directory is not root's to write");
	}
	/* The bounding set first (it needs CAP_SETPCAP, which the next call drops); an
	 * unprivileged usher has nothing to drop and gets EPERM, which is fine. */
	rc = caps_bound(keep);
	if (rc < 0 && rc != -EPERM)
		return report_fail(rep, STEP_PID1, -rc, "drop PID 1's bounding set");
	if ((rc = sys_caps_get(&eff, &prm)) < 0)
		return report_fail(rep, STEP_PID1, -rc, "read PID 1's capabilities");
	if ((rc = caps_apply(prm & keep, false)) < 0)
		return report_fail(rep, STEP_PID1, -rc, "drop PID 1's capabilities");
	return 0;
}
