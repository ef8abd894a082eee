/* sys.c - the real side of the seam (see include/sys.h). Each wrapper is one call
 * and one errno translation: no policy lives here, so faking it loses nothing. */
#include "sys.h"

#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/resource.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <grp.h>
#include <stdlib.h>
#include <string.h>

/* Map a libc-style result (-1 + errno) to the seam's -errno convention. */
#define NEG(expr) ({ __typeof__(expr) r_ = (expr); r_ < 0 ? -(__typeof__(expr))errno : r_; })

int sys_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	return NEG(openat(dirfd, path, flags | O_CLOEXEC, mode));
}
int sys_close(int fd) { return NEG(close(fd)); }
int sys_openat2(int dirfd, const char *path, int flags, uint64_t resolve)
{
	struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC), .resolve = resolve};
	return NEG((int)syscall(437 /* SYS_openat2 */, dirfd, path, &how, sizeof how));
}
ssize_t sys_read(int fd, void *buf, size_t len) { return NEG(read(fd, buf, len)); }
ssize_t sys_write(int fd, const void *buf, size_t len) { return NEG(write(fd, buf, len)); }
int sys_fstat(int fd, struct stat *st) { return NEG(fstat(fd, st)); }
int sys_fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	return NEG(fstatat(dirfd, path, st, flags));
}
int sys_fstatfs(int fd, struct statfs *fs) { return NEG(fstatfs(fd, fs)); }
int sys_mkdirat(int dirfd, const char *path, mode_t mode) { return NEG(mkdirat(dirfd, path, mode)); }
int sys_renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
	return NEG(renameat(olddirfd, oldpath, newdirfd, newpath));
}
int sys_unlinkat(int dirfd, const char *path, int flags) { return NEG(unlinkat(dirfd, path, flags)); }
int sys_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned flags)
{
	return NEG((int)syscall(SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, flags));
}
int sys_linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
	return NEG(linkat(olddirfd, oldpath, newdirfd, newpath, 0));
}
int sys_symlinkat(const char *target, int dirfd, const char *path) { return NEG(symlinkat(target, dirfd, path)); }
int sys_fchown(int fd, uid_t uid, gid_t gid) { return NEG(fchown(fd, uid, gid)); }
int sys_fchmod(int fd, mode_t mode) { return NEG(fchmod(fd, mode)); }
int sys_fsync(int fd) { return NEG(fsync(fd)); }
ssize_t sys_getdents64(int fd, void *buf, size_t len)
{
	return NEG((ssize_t)syscall(SYS_getdents64, fd, buf, len));
}
ssize_t sys_readlinkat(int dirfd, const char *path, char *buf, size_t len)
{
	return NEG(readlinkat(dirfd, path, buf, len));
}
int sys_pipe2(int fds[2], int flags) { return NEG(pipe2(fds, flags)); }
static ssize_t send_fds(int fd, const void *buf, size_t len, const int *fds, unsigned nfds)
{
	void *p;
	memcpy(&p, &buf, sizeof p);
	struct iovec iov = {p, len};
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(32 * sizeof(int))];
	} c;
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	memset(&c, 0, sizeof c);
	if (nfds > 32)
		return -EINVAL;
	if (nfds) {
		m.msg_control = c.space;
		m.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		struct cmsghdr *h = CMSG_FIRSTHDR(&m);
		if (!h)
			return -EINVAL;
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_RIGHTS;
		h->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(h), fds, nfds * sizeof(int));
	}
	return NEG(sendmsg(fd, &m, MSG_NOSIGNAL));
}
static ssize_t recv_fds(int fd, void *buf, size_t len, int *fds, unsigned max, unsigned *nfds)
{
	struct iovec iov = {buf, len};
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(32 * sizeof(int))];
	} c;
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.space,
			   .msg_controllen = sizeof c.space};
	*nfds = 0;
	ssize_t n = recvmsg(fd, &m, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h)) {
		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int got;
			memcpy(&got, CMSG_DATA(h) + i * sizeof(int), sizeof got);
			if (*nfds < max)
				fds[(*nfds)++] = got;
			else
				close(got); /* more than asked for: never kept */
		}
	}
	if (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		return -EMSGSIZE;
	return n;
}
int sys_fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags)
{
	return NEG(fchownat(dirfd, path, uid, gid, flags));
}
int sys_fchmodat(int dirfd, const char *path, mode_t mode) { return NEG(fchmodat(dirfd, path, mode, 0)); }
int sys_fchdir(int fd) { return NEG(fchdir(fd)); }
int sys_signal_default(int sig)
{
	/* The kernel's struct sigaction on x86_64 (handler, flags, restorer, mask), all zero:
	 * SIG_DFL, no flags, an empty mask. */
	uint64_t ksa[4] = {0, 0, 0, 0};
	return NEG((int)syscall(SYS_rt_sigaction, sig, ksa, NULL, sizeof ksa[3]));
}
int sys_setfsids(uid_t uid, gid_t gid)
{
	setfsgid(gid);
	return setfsuid(uid);
}
int sys_socketpair(int fds[2]) { return NEG(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds)); }
ssize_t sys_send_record(int fd, const void *buf, size_t len, int passfd)
{
	return send_fds(fd, buf, len, &passfd, passfd >= 0 ? 1 : 0);
}

ssize_t sys_recv_record(int fd, void *buf, size_t len, int *passfd)
{
	unsigned n = 0;
	ssize_t got = recv_fds(fd, buf, len, passfd, 1, &n);
	if (n == 0)
		*passfd = -1;
	return got;
}
ssize_t sys_send_fds(int fd, const void *buf, size_t len, const int *fds, unsigned nfds)
{
	return send_fds(fd, buf, len, fds, nfds);
}
ssize_t sys_recv_fds(int fd, void *buf, size_t len, int *fds, unsigned max, unsigned *nfds)
{
	return recv_fds(fd, buf, len, fds, max, nfds);
}

int sys_close_range(unsigned first, unsigned last, unsigned flags)
{
	return NEG((int)syscall(SYS_close_range, first, last, flags));
}

int sys_ioctl(int fd, unsigned long request, unsigned long arg) { return NEG(ioctl(fd, request, arg)); }
int sys_fcntl(int fd, int cmd, long arg) { return NEG(fcntl(fd, cmd, arg)); }
int sys_dup2(int oldfd, int newfd) { return NEG(dup2(oldfd, newfd)); }
ssize_t sys_splice(int in, int out, size_t len, unsigned flags)
{
	return NEG(splice(in, NULL, out, NULL, len, flags));
}
ssize_t sys_send(int fd, const void *buf, size_t len, int flags) { return NEG(send(fd, buf, len, flags)); }
ssize_t sys_pwrite(int fd, const void *buf, size_t len, off_t off) { return NEG(pwrite(fd, buf, len, off)); }
/* posix_fallocate's emulation would write zeros where the filesystem cannot reserve:
 * the real call only, so "cannot reserve" is an answer. */
int sys_fallocate(int fd, off_t off, off_t len) { return NEG(fallocate(fd, 0, off, len)); }
int sys_ftruncate(int fd, off_t len) { return NEG(ftruncate(fd, len)); }

ssize_t sys_getrandom(void *buf, size_t len) { return NEG((ssize_t)syscall(SYS_getrandom, buf, len, 0)); }

int sys_memfd_create(const char *name, unsigned flags) { return NEG((int)syscall(SYS_memfd_create, name, flags)); }
off_t sys_lseek(int fd, off_t off, int whence) { return NEG(lseek(fd, off, whence)); }
ssize_t sys_pread(int fd, void *buf, size_t len, off_t off) { return NEG(pread(fd, buf, len, off)); }

int sys_inotify_init1(int flags) { return NEG(inotify_init1(flags)); }
int sys_inotify_rm_watch(int fd, int wd) { return NEG(inotify_rm_watch(fd, wd)); }
int sys_inotify_add_watch(int fd, const char *path, uint32_t mask)
{
	return NEG(inotify_add_watch(fd, path, mask));
}
int sys_poll(struct pollfd *fds, unsigned long n, int timeout_ms)
{
	return NEG(poll(fds, (nfds_t)n, timeout_ms));
}
int sys_signalfd(const sigset_t *mask, int flags) { return NEG(signalfd(-1, mask, flags)); }
int sys_sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	return NEG(sigprocmask(how, set, old));
}
int sys_timerfd_create(int flags) { return NEG(timerfd_create(CLOCK_MONOTONIC, flags)); }
int sys_timerfd_settime(int fd, const struct itimerspec *spec)
{
	return NEG(timerfd_settime(fd, 0, spec, NULL));
}

pid_t sys_fork(void) { return NEG(fork()); }
int sys_execve(const char *path, char *const argv[], char *const envp[])
{
	return NEG(execve(path, argv, envp));
}
pid_t sys_wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
	return NEG(wait4(pid, status, options, ru));
}
int sys_getrusage(int who, struct rusage *ru) { return NEG(getrusage(who, ru)); }
int sys_kill(pid_t pid, int sig) { return NEG(kill(pid, sig)); }
pid_t sys_setsid(void) { return NEG(setsid()); }
int sys_setpgid(pid_t pid, pid_t pgid) { return NEG(setpgid(pid, pgid)); }
int sys_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)
{
	return NEG(prctl(option, a2, a3, a4, a5));
}

int sys_setgroups(size_t n, const gid_t *groups) { return NEG(setgroups(n, groups)); }
int sys_setresgid(gid_t r, gid_t e, gid_t s) { return NEG(setresgid(r, e, s)); }
int sys_setresuid(uid_t r, uid_t e, uid_t s) { return NEG(setresuid(r, e, s)); }
int sys_getresuid(uid_t *r, uid_t *e, uid_t *s) { return NEG(getresuid(r, e, s)); }
int sys_getresgid(gid_t *r, gid_t *e, gid_t *s) { return NEG(getresgid(r, e, s)); }
int sys_getgroups(int n, gid_t *groups) { return NEG(getgroups(n, groups)); }

int sys_setrlimit(int resource, const struct rlimit *rl) { return NEG(setrlimit(resource, rl)); }
int sys_getrlimit(int resource, struct rlimit *rl) { return NEG(getrlimit(resource, rl)); }

int sys_capbset_drop(unsigned cap) { return NEG(prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0)); }
int sys_capbset_read(unsigned cap) { return NEG(prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0)); }

int sys_capng_set(uint64_t keep)
{
	/* libcap-ng keeps its state in memory until capng_apply() writes it (capset(2)):
	 * one system call, whose failure is the wrapper's. */
	capng_clear(CAPNG_SELECT_CAPS);
	for (unsigned cap = 0; cap < 64; cap++)
		if ((keep & (UINT64_C(1) << cap)) &&
		    capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_INHERITABLE, cap) != 0)
			return -EINVAL;
	if (capng_apply(CAPNG_SELECT_CAPS) != 0)
		return errno ? -errno : -EPERM;
	return 0;
}

int sys_ambient_clear(void) { return NEG(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)); }
int sys_ambient_raise(unsigned cap)
{
	return NEG(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)cap, 0, 0));
}

int sys_caps_read(uint64_t *eff, uint64_t *prm, uint64_t *inh, uint64_t *bnd, uint64_t *amb)
{
	/* /proc/self/status holds all five sets as hex; reading it avoids depending on
	 * libcap-ng's view, which is what we are checking. */
	char buf[4096];
	int fd = sys_openat(AT_FDCWD, "/proc/self/status", O_RDONLY, 0);
	if (fd < 0)
		return fd;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	struct { const char *key; uint64_t *out; } keys[] = {
		{"CapInh:", inh}, {"CapPrm:", prm}, {"CapEff:", eff}, {"CapBnd:", bnd}, {"CapAmb:", amb},
	};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const char *p = strstr(buf, keys[i].key);
		if (!p)
			return -EIO;
		*keys[i].out = strtoull(p + strlen(keys[i].key), NULL, 16);
	}
	return 0;
}

int sys_caps_get(uint64_t *eff, uint64_t *prm)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	*eff = (uint64_t)d[1].effective << 32 | d[0].effective;
	*prm = (uint64_t)d[1].permitted << 32 | d[0].permitted;
	return 0;
}

int sys_landlock_create_ruleset(const void *attr, size_t size, uint32_t flags)
{
	return NEG((int)syscall(SYS_landlock_create_ruleset, attr, size, flags));
}
int sys_landlock_add_rule(int ruleset, int type, const void *attr, uint32_t flags)
{
	return NEG((int)syscall(SYS_landlock_add_rule, ruleset, type, attr, flags));
}
int sys_landlock_restrict_self(int ruleset, uint32_t flags)
{
	return NEG((int)syscall(SYS_landlock_restrict_self, ruleset, flags));
}

int sys_seccomp_attach(const struct sock_fprog *prog, unsigned flags)
{
	return NEG((int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, prog));
}
int sys_seccomp_notif_sizes(struct seccomp_notif_sizes *sizes)
{
	return NEG((int)syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, sizes));
}

int sys_socket(int family, int type, int protocol) { return NEG(socket(family, type, protocol)); }
int sys_setsockopt(int fd, int level, int name, const void *value, unsigned len)
{
	return NEG(setsockopt(fd, level, name, value, (socklen_t)len));
}
