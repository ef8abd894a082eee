/* handoff_wait.c - wait for the sidecar's drop (SPEC.md "Handoff protocol").
 *
 * The watch is armed before the first look: inotify on the marker's directory, or,
 * while that directory does not exist yet (the volume is still being populated), on
 * its nearest existing ancestor, re-armed one level deeper as each level appears.
 * Then: look, and sleep in poll() until an inotify event, a signal, or the polling
 * interval (5 ms, doubling to 250 ms). The periodic look is the fallback: network
 * filesystems (NFS, EFS) deliver no inotify events for remote writes, so inotify only
 * ever makes the wait shorter, never correct. --wait-poll drops inotify altogether.
 *
 * The failed marker is looked at first: a sidecar that gave up ends the wait at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>

#include "handoff.h"
#include "log.h"
#include "stages.h"
#include "supervise.h"
#include "sys.h"
#include "util.h"

#define POLL_MIN_MS 5
#define POLL_MAX_MS 250
#define MARKER_MAX 4096

/* Watch the deepest existing directory on the way to `dir`; returns 1 when `dir`
 * itself is watched, 0 for an ancestor, <0 on error. */
static int arm(int ifd, const char *dir, int *wd)
{
	char p[4096];
	snprintf(p, sizeof p, "%s", dir);
	for (;;) {
		int w = sys_inotify_add_watch(ifd, p, IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE |
						      IN_ATTRIB | IN_ONLYDIR);
		if (w >= 0) {
			*wd = w; /* an ancestor's old watch stays: an extra wake-up costs nothing */
			return strcmp(p, dir) == 0;
		}
		if (w != -ENOENT && w != -ENOTDIR)
			return w;
		char *slash = strrchr(p, '/');
		if (!slash || slash == p) {
			snprintf(p, sizeof p, slash ? "/" : ".");
			continue;
		}
		*slash = '\0';
	}
}

/* One look. 1: ready, 0: not yet, <0: an outcome (sidecar failed, bad marker). */
static int look(const struct usher_config *cfg, struct usher_report *rep)
{
	char buf[MARKER_MAX + 1], why[160];
	/* A marker is a regular file, never read through a symlink; a longer one is cut. */
	ssize_t n = file_read_small(AT_FDCWD, cfg->failed_file, buf, sizeof buf, true);
	int rc = n == -EFBIG ? 0 : n < 0 ? (int)n : 0;
	if (rc == 0 || (rc != -ENOENT && rc != -ENOTDIR)) {
		buf[rc == 0 ? strlen(buf) : 0] = '\0';
		buf[strcspn(buf, "\r\n")] = '\0';
		/* The reason is one line, cut at 255 bytes. */
		snprintf(rep->sidecar_reason, sizeof rep->sidecar_reason, "%.255s",
			 rc == 0 ? (*buf ? buf : "(no reason given)") : "(the failed marker is not a regular file)");
		report_fail(rep, STEP_WAIT, 0, "the sidecar could not deliver the submission: %s",
			    rep->sidecar_reason);
		return -OUTCOME_SIDECAR_FAILED;
	}
	n = file_read_small(AT_FDCWD, cfg->ready_file, buf, sizeof buf, true);
	rc = n < 0 ? (int)n : 0;
	if (rc == -ENOENT || rc == -ENOTDIR)
		return 0;
	/* A marker that is not a regular file, or whose manifest is malformed, is a
	 * broken drop: rejected (65), not waited for until the timeout. */
	if (rc < 0) {
		report_fail(rep, STEP_WAIT, -rc, "read the ready marker %s", cfg->ready_file);
		return -OUTCOME_REJECTED;
	}
	if (manifest_parse(buf, (size_t)n, rep, why, sizeof why) < 0) {
		report_fail(rep, STEP_WAIT, 0, "ready marker %s: %s", cfg->ready_file, why);
		return -OUTCOME_REJECTED;
	}
	return 1;
}

/* The inotify fd of a successful wait, for wait_release(). */
static int lingering_ifd = -1;

void wait_release(void)
{
	if (lingering_ifd >= 0)
		sys_close(lingering_ifd);
	lingering_ifd = -1;
}

int wait_for_submission(const struct usher_config *cfg, struct usher_report *rep)
{
	char dir[4096];
	sigset_t stop, old;
	int ifd = -1, wd = -1, armed = 0, rc, interval = POLL_MIN_MS;
	uint64_t start = now_ms(), deadline = sat_add(start, cfg->wait_timeout_ms);

	/* SIGTERM/SIGINT/SIGHUP/SIGQUIT end the wait: read from a signalfd, so a signal
	 * can never slip between the look and the sleep. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM), sigaddset(&stop, SIGINT), sigaddset(&stop, SIGHUP), sigaddset(&stop, SIGQUIT);
	if ((rc = sys_sigprocmask(SIG_BLOCK, &stop, &old)) < 0)
		return report_fail(rep, STEP_WAIT, -rc, "block signals");
	int sfd = sys_signalfd(&stop, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		sys_sigprocmask(SIG_SETMASK, &old, NULL);
		return report_fail(rep, STEP_WAIT, -sfd, "signalfd");
	}
	const char *base;
	if ((rc = path_split(cfg->ready_file, dir, sizeof dir, &base)) < 0) {
		sys_close(sfd);
		sys_sigprocmask(SIG_SETMASK, &old, NULL);
		return report_fail(rep, STEP_WAIT, -rc, "ready marker %s", cfg->ready_file);
	}
	if (!cfg->wait_poll) {
		ifd = sys_inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
		if (ifd < 0)
			log_warn("inotify: %s: polling for %s", strerror(-ifd), cfg->ready_file);
	}
	log_info("waiting for %s (timeout %.3g s%s)", cfg->ready_file, (double)cfg->wait_timeout_ms / 1000,
		 ifd < 0 ? ", polling" : "");
	for (;;) {
		if (ifd >= 0 && armed != 1)
			armed = arm(ifd, dir, &wd);
		if ((rc = look(cfg, rep)) != 0)
			break;
		uint64_t t = now_ms();
		if (t >= deadline) {
			report_fail(rep, STEP_WAIT, 0, "no %s after %.3g s (--wait-timeout)", cfg->ready_file,
				    (double)cfg->wait_timeout_ms / 1000);
			rc = -OUTCOME_WAIT_TIMEOUT;
			break;
		}
		struct pollfd p[2] = {{.fd = sfd, .events = POLLIN}, {.fd = ifd, .events = POLLIN}};
		int sleep_ms = (int)(deadline - t < (uint64_t)interval ? deadline - t : (uint64_t)interval);
		/* EINTR or an error only mean: look again (the deadline still holds). */
		(void)sys_poll(p, ifd >= 0 ? 2 : 1, sleep_ms);
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (sys_read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
				rep->signal = (int)si.ssi_signo;
				report_fail(rep, STEP_WAIT, 0, "stopped by signal %d while waiting", rep->signal);
				rc = -OUTCOME_SIGNALED;
				break;
			}
		}
		if (ifd >= 0 && (p[1].revents & POLLIN)) {
			char ev[4096];
			while (sys_read(ifd, ev, sizeof ev) > 0)
				; /* events are only wake-ups: the next look decides */
			interval = POLL_MIN_MS;
		} else if (interval < POLL_MAX_MS) {
			interval = interval * 2 > POLL_MAX_MS ? POLL_MAX_MS : interval * 2;
		}
	}
	rep->wait_ms = (int64_t)(now_ms() - start);
	if (ifd >= 0 && rc > 0) {
		/* Closing an inotify fd waits for an SRCU grace period in the kernel
		 * (fsnotify_destroy_group): ~10 ms measured, longer than everything else
		 * between the marker and the grader's first instruction. Only the watch goes
		 * now; the fd is closed by wait_release() once the grader runs. */
		if (wd >= 0)
			sys_inotify_rm_watch(ifd, wd);
		lingering_ifd = ifd;
	} else if (ifd >= 0) {
		sys_close(ifd);
	}
	sys_close(sfd);
	sys_sigprocmask(SIG_SETMASK, &old, NULL);
	return rc > 0 ? 0 : rc;
}
