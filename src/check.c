/* check.c - PLACEHOLDER (foundation): the handoff issue implements the checks. */
#include "log.h"
#include "stages.h"

int check_submission(const struct usher_config *cfg, struct usher_report *rep)
{
	(void)rep;
	log_warn("check %s: submission checks are not implemented yet", cfg->submission);
	return 0;
}
