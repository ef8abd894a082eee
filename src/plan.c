/* plan.c - everything that can be done before the submission arrives, so that the
 * path from "marker seen" to "grader running" parses and compiles nothing:
 * the seccomp program is compiled to BPF (the child only attaches it: ~0.1 ms instead
 * of ~0.65 ms to build), the Landlock ABI is probed, the feedback files are created
 * for the grader, and the result's directory is opened. A broken policy file or an
 * unmet --landlock require fails here, at once, not after a ten-minute wait.
 */
#include <errno.h>
#include <stdlib.h>

#include "lockdown.h"
#include "log.h"
#include "plan.h"
#include "stages.h"
#include "sys.h"

int plan_build(const struct usher_config *cfg, struct usher_plan *plan, struct usher_report *rep)
{
	int rc;
	plan->report_fd = -1;
	plan->result_dirfd = -1;
	if ((rc = report_prepare(cfg, plan, rep)) < 0)
		return rc;
	if ((rc = seccomp_compile(cfg, plan, rep)) < 0)
		return rc;
	plan->landlock_abi = cfg->landlock == LANDLOCK_OFF ? 0 : landlock_probe();
	if (cfg->landlock == LANDLOCK_REQUIRE && plan->landlock_abi == 0)
		return report_fail(rep, STEP_LANDLOCK, ENOSYS, "--landlock require: Landlock is unavailable "
				   "(kernel without it, or a runtime seccomp profile that blocks it)");
	if (cfg->landlock == LANDLOCK_AUTO && plan->landlock_abi == 0)
		log_warn("landlock: unavailable: the grader's writes are limited by file permissions only");
	log_verbose("plan: seccomp %s (%u instructions), landlock ABI %d", plan->seccomp_name,
		    plan->bpf_len, plan->landlock_abi);
	return feedback_prepare(cfg, rep);
}

void plan_release(struct usher_plan *plan)
{
	free(plan->bpf);
	plan->bpf = NULL;
	plan->bpf_len = 0;
	if (plan->result_dirfd >= 0)
		sys_close(plan->result_dirfd);
	plan->result_dirfd = -1;
}
