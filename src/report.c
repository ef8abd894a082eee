/* report.c - PLACEHOLDER (foundation): the supervision issue writes the full result. */
#include <errno.h>

#include "log.h"
#include "stages.h"

int report_prepare(const struct usher_config *cfg, struct usher_plan *plan,
		   struct usher_report *rep)
{
	(void)cfg;
	(void)plan;
	(void)rep;
	return 0;
}

int report_write(const struct usher_config *cfg, const struct usher_plan *plan,
		 const struct usher_report *rep)
{
	(void)plan;
	(void)rep;
	log_error("write result %s: not implemented yet", cfg->result_path);
	return -ENOSYS;
}
