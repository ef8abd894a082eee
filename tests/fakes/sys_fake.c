/* sys_fake.c - the fake side of the seam, linked into unit tests instead of src/sys.c.
 * See sys_fake.h. */
#include "sys_fake.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sys.h"

#define MAX_CALLS 4096
#define MAX_FAULTS 16

static const char *calls[MAX_CALLS];
static int ncalls;
struct fault {
	const char *name;
	int nth, err;
};
static struct fault faults[MAX_FAULTS];
static int nfaults;
static char trace[MAX_CALLS * 24];

void fake_reset(void)
{
	ncalls = nfaults = 0;
	fake_ignore(NULL);
	trace[0] = '\0';
}

void fake_fail(const char *name, int nth, int err)
{
	if (nfaults < MAX_FAULTS)
		faults[nfaults++] = (struct fault){name, nth, err};
}

int fake_count(const char *name)
{
	int n = 0;
	for (int i = 0; i < ncalls; i++)
		n += !strcmp(calls[i], name);
	return n;
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
	int nth = fake_count(name);
	for (int i = 0; i < nfaults; i++)
		if (!strcmp(faults[i].name, name) && (faults[i].nth == 0 || faults[i].nth == nth))
			return -faults[i].err;
	return 0;
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
int sys_socketpair(int fds[2]) REAL(int, socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds))
ssize_t sys_send_record(int fd, const void *b, size_t n, int pfd) { (void)pfd; REAL(ssize_t, write(fd, b, n)) }
ssize_t sys_recv_record(int fd, void *b, size_t n, int *pfd) { *pfd = -1; REAL(ssize_t, read(fd, b, n)) }
int sys_close_range(unsigned a, unsigned b, unsigned fl) { (void)a; (void)b; (void)fl; PRETEND(int, 0) }

int sys_ioctl(int fd, unsigned long req, unsigned long arg) { (void)fd; (void)req; (void)arg; PRETEND(int, 0) }
int sys_pipe2(int fds[2], int fl) REAL(int, pipe2(fds, fl))
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

/* Process calls pretend: a unit test must never fork or exec for real. fork returns
 * a fake child pid; execve "fails" with ENOEXEC unless told otherwise, so code that
 * continues after it is visible. */
pid_t sys_fork(void) PRETEND(pid_t, 4242)
int sys_execve(const char *p, char *const a[], char *const e[]) { (void)p; (void)a; (void)e; PRETEND(int, -ENOEXEC) }
pid_t sys_wait4(pid_t p, int *st, int o, struct rusage *r) { (void)o; (void)r; if (st) *st = 0; PRETEND(pid_t, p) }
int sys_kill(pid_t p, int s) { (void)p; (void)s; PRETEND(int, 0) }
pid_t sys_setsid(void) PRETEND(pid_t, 4242)
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
int sys_caps_bound(uint64_t keep) { STATEFUL cred.bnd &= keep; return 0; }
int sys_caps_apply(uint64_t keep, bool ambient)
{
	STATEFUL
	cred.eff = cred.prm = cred.inh = keep;
	if (ambient)
		cred.amb = keep;
	return 0;
}
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
