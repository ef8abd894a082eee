/* pid1.c - PLACEHOLDER (foundation): the lockdown issue hardens PID 1 here. */
#include "stages.h"

int pid1_harden(const struct usher_config *cfg, struct usher_report *rep)
{
	(void)cfg;
	(void)rep;
	return 0;
}
