/* supervise_pid1.c - PID 1 itself, once the grader exists (SPEC.md: "PID 1 itself keeps no
 * capability it does not need, is not dumpable, and clears the credential variables
 * from its own memory"; the variables were wiped by the config stage already).
 *
 * Non-dumpable: /proc/1/environ, /proc/1/mem and ptrace are refused to anyone without
 * CAP_SYS_PTRACE, even a grader of the same uid (a non-root start). Capabilities: only
 * CAP_KILL stays, to signal a grader of another uid; reaping needs none, and the result
 * is written through a directory fd opened while usher still had everything.
 */
#include <errno.h>
#include <sys/prctl.h>

#include "log.h"
#include "stages.h"
#include "sys.h"

#define CAP_KILL_BIT (UINT64_C(1) << 5)

int pid1_harden(const struct usher_config *cfg, struct usher_report *rep)
{
	int rc;
	(void)cfg;
	if ((rc = sys_prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) < 0)
		return report_fail(rep, STEP_PID1, -rc, "prctl PR_SET_DUMPABLE");
	/* The bounding set first (it needs CAP_SETPCAP, which the next call drops); an
	 * unprivileged usher has nothing to drop and gets EPERM, which is fine. */
	rc = sys_caps_bound(CAP_KILL_BIT);
	if (rc < 0 && rc != -EPERM)
		return report_fail(rep, STEP_PID1, -rc, "drop PID 1's bounding set");
	uint64_t eff, prm;
	if ((rc = sys_caps_get(&eff, &prm)) < 0)
		return report_fail(rep, STEP_PID1, -rc, "read PID 1's capabilities");
	if ((rc = sys_caps_apply(prm & CAP_KILL_BIT, false)) < 0)
		return report_fail(rep, STEP_PID1, -rc, "drop PID 1's capabilities");
	return 0;
}
