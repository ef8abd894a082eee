/* probe_attacks.c - one function per attack. Each tries exactly one thing with harmless
 * arguments and reports DEFENDED or VULNERABLE (see probe.c). */
#include "probe.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <netinet/in.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define E strerror(errno)

/* A sibling to attack: a forked child that sleeps until killed. */
static pid_t sibling(void)
{
	pid_t p = fork();
	if (p == 0) {
		for (;;)
			pause();
	}
	usleep(10000);
	return p;
}

static void bury(pid_t p)
{
	if (p > 0) {
		kill(p, SIGKILL);
		waitpid(p, NULL, 0);
	}
}

/* The call reached the kernel when it succeeded; any failure counts as defended, but
 * the errno is printed so a test can insist on the filter's own (EPERM, ENOSYS). */
static int result(const char *name, long rc)
{
	if (rc >= 0)
		return vulnerable(name, "returned %ld", rc);
	return defended(name, "%s", E);
}

static int a_ptrace_traceme(void) { return result("ptrace-traceme", ptrace(PTRACE_TRACEME, 0, 0, 0)); }

static int a_ptrace_attach(void)
{
	pid_t p = sibling();
	long rc = ptrace(PTRACE_ATTACH, p, 0, 0);
	int r = result("ptrace-attach", rc);
	bury(p);
	return r;
}

/* PID 1 from the grader: another uid (a per-run identity), not dumpable, and outside
 * the grader's Landlock domain. ptrace of the grader's own tree is allowed (sanitizers,
 * debuggers); this is the attach that must fail. */
static int a_ptrace_pid1(void) { return result("ptrace-pid1", ptrace(PTRACE_ATTACH, 1, 0, 0)); }

static int a_mount(void)
{
	mkdir("/tmp/probe-mnt", 0700);
	return result("mount", mount("none", "/tmp/probe-mnt", "tmpfs", 0, NULL));
}

static int a_unshare(const char *name, int flags) { return result(name, unshare(flags)); }

static int a_setns(void)
{
	int fd = open("/proc/self/ns/net", O_RDONLY);
	if (fd < 0)
		return defended("setns", "open /proc/self/ns/net: %s", E);
	return result("setns", setns(fd, CLONE_NEWNET));
}

static int a_clone_ns(void)
{
	long rc = syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0);
	if (rc == 0)
		_exit(0);
	if (rc > 0)
		waitpid((pid_t)rc, NULL, 0);
	return result("clone-newns", rc);
}

static int a_clone3(void)
{
	struct { uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls; }
	args = {.flags = CLONE_NEWUSER, .exit_signal = SIGCHLD};
	long rc = syscall(435 /* clone3 */, &args, sizeof args);
	if (rc == 0)
		_exit(0);
	if (rc > 0)
		waitpid((pid_t)rc, NULL, 0);
	return result("clone3", rc);
}

static int a_keyctl(void)
{
	return result("keyctl", syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
}

static int a_add_key(void)
{
	return result("add_key", syscall(SYS_add_key, "user", "probe", "x", 1, KEY_SPEC_PROCESS_KEYRING));
}

static int a_bpf(void)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof attr);
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = 4;
	attr.max_entries = 1;
	return result("bpf", syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof attr));
}

static int a_userfaultfd(void) { return result("userfaultfd", syscall(SYS_userfaultfd, O_CLOEXEC)); }

static int a_perf(void)
{
	struct perf_event_attr attr;
	memset(&attr, 0, sizeof attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.size = sizeof attr;
	attr.config = PERF_COUNT_SW_TASK_CLOCK;
	attr.exclude_kernel = 1;
	return result("perf_event_open", syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0));
}

static int a_io_uring(void)
{
	char params[120];
	memset(params, 0, sizeof params);
	return result("io_uring_setup", syscall(425 /* io_uring_setup */, 1, params));
}

static int a_kexec(void) { return result("kexec_load", syscall(SYS_kexec_load, 0, 0, NULL, 0)); }
static int a_init_module(void) { return result("init_module", syscall(SYS_init_module, NULL, 0, "")); }

static int a_process_vm(void)
{
	static volatile int secret = 42;
	int got = 0;
	pid_t p = sibling();
	struct iovec local = {(void *)&got, sizeof got}, remote = {(void *)&secret, sizeof secret};
	long rc = syscall(SYS_process_vm_readv, p, &local, 1, &remote, 1, 0);
	bury(p);
	return result("process_vm_readv", rc);
}

static int a_personality(void)
{
	if (personality(READ_IMPLIES_EXEC) < 0)
		return defended("personality", "%s", E);
	int now = personality(0xffffffff);
	if (now >= 0 && (now & READ_IMPLIES_EXEC))
		return vulnerable("personality", "READ_IMPLIES_EXEC set");
	return defended("personality", "flag did not stick");
}

/* TIOCSTI pushes characters into a terminal's input: a grader under `docker run -t`
 * could type commands into the shell that started the container. */
static int a_tiocsti(int high_bits)
{
	const char *name = high_bits ? "tiocsti-high" : "tiocsti";
	char c = ' ';
	int fd = isatty(0) ? 0 : open("/dev/tty", O_RDWR | O_NOCTTY);
	if (fd < 0)
		return defended(name, "no terminal: %s", E);
	unsigned long req = high_bits ? 0xffffffff00005412UL : TIOCSTI;
	return result(name, syscall(SYS_ioctl, fd, req, &c));
}

/* A controlling terminal is what TIOCSTI needs (without CAP_SYS_ADMIN) and what a
 * SIGHUP or a job-control signal comes through: the grader must have none. /dev/tty
 * opens only for a process that has one (ENXIO otherwise). */
static int a_ctty(void)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY);
	if (fd >= 0)
		return close(fd), vulnerable("ctty", "/dev/tty opened: a controlling terminal");
	return defended("ctty", "open /dev/tty: %s", E);
}

static int a_x32(void)
{
	return result("x32", syscall(0x40000000 | SYS_getpid));
}

static sigjmp_buf i386_jump;
static void on_segv(int sig) { siglongjmp(i386_jump, sig); }

static int a_i386(void)
{
#if defined(__x86_64__)
	long rc;
	/* Without IA-32 emulation (ia32_emulation=0) int $0x80 raises SIGSEGV: the kernel
	 * itself refuses the ABI, so there is nothing for a filter to stop. */
	signal(SIGSEGV, on_segv);
	if (sigsetjmp(i386_jump, 1))
		return defended("i386", "no IA-32 emulation in this kernel (SIGSEGV)");
	/* int $0x80 with eax = 20: getpid in the i386 table. */
	__asm__ volatile("int $0x80" : "=a"(rc) : "a"(20L) : "memory", "rcx", "r11");
	if (rc < 0) {
		errno = (int)-rc;
		rc = -1;
	}
	return result("i386", rc);
#else
	return defended("i386", "not x86_64");
#endif
}

static int a_socket(const char *name, int family, int type)
{
	int fd = socket(family, type, 0);
	if (fd >= 0)
		close(fd);
	return result(name, fd);
}

static int a_socket_unix(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return printf("probe: socket-unix: FAILED (%s)\n", E), 1;
	close(fd);
	printf("probe: socket-unix: OK\n");
	return 0;
}

static int a_net(const char *name, int do_bind)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(do_bind ? 0 : 1),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return defended(name, "socket: %s", E);
	int rc = do_bind ? bind(fd, (struct sockaddr *)&sa, sizeof sa)
			 : connect(fd, (struct sockaddr *)&sa, sizeof sa);
	/* ECONNREFUSED means the connect reached the network stack. */
	if (rc == 0 || errno == ECONNREFUSED)
		return close(fd), vulnerable(name, "%s", rc ? E : "succeeded");
	close(fd);
	return defended(name, "%s", E);
}

static const char *const secret_names[] = {"USHER_", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
					   "AWS_SESSION_TOKEN", "AWS_CONTAINER_", "ECS_CONTAINER_METADATA",
					   "ECS_AGENT_URI"};

static int a_read_environ(void)
{
	char buf[65536];
	int fd = open("/proc/1/environ", O_RDONLY);
	if (fd < 0)
		return defended("read-environ", "open: %s", E);
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0)
		return defended("read-environ", "read: %s", E);
	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(buf + i) + 1) {
		buf[n] = '\0';
		for (size_t k = 0; k < sizeof secret_names / sizeof *secret_names; k++)
			if (!strncmp(buf + i, secret_names[k], strlen(secret_names[k])))
				return vulnerable("read-environ", "found %.40s", buf + i);
	}
	return defended("read-environ", "readable, %zd bytes, no secret in it", n);
}

static int a_read_mem(void)
{
	int fd = open("/proc/1/mem", O_RDONLY);
	if (fd >= 0)
		return close(fd), vulnerable("read-mem", "opened /proc/1/mem");
	return defended("read-mem", "%s", E);
}

static int a_env_clean(void)
{
	extern char **environ;
	for (char **e = environ; *e; e++)
		for (size_t k = 0; k < sizeof secret_names / sizeof *secret_names; k++)
			if (!strncmp(*e, secret_names[k], strlen(secret_names[k])))
				return vulnerable("env-clean", "%.40s", *e);
	return defended("env-clean", "no credential or USHER_ variable");
}

static int a_write(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd >= 0)
		return close(fd), vulnerable("write", "opened %s for writing", path);
	return defended("write", "%s: %s", path, E);
}

static int a_chmod(const char *path) { return result("chmod", chmod(path, 0777)); }
static int a_chown(const char *path) { return result("chown", chown(path, getuid(), getgid())); }
static int a_kill_pid1(void) { return result("kill-pid1", kill(1, 0)); }

static int a_euid_root(void)
{
	if (geteuid() == 0 || getuid() == 0)
		return vulnerable("euid-root", "uid=%u euid=%u", getuid(), geteuid());
	return defended("euid-root", "uid=%u euid=%u", getuid(), geteuid());
}

static int a_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	if (!d)
		return defended("fds", "no /proc/self/fd");
	while ((e = readdir(d)))
		if (atoi(e->d_name) > 2 && atoi(e->d_name) != dirfd(d)) {
			char link[256] = "", path[300];
			snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
			(void)!readlink(path, link, sizeof link - 1);
			closedir(d);
			return vulnerable("fds", "fd %s open: %s", path + 14, link);
		}
	closedir(d);
	return defended("fds", "nothing above 2");
}

static int a_forkbomb(int n)
{
	pid_t *kids = calloc((size_t)n, sizeof *kids);
	int made = 0, err = 0;
	for (; kids && made < n; made++) {
		pid_t p = fork();
		if (p == 0) {
			for (;;)
				pause();
		}
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
	printf("probe: forkbomb: created=%d errno=%d (%s)\n", made, err, err ? strerror(err) : "none");
	free(kids);
	return 0;
}

int attack(int argc, char **argv)
{
	const char *a = argv[0], *arg = argc > 1 ? argv[1] : "";
	if (!strcmp(a, "ptrace-traceme")) return a_ptrace_traceme();
	if (!strcmp(a, "ptrace-attach")) return a_ptrace_attach();
	if (!strcmp(a, "ptrace-pid1")) return a_ptrace_pid1();
	if (!strcmp(a, "mount")) return a_mount();
	if (!strcmp(a, "unshare-user")) return a_unshare(a, CLONE_NEWUSER);
	if (!strcmp(a, "unshare-mount")) return a_unshare(a, CLONE_NEWNS);
	if (!strcmp(a, "unshare-net")) return a_unshare(a, CLONE_NEWNET);
	if (!strcmp(a, "setns")) return a_setns();
	if (!strcmp(a, "clone-newns")) return a_clone_ns();
	if (!strcmp(a, "clone3")) return a_clone3();
	if (!strcmp(a, "keyctl")) return a_keyctl();
	if (!strcmp(a, "add_key")) return a_add_key();
	if (!strcmp(a, "bpf")) return a_bpf();
	if (!strcmp(a, "userfaultfd")) return a_userfaultfd();
	if (!strcmp(a, "perf_event_open")) return a_perf();
	if (!strcmp(a, "io_uring_setup")) return a_io_uring();
	if (!strcmp(a, "kexec_load")) return a_kexec();
	if (!strcmp(a, "init_module")) return a_init_module();
	if (!strcmp(a, "process_vm_readv")) return a_process_vm();
	if (!strcmp(a, "personality")) return a_personality();
	if (!strcmp(a, "tiocsti")) return a_tiocsti(0);
	if (!strcmp(a, "tiocsti-high")) return a_tiocsti(1);
	if (!strcmp(a, "ctty")) return a_ctty();
	if (!strcmp(a, "x32")) return a_x32();
	if (!strcmp(a, "i386")) return a_i386();
	if (!strcmp(a, "socket-inet")) return a_socket(a, AF_INET, SOCK_STREAM);
	if (!strcmp(a, "socket-inet6")) return a_socket(a, AF_INET6, SOCK_STREAM);
	if (!strcmp(a, "socket-packet")) return a_socket(a, AF_PACKET, SOCK_RAW);
	if (!strcmp(a, "socket-unix")) return a_socket_unix();
	if (!strcmp(a, "net-connect")) return a_net(a, 0);
	if (!strcmp(a, "tcp-bind")) return a_net(a, 1);
	if (!strcmp(a, "read-environ")) return a_read_environ();
	if (!strcmp(a, "read-mem")) return a_read_mem();
	if (!strcmp(a, "env-clean")) return a_env_clean();
	if (!strcmp(a, "write")) return a_write(arg);
	if (!strcmp(a, "chmod")) return a_chmod(arg);
	if (!strcmp(a, "chown")) return a_chown(arg);
	if (!strcmp(a, "kill-pid1")) return a_kill_pid1();
	if (!strcmp(a, "euid-root")) return a_euid_root();
	if (!strcmp(a, "fds")) return a_fds();
	if (!strcmp(a, "forkbomb")) return a_forkbomb(atoi(arg) > 0 ? atoi(arg) : 100);
	return -1;
}
