/* run_child.c - the learner's process of one `usher run`, between the keeper's fork
 * and the exec of PROGRAM. The grader's lockdown (lockdown.c) in a smaller form, each
 * step failing closed (a failure is reported to the keeper and the process exits;
 * nothing is executed after a failed step):
 *
 *   fds        0, 1, 2 are the run's stdin and the keeper's output pipes; nothing
 *              else of the broker's or the grader's stays open (the channel never).
 *   session    setsid: no terminal of the grader's to write to or steal (TIOCSTI).
 *   rlimits    --processes (per uid: the run's own uid counts the run alone),
 *              --open-files, --fsize, --cpu-time (per process; the keeper counts the
 *              run as a whole), no core files.
 *   oom        oom_score_adj 1000: in a full container the kernel kills the learner
 *              first, never usher, rarely the grader.
 *   identity   the run's own uid and gid, no supplementary groups, the bounding set
 *              and every capability cleared: the learner cannot signal, trace or read
 *              the grader, PID 1 or another run, nor write what only they may.
 *   nnp        no_new_privs: no setuid binary gives any of that back.
 *   landlock   writes only beneath --dir and the run's temporary directory; no TCP
 *              without the network; signals and abstract sockets scoped to the run.
 *   seccomp    the grader's profile (or the default one), refusals and AF_INET sent
 *              to the keeper over a listener, which is handed over and closed here.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lockdown.h"
#include "plan.h"
#include "run.h"
#include "sys.h"

#define PR_SET_NO_NEW_PRIVS_ 38

__attribute__((noreturn)) static void die(const struct run_child *c, int kind, int err, const char *what)
{
	struct child_report r = {.kind = kind, .err = err};
	snprintf(r.what, sizeof r.what, "%s", what);
	sys_send_record(c->report, &r, sizeof r, -1);
	_exit(127);
}

static void set_limit(const struct run_child *c, int res, rlim_t soft, rlim_t hard, const char *what)
{
	struct rlimit rl = {soft, hard};
	int rc = sys_setrlimit(res, &rl);
	if (rc < 0)
		die(c, 1, -rc, what);
}

static void fds(struct run_child *c)
{
	int rc;
	/* Whatever numbers the keeper's fds have (any may be 3), the report channel and
	 * the directories move to fresh fds first, so that nothing below is overwritten
	 * before it is used: then the streams onto 0-2, the channel onto 3. */
	if ((c->report = sys_fcntl(c->report, F_DUPFD_CLOEXEC, 10)) < 0)
		_exit(127);
	if ((c->tmp = sys_fcntl(c->tmp, F_DUPFD_CLOEXEC, 10)) < 0 ||
	    (c->dir >= 0 && (c->dir = sys_fcntl(c->dir, F_DUPFD_CLOEXEC, 10)) < 0))
		die(c, 1, EMFILE, "move the directories' fds");
	if ((rc = sys_dup2(c->in, 0)) < 0 || (rc = sys_dup2(c->out, 1)) < 0 || (rc = sys_dup2(c->err, 2)) < 0)
		die(c, 1, -rc, "dup2 the standard streams");
	if (sys_dup2(c->report, 3) < 0 || sys_fcntl(3, F_SETFD, FD_CLOEXEC) < 0)
		_exit(127);
	c->report = 3;
	if ((rc = sys_fchdir(c->dir >= 0 ? c->dir : c->tmp)) < 0)
		die(c, 1, -rc, "fchdir to the working directory");
}

static void limits(const struct run_child *c)
{
	const struct run_limits *l = &c->req->lim;
	set_limit(c, RLIMIT_CORE, 0, 0, "setrlimit core");
	set_limit(c, RLIMIT_NOFILE, l->open_files, l->open_files, "setrlimit nofile (--open-files)");
	set_limit(c, RLIMIT_FSIZE, l->fsize, l->fsize, "setrlimit fsize (--fsize)");
	if (l->cpu_ms) {
		/* SIGXCPU at the limit (rounded up to the kernel's whole seconds), SIGKILL a
		 * second later for a program that catches it. */
		rlim_t s = (rlim_t)((l->cpu_ms + 999) / 1000);
		set_limit(c, RLIMIT_CPU, s, s + 1, "setrlimit cpu (--cpu-time)");
	}
	/* Counted per real uid: only with a uid of the run's own is it the run's count. */
	if (c->env->switch_ids)
		set_limit(c, RLIMIT_NPROC, l->processes, l->processes, "setrlimit nproc (--processes)");
}

static void oom(const struct run_child *c)
{
	bool flip = !c->env->switch_ids; /* a non-dumpable non-root process: see lockdown.c */
	if (flip)
		sys_prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	int fd = sys_openat(AT_FDCWD, "/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC, 0);
	if (flip && sys_prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		die(c, 1, EPERM, "prctl PR_SET_DUMPABLE 0");
	if (fd >= 0) {
		sys_write(fd, "1000", 4);
		sys_close(fd);
	}
}

static void identity(const struct run_child *c)
{
	uid_t r, e, s;
	int rc;
	if (c->env->switch_ids) {
		/* The bounding set needs CAP_SETPCAP, gone with the uid: first. */
		if ((rc = caps_bound(0)) < 0 && rc != -EPERM)
			die(c, 1, -rc, "clear the bounding set");
		if ((rc = sys_setgroups(0, NULL)) < 0)
			die(c, 1, -rc, "setgroups");
		if ((rc = sys_setresgid(c->uid, c->uid, c->uid)) < 0)
			die(c, 1, -rc, "setresgid to the run's gid");
		if ((rc = sys_setresuid(c->uid, c->uid, c->uid)) < 0)
			die(c, 1, -rc, "setresuid to the run's uid");
	}
	if ((rc = caps_apply(0, true)) < 0)
		die(c, 1, -rc, "clear the capabilities");
	/* Read back: a setresuid that "succeeded" without effect must not pass. */
	if ((rc = sys_getresuid(&r, &e, &s)) < 0 ||
	    (c->env->switch_ids && (r != c->uid || e != c->uid || s != c->uid)))
		die(c, 1, rc < 0 ? -rc : EPERM, "read back the run's uid");
	/* After the uid change, which clears it: if the keeper dies, so does the run. */
	if ((rc = sys_prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0)) < 0)
		die(c, 1, -rc, "prctl PR_SET_PDEATHSIG");
	if ((rc = sys_prctl(PR_SET_NO_NEW_PRIVS_, 1, 0, 0, 0)) < 0)
		die(c, 1, -rc, "prctl PR_SET_NO_NEW_PRIVS");
}

static void confine(const struct run_child *c)
{
	struct usher_report rep;
	int rc;
	memset(&rep, 0, sizeof rep);
	if (c->env->landlock_abi > 0) {
		int rw[2] = {c->dir, c->tmp};
		bool tcp_denied = !(c->req->flags & RUN_ALLOW_NETWORK) || c->env->network == NET_NONE;
		if ((rc = landlock_run(c->env->landlock_abi, rw, 2, tcp_denied, &rep)) < 0)
			die(c, 1, -rc, "landlock");
	}
	/* Nothing but 0-3 from here: the directories were needed for Landlock only. */
	if (sys_close_range(4, ~0U, 0) < 0)
		for (int fd = 4; fd < 1024; fd++)
			close(fd);
	const struct bpf_prog *notify = c->notify_inet ? c->env->seccomp_notify_inet : c->env->seccomp_notify;
	if (notify && notify->len) {
		struct sock_fprog prog = {.len = notify->len, .filter = notify->insn};
		int fd = sys_seccomp_attach(&prog, SECCOMP_FILTER_FLAG_NEW_LISTENER);
		if (fd >= 0) {
			struct child_report r = {.kind = 0};
			rc = (int)sys_send_record(c->report, &r, sizeof r, fd);
			sys_close(fd); /* the learner must never answer its own refused calls */
			if (rc < 0)
				_exit(127);
			return;
		}
		if (fd != -EINVAL && fd != -EBUSY)
			die(c, 1, -fd, "attach the seccomp filter with a listener");
	}
	/* No listener (before Linux 5.0): refusals are plain errnos, no AF_INET at all. */
	if (c->env->seccomp && c->env->seccomp->len) {
		struct sock_fprog prog = {.len = c->env->seccomp->len, .filter = c->env->seccomp->insn};
		if ((rc = sys_seccomp_attach(&prog, 0)) < 0)
			die(c, 1, -rc, "attach the seccomp filter");
	}
}

/* PROGRAM with the PATH of its own environment; the most telling errno wins. */
__attribute__((noreturn)) static void exec(const struct run_child *c)
{
	const char *prog = c->argv[0], *path = "/usr/local/bin:/usr/bin:/bin";
	char full[4096];
	int rc, first = -ENOENT;
	if (strchr(prog, '/')) {
		rc = sys_execve(prog, c->argv, c->envp);
		die(c, 2, -rc, prog);
	}
	for (char *const *e = c->envp; *e; e++)
		if (!strncmp(*e, "PATH=", 5))
			path = *e + 5;
	for (const char *dir = path; dir;) {
		const char *colon = strchr(dir, ':');
		size_t len = colon ? (size_t)(colon - dir) : strlen(dir);
		if (snprintf(full, sizeof full, "%.*s%s%s", (int)len, dir, len ? "/" : "", prog) < (int)sizeof full) {
			rc = sys_execve(full, c->argv, c->envp);
			if (rc != -ENOENT && rc != -ENOTDIR && first == -ENOENT)
				first = rc;
		}
		dir = colon ? colon + 1 : NULL;
	}
	die(c, 2, -first, prog);
}

void run_child(const struct run_child *orig)
{
	struct run_child copy = *orig, *c = &copy;
	int rc;
	fds(c);
	if ((rc = sys_setsid()) < 0)
		die(c, 1, -rc, "setsid");
	limits(c);
	oom(c);
	identity(c);
	confine(c);
	exec(c);
}
