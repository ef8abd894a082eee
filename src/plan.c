/* plan.c - PLACEHOLDER (foundation): the lockdown issue compiles the seccomp program
 * and probes Landlock here; the reporting issue opens the result directory. */
#include <errno.h>

#include "log.h"
#include "plan.h"
#include "stages.h"

int plan_build(const struct usher_config *cfg, struct usher_plan *plan, struct usher_report *rep)
{
	plan->result_dirfd = -1;
	plan->seccomp_name = cfg->seccomp == SECCOMP_NONE ? "none" : "default";
	return report_prepare(cfg, plan, rep);
}
