/* supervise_spawn.c - the grader's process, in two halves around the wait.
 *
 * spawn_prepare(), before the wait: fork. The child runs the whole lockdown (steps
 * 1-9) at once, reports what it applied, and then blocks on its channel to the parent.
 * spawn_start(), after the check: the parent sends "go"; only then does the child
 * exec (step 10). So the path from "marker seen" to "grader running" is a byte on a
 * socket and an execve, not a lockdown (docs/performance.md), and a
 * lockdown that cannot be applied is reported at once, not after a ten-minute wait.
 * spawn_abort(): the wait or the check failed; the child is told nothing, sees the
 * channel close, and exits without exec; it is killed and reaped all the same.
 *
 * The channel is a close-on-exec SOCK_SEQPACKET socketpair (whole records, and
 * end-of-file when the other end closes): records from the child (one when the
 * lockdown is applied, one more with the failed step, errno and message if anything
 * fails), the go byte from the parent. The parent reads records until end-of-file (the
 * child's end closes on exec): a failure before exec is never lost or mistaken for the
 * grader's status (isolate's and tini's way). No grader byte runs before the go, and
 * no go is sent before the submission passed its checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "output.h"
#include "plan.h"
#include "stages.h"
#include "sys.h"

struct child_record {
	bool failed;
	struct usher_lockdown lockdown;
	struct usher_error error;
};

static const char GO = 'g';

/* With the "applied" record goes the seccomp listener the lockdown created, if any:
 * PID 1 answers the grader's refused calls through it. */
static bool send(int fd, const struct usher_report *rep, bool failed)
{
	struct child_record r;
	/* memset, not an initializer: the padding goes through the socket too (valgrind). */
	memset(&r, 0, sizeof r);
	r.failed = failed;
	r.lockdown = rep->lockdown;
	r.error = rep->error;
	return sys_send_record(fd, &r, sizeof r, failed ? -1 : rep->listener_fd) == (ssize_t)sizeof r;
}

static void child(const struct usher_config *cfg, const struct usher_plan *parent_plan,
		  struct usher_report *rep, int fd)
{
	struct usher_plan plan = *parent_plan;
	plan.report_fd = fd; /* lockdown step 1 keeps it */
	sigset_t none;
	char go = 0;
	/* Not PID 1: the grader-to-be logs to its own stderr, blocking as the grader will. */
	log_use_stderr();
	/* usher blocks every signal; the grader starts with none blocked (exec keeps a
	 * blocked mask). usher installs no handler, so the actions are what usher inherited:
	 * as with tini or exec itself, what the launcher ignored (SIGHUP under nohup) stays
	 * ignored, which is what `nohup usher` asks for. */
	sigemptyset(&none);
	int rc = sys_sigprocmask(SIG_SETMASK, &none, NULL);
	if (rc < 0) {
		report_fail(rep, STEP_SIGNALS, -rc, "unblock signals");
	} else if (relay_child(plan.relay, rep) == 0 && lockdown(cfg, &plan, rep) == 0) {
		/* The parent waits for this record: without it, leave, so it reads EOF. */
		if (!send(fd, rep, false))
			_exit(EXIT_USHER_FAILED);
		/* PID 1 has the listener now; the grader must never hold it (it could answer
		 * its own refused calls). It is close-on-exec too: this is the belt. */
		if (rep->listener_fd >= 0)
			sys_close(rep->listener_fd);
		rep->listener_fd = -1;
		/* Locked down; exec only on an explicit go. End-of-file means the parent
		 * gave up (no submission, a rejected one, a signal): leave quietly. */
		while (sys_read(fd, &go, 1) == -EINTR)
			;
		if (go != GO)
			_exit(EXIT_USHER_FAILED);
		exec_program(cfg, &plan, rep);
	}
	/* If this fails too, the parent reads EOF and reports "died before exec"
	 * (before the go) or sees this 125 as the grader's status (after it). */
	(void)send(fd, rep, true);
	_exit(EXIT_USHER_FAILED);
}

/* Before the fork: every signal blocked (supervise.c reads them from a signalfd, and
 * none may hit usher between fork and the loop), and, when usher is not PID 1, the
 * subreaper bit, so orphans of the grader's tree come back to usher to be reaped. */
static int prepare_parent(const struct usher_config *cfg, struct usher_report *rep)
{
	sigset_t all;
	int rc;
	sigfillset(&all);
	if ((rc = sys_sigprocmask(SIG_SETMASK, &all, NULL)) < 0)
		return report_fail(rep, STEP_SIGNALS, -rc, "block signals");
	if (getpid() != 1 && (rc = sys_prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) < 0)
		return degrade(cfg, rep, PROT_SUBREAPER, 0, "prctl PR_SET_CHILD_SUBREAPER: %s: orphans "
			       "of the grader go to the container's init, out of usher's reach", strerror(-rc));
	return 0;
}

/* Read the child's records. Without until_eof, up to the first one: 1 when it says
 * the lockdown is applied. With until_eof, to the end: 1 when the channel closed with
 * no failure (the exec happened). 0: the child's failure, now in rep. -1: the child
 * died without a word, or the channel broke. */
static int collect(struct usher_child *c, struct usher_report *rep, bool until_eof)
{
	struct child_record r;
	memset(&r, 0, sizeof r); /* cppcheck: recvmsg fills it, but say so */
	for (;;) {
		int passed;
		ssize_t n = sys_recv_record(c->fd, &r, sizeof r, &passed);
		if (passed >= 0 && c->listener < 0)
			c->listener = passed;
		else if (passed >= 0)
			sys_close(passed);
		if (n == -EINTR)
			continue;
		if (n == 0 && until_eof)
			return 1;
		if (n != (ssize_t)sizeof r)
			return -1;
		if (r.failed) {
			rep->error = r.error;
			rep->error.message[sizeof rep->error.message - 1] = '\0';
			return 0;
		}
		rep->lockdown = r.lockdown;
		if (!until_eof)
			return 1;
	}
}

void spawn_abort(struct usher_child *c, struct usher_report *rep)
{
	if (c->listener >= 0)
		sys_close(c->listener);
	c->listener = -1;
	notify_close(&c->notify);
	if (c->pid <= 0)
		return;
	sys_close(c->fd); /* the child reads end-of-file: no go, no exec */
	sys_kill(c->pid, SIGKILL);
	sys_wait4(c->pid, NULL, 0, NULL);
	c->pid = -1;
	c->fd = -1;
	rep->lockdown.applied = false; /* nothing ran under it */
}

int spawn_prepare(const struct usher_config *cfg, const struct usher_plan *plan,
		  struct usher_report *rep, struct usher_child *c)
{
	int fds[2], rc;

	c->pid = -1;
	c->fd = -1;
	c->listener = -1;
	c->notify.fd = -1;
	if ((rc = prepare_parent(cfg, rep)) < 0)
		return rc;
	if ((rc = sys_socketpair(fds)) < 0)
		return report_fail(rep, STEP_SPAWN, -rc, "socketpair");
	pid_t pid = sys_fork();
	if (pid < 0) {
		sys_close(fds[0]);
		sys_close(fds[1]);
		return report_fail(rep, STEP_SPAWN, (int)-pid, "fork");
	}
	if (pid == 0) {
		sys_close(fds[0]);
		child(cfg, plan, rep, fds[1]);
	}
	sys_close(fds[1]);
	c->pid = pid;
	c->fd = fds[0];
	/* Wait for the lockdown, ~0.3 ms: its failure is known before the wait begins. */
	rc = collect(c, rep, false);
	if (rc == 1) {
		/* The listener: what the kernel can do with it is known now, before anyone
		 * waits (a --require loopback that cannot be met fails here). */
		if ((rc = notify_open(&c->notify, c->listener, cfg, rep)) == 0) {
			c->listener = -1; /* the notifier owns it */
			return 0;
		}
		spawn_abort(c, rep);
		return rc;
	}
	spawn_abort(c, rep);
	if (rc < 0)
		return report_fail(rep, STEP_SPAWN, EIO, "the grader's process died before exec");
	return -(rep->error.err ? rep->error.err : EINVAL);
}

int spawn_start(const struct usher_config *cfg, struct usher_report *rep, struct usher_child *c,
		pid_t *grader)
{
	(void)cfg;
	int rc;
	ssize_t n;
	while ((n = sys_write(c->fd, &GO, 1)) == -EINTR)
		;
	rc = n == 1 ? collect(c, rep, true) : -1;
	if (rc != 1) {
		/* The exec failed (rc 0, the child's reason is in rep), or the child died
		 * before it: kill it in case it got as far as the exec, reap it. */
		spawn_abort(c, rep);
		if (rc < 0)
			return report_fail(rep, STEP_SPAWN, EIO, "the grader's process died before exec");
		return -(rep->error.err ? rep->error.err : EINVAL);
	}
	sys_close(c->fd);
	c->fd = -1;
	*grader = c->pid;
	rep->grader.ran = true;
	return 0;
}
