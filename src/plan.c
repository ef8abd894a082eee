/* plan.c - everything decided before the submission arrives, so that the path from
 * "marker seen" to "grader running" parses, compiles and guesses nothing, and so that
 * what cannot be enforced is known, said or refused before anyone waits ten minutes:
 *
 *   privileges   what usher may do, read once; a failed read fails (it must never
 *                pass for "not root" and switch the rules silently);
 *   result       the result's directory, opened now (report.c);
 *   identity     the grader's uid, gid, name and HOME (plan_identity.c);
 *   landlock     the ABI the kernel and the runtime allow; only "not there" errnos
 *                mean no Landlock, any other failure fails;
 *   fail closed  a non-root start needs Landlock's scoping, which is then all that
 *                keeps a same-uid grader from signalling PID 1 (--unsafe same-uid);
 *   seccomp      the program compiled (or copied, prebuilt) for the child to attach;
 *   limits       the container's cgroup found, --memory's way decided (supervise_limits.c);
 *   output       the pipes of the output relay (supervise_output.c);
 *   feedback     the feedback files created and given to the grader, room reserved for
 *                the learner's file and the result.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "enforce.h"
#include "feedback.h"
#include "lockdown.h"
#include "log.h"
#include "output.h"
#include "plan.h"
#include "reserve.h"
#include "stages.h"
#include "sys.h"

static int plan_landlock(const struct usher_config *cfg, struct usher_plan *plan,
			 struct usher_report *rep)
{
	int abi = cfg->landlock == LANDLOCK_OFF ? 0 : landlock_probe();
	if (abi < 0)
		return report_fail(rep, STEP_LANDLOCK, -abi, "landlock_create_ruleset (probe the ABI)");
	plan->landlock_abi = abi;
	if (cfg->landlock == LANDLOCK_REQUIRE && abi == 0)
		return report_fail(rep, STEP_LANDLOCK, ENOSYS, "--landlock require: Landlock is unavailable "
				   "(kernel without it, or a runtime seccomp profile that blocks it)");
	/* Non-root start: the grader shares PID 1's uid. Non-dumpability keeps it out of
	 * /proc/1/mem and ptrace; only Landlock's scoping (ABI 6) keeps its signals and
	 * abstract sockets away from PID 1. */
	if (!plan->switch_ids && !plan->priv.root && abi < LANDLOCK_ABI_FULL &&
	    !(cfg->unsafe & UNSAFE_SAME_UID))
		return report_fail(rep, STEP_LANDLOCK, ENOSYS, "usher is not root and Landlock ABI %d < %d "
				   "cannot scope the grader's signals: nothing would keep a grader of usher's "
				   "uid from signalling PID 1; run usher as root, or accept it with --unsafe same-uid",
				   abi, LANDLOCK_ABI_FULL);
	if (cfg->landlock == LANDLOCK_OFF)
		return 0; /* not wanted: not degraded */
	/* --require landlock=N above what the kernel has is a failure even where the ABI
	 * has every right usher uses (degrade() below is reached only under it). */
	if (abi >= LANDLOCK_ABI_FULL && protection_required(cfg, PROT_LANDLOCK, abi))
		return report_fail(rep, STEP_REQUIRE, EPERM, "--require landlock=%d: the kernel's "
				   "Landlock ABI is %d", cfg->require_landlock_abi, abi);
	if (abi == 0)
		return degrade(cfg, rep, PROT_LANDLOCK, 0, "unavailable (kernel, or the runtime's seccomp "
			       "profile): writes are limited by file permissions only");
	if (abi < LANDLOCK_ABI_FULL)
		return degrade(cfg, rep, PROT_LANDLOCK, abi, "ABI %d of %d:%s no signal or abstract-socket "
			       "scoping", abi, LANDLOCK_ABI_FULL, abi < 4 ? " no TCP rules," : "");
	return 0;
}

/* What the grader will reach, and what of the supervisor's work cannot be done. */
static int plan_network(const struct usher_config *cfg, struct usher_plan *plan, struct usher_report *rep)
{
	int rc = 0;
	plan->network = cfg->network;
	if (cfg->seccomp == SECCOMP_NONE) {
		/* No filter: nothing refuses a socket (Landlock's TCP rules at most). */
		plan->network = NET_ALL;
		if (cfg->network != NET_ALL)
			rc = degrade(cfg, rep, PROT_LOOPBACK, 0, "--seccomp none: nothing keeps the grader "
				     "off the network");
		return rc;
	}
	if (plan->seccomp_notify.len)
		return 0; /* the child attaches it, or says why not (lockdown step 9) */
	const char *why = cfg->exec_mode ? "--exec: no supervisor" : "the filter cannot send calls to PID 1";
	if ((rc = degrade(cfg, rep, PROT_DENIED_CALLS, 0, "%s: refused calls are not named", why)) < 0)
		return rc;
	if (cfg->network == NET_LOOPBACK) {
		plan->network = NET_NONE;
		rc = degrade(cfg, rep, PROT_LOOPBACK, 0, "%s to make loopback sockets: the grader gets no "
			     "network at all", why);
	}
	return rc;
}

int plan_build(const struct usher_config *cfg, struct usher_plan *plan, struct usher_report *rep)
{
	int rc;
	plan->report_fd = -1;
	plan->run_fd = -1;
	plan->result_dirfd = -1;
	plan->writer_fd = -1;
	plan->writer_pid = -1;
	if ((rc = privilege_read(&plan->priv)) < 0)
		return report_fail(rep, STEP_CAPS, -rc, "read usher's own capabilities (capget)");
	if ((rc = report_prepare(cfg, plan, rep)) < 0 || (rc = plan_identity(cfg, plan, rep)) < 0)
		return rc;
	if (!(plan->env = env_for_grader(cfg, plan->home, plan->user_name)))
		return report_fail(rep, STEP_ENV, ENOMEM, "the grader's environment");
	if ((rc = plan_landlock(cfg, plan, rep)) < 0)
		return rc;
	if (!plan->priv.setpcap &&
	    (rc = degrade(cfg, rep, PROT_BOUNDING_SET, 0, "usher has no CAP_SETPCAP: the bounding "
			  "set keeps what the runtime gave, the securebits stay unlocked")) < 0)
		return rc;
	if (!plan->priv.chown &&
	    (rc = degrade(cfg, rep, PROT_SUBMISSION_OWNER, 0, "usher has no CAP_CHOWN: the submission "
			  "stays its uploader's, and readable modes are only checked")) < 0)
		return rc;
	if ((rc = seccomp_compile(cfg, plan, rep)) < 0 || (rc = plan_network(cfg, plan, rep)) < 0)
		return rc;
	log_verbose("plan: seccomp %s (%u instructions, %u with notifications), landlock ABI %d",
		    plan->seccomp_name, plan->seccomp.len, plan->seccomp_notify.len, plan->landlock_abi);
	if ((rc = limits_prepare(cfg, plan, rep)) < 0 || (rc = relay_prepare(cfg, plan, rep)) < 0)
		return rc;
	return feedback_prepare(cfg, plan, rep);
}

void plan_release(struct usher_plan *plan)
{
	free(plan->seccomp.insn);
	free(plan->seccomp_notify.insn);
	plan->seccomp = plan->seccomp_notify = (struct bpf_prog){0};
	if (plan->result_space)
		reserved_drop(plan->result_space); /* unused: the result was not written */
	if (plan->result_dirfd >= 0)
		sys_close(plan->result_dirfd);
	plan->result_dirfd = -1;
	limits_release(plan->limits);
	plan->limits = NULL;
}
