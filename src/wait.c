/* wait.c - PLACEHOLDER (foundation): the handoff issue implements the wait. */
#include <errno.h>

#include "stages.h"

int wait_for_submission(const struct usher_config *cfg, struct usher_report *rep)
{
	(void)cfg;
	return report_fail(rep, "wait", ENOSYS, "waiting for the submission is not implemented yet (use --no-wait)");
}
