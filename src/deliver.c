/* deliver.c - PLACEHOLDER (foundation): the handoff issue implements usher deliver. */
#include <errno.h>

#include "stages.h"

int deliver_main(const struct usher_config *cfg, struct usher_report *rep)
{
	(void)cfg;
	return report_fail(rep, "deliver", ENOSYS, "usher deliver is not implemented yet");
}
