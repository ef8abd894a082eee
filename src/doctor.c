/* doctor.c - PLACEHOLDER (foundation): the deployments issue implements usher doctor. */
#include <errno.h>

#include "stages.h"

int doctor_main(const struct usher_config *cfg, struct usher_report *rep)
{
	(void)cfg;
	return report_fail(rep, "doctor", ENOSYS, "usher doctor is not implemented yet");
}
