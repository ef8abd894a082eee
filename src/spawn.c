/* spawn.c - fork the grader. The child runs the lockdown and the exec and reports over
 * a close-on-exec pipe: one record with what the lockdown applied, written just before
 * the exec, and one more with the failed step, errno and message if anything fails.
 * The parent reads records until end-of-file (the pipe closes on exec); the last one
 * tells: an error, or the applied lockdown for the result file. This is isolate's and
 * tini's way: a failure before exec is never lost or mistaken for the grader's status. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "plan.h"
#include "stages.h"
#include "sys.h"

struct child_record {
	bool failed;
	struct usher_lockdown lockdown;
	struct usher_error error;
};

static void send(int wfd, const struct usher_report *rep, bool failed)
{
	struct child_record r;
	/* memset, not an initializer: the padding goes through the pipe too (valgrind). */
	memset(&r, 0, sizeof r);
	r.failed = failed;
	r.lockdown = rep->lockdown;
	r.error = rep->error;
	/* Nothing else can be done if this fails: the parent then sees EOF and, on a
	 * failure, a child that exited 125, and reports a setup failure anyway. */
	(void)!sys_write(wfd, &r, sizeof r);
}

static void child(const struct usher_config *cfg, const struct usher_plan *parent_plan,
		  struct usher_report *rep, int wfd)
{
	struct usher_plan plan = *parent_plan;
	plan.report_fd = wfd; /* lockdown step 1 keeps it */
	sigset_t none;
	/* usher blocks every signal; the grader starts with none blocked. Dispositions are
	 * already default (usher installs no handler), and exec keeps a blocked mask, so
	 * this is the one thing to undo. */
	sigemptyset(&none);
	if (sys_sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		report_fail(rep, "signals", errno, "unblock signals");
	else if (lockdown(cfg, &plan, rep) == 0) {
		send(wfd, rep, false);
		exec_program(cfg, rep);
	}
	send(wfd, rep, true);
	_exit(EXIT_USHER_FAILED);
}

/* Before the fork: every signal blocked (supervise.c reads them from a signalfd, and
 * none may hit usher between fork and the loop), and, when usher is not PID 1, the
 * subreaper bit, so orphans of the grader's tree come back to usher to be reaped. */
static int prepare_parent(struct usher_report *rep)
{
	sigset_t all;
	int rc;
	sigfillset(&all);
	if ((rc = sys_sigprocmask(SIG_SETMASK, &all, NULL)) < 0)
		return report_fail(rep, "signals", -rc, "block signals");
	if (getpid() != 1 && (rc = sys_prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) < 0)
		log_warn("prctl PR_SET_CHILD_SUBREAPER: %s: orphans of the grader cannot be "
			 "reaped or killed by usher", strerror(-rc));
	return 0;
}

int spawn_grader(const struct usher_config *cfg, const struct usher_plan *plan,
		 struct usher_report *rep, pid_t *grader)
{
	int fds[2], rc;
	struct child_record r, last = {.failed = true};
	bool got = false;

	if ((rc = prepare_parent(rep)) < 0)
		return rc;
	if ((rc = sys_pipe2(fds, O_CLOEXEC)) < 0)
		return report_fail(rep, "spawn", -rc, "pipe");
	pid_t pid = sys_fork();
	if (pid < 0) {
		sys_close(fds[0]);
		sys_close(fds[1]);
		return report_fail(rep, "spawn", (int)-pid, "fork");
	}
	if (pid == 0) {
		sys_close(fds[0]);
		child(cfg, plan, rep, fds[1]);
	}
	sys_close(fds[1]);
	ssize_t n;
	while ((n = sys_read(fds[0], &r, sizeof r)) == (ssize_t)sizeof r || n == -EINTR)
		if (n > 0)
			last = r, got = true;
	sys_close(fds[0]);
	if (got)
		rep->lockdown = last.lockdown;
	if (!got || last.failed) {
		/* The child failed before exec (or the pipe failed and we cannot know): kill
		 * it, in case it got as far as the exec, reap it, record its reason as ours. */
		sys_kill(pid, SIGKILL);
		sys_wait4(pid, NULL, 0, NULL);
		if (!got)
			return report_fail(rep, "spawn", EIO, "the grader's process died before exec");
		rep->lockdown.applied = false;
		rep->error = last.error;
		rep->error.step[sizeof rep->error.step - 1] = '\0';
		rep->error.message[sizeof rep->error.message - 1] = '\0';
		return -(last.error.err ? last.error.err : EINVAL);
	}
	*grader = pid;
	rep->grader.ran = true;
	if ((rc = pid1_harden(cfg, rep)) < 0) {
		/* Fail closed: no grader runs beside a PID 1 that kept its privileges. */
		sys_kill(pid, SIGKILL);
		sys_wait4(pid, NULL, 0, NULL);
		rep->grader.ran = false;
		return rc;
	}
	return 0;
}
