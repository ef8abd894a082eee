/* report_feedback.c - the feedback files (--feedback, Coursera's names by default).
 *
 * Before any grader exists (feedback_prepare): each file is created, owned by the
 * grader's identity, so that the grader may write it (Landlock grants write and truncate
 * on exactly these files) but create nothing else beside it; a grader that could not
 * even reach one (a /shared of mode 0700) is said at once rather than found out from a
 * learner's empty grade. The first file is the platform's (--feedback-format): its
 * directory is opened (created for Gradescope's and PrairieLearn's results/), and room
 * is reserved there (report_reserve.c) for the file usher may have to write at the end,
 * on a disk the grader may have filled by then.
 *
 * At the end, once every grader process is gone: when usher ended the run itself, or
 * the grader left the platform's file empty, usher publishes its own
 * (report_feedback_format.c) atomically (feedback_finish); the files usher created and
 * nobody wrote are removed, so that no platform mistakes an empty file for a grade
 * (feedback_cleanup).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include "feedback.h"
#include "lockdown.h"
#include "log.h"
#include "plan.h"
#include "report.h"
#include "stages.h"
#include "sys.h"
#include "util.h"

static struct feedback_plan the_feedback;

/* The first directory on the way to path that uid/gid cannot search, or NULL. The
 * grader keeps no supplementary group, and Landlock does not restrict traversal. */
static const char *unreachable(const char *path, uid_t uid, gid_t gid, char *dir, size_t len, mode_t *mode)
{
	for (const char *slash = strchr(path + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		struct stat st;
		size_t n = (size_t)(slash - path);
		if (n >= len)
			return NULL;
		memcpy(dir, path, n);
		dir[n] = '\0';
		if (sys_fstatat(AT_FDCWD, dir, &st, 0) < 0)
			return NULL; /* not there: the create says so */
		mode_t need = st.st_uid == uid ? S_IXUSR : st.st_gid == gid ? S_IXGRP : S_IXOTH;
		if (!(st.st_mode & need)) {
			*mode = st.st_mode & 07777;
			return dir;
		}
	}
	return NULL;
}

static int create_one(const struct usher_plan *plan, struct usher_report *rep, const char *path, struct stat *st,
		      bool *made)
{
	/* O_NOFOLLOW: a symlink planted at a feedback path must not make usher hand some
	 * other file to the grader. O_EXCL first, to know whether usher made it (and may
	 * remove it again if the grader leaves it empty). */
	int fd = sys_openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK, 0644);
	*made = fd >= 0;
	if (fd == -EEXIST)
		fd = sys_openat(AT_FDCWD, path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK, 0);
	if (fd == -ENOENT || fd == -EROFS || fd == -EACCES) {
		log_verbose("feedback %s: not created: %s", path, strerror(-fd));
		*made = false;
		return 0;
	}
	if (fd < 0)
		return report_fail(rep, STEP_FEEDBACK, -fd, "create %s", path);
	int rc = sys_fstat(fd, st);
	if (rc == 0 && !S_ISREG(st->st_mode))
		rc = -EINVAL;
	if (rc == 0 && plan->priv.chown && (st->st_uid != plan->uid || st->st_gid != plan->gid))
		rc = sys_fchown(fd, plan->uid, plan->gid);
	sys_close(fd);
	if (rc < 0)
		return report_fail(rep, STEP_FEEDBACK, -rc, "give %s to uid %u", path, (unsigned)plan->uid);
	return 0;
}

int feedback_prepare(const struct usher_config *cfg, struct usher_plan *plan, struct usher_report *rep)
{
	struct feedback_plan *fp = &the_feedback;
	*fp = (struct feedback_plan){.dirfd = -1, .space.fd = -1};
	plan->feedback = fp;
	plan->nfeedback_made = 0;
	for (size_t i = 0; i < cfg->feedback.n; i++) {
		const char *path = cfg->feedback.v[i], *base;
		char dir[4096];
		struct stat st;
		mode_t mode;
		bool made;
		int rc;
		/* Gradescope's and PrairieLearn's results/ may not exist, and a grader under
		 * Landlock cannot create it. */
		if (i == 0 && cfg->feedback_format != FEEDBACK_NONE && path_split(path, dir, sizeof dir, &base) == 0 &&
		    (rc = mkdir_p(dir, 0755)) < 0)
			log_verbose("feedback %s: mkdir -p %s: %s", path, dir, strerror(-rc));
		if ((rc = create_one(plan, rep, path, &st, &made)) < 0)
			return rc;
		if (made && plan->nfeedback_made < sizeof plan->feedback_made / sizeof plan->feedback_made[0])
			plan->feedback_made[plan->nfeedback_made++] =
				(struct made_file){.path = path, .dev = st.st_dev, .ino = st.st_ino};
		if (plan->switch_ids && plan->uid != 0 && unreachable(path, plan->uid, plan->gid, dir, sizeof dir, &mode))
			log_warn("feedback %s: the grader (uid %u, gid %u) cannot reach it: %s is mode %04o; make it "
				 "searchable (chmod o+x) or the grader's grade is lost", path, (unsigned)plan->uid,
				 (unsigned)plan->gid, dir, (unsigned)mode);
	}
	/* --exec: nothing runs after the exec to write it, or to give the room back. */
	if (cfg->feedback_format == FEEDBACK_NONE || !cfg->feedback.n || cfg->exec_mode)
		return 0;
	fp->path = cfg->feedback.v[0];
	int fd = path_open_parent(fp->path, &fp->name), rc;
	if (fd < 0) {
		log_warn("feedback %s: open its directory: %s: usher cannot write it", fp->path, strerror(-fd));
		return 0;
	}
	fp->dirfd = fd;
	if ((rc = reserve(&fp->space, fd, fp->name, RESERVE_BYTES)) < 0)
		log_verbose("feedback %s: reserve %d bytes: %s: written without a reservation", fp->path,
			    RESERVE_BYTES, strerror(-rc));
	return 0;
}

/* The platform's file is missing or empty: the grader wrote no grade. */
static bool left_empty(const struct feedback_plan *fp)
{
	struct stat st;
	int rc = sys_fstatat(fp->dirfd, fp->name, &st, AT_SYMLINK_NOFOLLOW);
	return rc == -ENOENT || (rc == 0 && S_ISREG(st.st_mode) && st.st_size == 0);
}

static void publish(const struct usher_config *cfg, struct feedback_plan *fp, const struct usher_report *rep)
{
	char buf[4096], msg[1024];
	int n = feedback_render(cfg, rep, buf, sizeof buf), rc;
	if (n < 0) {
		log_error("feedback %s: format: %s", fp->path, strerror(-n));
		return;
	}
	rc = reserved_publish(&fp->space, fp->name, buf, (size_t)n, 0644);
	if (rc < 0) /* no reservation, or it failed: the usual way, which may find room */
		rc = file_publish(fp->dirfd, fp->name, buf, (size_t)n, 0644);
	if (rc < 0) {
		log_error("feedback %s: write: %s", fp->path, strerror(-rc));
		return;
	}
	feedback_message(cfg, rep, msg, sizeof msg);
	log_info("feedback %s (%s): %s", fp->path, feedback_format_name(cfg->feedback_format), msg);
}

void feedback_finish(const struct usher_config *cfg, struct usher_plan *plan, const struct usher_report *rep)
{
	struct feedback_plan *fp = plan->feedback;
	if (!fp)
		return;
	/* A file usher publishes replaces the one it made: another inode, not empty, so
	 * feedback_cleanup() leaves it. */
	if (fp->dirfd >= 0 && (feedback_usher_ended(rep->status) || left_empty(fp)))
		publish(cfg, fp, rep);
	reserved_drop(&fp->space);
	if (fp->dirfd >= 0)
		sys_close(fp->dirfd);
	fp->dirfd = -1;
	plan->feedback = NULL;
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
