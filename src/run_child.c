/* run_child.c - the learner's process of one `usher run`, between the keeper's fork
 * and the exec of PROGRAM. The grader's lockdown (lockdown.c) in a smaller form, each
 * step failing closed (a failure is reported to the keeper and the process exits;
 * nothing is executed after a failed step).
 *
 * It is forked before any request (the keeper waits on standby), and does at once what
 * does not depend on the request: the session, the identity, no_new_privs and the
 * seccomp filter (whose attachment alone costs ~0.2 ms: the kernel evaluates it for
 * every syscall number to build its cache). The go brings the rest: the streams, the
 * limits, the directories for Landlock, argv and the environment. In that order:
 *
 *   fds        nothing of the broker's or the grader's stays open (the channel never)
 *              but the keeper's socket; at the go, 0, 1, 2 become the run's stdin and
 *              the keeper's output pipes.
 *   session    setsid: no terminal of the grader's to write to or steal (TIOCSTI).
 *   oom        oom_score_adj 1000, above the grader's 500 (lockdown.h): in a full
 *              container the kernel kills the learner first, never usher, and the
 *              grader only when it holds more than half the limit itself.
 *   identity   the run's own uid and gid, no supplementary groups, the bounding set
 *              and every capability cleared: the learner cannot signal, trace or read
 *              the grader, PID 1 or another run, nor write what only they may.
 *   nnp        no_new_privs: no setuid binary gives any of that back.
 *   seccomp    the grader's profile (or the default one), refusals and AF_INET sent
 *              to the keeper over a listener, which is handed over and closed here.
 *   -- the go --
 *   rlimits    --processes (per uid: the run's own uid counts the run alone),
 *              --open-files, --fsize, --cpu-time (per process; the keeper counts the
 *              run as a whole), no core files; lowered only (no privilege is left).
 *   landlock   writes only beneath --dir and the run's temporary directory; no TCP
 *              without the network; signals and abstract sockets scoped to the run.
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
#define REPORT 3 /* the keeper's socket, once moved */

__attribute__((noreturn)) static void die(int kind, int err, const char *what)
{
	struct child_report r = {.kind = kind, .err = err};
	snprintf(r.what, sizeof r.what, "%s", what);
	sys_send_record(REPORT, &r, sizeof r, -1);
	_exit(127);
}

static void close_from(unsigned fd)
{
	if (sys_close_range(fd, ~0U, 0) < 0)
		for (int i = (int)fd; i < 1024; i++)
			close(i); /* before Linux 5.9: the keeper holds a handful */
}

/* Lowered, never raised: no privilege is left to raise a hard limit (a request above
 * the container's hard limit gets the hard limit). */
static void set_limit(int res, rlim_t v, const char *what)
{
	struct rlimit cur, rl = {v, v};
	int rc = sys_getrlimit(res, &cur);
	if (rc == 0 && cur.rlim_max != RLIM_INFINITY && rl.rlim_max > cur.rlim_max)
		rl.rlim_cur = rl.rlim_max = cur.rlim_max;
	if (rc < 0 || (rc = sys_setrlimit(res, &rl)) < 0)
		die(1, -rc, what);
}

static void limits(const struct run_child *c, const struct run_limits *l)
{
	set_limit(RLIMIT_CORE, 0, "setrlimit core");
	set_limit(RLIMIT_NOFILE, l->open_files, "setrlimit nofile (--open-files)");
	set_limit(RLIMIT_FSIZE, l->fsize, "setrlimit fsize (--fsize)");
	if (l->cpu_ms) {
		/* SIGXCPU at the limit (rounded up to the kernel's whole seconds), SIGKILL a
		 * second later for a program that catches it. */
		struct rlimit rl = {(rlim_t)((l->cpu_ms + 999) / 1000), (rlim_t)((l->cpu_ms + 999) / 1000) + 1};
		int rc = sys_setrlimit(RLIMIT_CPU, &rl);
		if (rc < 0)
			die(1, -rc, "setrlimit cpu (--cpu-time)");
	}
	/* Counted per real uid: only with a uid of the run's own is it the run's count. */
	if (c->env->switch_ids)
		set_limit(RLIMIT_NPROC, l->processes, "setrlimit nproc (--processes)");
}

static void oom(const struct run_child *c)
{
	bool flip = !c->env->switch_ids; /* a non-dumpable non-root process: see lockdown.c */
	if (flip)
		sys_prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	int fd = sys_openat(AT_FDCWD, "/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC, 0);
	if (flip && sys_prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		die(1, EPERM, "prctl PR_SET_DUMPABLE 0");
	/* Fail closed: a learner left at usher's score would be below the grader's. */
	if (fd < 0)
		die(1, -fd, "open /proc/self/oom_score_adj");
	ssize_t w = sys_write(fd, OOM_SCORE_LEARNER, sizeof OOM_SCORE_LEARNER - 1);
	sys_close(fd);
	if (w != (ssize_t)sizeof OOM_SCORE_LEARNER - 1)
		die(1, w < 0 ? (int)-w : EIO, "write /proc/self/oom_score_adj");
}

static void identity(const struct run_child *c)
{
	uid_t r, e, s;
	int rc;
	if (c->env->switch_ids) {
		/* The bounding set needs CAP_SETPCAP, gone with the uid: first. */
		if ((rc = caps_bound(0)) < 0 && rc != -EPERM)
			die(1, -rc, "clear the bounding set");
		if ((rc = sys_setgroups(0, NULL)) < 0)
			die(1, -rc, "setgroups");
		if ((rc = sys_setresgid(c->uid, c->uid, c->uid)) < 0)
			die(1, -rc, "setresgid to the run's gid");
		if ((rc = sys_setresuid(c->uid, c->uid, c->uid)) < 0)
			die(1, -rc, "setresuid to the run's uid");
	}
	if ((rc = caps_apply(0, true)) < 0)
		die(1, -rc, "clear the capabilities");
	/* Read back: a setresuid that "succeeded" without effect must not pass. */
	if ((rc = sys_getresuid(&r, &e, &s)) < 0 ||
	    (c->env->switch_ids && (r != c->uid || e != c->uid || s != c->uid)))
		die(1, rc < 0 ? -rc : EPERM, "read back the run's uid");
	/* After the uid change, which clears it: if the keeper dies, so does the run. */
	if ((rc = sys_prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0)) < 0)
		die(1, -rc, "prctl PR_SET_PDEATHSIG");
	if ((rc = sys_prctl(PR_SET_NO_NEW_PRIVS_, 1, 0, 0, 0)) < 0)
		die(1, -rc, "prctl PR_SET_NO_NEW_PRIVS");
}

static void seccomp(const struct run_child *c)
{
	int rc;
	const struct bpf_prog *notify = c->env->seccomp_notify;
	if (notify && notify->len) {
		struct sock_fprog prog = {.len = notify->len, .filter = notify->insn};
		int fd = sys_seccomp_attach(&prog, SECCOMP_FILTER_FLAG_NEW_LISTENER);
		if (fd >= 0) {
			struct child_report r = {.kind = 0};
			rc = (int)sys_send_record(REPORT, &r, sizeof r, fd);
			sys_close(fd); /* the learner must never answer its own refused calls */
			if (rc < 0)
				_exit(127);
			return;
		}
		if (fd != -EINVAL && fd != -EBUSY)
			die(1, -fd, "attach the seccomp filter with a listener");
	}
	/* No listener (before Linux 5.0): refusals are plain errnos, no AF_INET at all. */
	if (c->env->seccomp && c->env->seccomp->len) {
		struct sock_fprog prog = {.len = c->env->seccomp->len, .filter = c->env->seccomp->insn};
		if ((rc = sys_seccomp_attach(&prog, 0)) < 0)
			die(1, -rc, "attach the seccomp filter");
	}
	struct child_report r = {.kind = 0};
	if (sys_send_record(REPORT, &r, sizeof r, -1) < 0) /* ready, without a listener */
		_exit(127);
}

/* PROGRAM with the PATH of its own environment; the most telling errno wins. */
__attribute__((noreturn)) static void exec(char *const *argv, char *const *envp)
{
	const char *prog = argv[0], *path = "/usr/local/bin:/usr/bin:/bin";
	char full[4096];
	int rc, first = -ENOENT;
	if (strchr(prog, '/')) {
		rc = sys_execve(prog, argv, envp);
		die(2, -rc, prog);
	}
	for (char *const *e = envp; *e; e++)
		if (!strncmp(*e, "PATH=", 5))
			path = *e + 5;
	for (const char *dir = path; dir;) {
		const char *colon = strchr(dir, ':');
		size_t len = colon ? (size_t)(colon - dir) : strlen(dir);
		if (snprintf(full, sizeof full, "%.*s%s%s", (int)len, dir, len ? "/" : "", prog) < (int)sizeof full) {
			rc = sys_execve(full, argv, envp);
			if (rc != -ENOENT && rc != -ENOTDIR && first == -ENOENT)
				first = rc;
		}
		dir = colon ? colon + 1 : NULL;
	}
	die(2, -first, prog);
}

/* The go: limits, argv, environment; fds in, out, err, tmp [, dir]. */
__attribute__((noreturn)) static void go(const struct run_child *c)
{
	static struct run_go_buf g;
	static char *argv[RUN_MAX_ARGS + 1], *envp[RUN_MAX_ARGS + 9];
	int fds[5], rc;
	unsigned n = 0;
	ssize_t len = sys_recv_fds(REPORT, &g, sizeof g, fds, 5, &n);
	if (len <= 0)
		_exit(0); /* the keeper is gone: no run */
	/* The keeper is trusted; still, nothing is read past what came. */
	bool dir = g.h.flags & RUN_HAS_DIR;
	if ((size_t)len < sizeof g.h || n != 4u + dir || g.h.argc < 1 || g.h.argc > RUN_MAX_ARGS ||
	    g.h.envc > RUN_MAX_ARGS + 8 || g.h.strings != (size_t)len - sizeof g.h)
		die(1, EPROTO, "the keeper's go");
	char *p = g.strings, *end = g.strings + g.h.strings;
	for (uint32_t i = 0; i < g.h.argc + g.h.envc; i++) {
		char *nul = memchr(p, '\0', (size_t)(end - p));
		if (!nul)
			die(1, EPROTO, "the keeper's go");
		if (i < g.h.argc)
			argv[i] = p;
		else
			envp[i - g.h.argc] = p;
		p = nul + 1;
	}
	argv[g.h.argc] = envp[g.h.envc] = NULL;
	/* Every fd that came is above 3: 0-3 are taken. */
	if ((rc = sys_dup2(fds[0], 0)) < 0 || (rc = sys_dup2(fds[1], 1)) < 0 || (rc = sys_dup2(fds[2], 2)) < 0)
		die(1, -rc, "dup2 the standard streams");
	if ((rc = sys_fchdir(dir ? fds[4] : fds[3])) < 0)
		die(1, -rc, "fchdir to the working directory");
	limits(c, &g.h.lim);
	if (c->env->landlock_abi > 0) {
		struct usher_report rep;
		int rw[2] = {fds[3], dir ? fds[4] : -1};
		memset(&rep, 0, sizeof rep);
		if ((rc = landlock_run(c->env->landlock_abi, rw, 2, !(g.h.flags & RUN_ALLOW_NETWORK), &rep)) < 0)
			die(1, -rc, "landlock");
	}
	close_from(REPORT + 1); /* the directories were needed for Landlock only */
	exec(argv, envp);
}

/* The keeper blocks SIGCHLD (its signalfd) and ignores SIGPIPE (a grader that closed
 * its end of the learner's stdout must not kill the keeper): the learner gets neither,
 * but a process as a shell would start it. */
static void signals(void)
{
	sigset_t none;
	/* Also those libc reserves for itself (32-34), which whatever started usher may have
	 * left ignored: SIGKILL and SIGSTOP are the only ones the kernel refuses. */
	for (int sig = 1; sig <= 64; sig++)
		if (sig != SIGKILL && sig != SIGSTOP && sys_signal_default(sig) < 0)
			die(1, EINVAL, "reset the signals' actions");
	sigemptyset(&none);
	if (sys_sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		die(1, EINVAL, "unblock the signals");
}

void run_child(const struct run_child *c)
{
	int rc;
	if (c->report != REPORT && (sys_dup2(c->report, REPORT) < 0 || sys_fcntl(REPORT, F_SETFD, FD_CLOEXEC) < 0))
		_exit(127);
	close_from(REPORT + 1);
	signals();
	if ((rc = sys_setsid()) < 0)
		die(1, -rc, "setsid");
	oom(c);
	identity(c);
	seccomp(c);
	go(c);
}
