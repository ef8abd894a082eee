/* probe_attacks.c - the attacks, judged by errno.
 *
 * Every attack prints one line, `probe: NAME: RESULT [(detail)]`, where RESULT is OK
 * when the call succeeded, or the exact errno name (EPERM, EFAULT, ...). The test
 * decides which layer answered by comparing RESULT with what each layer returns:
 *
 *   - `try NAME...` is bubblewrap's try-syscall: each system call is made with
 *     harmless, invalid arguments (a bad pointer, fd -1, an impossible flag), so a call
 *     that reaches the kernel fails in its argument checks (EFAULT, EBADF, EINVAL,
 *     EAFNOSUPPORT, or ENOSYS where the kernel lacks it) without side effects, while a
 *     call the seccomp filter stops gets the filter's errno (EPERM, ENOSYS for clone3
 *     and unreviewed numbers). A few calls check a capability before their arguments
 *     (pivot_root, move_mount, fsopen, fsmount, fspick, swapoff, reboot, acct, vhangup,
 *     syslog): there the test keeps that capability in both runs of the pair.
 *   - the other attacks do the real thing (write, truncate, bind, connect, kill, ptrace,
 *     open /proc/1/mem...) against a target the test set up, so that exactly one layer
 *     stands between the grader and success in each configuration.
 *
 * Exit status 0 whatever the errno (the line is the verdict), 2 for a usage error.
 */
#include "probe.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>

#define W ((void *)1) /* a pointer the kernel cannot read: EFAULT when it tries */

/* --- one line per attack ------------------------------------------------------- */

static const struct {
	int e;
	const char *name;
} errnos[] = {
#define X(e) {e, #e}
	X(EPERM), X(ENOENT), X(ESRCH), X(EINTR), X(EIO), X(ENXIO), X(E2BIG), X(ENOEXEC), X(EBADF),
	X(ECHILD), X(EAGAIN), X(ENOMEM), X(EACCES), X(EFAULT), X(EBUSY), X(EEXIST), X(EXDEV),
	X(ENODEV), X(ENOTDIR), X(EISDIR), X(EINVAL), X(ENFILE), X(EMFILE), X(ENOTTY), X(ETXTBSY),
	X(EFBIG), X(ENOSPC), X(ESPIPE), X(EROFS), X(EMLINK), X(EPIPE), X(ERANGE), X(ENAMETOOLONG),
	X(ENOSYS), X(ENOTEMPTY), X(ELOOP), X(ENODATA), X(ENOTSOCK), X(EPROTOTYPE), X(ENOPROTOOPT),
	X(EPROTONOSUPPORT), X(ESOCKTNOSUPPORT), X(EOPNOTSUPP), X(EAFNOSUPPORT), X(EADDRINUSE),
	X(EADDRNOTAVAIL), X(ENETUNREACH), X(ECONNREFUSED), X(ECONNRESET), X(ETIMEDOUT),
	X(EHOSTUNREACH), X(EALREADY), X(EINPROGRESS), X(ENOKEY), X(EKEYREJECTED), X(ECANCELED),
	X(EOVERFLOW), X(EDOM), X(EILSEQ), X(EBADFD), X(ENOMSG), X(EPFNOSUPPORT), X(EDESTADDRREQ),
#undef X
};

static const char *errno_name(int e)
{
	static char buf[16];
	for (size_t i = 0; i < sizeof errnos / sizeof *errnos; i++)
		if (errnos[i].e == e)
			return errnos[i].name;
	snprintf(buf, sizeof buf, "E%d", e);
	return buf;
}

/* `probe: NAME: OK` or `probe: NAME: EXXX`, with an optional detail. */
static int say(const char *name, long rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int say(const char *name, long rc, const char *fmt, ...)
{
	int e = errno;
	printf("probe: %s: %s", name, rc >= 0 ? "OK" : errno_name(e));
	if (fmt) {
		va_list ap;
		printf(" (");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf(")");
	}
	printf("\n");
	return 0;
}

/* --- try: one system call with harmless arguments ------------------------------ */

#define NR_STATMOUNT 457     /* exists since 6.8, above the filter's reviewed table */
#define NR_LISTMOUNT 458
#define NR_LSM_LIST_MODULES 461
#define NR_MSEAL 462         /* reviewed: allowed */
#define NR_OPEN_TREE_ATTR 467 /* reviewed: the mount family, denied */
#define NR_FILE_GETATTR 468  /* reviewed: allowed */
#define X32_BIT 0x40000000L
#define TIOCSETD_ 0x5423
#define TIOCLINUX_ 0x541C
#define TCXONC_ 0x540A
#define HIGH(req) ((0x123UL << 32) | (unsigned long)(req)) /* CVE-2019-10063 */
#define CLONE_NEWCGROUP_ 0x02000000
#define UFFD_USER_MODE_ONLY_ 1

static long clone_flags(unsigned long ns)
{
	/* CLONE_SIGHAND without CLONE_VM is EINVAL before anything is created; the filter
	 * looks only at the namespace bit. */
	long rc = syscall(SYS_clone, ns | CLONE_SIGHAND | SIGCHLD, 0, 0, 0, 0);
	if (rc == 0)
		_exit(0);
	return rc;
}

static long sock(int af) { return syscall(SYS_socket, af, 15 /* no such type: EINVAL */, 0); }

static long pair(int af)
{
	int sv[2];
	long rc = syscall(SYS_socketpair, af, SOCK_STREAM, 0, sv);
	if (rc == 0)
		close(sv[0]), close(sv[1]);
	return rc;
}

static long persona(unsigned long flag)
{
	long old = syscall(SYS_personality, flag);
	if (old >= 0 && flag != 0xffffffffUL)
		syscall(SYS_personality, (unsigned long)old); /* put it back */
	return old;
}

static long try_call(const char *n)
{
#define IS(s) (!strcmp(n, s))
	/* The mount family. */
	if (IS("mount")) return syscall(SYS_mount, W, W, W, 0, NULL);
	if (IS("umount2")) return syscall(SYS_umount2, W, ~0);
	if (IS("pivot_root")) return syscall(SYS_pivot_root, W, W);
	if (IS("open_tree")) return syscall(SYS_open_tree, -1, W, 0);
	if (IS("open_tree_attr")) return syscall(NR_OPEN_TREE_ATTR, -1, W, 0, NULL, 0);
	if (IS("move_mount")) return syscall(SYS_move_mount, -1, W, -1, W, 0);
	if (IS("fsopen")) return syscall(SYS_fsopen, W, 0);
	if (IS("fsconfig")) return syscall(SYS_fsconfig, -1, 0, NULL, NULL, 0);
	if (IS("fsmount")) return syscall(SYS_fsmount, -1, 0, 0);
	if (IS("fspick")) return syscall(SYS_fspick, -1, W, 0);
	if (IS("mount_setattr")) return syscall(SYS_mount_setattr, -1, W, 0, W, 0);
	/* Namespaces. */
	if (IS("unshare")) return syscall(SYS_unshare, CLONE_NEWUSER | 1 /* not a flag: EINVAL */);
	if (IS("setns")) return syscall(SYS_setns, -1, 0);
	if (IS("clone-newns")) return clone_flags(CLONE_NEWNS);
	if (IS("clone-newuser")) return clone_flags(CLONE_NEWUSER);
	if (IS("clone-newpid")) return clone_flags(CLONE_NEWPID);
	if (IS("clone-newnet")) return clone_flags(CLONE_NEWNET);
	if (IS("clone-newipc")) return clone_flags(CLONE_NEWIPC);
	if (IS("clone-newuts")) return clone_flags(CLONE_NEWUTS);
	if (IS("clone-newcgroup")) return clone_flags(CLONE_NEWCGROUP_);
	if (IS("clone")) return clone_flags(0); /* no namespace: allowed */
	if (IS("clone3")) return syscall(435, W, 88);
	/* Kernel surfaces. */
	if (IS("keyctl")) return syscall(SYS_keyctl, 0x7fff /* no such operation */, 0, 0, 0, 0);
	if (IS("add_key")) return syscall(SYS_add_key, W, W, NULL, 0, 0);
	if (IS("request_key")) return syscall(SYS_request_key, W, W, NULL, 0);
	if (IS("bpf")) return syscall(SYS_bpf, 0 /* BPF_MAP_CREATE */, W, 8);
	if (IS("userfaultfd")) return syscall(SYS_userfaultfd, UFFD_USER_MODE_ONLY_ | 0x40000000);
	if (IS("perf_event_open")) return syscall(SYS_perf_event_open, W, 0, -1, -1, 0);
	if (IS("io_uring_setup")) return syscall(425, 1, W);
	if (IS("io_uring_enter")) return syscall(426, -1, 0, 0, 0, NULL, 0);
	if (IS("io_uring_register")) return syscall(427, -1, 0, NULL, 0);
	if (IS("modify_ldt")) {
		/* modify_ldt returns its int result as unsigned int (a bug kept for ABI's
		 * sake): -EINVAL arrives as 4294967274. */
		long rc = syscall(SYS_modify_ldt, 1, W, 1 /* not sizeof(user_desc): EINVAL */);
		if (rc > 0xfffff000L && rc <= 0xffffffffL) {
			errno = (int)(0x100000000L - rc);
			rc = -1;
		}
		return rc;
	}
	if (IS("fanotify_init")) return syscall(SYS_fanotify_init, ~0U, ~0U);
	if (IS("open_by_handle_at")) return syscall(SYS_open_by_handle_at, -1, W, 0);
	if (IS("syslog")) return syscall(SYS_syslog, 9999 /* no such action */, NULL, 0);
	if (IS("seccomp-listener"))
		return syscall(SYS_seccomp, 1 /* SET_MODE_FILTER */, 1UL << 3 /* NEW_LISTENER */, W);
	if (IS("seccomp-filter")) return syscall(SYS_seccomp, 1, 0, W); /* a filter of its own: allowed */
	/* The kernel, its modules, the machine. */
	if (IS("kexec_load")) return syscall(SYS_kexec_load, 0, 0, NULL, ~0UL);
	if (IS("kexec_file_load")) return syscall(SYS_kexec_file_load, -1, -1, 0, NULL, ~0UL);
	if (IS("init_module")) return syscall(SYS_init_module, W, 0, W);
	if (IS("finit_module")) return syscall(SYS_finit_module, -1, W, ~0);
	if (IS("delete_module")) return syscall(SYS_delete_module, W, 0);
	if (IS("swapon")) return syscall(SYS_swapon, W, ~0);
	if (IS("swapoff")) return syscall(SYS_swapoff, W);
	if (IS("reboot")) return syscall(SYS_reboot, 0, 0, 0, NULL); /* bad magic: EINVAL */
	if (IS("acct")) return syscall(SYS_acct, W);
	if (IS("quotactl")) return syscall(SYS_quotactl, 0xff /* type >= MAXQUOTAS */, NULL, 0, NULL);
	if (IS("quotactl_fd")) return syscall(443, -1, 0, 0, NULL);
	if (IS("lookup_dcookie")) return syscall(SYS_lookup_dcookie, 0, NULL, 0);
	if (IS("vhangup")) return syscall(SYS_vhangup); /* no controlling tty: a no-op */
	if (IS("iopl")) return syscall(SYS_iopl, 4);
	if (IS("ioperm")) return syscall(SYS_ioperm, ~0UL, 2, 0);
	/* personality: three flags refused, the query allowed. */
	if (IS("personality-rie")) return persona(READ_IMPLIES_EXEC);
	if (IS("personality-norandom")) return persona(ADDR_NO_RANDOMIZE);
	if (IS("personality-page0")) return persona(MMAP_PAGE_ZERO);
	if (IS("personality-query")) return persona(0xffffffffUL);
	/* Terminal ioctls on fd -1: EBADF when they reach the kernel. */
	if (IS("ioctl-tiocsti")) return syscall(SYS_ioctl, -1, TIOCSTI, W);
	if (IS("ioctl-tiocsti-high")) return syscall(SYS_ioctl, -1, HIGH(TIOCSTI), W);
	if (IS("ioctl-tioclinux")) return syscall(SYS_ioctl, -1, TIOCLINUX_, W);
	if (IS("ioctl-tcxonc")) return syscall(SYS_ioctl, -1, TCXONC_, 0);
	if (IS("ioctl-tcxonc-high")) return syscall(SYS_ioctl, -1, HIGH(TCXONC_), 0);
	if (IS("ioctl-tiocsetd")) return syscall(SYS_ioctl, -1, TIOCSETD_, W);
	if (IS("ioctl-tcgets")) return syscall(SYS_ioctl, -1, TCGETS, W); /* allowed */
	/* Sockets: every family but AF_UNIX and AF_NETLINK (and AF_INET/6 with
	 * --allow-network); an impossible type makes the kernel say EINVAL. */
	if (IS("socket-unix")) return sock(AF_UNIX);
	if (IS("socket-netlink")) return sock(AF_NETLINK);
	if (IS("socket-inet")) return sock(AF_INET);
	if (IS("socket-inet6")) return sock(AF_INET6);
	if (IS("socket-packet")) return sock(AF_PACKET);
	if (IS("socket-alg")) return sock(38);
	if (IS("socket-key")) return sock(15);
	if (IS("socket-tipc")) return sock(30);
	if (IS("socket-vsock")) return sock(40);
	if (IS("socket-rds")) return sock(21);
	if (IS("socket-can")) return sock(29);
	if (IS("socket-smc")) return sock(43);
	if (IS("socket-bluetooth")) return sock(31);
	if (IS("socket-46")) return sock(46); /* beyond AF_MAX: EAFNOSUPPORT */
	if (IS("socketpair-unix")) return pair(AF_UNIX);
	if (IS("socketpair-inet")) return pair(AF_INET);
	if (IS("socketpair-0")) return pair(0);
	/* Numbers above the filter's reviewed table. */
	if (IS("statmount")) return syscall(NR_STATMOUNT, W, W, 0, ~0UL);
	if (IS("listmount")) return syscall(NR_LISTMOUNT, W, W, 0, ~0UL);
	if (IS("lsm_list_modules")) return syscall(NR_LSM_LIST_MODULES, W, W, ~0U);
	if (IS("mseal")) return syscall(NR_MSEAL, 0, 0, ~0UL);
	if (IS("file_getattr")) return syscall(NR_FILE_GETATTR, -1, W, W, 0, 0);
	if (IS("nr-999")) return syscall(999, 0, 0, 0);
	if (IS("x32")) return syscall(X32_BIT | SYS_getpid);
#undef IS
	errno = 0;
	return -2;
}

static sigjmp_buf i386_jump;
static void on_segv(int sig) { siglongjmp(i386_jump, sig); }

/* int $0x80 with eax = 20 (getpid in the i386 table). Without IA-32 emulation the
 * kernel raises SIGSEGV: it refuses the ABI itself, there is nothing for a filter. */
static int try_i386(void)
{
#if defined(__x86_64__)
	long rc;
	signal(SIGSEGV, on_segv);
	if (sigsetjmp(i386_jump, 1))
		return printf("probe: i386: SIGSEGV (no IA-32 emulation)\n"), 0;
	__asm__ volatile("int $0x80" : "=a"(rc) : "a"(20L) : "memory", "rcx", "r11");
	signal(SIGSEGV, SIG_DFL);
	if (rc < 0)
		errno = (int)-rc;
	return say("i386", rc < 0 ? -1 : rc, NULL);
#else
	return printf("probe: i386: SKIP (not x86_64)\n"), 0;
#endif
}

static int a_try(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "i386")) {
			try_i386();
			continue;
		}
		errno = 0;
		long rc = try_call(argv[i]);
		if (rc == -2 && errno == 0)
			return fprintf(stderr, "probe: try: unknown call '%s'\n", argv[i]), 2;
		if (rc >= 0 && !strncmp(argv[i], "socket-", 7))
			close((int)rc);
		say(argv[i], rc, NULL);
	}
	return 0;
}

/* --- PID 1 and the grader's credentials ---------------------------------------- */

/* PTRACE_SEIZE, not ATTACH: the same access check, without stopping the target (PID 1
 * must not be left stopped by a control that succeeds); detached when the probe exits. */
static int a_ptrace(const char *name, pid_t pid)
{
	return say(name, ptrace(PTRACE_SEIZE, pid, 0, 0), "pid %d", (int)pid);
}

/* ptrace and process_vm_readv of the grader's own child: allowed (sanitizers,
 * debuggers). */
static pid_t sibling(void)
{
	pid_t p = fork();
	if (p == 0)
		for (;;)
			pause();
	return p;
}

static void bury(pid_t p)
{
	if (p > 0) {
		kill(p, SIGKILL);
		waitpid(p, NULL, 0);
	}
}

static int a_ptrace_child(void)
{
	pid_t p = sibling();
	long rc = ptrace(PTRACE_SEIZE, p, 0, 0);
	say("ptrace-child", rc, NULL);
	bury(p);
	return 0;
}

static int a_process_vm_child(void)
{
	static volatile int secret = 42;
	int got = 0;
	pid_t p = sibling();
	struct iovec local = {(void *)&got, sizeof got}, remote = {(void *)&secret, sizeof secret};
	long rc = syscall(SYS_process_vm_readv, p, &local, 1, &remote, 1, 0);
	say("process_vm_readv-child", rc, rc >= 0 ? "read %d" : NULL, got);
	bury(p);
	return 0;
}

/* Names that must never reach the grader (the scrub list's examples, SPEC.md step 2). */
static const char *const secret_names[] = {
	"USHER_", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
	"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_BEARER_TOKEN_BEDROCK", "AWS_CONTAINER_",
	"ECS_CONTAINER_METADATA", "ECS_AGENT_URI",
};

static const char *secret_in(const char *entry)
{
	for (size_t k = 0; k < sizeof secret_names / sizeof *secret_names; k++)
		if (!strncmp(entry, secret_names[k], strlen(secret_names[k])))
			return secret_names[k];
	return NULL;
}

/* read-environ PID: OK (readable, no secret in it), SECRET (one was there), or the
 * errno of the open or the read. */
static int a_read_environ(const char *pid)
{
	char path[64], buf[65536];
	snprintf(path, sizeof path, "/proc/%s/environ", *pid ? pid : "1");
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return say("read-environ", -1, "open %s", path);
	ssize_t n = read(fd, buf, sizeof buf - 1);
	int e = errno;
	close(fd);
	errno = e;
	if (n < 0)
		return say("read-environ", -1, "read %s", path);
	buf[n] = '\0';
	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(buf + i) + 1)
		if (secret_in(buf + i))
			return printf("probe: read-environ: SECRET (%.60s)\n", buf + i), 0;
	return say("read-environ", 0, "%zd bytes, no secret", n);
}

static int a_read_mem(void)
{
	int fd = open("/proc/1/mem", O_RDONLY);
	say("read-mem", fd, NULL);
	if (fd >= 0)
		close(fd);
	return 0;
}

static int a_env_clean(void)
{
	extern char **environ;
	for (char **e = environ; *e; e++)
		/* USHER_RUN_FD, the number of usher run's channel, is put there on purpose:
		 * the one USHER_ variable a grader gets, and no secret. */
		if (secret_in(*e) && strncmp(*e, "USHER_RUN_FD=", 13) != 0)
			return printf("probe: env-clean: SECRET (%.60s)\n", *e), 0;
	return say("env-clean", 0, "no credential or USHER_ variable");
}

/* kill PID SIG (numbers): signal 0 tests the permission without delivering anything. */
static int a_kill(const char *pid, const char *sig)
{
	char name[32];
	snprintf(name, sizeof name, "kill-%s", pid);
	return say(name, kill((pid_t)atoi(pid), atoi(sig)), "signal %d", atoi(sig));
}

/* --- files (Landlock's rights, DAC, capabilities) ------------------------------ */

static int a_write(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0666);
	say("write", fd, "%s", path);
	if (fd >= 0)
		close(fd);
	return 0;
}

static int a_read(const char *path)
{
	int fd = open(path, O_RDONLY);
	say("read", fd, "%s", path);
	if (fd >= 0)
		close(fd);
	return 0;
}

/* --- networking ---------------------------------------------------------------- */

/* bind to 127.0.0.1:0 or connect to 127.0.0.1:1 (nothing listens: ECONNREFUSED means
 * the connect reached the network stack). Loopback only. */
static int a_tcp(const char *name, int do_bind)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(do_bind ? 0 : 1),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return say(name, -1, "socket");
	int rc = do_bind ? bind(fd, (struct sockaddr *)&sa, sizeof sa) : connect(fd, (struct sockaddr *)&sa, sizeof sa);
	say(name, rc, NULL);
	close(fd);
	return 0;
}

static socklen_t abstract_addr(struct sockaddr_un *sa, const char *name)
{
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	size_t n = strlen(name) < sizeof sa->sun_path - 1 ? strlen(name) : sizeof sa->sun_path - 1;
	memcpy(sa->sun_path + 1, name, n); /* sun_path[0] == 0: the abstract namespace */
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

/* abstract-listen NAME SECS: a listener in the abstract namespace (outside the grader's
 * Landlock domain when started by the test); prints "ready", accepts until SECS pass. */
static int a_abstract_listen(const char *name, int secs)
{
	struct sockaddr_un sa;
	socklen_t len = abstract_addr(&sa, name);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, len) < 0 || listen(fd, 16) < 0)
		return say("abstract-listen", -1, "@%s", name), 1;
	printf("ready\n");
	fflush(stdout);
	alarm((unsigned)secs);
	for (;;) {
		int c = accept(fd, NULL, NULL);
		if (c >= 0)
			close(c);
	}
}

static int a_abstract_connect(const char *name)
{
	struct sockaddr_un sa;
	socklen_t len = abstract_addr(&sa, name);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return say("abstract-connect", -1, "socket");
	say("abstract-connect", connect(fd, (struct sockaddr *)&sa, len), "@%s", name);
	close(fd);
	return 0;
}

/* --- terminals ----------------------------------------------------------------- */

/* tty-inject: push a character into the terminal on fd 0 (docker run -t), the real
 * TIOCSTI attack. tty-open: is there a controlling terminal? */
static int a_tty_inject(void)
{
	char c = ' ';
	if (!isatty(0))
		return printf("probe: tty-inject: NOTTY\n"), 0;
	return say("tty-inject", syscall(SYS_ioctl, 0, TIOCSTI, &c), NULL);
}

static int a_tty_open(void)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY);
	say("tty-open", fd, NULL);
	if (fd >= 0)
		close(fd);
	return 0;
}

/* tcflow-off: stop the output of the terminal on fd 0 (TCOOFF), as a grader under
 * docker run -t can: every later write to it blocks until TCOON. fd 0, so that this
 * line can go to a file. */
static int a_tcflow_off(void)
{
	if (!isatty(0))
		return printf("probe: tcflow-off: NOTTY\n"), 0;
	return say("tcflow-off", tcflow(0, TCOOFF), NULL);
}

/* --- processes ----------------------------------------------------------------- */

static int a_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	if (!d)
		return say("fds", -1, "/proc/self/fd");
	const char *run = getenv("USHER_RUN_FD");
	while ((e = readdir(d)))
		if (atoi(e->d_name) > 2 && atoi(e->d_name) != dirfd(d)) {
			char link[256] = "", path[300];
			snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
			(void)!readlink(path, link, sizeof link - 1);
			/* usher run's channel, which usher gives the grader on purpose: a socket
			 * at the number USHER_RUN_FD says; anything else is a leak. */
			if (run && !strcmp(run, e->d_name) && !strncmp(link, "socket:", 7))
				continue;
			printf("probe: fds: OPEN (fd %s: %s)\n", e->d_name, link);
			closedir(d);
			return 0;
		}
	closedir(d);
	return printf("probe: fds: NONE (nothing above 2)\n"), 0;
}

/* forkbomb N: fork up to N children that pause, report, kill them. */
static int a_forkbomb(int n)
{
	pid_t *kids = calloc((size_t)n, sizeof *kids);
	int made = 0, err = 0;
	for (; kids && made < n; made++) {
		pid_t p = fork();
		if (p == 0)
			for (;;)
				pause();
		if (p < 0) {
			err = errno;
			break;
		}
		kids[made] = p;
	}
	for (int i = 0; i < made; i++)
		kill(kids[i], SIGKILL);
	for (int i = 0; i < made; i++)
		waitpid(kids[i], NULL, 0);
	printf("probe: forkbomb: created=%d errno=%s\n", made, err ? errno_name(err) : "none");
	free(kids);
	return 0;
}

/* forkhold READY STOP SECS: fork until the kernel refuses (RLIMIT_NPROC), create READY
 * saying how many, and hold them until STOP exists or SECS pass. */
static int a_forkhold(const char *ready, const char *stop, int secs)
{
	enum { MAX = 1 << 16 };
	static pid_t kids[MAX];
	int made = 0, err = 0;
	while (made < MAX) {
		pid_t p = fork();
		if (p == 0)
			for (;;)
				pause();
		if (p < 0) {
			err = errno;
			break;
		}
		kids[made++] = p;
	}
	char tmp[300];
	snprintf(tmp, sizeof tmp, "%s.tmp", ready);
	FILE *f = fopen(tmp, "w");
	if (f) {
		fprintf(f, "created=%d errno=%s\n", made, errno_name(err));
		fclose(f);
		rename(tmp, ready);
	}
	printf("probe: forkhold: created=%d errno=%s\n", made, errno_name(err));
	fflush(stdout);
	for (int i = 0; i < secs * 20 && access(stop, F_OK) != 0; i++)
		usleep(50000);
	for (int i = 0; i < made; i++)
		kill(kids[i], SIGKILL);
	for (int i = 0; i < made; i++)
		waitpid(kids[i], NULL, 0);
	return 0;
}

/* hydra SECS: a chain of processes each of which starts a new session and forks two
 * successors before exiting: no parent, group or session stays put for a sweep that
 * walks the tree. Runs until SECS pass (never, under a --timeout shorter than that). */
static int a_hydra(int secs)
{
	time_t end = time(NULL) + secs;
	printf("probe: hydra: started\n");
	fflush(stdout);
	while (time(NULL) < end) {
		setsid();
		pid_t a = fork();
		if (a > 0) {
			pid_t b = fork();
			if (b > 0 || b < 0)
				_exit(0);
		}
		if (a < 0)
			usleep(1000);
	}
	return 0;
}

/* memfd-fill MIB: allocate MIB MiB in unmapped memfds (fallocate: no buffer, no
 * mapping): the pages are charged to the container's memory cgroup but to no process's
 * RSS, so the grader stays the smallest process while the cgroup fills up. */
static int a_memfd_fill(int mib)
{
	printf("probe: memfd-fill: started\n");
	fflush(stdout);
	int fd = -1;
	off_t in_fd = 0;
	for (int i = 0; i < mib; i++) {
		if (fd < 0 || in_fd == (64 << 20)) {
			fd = (int)syscall(SYS_memfd_create, "fill", 0); /* kept open: stays charged */
			in_fd = 0;
			if (fd < 0)
				return say("memfd-fill", -1, "memfd_create after %d MiB", i);
		}
		if (fallocate(fd, 0, in_fd, 1 << 20) < 0)
			return say("memfd-fill", -1, "fallocate after %d MiB", i);
		in_fd += 1 << 20;
	}
	return say("memfd-fill", 0, "%d MiB allocated", mib);
}

/* --- the table ----------------------------------------------------------------- */

int attack(int argc, char **argv)
{
	const char *a = argv[0], *a1 = argc > 1 ? argv[1] : "", *a2 = argc > 2 ? argv[2] : "";
	const char *a3 = argc > 3 ? argv[3] : "";
#define IS(s) (!strcmp(a, s))
	if (IS("try")) return a_try(argc, argv);
	if (IS("ptrace-pid1")) return a_ptrace("ptrace-pid1", 1);
	if (IS("ptrace")) return a_ptrace("ptrace", (pid_t)atoi(a1));
	if (IS("ptrace-child")) return a_ptrace_child();
	if (IS("process_vm_readv-child")) return a_process_vm_child();
	if (IS("read-environ")) return a_read_environ(a1);
	if (IS("read-mem")) return a_read_mem();
	if (IS("env-clean")) return a_env_clean();
	if (IS("kill")) return a_kill(*a1 ? a1 : "1", *a2 ? a2 : "0");
	if (IS("write")) return a_write(a1);
	if (IS("read")) return a_read(a1);
	if (IS("truncate")) return say("truncate", truncate(a1, 0), "%s", a1);
	if (IS("mkdir")) return say("mkdir", mkdir(a1, 0755), "%s", a1);
	if (IS("unlink")) return say("unlink", unlink(a1), "%s", a1);
	if (IS("rename")) return say("rename", rename(a1, a2), "%s -> %s", a1, a2);
	if (IS("mkfifo")) return say("mkfifo", mkfifo(a1, 0644), "%s", a1);
	if (IS("symlink")) return say("symlink", symlink("/", a1), "%s", a1);
	if (IS("chmod")) return say("chmod", chmod(a1, 0777), "%s", a1);
	/* chown PATH: to root:root, the owner it has: only CAP_CHOWN (or owning it) allows it. */
	if (IS("chown")) return say("chown", chown(a1, 0, 0), "%s", a1);
	if (IS("tcp-bind")) return a_tcp("tcp-bind", 1);
	if (IS("tcp-connect")) return a_tcp("tcp-connect", 0);
	if (IS("abstract-listen")) return a_abstract_listen(a1, atoi(a2) > 0 ? atoi(a2) : 30);
	if (IS("abstract-connect")) return a_abstract_connect(a1);
	if (IS("tty-inject")) return a_tty_inject();
	if (IS("tty-open")) return a_tty_open();
	if (IS("tcflow-off")) return a_tcflow_off();
	if (IS("fds")) return a_fds();
	if (IS("exec")) { /* exec PATH ARG...: the errno when the kernel refuses the exec */
		execv(a1, argv + 1);
		return say("exec", -1, "%s", a1);
	}
	if (IS("forkbomb")) return a_forkbomb(atoi(a1) > 0 ? atoi(a1) : 100);
	if (IS("forkhold")) return a_forkhold(a1, a2, atoi(a3) > 0 ? atoi(a3) : 30);
	if (IS("hydra")) return a_hydra(atoi(a1) > 0 ? atoi(a1) : 60);
	if (IS("memfd-fill")) return a_memfd_fill(atoi(a1) > 0 ? atoi(a1) : 1024);
#undef IS
	return -1;
}
