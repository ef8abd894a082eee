/* sys_fake.c - the fake side of the seam, linked into unit tests instead of src/sys.c.
 * See sys_fake.h. */
#include "sys_fake.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sys.h"

#define MAX_CALLS 4096
#define MAX_NAMES 128
#define MAX_FAULTS 16
#define MAX_EXECS 32

/* The trace (the first MAX_CALLS calls) and a count per name: names are the wrappers'
 * __func__, so a pointer comparison finds them before strcmp is needed. Counting is
 * O(names), not O(calls): fuzz targets make tens of thousands of calls per input. */
static const char *calls[MAX_CALLS];
static int ncalls;
static struct {
	const char *name;
	int count;
} names[MAX_NAMES];
static int nnames;
struct fault {
	const char *name;
	int nth, err;
};
static struct fault faults[MAX_FAULTS];
static int nfaults;
static char trace[MAX_CALLS * 24];

static bool processes;
static struct {
	char path[256];
	int err;
} execs[MAX_EXECS];
static int nexecs, exec_default = ENOEXEC, exec_status;
static char exec_log[256], exec_paths[2048];

static void exec_reset(void)
{
	processes = false;
	nexecs = 0;
	exec_default = ENOEXEC;
	exec_status = 0;
	exec_log[0] = exec_paths[0] = '\0';
}

void fake_reset(void)
{
	ncalls = nfaults = nnames = 0;
	fake_ignore(NULL);
	trace[0] = '\0';
	exec_reset();
}

void fake_fail(const char *name, int nth, int err)
{
	if (nfaults < MAX_FAULTS)
		faults[nfaults++] = (struct fault){name, nth, err};
}

static int *counter(const char *name, bool add)
{
	for (int i = 0; i < nnames; i++)
		if (names[i].name == name || !strcmp(names[i].name, name))
			return &names[i].count;
	if (!add || nnames == MAX_NAMES)
		return NULL;
	names[nnames].name = name;
	names[nnames].count = 0;
	return &names[nnames++].count;
}

int fake_count(const char *name)
{
	int *c = counter(name, false);
	return c ? *c : 0;
}

int fake_index(const char *name)
{
	for (int i = 0; i < ncalls; i++)
		if (!strcmp(calls[i], name))
			return i;
	return -1;
}

const char *fake_trace(void)
{
	size_t len = 0;
	trace[0] = '\0';
	for (int i = 0; i < ncalls && len + 32 < sizeof trace; i++)
		len += (size_t)snprintf(trace + len, sizeof trace - len, "%s%s", i ? "," : "", calls[i]);
	return trace;
}

/* Record the call; return the injected -errno, or 0 to go on. */
static int enter(const char *name)
{
	if (ncalls < MAX_CALLS)
		calls[ncalls++] = name;
	int *c = counter(name, true), nth = c ? ++*c : 0;
	for (int i = 0; i < nfaults; i++)
		if (!strcmp(faults[i].name, name) && (faults[i].nth == 0 || faults[i].nth == nth)) {
			if (faults[i].err == FAKE_DIE)
				_exit(FAKE_DIE_STATUS);
			return -faults[i].err;
		}
	return 0;
}

void fake_processes(bool on) { processes = on; }
void fake_exec_default(int err) { exec_default = err; }
void fake_exec_exits(int status) { exec_status = status; }
void fake_exec_log(const char *file) { snprintf(exec_log, sizeof exec_log, "%s", file); }
const char *fake_exec_paths(void) { return exec_paths; }

void fake_exec_result(const char *path, int err)
{
	if (nexecs < MAX_EXECS) {
		snprintf(execs[nexecs].path, sizeof execs[0].path, "%s", path);
		execs[nexecs++].err = err;
	}
}

/* What a successful exec does to the caller, short of running the program: the
 * close-on-exec descriptors vanish (the spawn channel's end-of-file is the parent's
 * sign that the exec happened), and the "program" exits. */
static void exec_success(const char *path)
{
	if (*exec_log) {
		int fd = open(exec_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0) {
			dprintf(fd, "%s\n", path);
			close(fd);
		}
	}
	for (int fd = 3; fd < 1024; fd++) {
		int fl = fcntl(fd, F_GETFD);
		if (fl >= 0 && (fl & FD_CLOEXEC))
			close(fd);
	}
	if (exec_status < 0) { /* a "program" killed by a signal */
		signal(-exec_status, SIG_DFL);
		kill(getpid(), -exec_status);
	}
	_exit(exec_status < 0 ? 127 : exec_status);
}

static int fake_execve(const char *path)
{
	size_t len = strlen(exec_paths);
	snprintf(exec_paths + len, sizeof exec_paths - len, "%s%s", len ? "," : "", path);
	int err = exec_default;
	for (int i = 0; i < nexecs; i++)
		if (!strcmp(execs[i].path, path))
			err = execs[i].err;
	if (err == 0 && processes)
		exec_success(path);
	return -(err ? err : ENOEXEC);
}

/* Credentials are state: what the fake setresuid sets, the fake getresuid reads back,
 * so the lockdown's read-back step sees a consistent (pretend) kernel. */
static struct {
	uid_t uid;
	gid_t gid;
	int ngroups;
	uint64_t eff, prm, inh, bnd, amb;
	int nnp;
} cred;

static const char *ignored; /* a call that reports success and changes nothing */

void fake_ignore(const char *name) { ignored = name; }

/* Like enter(), plus "succeed without effect" for the ignored call. */
#define STATEFUL                                                                       \
	int f_ = enter(__func__);                                                      \
	if (f_)                                                                        \
		return f_;                                                             \
	if (ignored && !strcmp(ignored, __func__))                                     \
		return 0;

void fake_set_creds(uid_t uid, gid_t gid, int ngroups, uint64_t caps)
{
	cred.uid = uid;
	cred.gid = gid;
	cred.ngroups = ngroups;
	cred.eff = cred.prm = cred.bnd = caps;
	cred.inh = cred.amb = 0;
	cred.nnp = 0;
}

#define NEG(expr) ({ __typeof__(expr) r_ = (expr); r_ < 0 ? -(__typeof__(expr))errno : r_; })
/* A call that reaches the kernel unless a fault is injected. */
#define REAL(type, expr) { int f_ = enter(__func__); if (f_) return (type)f_; return NEG(expr); }
/* A call that only pretends to succeed unless a fault is injected. */
#define PRETEND(type, value) { int f_ = enter(__func__); if (f_) return (type)f_; return (value); }

int sys_openat(int d, const char *p, int fl, mode_t m) REAL(int, openat(d, p, fl | O_CLOEXEC, m))
int sys_close(int fd) REAL(int, close(fd))
int sys_openat2(int d, const char *p, int fl, uint64_t r)
{
	struct open_how how = {.flags = (uint64_t)(fl | O_CLOEXEC), .resolve = r};
	REAL(int, (int)syscall(437, d, p, &how, sizeof how))
}
ssize_t sys_read(int fd, void *b, size_t n) REAL(ssize_t, read(fd, b, n))
ssize_t sys_write(int fd, const void *b, size_t n) REAL(ssize_t, write(fd, b, n))
int sys_fstat(int fd, struct stat *st) REAL(int, fstat(fd, st))
int sys_fstatat(int d, const char *p, struct stat *st, int fl) REAL(int, fstatat(d, p, st, fl))
int sys_fstatfs(int fd, struct statfs *f) REAL(int, fstatfs(fd, f))
int sys_mkdirat(int d, const char *p, mode_t m) REAL(int, mkdirat(d, p, m))
int sys_renameat(int a, const char *b, int c, const char *d) REAL(int, renameat(a, b, c, d))
int sys_unlinkat(int d, const char *p, int fl) REAL(int, unlinkat(d, p, fl))
int sys_renameat2(int od, const char *op, int nd, const char *np, unsigned f) REAL(int, (int)syscall(SYS_renameat2, od, op, nd, np, f))
int sys_linkat(int od, const char *op, int nd, const char *np) REAL(int, linkat(od, op, nd, np, 0))
int sys_symlinkat(const char *t, int d, const char *p) REAL(int, symlinkat(t, d, p))
/* Ownership and modes: pretend, so tests need not run as root. */
int sys_fchown(int fd, uid_t u, gid_t g) { (void)fd; (void)u; (void)g; PRETEND(int, 0) }
int sys_fchmod(int fd, mode_t m) REAL(int, fchmod(fd, m))
int sys_fsync(int fd) REAL(int, fsync(fd))
ssize_t sys_getdents64(int fd, void *b, size_t n) REAL(ssize_t, (ssize_t)syscall(SYS_getdents64, fd, b, n))
ssize_t sys_readlinkat(int d, const char *p, char *b, size_t n) REAL(ssize_t, readlinkat(d, p, b, n))
int sys_pipe2(int fds[2], int fl) REAL(int, pipe2(fds, fl))
int sys_socketpair(int fds[2]) REAL(int, socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds))
/* usher run's records carry real fds: the unit tests of run_child.c pass real streams. */
static ssize_t send_fds(int fd, const void *b, size_t n, const int *f, unsigned k)
{
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(32 * sizeof(int))];
	} c;
	struct iovec iov = {(void *)(uintptr_t)b, n};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	memset(&c, 0, sizeof c);
	if (k && k <= 32) {
		m.msg_control = c.space;
		m.msg_controllen = CMSG_SPACE(k * sizeof(int));
		struct cmsghdr *h = CMSG_FIRSTHDR(&m);
		h->cmsg_level = SOL_SOCKET, h->cmsg_type = SCM_RIGHTS, h->cmsg_len = CMSG_LEN(k * sizeof(int));
		memcpy(CMSG_DATA(h), f, k * sizeof(int));
	}
	return sendmsg(fd, &m, MSG_NOSIGNAL);
}
static ssize_t recv_fds(int fd, void *b, size_t n, int *f, unsigned max, unsigned *k)
{
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(32 * sizeof(int))];
	} c;
	struct iovec iov = {b, n};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.space, .msg_controllen = sizeof c.space};
	*k = 0;
	ssize_t got = recvmsg(fd, &m, MSG_CMSG_CLOEXEC);
	for (struct cmsghdr *h = got < 0 ? NULL : CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h))
		for (size_t i = 0; h->cmsg_type == SCM_RIGHTS && i < (h->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++)
			if (*k < max)
				memcpy(&f[(*k)++], CMSG_DATA(h) + i * sizeof(int), sizeof(int));
	return got;
}
ssize_t sys_send_fds(int fd, const void *b, size_t n, const int *f, unsigned k) REAL(ssize_t, send_fds(fd, b, n, f, k))
ssize_t sys_recv_fds(int fd, void *b, size_t n, int *f, unsigned m, unsigned *k) REAL(ssize_t, recv_fds(fd, b, n, f, m, k))
int sys_fchownat(int d, const char *p, uid_t u, gid_t g, int f) { (void)d; (void)p; (void)u; (void)g; (void)f; PRETEND(int, 0) }
int sys_fchmodat(int d, const char *p, mode_t m) { (void)d; (void)p; (void)m; PRETEND(int, 0) }
int sys_fchdir(int fd) { (void)fd; PRETEND(int, 0) }
int sys_signal_default(int sig) { (void)sig; PRETEND(int, 0) }
int sys_setfsids(uid_t u, gid_t g) { (void)u; (void)g; PRETEND(int, 0) }
ssize_t sys_send_record(int fd, const void *b, size_t n, int pfd) { (void)pfd; REAL(ssize_t, write(fd, b, n)) }
ssize_t sys_recv_record(int fd, void *b, size_t n, int *pfd) { *pfd = -1; REAL(ssize_t, read(fd, b, n)) }
int sys_close_range(unsigned a, unsigned b, unsigned fl) { (void)a; (void)b; (void)fl; PRETEND(int, 0) }

int sys_ioctl(int fd, unsigned long req, unsigned long arg) { (void)fd; (void)req; (void)arg; PRETEND(int, 0) }
int sys_fcntl(int fd, int cmd, long arg) REAL(int, fcntl(fd, cmd, arg))
/* dup2 would replace the test's own stdout: pretend. */
int sys_dup2(int a, int b) { (void)a; PRETEND(int, b) }
ssize_t sys_splice(int in, int out, size_t n, unsigned fl) REAL(ssize_t, splice(in, NULL, out, NULL, n, fl))
ssize_t sys_send(int fd, const void *b, size_t n, int fl) REAL(ssize_t, send(fd, b, n, fl))
ssize_t sys_pwrite(int fd, const void *b, size_t n, off_t o) REAL(ssize_t, pwrite(fd, b, n, o))
int sys_fallocate(int fd, off_t o, off_t n) REAL(int, fallocate(fd, 0, o, n))
int sys_ftruncate(int fd, off_t n) REAL(int, ftruncate(fd, n))

ssize_t sys_getrandom(void *b, size_t n) REAL(ssize_t, syscall(SYS_getrandom, b, n, 0))

int sys_memfd_create(const char *n, unsigned f) REAL(int, (int)syscall(SYS_memfd_create, n, f))
off_t sys_lseek(int fd, off_t o, int w) REAL(off_t, lseek(fd, o, w))
ssize_t sys_pread(int fd, void *b, size_t n, off_t o) REAL(ssize_t, pread(fd, b, n, o))

int sys_inotify_init1(int fl) REAL(int, inotify_init1(fl))
int sys_inotify_add_watch(int fd, const char *p, uint32_t m) REAL(int, inotify_add_watch(fd, p, m))
int sys_inotify_rm_watch(int fd, int wd) REAL(int, inotify_rm_watch(fd, wd))
int sys_poll(struct pollfd *f, unsigned long n, int t) REAL(int, poll(f, (nfds_t)n, t))
int sys_signalfd(const sigset_t *m, int fl) REAL(int, signalfd(-1, m, fl))
int sys_sigprocmask(int how, const sigset_t *s, sigset_t *o) REAL(int, sigprocmask(how, s, o))
int sys_timerfd_create(int fl) REAL(int, timerfd_create(CLOCK_MONOTONIC, fl))
int sys_timerfd_settime(int fd, const struct itimerspec *s) REAL(int, timerfd_settime(fd, 0, s, NULL))

/* Process calls pretend: a unit test must never fork or exec for real, unless it asked
 * for process mode (fake_processes). fork then returns a fake child pid; execve fails
 * (fake_exec_result, fake_exec_default) so code that continues after it is visible. */
pid_t sys_fork(void)
{
	int f = enter(__func__);
	if (f)
		return f;
	if (!processes)
		return 4242;
	pid_t pid = fork();
	if (pid == 0)
		ncalls = nnames = 0; /* counted per process, as in the fault build: a child's
				      * first setresuid is its #1 whatever the parent did */
	return NEG(pid);
}
int sys_execve(const char *p, char *const a[], char *const e[])
{
	int f = enter(__func__);
	(void)a;
	(void)e;
	return f ? f : fake_execve(p);
}
pid_t sys_wait4(pid_t p, int *st, int o, struct rusage *r)
{
	int f = enter(__func__);
	if (f)
		return f;
	if (processes)
		return NEG(wait4(p, st, o, r));
	if (st)
		*st = 0;
	return p;
}
int sys_getrusage(int w, struct rusage *r) REAL(int, getrusage(w, r))
int sys_kill(pid_t p, int s)
{
	int f = enter(__func__);
	if (f)
		return f;
	return processes ? NEG(kill(p, s)) : 0;
}
pid_t sys_setsid(void) PRETEND(pid_t, 4242)
int sys_setpgid(pid_t p, pid_t g) { (void)p; (void)g; PRETEND(int, 0) }
int sys_prctl(int o, unsigned long a, unsigned long b, unsigned long c, unsigned long d)
{
	int f = enter(__func__);
	(void)b; (void)c; (void)d;
	if (f)
		return f;
	if (o == PR_SET_NO_NEW_PRIVS)
		cred.nnp = (int)a;
	return o == PR_GET_NO_NEW_PRIVS ? cred.nnp : 0;
}

int sys_setgroups(size_t n, const gid_t *g) { (void)g; STATEFUL cred.ngroups = (int)n; return 0; }
int sys_setresgid(gid_t r, gid_t e, gid_t s) { (void)e; (void)s; STATEFUL cred.gid = r; return 0; }
int sys_setresuid(uid_t r, uid_t e, uid_t s) { (void)e; (void)s; STATEFUL cred.uid = r; return 0; }
int sys_getresuid(uid_t *r, uid_t *e, uid_t *s) { int f = enter(__func__); if (f) return f; *r = *e = *s = cred.uid; return 0; }
int sys_getresgid(gid_t *r, gid_t *e, gid_t *s) { int f = enter(__func__); if (f) return f; *r = *e = *s = cred.gid; return 0; }
int sys_getgroups(int n, gid_t *g) { int f = enter(__func__); (void)n; (void)g; if (f) return f; return cred.ngroups; }

int sys_setrlimit(int r, const struct rlimit *l) { (void)r; (void)l; PRETEND(int, 0) }
int sys_getrlimit(int r, struct rlimit *l) REAL(int, getrlimit(r, l))
int sys_capbset_drop(unsigned cap)
{
	STATEFUL
	if (cap >= 41)
		return -EINVAL; /* past the last capability this pretend kernel knows */
	cred.bnd &= ~(UINT64_C(1) << cap);
	return 0;
}
int sys_capbset_read(unsigned cap)
{
	STATEFUL
	return cap >= 41 ? -EINVAL : !!(cred.bnd & (UINT64_C(1) << cap));
}
int sys_capng_set(uint64_t keep) { STATEFUL cred.eff = cred.prm = cred.inh = keep; return 0; }
int sys_ambient_clear(void) { STATEFUL cred.amb = 0; return 0; }
int sys_ambient_raise(unsigned cap) { STATEFUL cred.amb |= UINT64_C(1) << cap; return 0; }
int sys_caps_read(uint64_t *e, uint64_t *p, uint64_t *i, uint64_t *b, uint64_t *a)
{
	int f = enter(__func__);
	if (f)
		return f;
	*e = cred.eff, *p = cred.prm, *i = cred.inh, *b = cred.bnd, *a = cred.amb;
	return 0;
}

int sys_caps_get(uint64_t *e, uint64_t *p)
{
	int f = enter(__func__);
	if (f)
		return f;
	*e = cred.eff, *p = cred.prm;
	return 0;
}

/* The probe (NULL attr) says "no Landlock"; a real ruleset request gets an fd that
 * only sys_close (harmlessly, EBADF) will ever see. */
int sys_landlock_create_ruleset(const void *a, size_t s, uint32_t f) { (void)s; (void)f; PRETEND(int, a ? 999 : -ENOSYS) }
int sys_landlock_add_rule(int r, int t, const void *a, uint32_t f) { (void)r; (void)t; (void)a; (void)f; PRETEND(int, 0) }
int sys_landlock_restrict_self(int r, uint32_t f) { (void)r; (void)f; PRETEND(int, 0) }
int sys_seccomp_attach(const struct sock_fprog *p, unsigned f) { (void)p; (void)f; PRETEND(int, 0) }
int sys_seccomp_notif_sizes(struct seccomp_notif_sizes *z) REAL(int, (int)syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, z))
int sys_socket(int f, int t, int p) REAL(int, socket(f, t, p))
int sys_setsockopt(int fd, int l, int n, const void *v, unsigned len) REAL(int, setsockopt(fd, l, n, v, (socklen_t)len))
