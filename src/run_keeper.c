/* run_keeper.c - one `usher run`, from the request to the verdict (run.h).
 *
 * A keeper starts on standby, before any request (the broker keeps one ready): it makes
 * the run's temporary directory and forks the learner's process, which locks itself
 * down up to its seccomp filter; a request then costs only what depends on it.
 *
 * The keeper is root where usher is (a child of the broker), and a child subreaper:
 * whatever the learner's processes do (fork, setsid, daemonise), their orphans come
 * back here, so "every process the run started" is exactly the keeper's descendants,
 * and with a uid of the run's own also exactly the processes of that uid.
 *
 *   standby   the run's identity chosen, its temporary directory made, the learner's
 *             process forked and locked down as far as it can be without the request.
 *   before    --dir given to the run (after checking it is the grader's); --hide
 *             taken from it; the go, with the streams, limits and directories.
 *   during    the learner's output relayed and counted (--max-output), its refused
 *             calls answered and named, --wall-time, --cpu-time and --memory watched,
 *             the client watched: if `usher run` dies, the run ends.
 *   after     everything of the run killed and reaped (supervise_sweep), --dir given
 *             back to the grader, the temporary directory and whatever the run left in
 *             /tmp, /var/tmp and /dev/shm removed, the verdict sent.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "notify.h"
#include "plan.h"
#include "run.h"
#include "run_keeper.h"
#include "supervise.h"
#include "sys.h"
#include "util.h"

static struct keeper k;
static void remove_as_run(const struct keeper *kp, int parent, const char *name);
#define TICK_FIRST_MS 20 /* the first count of --cpu-time and --memory */

/* The verdict, once the run is over and --dir is the grader's again; what is left to
 * clean (the temporary directory, what the run left in /tmp) is done after it, off the
 * grader's path: the next run has another identity and another directory. */
__attribute__((noreturn)) static void reply_exit(void)
{
	int tmp_parent = k.tmp_parent;
	k.tmp_parent = -1; /* removed after the verdict */
	/* --dir back to the grader before the verdict; if any of it cannot be (a learner's
	 * tree too deep or too large), the verdict says so: the grader must not trust it. */
	long rc = keeper_cleanup(&k);
	if (rc < 0 && k.v.status != RUN_INTERNAL) {
		k.v.status = RUN_INTERNAL;
		snprintf(k.v.message, sizeof k.v.message, "--dir could not all be given back to the "
			 "grader (%s): what the run left there is not to be trusted", strerror((int)-rc));
	}
	k.v.magic = RUN_MAGIC;
	sys_send_record(k.reply, &k.v, sizeof k.v, -1);
	sys_close(k.reply);
	k.tmp_parent = tmp_parent;
	remove_as_run(&k, k.tmp_parent, k.tmp_name);
	_exit(0);
}

__attribute__((noreturn)) static void internal(int err, const char *what)
{
	k.v.status = RUN_INTERNAL;
	if (err)
		snprintf(k.v.message, sizeof k.v.message, "%s: %s", what, strerror(err));
	else
		snprintf(k.v.message, sizeof k.v.message, "%s", what);
	reply_exit();
}

int keeper_tmp(struct keeper *kp)
{
	int rc;
	if ((kp->tmp_parent = sys_openat(AT_FDCWD, "/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)) < 0)
		return kp->tmp_parent;
	/* A name nobody can guess, made here, now, by the keeper: never a directory (or a
	 * symlink) the grader prepared, never another container's in a shared /tmp. */
	rc = -EEXIST;
	for (int attempt = 0; attempt < 8 && rc == -EEXIST; attempt++) {
		uint32_t r = 0;
		if (sys_getrandom(&r, sizeof r) != (ssize_t)sizeof r)
			return -EIO;
		snprintf(kp->tmp_name, sizeof kp->tmp_name, "usher-run-%u-%08x", (unsigned)kp->uid, (unsigned)r);
		rc = sys_mkdirat(kp->tmp_parent, kp->tmp_name, 0700);
	}
	if (rc < 0) {
		kp->tmp_name[0] = '\0';
		return rc;
	}
	snprintf(kp->tmp_path, sizeof kp->tmp_path, "/tmp/%s", kp->tmp_name);
	kp->tmp = sys_openat(kp->tmp_parent, kp->tmp_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
	if (kp->tmp < 0)
		return kp->tmp;
	if (kp->env->switch_ids && (rc = sys_fchown(kp->tmp, kp->uid, kp->uid)) < 0)
		return rc;
	return sys_fchmod(kp->tmp, 0700);
}

/* What the run left where everyone may write (possible without Landlock only): with a
 * uid of its own, every entry of that uid is the run's. With Landlock there is nothing,
 * and the walk of three directories would be most of a run's cost. */
static void remove_leftovers(const struct keeper *kp)
{
	static const char *const shared[] = {"/tmp", "/var/tmp", "/dev/shm"};
	/* As the run (its filesystem ids, which also leaves root's file capabilities out of
	 * the effective set): nothing the run could not remove itself, whatever was moved
	 * into its trees. */
	if (kp->env->switch_ids)
		sys_setfsids(kp->uid, kp->uid);
	for (size_t i = 0; kp->env->switch_ids && kp->env->landlock_abi <= 0 && i < sizeof shared / sizeof shared[0]; i++) {
		int fd = sys_openat(AT_FDCWD, shared[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
		if (fd >= 0) {
			tree_remove_owned(fd, kp->uid);
			sys_close(fd);
		}
	}
	if (kp->env->switch_ids)
		sys_setfsids(0, 0);
}

/* The run's temporary directory, removed as the run (see above). */
static void remove_as_run(const struct keeper *kp, int parent, const char *name)
{
	if (parent < 0 || !name[0])
		return;
	if (kp->env->switch_ids)
		sys_setfsids(kp->uid, kp->uid);
	tree_remove(parent, name);
	if (kp->env->switch_ids)
		sys_setfsids(0, 0);
}

long keeper_cleanup(struct keeper *kp)
{
	long rc = 0;
	if (kp->pid > 0)
		keeper_verdict_sweep(kp);
	/* --dir back to the grader: all the run made there, and what it was lent. */
	if (kp->dir >= 0 && kp->env->switch_ids && kp->lent >= 0)
		rc = tree_chown(kp->dir, kp->uid, kp->env->grader_uid, kp->env->grader_gid);
	kp->lent = -1;
	remove_leftovers(kp);
	remove_as_run(kp, kp->tmp_parent, kp->tmp_name);
	kp->tmp_parent = -1;
	return rc < 0 ? rc : 0;
}

/* The learner's environment: the request's (PATH, LANG, ... and --env), and the run's
 * own HOME, TMPDIR, USER and LOGNAME unless --env set them. */
static char *const *learner_env(char *const *envp)
{
	static char *out[RUN_MAX_ARGS + 8];
	static char home[80], tmpdir[80];
	static char user[] = "USER=learner", logname[] = "LOGNAME=learner";
	char *ours[] = {home, tmpdir, user, logname};
	size_t n = 0;
	snprintf(home, sizeof home, "HOME=%s", k.tmp_path);
	snprintf(tmpdir, sizeof tmpdir, "TMPDIR=%s", k.tmp_path);
	for (size_t i = 0; i < 4; i++) {
		size_t len = (size_t)(strchr(ours[i], '=') - ours[i]) + 1;
		bool given = false;
		for (char *const *e = envp; *e && !given; e++)
			given = !strncmp(*e, ours[i], len);
		if (!given)
			out[n++] = ours[i];
	}
	for (char *const *e = envp; *e && n < RUN_MAX_ARGS + 7; e++)
		out[n++] = *e;
	out[n] = NULL;
	return out;
}

/* The pseudo-filesystems whose files are kernel state: procfs, sysfs, cgroup v1 and v2,
 * debugfs, tracefs, securityfs, bpffs, configfs, efivarfs, pstore (linux/magic.h). */
static bool kernel_fs(unsigned long type)
{
	static const unsigned long magic[] = {0x9fa0, 0x62656572, 0x27e0eb, 0x63677270, 0x64626720,
					      0x74726163, 0x73636673, 0xcafe4a11, 0x62656570,
					      0xde5e81e4, 0x6165676c};
	for (size_t i = 0; i < sizeof magic / sizeof magic[0]; i++)
		if (type == magic[i])
			return true;
	return false;
}

static void prepare(void)
{
	const struct run_request *r = k.req;
	char what[96];
	int rc;
	if (k.env->why_not)
		internal(0, k.env->why_not);
	if (r->nhide && !k.env->switch_ids)
		internal(0, "--hide needs a run identity of its own, and usher has no CAP_SETUID");
	if (k.dir >= 0) {
		struct stat st;
		struct statfs fs;
		if ((rc = sys_fstat(k.dir, &st)) < 0 || !S_ISDIR(st.st_mode))
			internal(rc < 0 ? -rc : ENOTDIR, "--dir");
		/* Only the grader's own: giving it back must never give the grader what was
		 * not its (a directory of root's handed to the grader after the run). In every
		 * mode: without a run identity the learner has the grader's uid, and Landlock's
		 * write rights under --dir are all that stands between it and what is there. */
		if (st.st_uid != k.env->grader_uid)
			internal(0, "--dir: not the grader's (it must own the directory it lends)");
		/* Never the kernel's interfaces: /proc/<grader>/oom_score_adj and the like are
		 * the grader's own files in a non-root start, and writing them needs no more
		 * than DAC: a learner could put the grader's OOM score below its own. */
		if ((rc = sys_fstatfs(k.dir, &fs)) < 0)
			internal(-rc, "--dir: fstatfs");
		if (kernel_fs(fs.f_type))
			internal(0, "--dir: a kernel interface (procfs, sysfs, cgroupfs...), never lent to a run");
		if (k.env->switch_ids) {
			k.lent = 0; /* given back even if lending stops half-way */
			long lent = tree_chown(k.dir, k.env->grader_uid, k.uid, k.uid);
			if (lent < 0)
				internal((int)-lent, "--dir: lend it to the run (too deep, too large?)");
		}
	}
	for (unsigned i = 0; i < r->nhide; i++)
		if ((rc = tree_hide(k.hide[i], k.env->grader_uid, k.env->grader_gid, false)) < 0) {
			snprintf(what, sizeof what, "--hide (path %u)", i + 1);
			internal(rc == -EINVAL || rc == -EPERM ? 0 : -rc,
				 rc == -EINVAL ? "--hide: neither a file nor a directory" :
				 rc == -EPERM ? "--hide: not the grader's own (usher --hide, the operator's, hides the image's files)" : what);
		}
	if (k.failed) { /* the learner's process could not lock down on standby */
		snprintf(what, sizeof what, "%s", k.failure.what);
		internal(k.failure.err, what);
	}
	/* The network: what the keeper makes of the learner's AF_INET sockets. */
	k.rep.lockdown.network = k.v.network == NET_NONE ? NET_NONE : NET_LOOPBACK;
	if (k.listener.fd >= 0) {
		struct usher_config none;
		memset(&none, 0, sizeof none);
		if ((rc = notify_open(&k.listener, k.listener.fd, &none, &k.rep)) < 0)
			internal(-rc, "the seccomp listener");
		if (k.rep.lockdown.network == NET_NONE)
			k.v.network = NET_NONE; /* no ADDFD: no sockets can be made */
		k.listener.any_device = k.v.network == NET_ALL;
	} else {
		k.v.network = NET_NONE; /* the plain filter refuses AF_INET */
	}
}

/* The go: the learner's streams (the keeper's pipes for its output), its limits,
 * argv and environment, its directories for Landlock. */
static void start(char *const *argv, char *const *envp)
{
	static struct run_go_buf g;
	int out[2], err[2], rc;
	if ((rc = sys_pipe2(out, O_CLOEXEC)) < 0 || (rc = sys_pipe2(err, O_CLOEXEC)) < 0)
		internal(-rc, "the run's pipes");
	g.h = (struct run_go){.lim = k.req->lim};
	g.h.flags = (k.dir >= 0 ? RUN_HAS_DIR : 0) | (k.v.network != NET_NONE ? RUN_ALLOW_NETWORK : 0);
	size_t off = 0;
	for (char *const *a = argv; *a; a++, g.h.argc++)
		off += (size_t)snprintf(g.strings + off, sizeof g.strings - off, "%s", *a) + 1;
	for (char *const *e = envp; *e; e++, g.h.envc++)
		off += (size_t)snprintf(g.strings + off, sizeof g.strings - off, "%s", *e) + 1;
	if (off > sizeof g.strings)
		internal(E2BIG, "the program's arguments and environment");
	g.h.strings = (uint32_t)off;
	int fds[5] = {k.in, out[1], err[1], k.tmp, k.dir};
	k.started = now_ms();
	k.next_count = k.started + TICK_FIRST_MS;
	ssize_t sent = sys_send_fds(k.report, &g, sizeof g.h + off, fds, k.dir >= 0 ? 5 : 4);
	sys_close(out[1]), sys_close(err[1]);
	k.pipe[0] = out[0], k.pipe[1] = err[0];
	sys_fcntl(out[0], F_SETFL, O_NONBLOCK);
	sys_fcntl(err[0], F_SETFL, O_NONBLOCK);
	if (sent < 0)
		internal((int)-sent, "the go to the learner's process");
}

/* Standby: everything that does not depend on the request. A failure here is kept and
 * becomes the verdict of the request that comes. */
static int standby(void)
{
	int pair[2], rc;
	sigset_t chld;
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	/* Orphans of the run come here; this keeper dies with the broker. A grader that
	 * closes its end of the learner's output makes writes fail (EPIPE), not the keeper. */
	struct sigaction ign = {.sa_handler = SIG_IGN};
	sigaction(SIGPIPE, &ign, NULL);
	sigaction(SIGCHLD, &dfl, NULL);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sys_sigprocmask(SIG_BLOCK, &chld, NULL);
	if ((k.sigfd = sys_signalfd(&chld, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
		return k.sigfd;
	sys_prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	sys_prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (k.env->why_not)
		return 0; /* no run will start: the request gets the reason */
	if ((rc = keeper_tmp(&k)) < 0)
		return rc;
	if ((rc = sys_socketpair(pair)) < 0)
		return rc;
	pid_t pid = sys_fork();
	if (pid == 0) {
		struct run_child c = {.env = k.env, .uid = k.uid, .report = pair[1]};
		run_child(&c);
	}
	sys_close(pair[1]);
	if (pid < 0) {
		sys_close(pair[0]);
		return (int)pid;
	}
	k.pid = pid, k.report = pair[0];
	/* Its first word: ready (with its listener, where the kernel has one), or why not. */
	struct child_report r;
	int fd = -1;
	memset(&r, 0, sizeof r);
	ssize_t n = sys_recv_record(k.report, &r, sizeof r, &fd);
	if (n == (ssize_t)sizeof r && r.kind == 0) {
		k.listener.fd = fd;
		return 0;
	}
	if (fd >= 0)
		sys_close(fd);
	k.failed = true;
	k.failure.kind = n == (ssize_t)sizeof r ? r.kind : 1;
	k.failure.err = n == (ssize_t)sizeof r ? r.err : EPIPE;
	snprintf(k.failure.what, sizeof k.failure.what, "%s", n == (ssize_t)sizeof r ? r.what : "the learner's process");
	return 0;
}

void run_keeper(const struct run_env *env, int sock, uid_t uid)
{
	static struct run_request_buf r;
	static char *argv[RUN_MAX_ARGS + 1], *envp[RUN_MAX_ARGS + 1];
	int fds[RFD_MAX], ready;
	unsigned n = 0, i = 4;
	k = (struct keeper){.env = env, .uid = uid, .reply = -1, .in = -1, .dest = {-1, -1}, .dir = -1, .tmp = -1,
			    .pid = -1, .pipe = {-1, -1}, .report = -1, .listener.fd = -1, .tmp_parent = -1, .lent = -1};
	ready = standby();
	ssize_t len = sys_recv_fds(sock, &r, sizeof r, fds, RFD_MAX, &n);
	if (len <= 0 || run_parse(&r, (size_t)len, n, argv, envp) < 0) {
		/* The broker is gone (the grader ended) or sent nothing usable: no run. */
		keeper_cleanup(&k);
		_exit(0);
	}
	sys_close(sock);
	k.req = &r.h;
	k.reply = fds[RFD_REPLY], k.in = fds[RFD_STDIN];
	k.dest[0] = fds[RFD_STDOUT], k.dest[1] = fds[RFD_STDERR];
	k.v.exit_code = -1;
	k.v.uid = env->switch_ids ? uid : env->grader_uid;
	k.v.separation = env->switch_ids ? SEP_UID : SEP_LANDLOCK;
	k.v.landlock_abi = env->landlock_abi;
	k.v.network = (r.h.flags & RUN_ALLOW_NETWORK) ? env->network : NET_NONE;
	if (r.h.flags & RUN_HAS_DIR)
		k.dir = fds[i++];
	for (unsigned h = 0; h < r.h.nhide; h++)
		k.hide[h] = fds[i++];
	if (ready < 0)
		internal(-ready, "prepare the run (its temporary directory, its process)");
	if (env->mem_cgroup >= 0)
		cgroup_oom_kills(env->mem_version, env->mem_cgroup, &k.oom_before);
	prepare();
	start(argv, learner_env(envp));
	keeper_loop(&k);
	keeper_verdict(&k);
	reply_exit();
}
