/* report_feedback.c - the feedback files (--feedback, Coursera's names by default):
 * created before any grader exists, owned by the grader's identity, so that the grader
 * may write them (Landlock grants write and truncate on exactly these files) but not
 * create anything else beside them. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include "lockdown.h"
#include "plan.h"
#include "log.h"
#include "stages.h"
#include "sys.h"

int feedback_prepare(const struct usher_config *cfg, struct usher_plan *plan,
		     struct usher_report *rep)
{
	plan->nfeedback_made = 0;
	for (size_t i = 0; i < cfg->feedback.n; i++) {
		const char *path = cfg->feedback.v[i];
		/* O_NOFOLLOW: a symlink planted at a feedback path must not make usher
		 * hand some other file to the grader. O_EXCL first, to know whether usher
		 * made it (and may remove it again if the grader leaves it empty). */
		int fd = sys_openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK, 0644);
		bool made = fd >= 0;
		if (fd == -EEXIST)
			fd = sys_openat(AT_FDCWD, path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK, 0);
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
		if (rc == 0 && made && plan->nfeedback_made < sizeof plan->feedback_made / sizeof plan->feedback_made[0])
			plan->feedback_made[plan->nfeedback_made++] =
				(struct made_file){.path = path, .dev = st.st_dev, .ino = st.st_ino};
		sys_close(fd);
		if (rc < 0)
			return report_fail(rep, STEP_FEEDBACK, -rc, "give %s to uid %u", path, (unsigned)plan->uid);
	}
	return 0;
}

/* Feedback files usher made that the grader left empty go away again: an empty
 * htmlFeedback.html beside the real feedback.json is noise to the platform. Only the
 * very files usher made (same device and inode), and only when still empty. */
void feedback_cleanup(const struct usher_plan *plan)
{
	for (unsigned i = 0; i < plan->nfeedback_made; i++) {
		struct stat st;
		const struct made_file *m = &plan->feedback_made[i];
		if (sys_fstatat(AT_FDCWD, m->path, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
		    st.st_size == 0 && st.st_dev == m->dev && st.st_ino == m->ino &&
		    sys_unlinkat(AT_FDCWD, m->path, 0) == 0)
			log_verbose("feedback %s: left empty: removed", m->path);
	}
}
