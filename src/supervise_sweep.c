/* supervise_sweep.c - after the grader exits, nothing it started may outlive it:
 * daemonised grandchildren, new sessions and new process groups included.
 *
 * As PID 1 of the container's pid namespace, kill(-1, SIGKILL) reaches every other
 * process in it. Otherwise usher is a child subreaper (spawn.c), so every orphan of the
 * grader's tree is re-parented to usher: killing usher's children (found in /proc) and
 * reaping them, until wait says there are none, reaches the whole tree. A process that
 * escaped both (only possible when the subreaper could not be set) is out of reach:
 * that is the documented best effort outside PID 1.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "supervise.h"
#include "sys.h"

/* The parent pid from /proc/PID/stat: "pid (comm) state ppid ...", where comm may
 * itself contain spaces and parentheses, so parse after the last ')'. */
static pid_t parent_of(const char *pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%s/stat", pid);
	int fd = sys_openat(AT_FDCWD, path, O_RDONLY, 0);
	if (fd < 0)
		return -1;
	ssize_t n = sys_read(fd, buf, sizeof buf - 1);
	sys_close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	return p ? (pid_t)strtol(p + 3, NULL, 10) : -1; /* skip ") S " */
}

static void kill_children(void)
{
	pid_t self = getpid();
	DIR *d = opendir("/proc");
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d)))
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && parent_of(e->d_name) == self) {
			pid_t pid = (pid_t)strtol(e->d_name, NULL, 10);
			sys_kill(-pid, SIGKILL); /* its group, if it leads one */
			sys_kill(pid, SIGKILL);
		}
	closedir(d);
}

int supervise_sweep(pid_t grader)
{
	int reaped = 0;
	bool pid1 = getpid() == 1;
	for (;;) {
		/* Reap all that is dead already. No child left means no descendant left
		 * either: a process whose parent dies is re-parented to usher (PID 1 or the
		 * subreaper), so every living descendant has a living chain of parents up to
		 * one of usher's children. This is also what spares the usual run (a grader
		 * that cleaned up after itself) the /proc scan below, ~0.5 ms on a host. */
		pid_t pid;
		while ((pid = sys_wait4(-1, NULL, WNOHANG, NULL)) > 0)
			reaped++;
		if (pid == -ECHILD)
			return reaped;
		if (pid1)
			sys_kill(-1, SIGKILL);
		sys_kill(-grader, SIGKILL);
		kill_children();
		/* SIGKILL is certain, only the moment of death is not: block for one, then
		 * reap the rest of the round. One /proc scan per round, not per process,
		 * keeps a storm of orphans linear. */
		if (sys_wait4(-1, NULL, 0, NULL) > 0)
			reaped++;
	}
}
