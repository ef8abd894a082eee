/* supervise.c - PID 1's event loop (SPEC.md "Supervision").
 *
 * Every signal is blocked in usher from before the fork (spawn.c), so nothing arrives
 * asynchronously: a signalfd delivers them to one poll() loop, whose timeout is the
 * next deadline (--timeout, or the SIGKILL that follows a SIGTERM by --kill-after).
 *
 *   SIGCHLD          reap with WNOHANG (SIGCHLD coalesces), at most a batch per turn
 *                    of the loop; the grader's status and rusage are kept, orphans
 *                    are just reaped
 *   HUP INT QUIT TERM USR1 USR2 WINCH CONT
 *                    forwarded to the grader's process group (it is a session leader
 *                    after lockdown step 3); TERM also arms the escalation to SIGKILL
 *   anything else    stays blocked: fault signals are never forwarded
 *
 * When the grader has exited, everything it left behind is killed and reaped before
 * supervise() returns (supervise_sweep.c).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "enforce.h"
#include "log.h"
#include "output.h"
#include "plan.h"
#include "stages.h"
#include "run.h"
#include "supervise.h"
#include "sys.h"
#include "util.h"

static const int forwarded[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT};

/* To the group first; before the child's setsid() the group does not exist yet. */
void signal_grader(pid_t grader, int sig)
{
	if (sys_kill(-grader, sig) == -ESRCH)
		sys_kill(grader, sig);
}

struct loop {
	pid_t grader;
	bool grader_done;
	bool more; /* the last reap stopped at its batch: zombies may be waiting */
	int status;
	struct rusage ru;
	uint64_t started, ended, deadline, kill_at; /* 0 = not armed */
	uint64_t reaped_at; /* the last reap: retried every second whatever else wakes the loop */
};

/* A batch at most: orphans of the grader's tree come to usher (PID 1, or the subreaper
 * under docker --init), and a tree whose processes fork and exit as fast as usher reaps
 * them (a chain that setsid()s and forks its successors) would otherwise hold this loop
 * forever, and with it the deadline. The loop polls again at once while l->more. */
#define REAP_BATCH 256

static void reap(struct loop *l)
{
	int status;
	struct rusage ru;
	pid_t pid = 0;
	l->reaped_at = now_ms();
	for (int n = 0; n < REAP_BATCH && (pid = sys_wait4(-1, &status, WNOHANG, &ru)) > 0; n++) {
		if (pid == l->grader) {
			l->grader_done = true;
			l->ended = now_ms(); /* wall time ends here, not after the sweep */
			l->status = status;
			l->ru = ru;
		}
	}
	l->more = pid > 0;
}

static void on_signal(const struct usher_config *cfg, struct loop *l, int sig)
{
	if (sig == SIGCHLD) {
		reap(l);
		return;
	}
	log_verbose("forwarding signal %d to the grader", sig);
	signal_grader(l->grader, sig);
	/* docker stop: the grader gets its grace, then SIGKILL. */
	if (sig == SIGTERM && !l->kill_at)
		l->kill_at = sat_add(now_ms(), cfg->kill_after_ms);
}

static void on_time(const struct usher_config *cfg, struct usher_report *rep, struct loop *l)
{
	uint64_t t = now_ms();
	/* Signal first, log after: the deadline must hold even if the log cannot be
	 * written. */
	if (l->deadline && t >= l->deadline) {
		rep->grader.timed_out = true;
		if (rep->grader.limit == LIMIT_NONE)
			rep->grader.limit = LIMIT_TIMEOUT;
		signal_grader(l->grader, SIGTERM);
		l->deadline = 0;
		if (!l->kill_at)
			l->kill_at = sat_add(t, cfg->kill_after_ms);
		log_info("grader hit --timeout after %.3f s: SIGTERM, SIGKILL in %.3f s",
			 (double)cfg->timeout_ms / 1000, (double)cfg->kill_after_ms / 1000);
	}
	if (l->kill_at && t >= l->kill_at) {
		signal_grader(l->grader, SIGKILL);
		l->kill_at = 0;
		log_info("grader still running %.3f s after SIGTERM: SIGKILL",
			 (double)cfg->kill_after_ms / 1000);
	}
}

/* The next deadline, and at most a second: a reap that failed once (a lost SIGCHLD
 * would otherwise leave a dead grader unnoticed) is retried on that tick. */
static int next_timeout(const struct loop *l)
{
	uint64_t next = 0, t = now_ms();
	if (l->more)
		return 0;
	if (l->deadline)
		next = l->deadline;
	if (l->kill_at && (!next || l->kill_at < next))
		next = l->kill_at;
	if (!next)
		return 1000;
	return next <= t ? 0 : (int)(next - t > 1000 ? 1000 : next - t);
}

/* The loop's poll() timeout: the deadlines above, or the next check of a limit. */
static int wait_ms(const struct loop *l, const struct limits *lim)
{
	int a = next_timeout(l), b = lim ? limits_timeout(lim, now_ms()) : -1;
	return b >= 0 && b < a ? b : a;
}

static void record(struct usher_report *rep, const struct loop *l)
{
	struct rusage all;
	rep->grader.wall_ms = (l->ended ? l->ended : now_ms()) - l->started;
	if (WIFEXITED(l->status)) {
		rep->grader.exit_code = WEXITSTATUS(l->status);
	} else {
		rep->grader.signal = WTERMSIG(l->status);
		rep->grader.exit_code = -1;
	}
	/* The grader's own rusage covers what it waited for; RUSAGE_CHILDREN adds the
	 * orphans usher reaped. Taken after the sweep, so it covers the whole tree. */
	if (sys_getrusage(RUSAGE_CHILDREN, &all) < 0)
		all = l->ru;
	rep->grader.user_ms = (uint64_t)all.ru_utime.tv_sec * 1000 + (uint64_t)all.ru_utime.tv_usec / 1000;
	rep->grader.sys_ms = (uint64_t)all.ru_stime.tv_sec * 1000 + (uint64_t)all.ru_stime.tv_usec / 1000;
	rep->grader.max_rss_kib = (uint64_t)(all.ru_maxrss > l->ru.ru_maxrss ? all.ru_maxrss : l->ru.ru_maxrss);
}

/* The sweep's deadline: long enough for the kernel to tear down thousands of processes,
 * short enough that a process stuck in D state does not hold the result back. */
#define SWEEP_DEADLINE_MS 10000

static int sweep(const struct usher_plan *plan, struct usher_report *rep, pid_t grader)
{
	/* By uid only when the uid is the grader's alone: in a non-root start it is usher's
	 * own, and may be a sidecar's in a shared pid namespace. */
	struct sweep sw = {.grader = grader, .by_uid = plan->switch_ids && plan->uid != 0,
			   .uid = plan->uid, .deadline_ms = SWEEP_DEADLINE_MS,
			   .runs = plan->run_uids, .run_uid = plan->run_uid};
	unsigned left;
	run_broker_stop(); /* usher run's processes are not the grader's leftovers */
	int reaped = supervise_sweep(&sw, &left);
	rep->grader.leftover = left;
	if (left)
		log_error("%u process%s of the grader could not be killed within %d s", left,
			  left == 1 ? "" : "es", SWEEP_DEADLINE_MS / 1000);
	return reaped;
}

int supervise(const struct usher_config *cfg, const struct usher_plan *plan,
	      struct usher_report *rep, struct usher_child *child)
{
	pid_t grader = child->pid;
	struct loop l = {.grader = grader, .started = now_ms()};
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
		sigaddset(&mask, forwarded[i]);
	int sfd = sys_signalfd(&mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		/* No loop without signals: kill the grader rather than run it unsupervised. */
		signal_grader(grader, SIGKILL);
		sweep(plan, rep, grader);
		return report_fail(rep, STEP_SUPERVISE, -sfd, "signalfd");
	}
	if (cfg->timeout_ms)
		l.deadline = sat_add(l.started, cfg->timeout_ms);
	if (plan->limits)
		limits_start(plan->limits, grader, plan->switch_ids && plan->uid != 0, plan->uid);
	relay_start(plan->relay);
	reap(&l); /* the grader may be gone already */
	while (!l.grader_done) {
		/* The signals, the seccomp listener (refused calls, loopback sockets; poll
		 * skips it when it is -1), then the output relay's pipes (supervise_output.c). */
		struct pollfd p[2 + RELAY_POLLFDS] = {{.fd = sfd, .events = POLLIN},
						     {.fd = child->notify.fd, .events = POLLIN}};
		size_t n = 2 + relay_pollfds(plan->relay, p + 2);
		int rc = sys_poll(p, n, wait_ms(&l, plan->limits));
		if (rc < 0 && rc != -EINTR) {
			signal_grader(grader, SIGKILL);
			sweep(plan, rep, grader);
			sys_close(sfd);
			notify_close(&child->notify);
			return report_fail(rep, STEP_SUPERVISE, -rc, "poll");
		}
		if (rc > 0 && (p[1].revents & POLLIN) && notify_handle(&child->notify, rep) < 0) {
			/* A listener that cannot be read leaves the grader's refused calls
			 * hanging: close it, and the kernel answers them with ENOSYS. */
			log_error("seccomp listener: cannot read it: refused calls now fail with ENOSYS");
			notify_close(&child->notify);
		} else if (rc > 0 && (p[1].revents & (POLLHUP | POLLERR | POLLNVAL)) && !(p[1].revents & POLLIN)) {
			/* Hung up: no process uses the filter any more (the grader's tree is
			 * gone, perhaps not yet reaped). Polled again, it would wake the loop at
			 * once for ever: close it; the reap on the next tick finds the grader. */
			notify_close(&child->notify);
		}
		struct signalfd_siginfo si;
		while (sys_read(sfd, &si, sizeof si) == (ssize_t)sizeof si)
			on_signal(cfg, &l, (int)si.ssi_signo);
		relay_events(plan->relay, p + 2);
		on_time(cfg, rep, &l);
		if (plan->limits)
			limits_check(plan->limits, rep, now_ms());
		/* A lost SIGCHLD, or the rest of a batch; and at least every second, even while
		 * the relay's pipes keep the loop busy (a reap that failed once). */
		if (rc == 0 || now_ms() - l.reaped_at >= 1000)
			reap(&l);
	}
	sys_close(sfd);
	int left = sweep(plan, rep, grader);
	notify_close(&child->notify);
	if (left > 0)
		log_info("killed %d process%s the grader left behind", left, left == 1 ? "" : "es");
	record(rep, &l);
	if (plan->limits)
		limits_finish(plan->limits, rep);
	if (rep->grader.signal)
		log_info("grader killed by signal %d after %.3f s", rep->grader.signal,
			 (double)rep->grader.wall_ms / 1000);
	else
		log_info("grader exited %d after %.3f s", rep->grader.exit_code,
			 (double)rep->grader.wall_ms / 1000);
	return 0;
}
