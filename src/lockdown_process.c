/* lockdown_process.c - lockdown steps 1 and 3: what the grader's process inherited
 * from the runtime (file descriptors, a session, a controlling terminal) is let go. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "lockdown.h"
#include "log.h"
#include "parse.h"
#include "sys.h"
#include "util.h"

/* 1. Close every inherited fd above 2: what the runtime or the sidecar left open
 * (a socket to the agent, a log pipe) must not reach student code. Kept: the report
 * channel to the parent, and with --exec the pipe to the result's writer (report.c);
 * both are close-on-exec and vanish with the exec.
 *
 * close_range(2) closes the gaps between them (Linux 5.9). Where it is missing
 * (ENOSYS: Amazon Linux 2's 4.14), refused by a runtime profile that predates it
 * (EPERM), or does not know the flags (EINVAL), /proc/self/fd is walked instead: it
 * lists exactly the open fds, whatever the fd limit (bubblewrap's fdwalk), where a loop
 * to a fixed number misses what lies above it (Docker's nofile is often 1048576). */
static bool kept(int fd, const int *keep, int n)
{
	for (int i = 0; i < n; i++)
		if (keep[i] == fd)
			return true;
	return false;
}

static int close_by_walk(const int *keep, int n)
{
	/* Closing while reading the directory may hide entries from this pass: read again
	 * until a pass finds nothing left to close. */
	for (;;) {
		int dfd = sys_openat(AT_FDCWD, "/proc/self/fd", O_RDONLY | O_DIRECTORY, 0), err;
		if (dfd < 0)
			return dfd;
		struct dents d = {0};
		const char *name;
		unsigned closed = 0;
		while ((name = dents_next(dfd, &d, &err))) {
			uint64_t fd;
			if (parse_u64(name, &fd) < 0 || fd < 3 || fd > INT32_MAX || (int)fd == dfd ||
			    kept((int)fd, keep, n))
				continue;
			sys_close((int)fd);
			closed++;
		}
		sys_close(dfd);
		if (err < 0)
			return err;
		if (!closed)
			return 0;
	}
}

int lockdown_fds(const struct usher_plan *plan, struct usher_report *rep)
{
	int keep[3] = {-1, -1, -1}, n = 0, rc = 0;
	unsigned from = 3;
	/* The spawn channel, the result's writer, and the channel of usher run. */
	const int want[3] = {plan->report_fd, plan->writer_fd, plan->run_fd};
	for (int i = 0; i < 3; i++) {
		if (want[i] < 3)
			continue;
		int j = n++;
		for (; j > 0 && keep[j - 1] > want[i]; j--)
			keep[j] = keep[j - 1]; /* sorted: the ranges between them are closed */
		keep[j] = want[i];
	}
	for (int i = 0; i <= n && rc == 0; i++) {
		unsigned to = i < n ? (unsigned)keep[i] - 1 : ~0U;
		if (i < n && (unsigned)keep[i] < from)
			continue;
		if (to >= from)
			rc = sys_close_range(from, to, 0);
		if (i < n)
			from = (unsigned)keep[i] + 1;
	}
	if (rc == -ENOSYS || rc == -EPERM || rc == -EINVAL) {
		log_verbose("close_range: %s: closing inherited fds from /proc/self/fd", strerror(-rc));
		if ((rc = close_by_walk(keep, n)) < 0)
			return report_fail(rep, STEP_FDS, -rc, "close inherited fds: walk /proc/self/fd");
	}
	if (rc < 0)
		return report_fail(rep, STEP_FDS, -rc, "close_range");
	return 0;
}

/* 3. A new session and process group: no controlling terminal to inject input into
 * (TIOCSTI needs one), and one group PID 1 can signal as a whole. With --exec as the
 * container's PID 1, runc and crun have made usher a session leader already (setsid()
 * then fails with EPERM): that is the state wanted, except that under `docker run -t`
 * the runtime also made the terminal usher's controlling terminal, so it is given up
 * (TIOCNOTTY). SIGHUP and SIGCONT, which that sends to the session, are blocked and
 * drained so that they do not end usher when it is not PID 1.
 * With --exec under an init (docker --init, ECS initProcessEnabled), tini has made
 * usher the leader of a process group of its own, and a group leader may not start a
 * session either (EPERM again, setsid(2)): usher first joins its session leader's
 * group (the init's, in the same session), leaving its own group empty, then setsid()
 * works. */
static int drop_ctty(struct usher_report *rep)
{
	int fd = sys_openat(AT_FDCWD, "/dev/tty", O_RDWR | O_NOCTTY | O_NONBLOCK, 0), rc;
	if (fd == -ENXIO || fd == -ENOENT)
		return 0; /* no controlling terminal (or no /dev/tty at all): nothing to drop */
	if (fd < 0)
		return report_fail(rep, STEP_SETSID, -fd, "open /dev/tty (the controlling terminal)");
	sigset_t hup, old;
	sigemptyset(&hup);
	sigaddset(&hup, SIGHUP);
	sigaddset(&hup, SIGCONT);
	if ((rc = sys_sigprocmask(SIG_BLOCK, &hup, &old)) == 0) {
		rc = sys_ioctl(fd, TIOCNOTTY, 0);
		struct timespec zero = {0, 0};
		while (sigtimedwait(&hup, NULL, &zero) > 0)
			;
		sys_sigprocmask(SIG_SETMASK, &old, NULL);
	}
	sys_close(fd);
	return rc < 0 ? report_fail(rep, STEP_SETSID, -rc, "ioctl TIOCNOTTY (give up the controlling terminal)") : 0;
}

int lockdown_session(struct usher_report *rep)
{
	pid_t rc = sys_setsid();
	if (rc == -EPERM && getsid(0) == getpid())
		return drop_ctty(rep);
	if (rc == -EPERM && getpgrp() == getpid() && sys_setpgid(0, getsid(0)) == 0)
		rc = sys_setsid();
	if (rc < 0)
		return report_fail(rep, STEP_SETSID, (int)-rc, "setsid");
	return 0;
}

