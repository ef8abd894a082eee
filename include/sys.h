/* sys.h - the seam between usher and the kernel.
 *
 * Every system call or library call that a test may need to make fail goes through
 * one of these wrappers. src/sys.c implements them for real; tests/fakes/sys_fake.c
 * implements them for the unit tests, chosen at link time, so that a test can say
 * "setresuid fails with EPERM" and check that nothing after it ran.
 *
 * Convention: every wrapper returns a non-negative value on success and -errno on
 * failure (library codes are mapped to errnos here, never above), so callers never
 * look at errno and every message can end with strerror(-rc).
 */
#ifndef USHER_SYS_H
#define USHER_SYS_H

#include <linux/filter.h>
#include <stdbool.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>

struct pollfd;
struct rusage;
struct itimerspec;

/* --- files --- */
int sys_openat(int dirfd, const char *path, int flags, mode_t mode);
int sys_close(int fd);
/* openat2(2) with RESOLVE_* flags: the kernel resolves `path` and refuses to leave dirfd. */
int sys_openat2(int dirfd, const char *path, int flags, uint64_t resolve);
ssize_t sys_read(int fd, void *buf, size_t len);
ssize_t sys_write(int fd, const void *buf, size_t len);
int sys_fstat(int fd, struct stat *st);
int sys_fstatat(int dirfd, const char *path, struct stat *st, int flags);
struct statfs;
int sys_fstatfs(int fd, struct statfs *fs);
int sys_mkdirat(int dirfd, const char *path, mode_t mode);
int sys_renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath);
int sys_unlinkat(int dirfd, const char *path, int flags);
int sys_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned flags);
int sys_linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath);
int sys_symlinkat(const char *target, int dirfd, const char *path);
int sys_fchown(int fd, uid_t uid, gid_t gid);
int sys_fchmod(int fd, mode_t mode);
int sys_fsync(int fd);
ssize_t sys_getdents64(int fd, void *buf, size_t len);
ssize_t sys_readlinkat(int dirfd, const char *path, char *buf, size_t len);
/* AF_UNIX SOCK_SEQPACKET pair: one close-on-exec channel both ways, whole records (supervise_spawn.c). */
int sys_socketpair(int fds[2]);
int sys_pipe2(int fds[2], int flags);
/* One record on that channel, with an fd attached (SCM_RIGHTS) when passfd >= 0. */
ssize_t sys_send_record(int fd, const void *buf, size_t len, int passfd);
/* One record; *passfd is an fd that came with it (close-on-exec), or -1. */
ssize_t sys_recv_record(int fd, void *buf, size_t len, int *passfd);
/* usher run's request: one record with up to 32 fds attached (run.h). */
ssize_t sys_send_fds(int fd, const void *buf, size_t len, const int *fds, unsigned nfds);
/* One record; the fds that came with it (close-on-exec) into fds[0..*nfds), at most max. */
ssize_t sys_recv_fds(int fd, void *buf, size_t len, int *fds, unsigned max, unsigned *nfds);
int sys_fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags);
int sys_fchmodat(int dirfd, const char *path, mode_t mode);
int sys_fchdir(int fd);
int sys_close_range(unsigned first, unsigned last, unsigned flags);
int sys_memfd_create(const char *name, unsigned flags);
off_t sys_lseek(int fd, off_t off, int whence);
ssize_t sys_pread(int fd, void *buf, size_t len, off_t off);
int sys_ioctl(int fd, unsigned long request, unsigned long arg);
/* The output relay (supervise_output.c) and the reserved result files (report_reserve.c). */
int sys_fcntl(int fd, int cmd, long arg);
int sys_dup2(int oldfd, int newfd);
/* splice(2) between fds with no offsets (one of them a pipe). */
ssize_t sys_splice(int in, int out, size_t len, unsigned flags);
ssize_t sys_send(int fd, const void *buf, size_t len, int flags);
ssize_t sys_pwrite(int fd, const void *buf, size_t len, off_t off);
int sys_fallocate(int fd, off_t off, off_t len);
int sys_ftruncate(int fd, off_t len);

/* Random bytes from the kernel (getrandom(2), blocking until it is seeded). */
ssize_t sys_getrandom(void *buf, size_t len);

/* --- waiting --- */
int sys_inotify_init1(int flags);
int sys_inotify_add_watch(int fd, const char *path, uint32_t mask);
int sys_inotify_rm_watch(int fd, int wd);
int sys_poll(struct pollfd *fds, unsigned long n, int timeout_ms);
int sys_signalfd(const sigset_t *mask, int flags);
int sys_sigprocmask(int how, const sigset_t *set, sigset_t *old);
/* Signal sig back to its default action, through rt_sigaction itself: libc's
 * sigaction refuses the signals it reserves (32-34 in musl), which a parent may still
 * have left ignored, and an ignored signal survives execve. */
int sys_signal_default(int sig);
int sys_timerfd_create(int flags);
int sys_timerfd_settime(int fd, const struct itimerspec *spec);

/* --- processes --- */
pid_t sys_fork(void);
int sys_execve(const char *path, char *const argv[], char *const envp[]);
pid_t sys_wait4(pid_t pid, int *status, int options, struct rusage *ru);
int sys_getrusage(int who, struct rusage *ru);
int sys_kill(pid_t pid, int sig);
pid_t sys_setsid(void);
int sys_setpgid(pid_t pid, pid_t pgid);
int sys_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4,
	      unsigned long a5);

/* --- identity --- */
int sys_setgroups(size_t n, const gid_t *groups);
int sys_setresgid(gid_t r, gid_t e, gid_t s);
int sys_setresuid(uid_t r, uid_t e, uid_t s);
/* The filesystem ids, for /proc reads as another uid (usher run's keeper); returns the
 * previous fsuid. Never fails visibly (the kernel's interface has no error). */
int sys_setfsids(uid_t uid, gid_t gid);
int sys_getresuid(uid_t *r, uid_t *e, uid_t *s);
int sys_getresgid(gid_t *r, gid_t *e, gid_t *s);
int sys_getgroups(int n, gid_t *groups);

/* --- limits and capabilities --- */
int sys_setrlimit(int resource, const struct rlimit *rl);
int sys_getrlimit(int resource, struct rlimit *rl);
/* One capability out of the bounding set (needs CAP_SETPCAP); is it still in it (1/0)? */
int sys_capbset_drop(unsigned cap);
int sys_capbset_read(unsigned cap);
/* Effective, permitted and inheritable become `keep` (libcap-ng: one capset(2)). */
int sys_capng_set(uint64_t keep);
/* The ambient set: cleared, or one capability raised (it must be permitted and
 * inheritable). */
int sys_ambient_clear(void);
int sys_ambient_raise(unsigned cap);
/* Read back the five sets from the kernel (/proc/self/status: all five, ~9 µs). */
int sys_caps_read(uint64_t *eff, uint64_t *prm, uint64_t *inh, uint64_t *bnd, uint64_t *amb);
/* The effective and permitted sets only, by capget(2) (~0.2 µs): for the questions
 * asked on the way to exec ("may usher chown? change ids?"). */
int sys_caps_get(uint64_t *eff, uint64_t *prm);

/* --- Landlock (raw syscalls: libc wrappers do not exist everywhere) --- */
int sys_landlock_create_ruleset(const void *attr, size_t size, uint32_t flags);
int sys_landlock_add_rule(int ruleset, int type, const void *attr, uint32_t flags);
int sys_landlock_restrict_self(int ruleset, uint32_t flags);

/* --- seccomp --- */
/* Attach a compiled filter to the calling thread (SECCOMP_SET_MODE_FILTER); with
 * SECCOMP_FILTER_FLAG_NEW_LISTENER, returns the listener's fd. */
int sys_seccomp_attach(const struct sock_fprog *prog, unsigned flags);
struct seccomp_notif_sizes;
int sys_seccomp_notif_sizes(struct seccomp_notif_sizes *sizes);

/* --- sockets PID 1 makes for the grader (loopback) --- */
int sys_socket(int family, int type, int protocol);
int sys_setsockopt(int fd, int level, int name, const void *value, unsigned len);

#endif
