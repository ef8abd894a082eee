/* report.c - the result file (SPEC.md "Result file") and report_fail(), through which
 * every failure is recorded once and logged once.
 *
 * The directory of --result is opened before any grader exists (report_prepare), and
 * the file is written at the very end, after every grader process is gone, by
 * file_publish(): a temp file created O_EXCL in that directory, fsynced, renamed into
 * place. So the grader can neither redirect the result through a symlink it planted,
 * nor pre-create, truncate or forge it: there is nobody left to race with.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "plan.h"
#include "report.h"
#include "reserve.h"
#include "stages.h"
#include "sys.h"
#include "util.h"

static const struct {
	const char *name, *meaning;
} steps[STEP_COUNT] = {
#define X(e, n, what) [STEP_##e] = {n, what},
	USHER_STEPS(X)
#undef X
};

const char *step_name(enum usher_step s) { return s > STEP_NONE && s < STEP_COUNT ? steps[s].name : NULL; }
const char *step_meaning(enum usher_step s) { return s > STEP_NONE && s < STEP_COUNT ? steps[s].meaning : NULL; }

int report_fail(struct usher_report *rep, enum usher_step step, int err, const char *fmt, ...)
{
	char msg[400]; /* leaves room in error.message for ": " and strerror */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (err)
		log_error("%s: %s", msg, strerror(err));
	else
		log_error("%s", msg);
	/* The first failure is the cause; later ones are consequences. */
	if (!rep->error.set) {
		rep->error.set = true;
		rep->error.step = step;
		rep->error.err = err;
		/* A message cut short at 511 bytes is still the right message. */
		int n = err ? snprintf(rep->error.message, sizeof rep->error.message, "%s: %s", msg,
				       strerror(err))
			    : snprintf(rep->error.message, sizeof rep->error.message, "%s", msg);
		(void)n;
	}
	return -(err ? err : EINVAL);
}

/* Room for the result, taken now: a grader that fills the disk cannot keep it from
 * being written (report_reserve.c). */
static struct reserved result_space = {.fd = -1};

int report_prepare(const struct usher_config *cfg, struct usher_plan *plan,
		   struct usher_report *rep)
{
	plan->result_dirfd = -1;
	if (!cfg->result_path)
		return 0;
	int fd = path_open_parent(cfg->result_path, &plan->result_name), rc;
	if (fd < 0)
		return report_fail(rep, STEP_RESULT, -fd, "open the directory of %s", cfg->result_path);
	plan->result_dirfd = fd;
	/* --exec: after a successful exec nobody would give the room back. */
	if (!cfg->exec_mode && (rc = reserve(&result_space, fd, plan->result_name, RESERVE_BYTES)) < 0)
		log_verbose("result %s: reserve %d bytes: %s: written without a reservation", cfg->result_path,
			    RESERVE_BYTES, strerror(-rc));
	plan->result_space = result_space.fd >= 0 ? &result_space : NULL;
	return 0;
}

/* --exec: PID 1 becomes the grader. Once its lockdown has begun it may no longer be
 * able to write the result (the grader's uid, no capabilities, Landlock), yet a failed
 * step or a failed exec must still be reported. So before the lockdown a writer is
 * forked that keeps root's hold on the result's directory and reads the JSON from a
 * close-on-exec pipe: a failure sends it the result and waits for it to be written; a
 * successful exec closes the pipe, the writer reads end-of-file and leaves without
 * writing (its exit is a zombie the grader inherits as PID 1: one, harmless). */
int report_writer_start(const struct usher_config *cfg, struct usher_plan *plan,
			struct usher_report *rep)
{
	int fds[2], rc;
	plan->writer_fd = -1;
	plan->writer_pid = -1;
	if (!cfg->result_path || plan->result_dirfd < 0)
		return 0;
	if ((rc = sys_pipe2(fds, O_CLOEXEC)) < 0)
		return report_fail(rep, STEP_RESULT, -rc, "pipe for the result's writer");
	pid_t pid = sys_fork();
	if (pid < 0) {
		sys_close(fds[0]);
		sys_close(fds[1]);
		return report_fail(rep, STEP_RESULT, (int)-pid, "fork the result's writer");
	}
	if (pid == 0) {
		static char json[16384];
		size_t len = 0;
		ssize_t n;
		sys_close(fds[1]);
		while (len < sizeof json && (n = sys_read(fds[0], json + len, sizeof json - len)) != 0)
			if (n > 0)
				len += (size_t)n;
			else if (n != -EINTR)
				break;
		_exit(len && file_publish(plan->result_dirfd, plan->result_name, json, len, 0644) < 0 ? 1 : 0);
	}
	sys_close(fds[0]);
	plan->writer_fd = fds[1];
	plan->writer_pid = pid;
	return 0;
}

int report_write(const struct usher_config *cfg, const struct usher_plan *plan,
		 const struct usher_report *rep)
{
	char json[16384];
	const char *name;
	int dirfd = plan ? plan->result_dirfd : -1, rc;
	bool own_dirfd = false;

	int len = report_json(rep, json, sizeof json - 1);
	if (len < 0) {
		log_error("format result %s: %s", cfg->result_path, strerror(-len));
		return len;
	}
	json[len++] = '\n';
	if (plan && plan->writer_fd >= 0) {
		/* --exec after the lockdown began: the writer, still root, writes it. */
		int status = 0;
		ssize_t w = sys_write(plan->writer_fd, json, (size_t)len);
		sys_close(plan->writer_fd);
		if (sys_wait4(plan->writer_pid, &status, 0, NULL) < 0 || w != len || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			log_error("write result %s: its writer failed", cfg->result_path);
			return -EIO;
		}
		log_verbose("result written to %s (by the writer)", cfg->result_path);
		return 0;
	}
	if (dirfd < 0) {
		/* Before plan_build (a usage error): open the directory now. */
		if ((dirfd = path_open_parent(cfg->result_path, &name)) < 0) {
			log_error("write result %s: %s", cfg->result_path, strerror(-dirfd));
			return dirfd;
		}
		own_dirfd = true;
	} else {
		name = plan->result_name;
	}
	rc = -EBADF;
	if (plan && plan->result_space) {
		rc = reserved_publish(plan->result_space, name, json, (size_t)len, 0644);
		if (rc < 0)
			log_verbose("result %s: into its reserved room: %s: the usual way", cfg->result_path,
				    strerror(-rc));
	}
	if (rc < 0)
		rc = file_publish(dirfd, name, json, (size_t)len, 0644);
	if (own_dirfd)
		sys_close(dirfd);
	if (rc < 0) {
		log_error("write result %s: %s", cfg->result_path, strerror(-rc));
		return rc;
	}
	log_verbose("result written to %s", cfg->result_path);
	return 0;
}
