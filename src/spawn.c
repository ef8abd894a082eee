/* spawn.c - fork the grader. The child runs the lockdown and the exec; if any of it
 * fails, it writes the failed step, errno and message into a close-on-exec pipe and
 * exits. The parent reads the pipe: end-of-file means the exec happened (the pipe
 * closed on exec), a record means it did not, and why. This is isolate's and tini's
 * way: a failure before exec is never lost or mistaken for the grader's own status. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "stages.h"
#include "sys.h"

struct child_error {
	char step[32];
	int err;
	char message[512];
};

static void child(const struct usher_config *cfg, const struct usher_plan *plan,
		  struct usher_report *rep, int wfd)
{
	sigset_t none;
	/* usher blocks every signal; the grader starts with none blocked. Dispositions are
	 * already default (usher installs no handler), and exec keeps a blocked mask, so
	 * this is the one thing to undo. */
	sigemptyset(&none);
	if (sys_sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		report_fail(rep, "signals", errno, "unblock signals");
	else if (lockdown(cfg, plan, rep) == 0)
		exec_program(cfg, rep);
	struct child_error ce = {.err = rep->error.err};
	memcpy(ce.step, rep->error.step, sizeof ce.step);
	memcpy(ce.message, rep->error.message, sizeof ce.message);
	/* Nothing else can be done if this fails: the parent then sees EOF and a child
	 * that exited 125, and reports a setup failure anyway. */
	(void)!sys_write(wfd, &ce, sizeof ce);
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
	struct child_error ce;

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
	do
		n = sys_read(fds[0], &ce, sizeof ce);
	while (n == -EINTR);
	sys_close(fds[0]);
	if (n == (ssize_t)sizeof ce) {
		/* The child failed before exec: reap it, record its reason as ours. */
		sys_wait4(pid, NULL, 0, NULL);
		ce.step[sizeof ce.step - 1] = ce.message[sizeof ce.message - 1] = '\0';
		rep->error.set = true;
		memcpy(rep->error.step, ce.step, sizeof ce.step);
		rep->error.err = ce.err;
		memcpy(rep->error.message, ce.message, sizeof ce.message);
		return -(ce.err ? ce.err : EINVAL);
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
