/* supervise_sweep.c - after the grader exits, nothing it started may outlive it:
 * daemonised grandchildren, new sessions and new process groups included.
 *
 * As PID 1 of the container's pid namespace, kill(-1, SIGKILL) reaches every other
 * process in it. Otherwise (docker --init, ECS initProcessEnabled) usher is a child
 * subreaper, and kill(-1) would also hit processes that are not the grader's (a shared
 * pid namespace holds the sidecars). There each round kills, from /proc, every process
 * that is usher's child or runs as the grader's uid: the uid is this run's own (a
 * per-run identity), nothing the grader starts can change it (no capabilities,
 * no_new_privs), and so a chain of processes that setsid() and fork their successors
 * is caught whatever it does. Rounds repeat until wait(2) says no child is left (no
 * child means no descendant: every orphan is re-parented to usher), or until the
 * deadline: a process stuck in the kernel must not keep the result from being written.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "parse.h"
#include "run.h"
#include "supervise.h"
#include "sys.h"
#include "util.h"

/* The parent pid and the real uid of /proc/PID, from its status file. */
static int status_of(const char *pid, pid_t *ppid, uid_t *uid)
{
	char path[64], buf[2048];
	snprintf(path, sizeof path, "/proc/%s/status", pid);
	ssize_t n = file_read_small(AT_FDCWD, path, buf, sizeof buf, false);
	if (n < 0 && n != -EFBIG)
		return (int)n;
	const char *p = strstr(buf, "\nPPid:"), *u = strstr(buf, "\nUid:");
	if (!p || !u)
		return -EIO;
	*ppid = (pid_t)strtol(p + 6, NULL, 10);
	*uid = (uid_t)strtoul(u + 5, NULL, 10);
	return 0;
}

/* One round: SIGKILL to every process that is usher's child or the grader's uid. */
static void kill_round(pid_t self, const struct sweep *sw)
{
	int dfd = sys_openat(AT_FDCWD, "/proc", O_RDONLY | O_DIRECTORY, 0), err;
	struct dents d = {0};
	const char *name;
	if (dfd < 0)
		return;
	while ((name = dents_next(dfd, &d, &err))) {
		uint64_t pid;
		pid_t ppid;
		uid_t uid;
		if (parse_u64(name, &pid) < 0 || (pid_t)pid == self || status_of(name, &ppid, &uid) < 0)
			continue;
		if (ppid == self || (sw->by_uid && uid == sw->uid) ||
		    (sw->runs && uid >= sw->run_uid && uid - sw->run_uid < RUN_UIDS)) {
			sys_kill(-(pid_t)pid, SIGKILL); /* its group, if it leads one */
			sys_kill((pid_t)pid, SIGKILL);
		}
	}
	sys_close(dfd);
}

int supervise_sweep(const struct sweep *sw, unsigned *left)
{
	int reaped = 0;
	pid_t self = getpid();
	uint64_t deadline = sat_add(now_ms(), sw->deadline_ms);
	*left = 0;
	for (unsigned round = 0;; round++) {
		/* A batch per round: a tree that forks as fast as usher reaps must not keep
		 * the round (and the deadline) from coming. */
		pid_t pid = 0;
		for (int n = 0; n < 1024 && (pid = sys_wait4(-1, NULL, WNOHANG, NULL)) > 0; n++)
			reaped++;
		/* The usual run (a grader that cleaned up after itself) ends here, without
		 * the /proc scan (~0.5 ms on a host). */
		if (pid == -ECHILD)
			return reaped;
		if (now_ms() >= deadline) {
			/* Still there: stuck in the kernel (D state) or out of reach. Count them
			 * for the result rather than wait forever. */
			int dfd = sys_openat(AT_FDCWD, "/proc", O_RDONLY | O_DIRECTORY, 0), err;
			struct dents d = {0};
			const char *name;
			while (dfd >= 0 && (name = dents_next(dfd, &d, &err))) {
				pid_t ppid;
				uid_t uid;
				uint64_t p;
				if (parse_u64(name, &p) == 0 && (pid_t)p != self && status_of(name, &ppid, &uid) == 0 &&
				    (ppid == self || (sw->by_uid && uid == sw->uid)))
					++*left;
			}
			if (dfd >= 0)
				sys_close(dfd);
			return reaped;
		}
		if (self == 1)
			sys_kill(-1, SIGKILL);
		if (sw->grader > 0)
			sys_kill(-sw->grader, SIGKILL);
		kill_round(self, sw);
		/* SIGKILL is certain, only the moment of death is not: let them die, then reap
		 * the round (1 ms, growing to 50 ms between rounds). */
		struct timespec ts = {0, (round < 6 ? 1L << round : 50L) * 1000000L};
		nanosleep(&ts, NULL);
	}
}
