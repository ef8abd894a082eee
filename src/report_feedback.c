/* report_feedback.c - the feedback files (--feedback, Coursera's names by default):
 * created before any grader exists, owned by the grader's identity, so that the grader
 * may write them (Landlock grants write and truncate on exactly these files) but not
 * create anything else beside them. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "lockdown.h"
#include "plan.h"
#include "log.h"
#include "stages.h"
#include "sys.h"

int feedback_prepare(const struct usher_config *cfg, const struct usher_plan *plan,
		     struct usher_report *rep)
{
	for (size_t i = 0; i < cfg->feedback.n; i++) {
		const char *path = cfg->feedback.v[i];
		/* O_NOFOLLOW: a symlink planted at a feedback path must not make usher
		 * hand some other file to the grader. */
		int fd = sys_openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK, 0644);
		if (fd == -ENOENT || fd == -EROFS || fd == -EACCES) {
			log_verbose("feedback %s: not created: %s", path, strerror(-fd));
			continue;
		}
		if (fd < 0)
			return report_fail(rep, STEP_FEEDBACK, -fd, "create %s", path);
		struct stat st;
		int rc = sys_fstat(fd, &st);
		if (rc == 0 && !S_ISREG(st.st_mode))
			rc = -EINVAL;
		if (rc == 0 && plan->priv.chown && (st.st_uid != plan->uid || st.st_gid != plan->gid))
			rc = sys_fchown(fd, plan->uid, plan->gid);
		sys_close(fd);
		if (rc < 0)
			return report_fail(rep, STEP_FEEDBACK, -rc, "give %s to uid %u", path, (unsigned)plan->uid);
	}
	return 0;
}
