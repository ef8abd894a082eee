/* probe - a static multi-call program placed in test containers (crun's style): each
 * subcommand does one thing and prints one line, so assertions run inside the sandbox.
 *
 * Attacks (probe_attacks.c) print `probe: NAME: RESULT`, RESULT being OK when the call
 * succeeded or the exact errno name (EPERM, EFAULT, ...): the test knows which layer
 * gives which errno, so the errno says which layer answered. `probe try CALL...` is
 * bubblewrap's try-syscall: harmless arguments, so "reached the kernel" (EFAULT, EBADF,
 * EINVAL) is told apart from "filtered" (the seccomp filter's EPERM or ENOSYS).
 * Utilities (exit, sleep, signals, orphans, ...) serve the supervision tests.
 *
 * Build: musl-gcc -static -O2 -o probe probe*.c (tests/attacks/build.sh)
 */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <sys/syscall.h>
#include <unistd.h>

static int status_line(const char *key, char *out, size_t len)
{
	char buf[4096];
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	while (fgets(buf, sizeof buf, f))
		if (!strncmp(buf, key, strlen(key))) {
			snprintf(out, len, "%s", buf + strlen(key) + 1 + strspn(buf + strlen(key) + 1, " \t"));
			out[strcspn(out, "\n")] = '\0';
			fclose(f);
			return 0;
		}
	fclose(f);
	return -1;
}

static int whoami(void)
{
	char eff[32] = "?", prm[32] = "?", bnd[32] = "?", amb[32] = "?", nnp[8] = "?", sec[8] = "?",
	     groups[256] = "";
	gid_t g[64];
	int n = getgroups(64, g);
	for (int i = 0; i < n; i++)
		snprintf(groups + strlen(groups), sizeof groups - strlen(groups), "%s%u", i ? "," : "", g[i]);
	status_line("CapEff:", eff, sizeof eff);
	status_line("CapPrm:", prm, sizeof prm);
	status_line("CapBnd:", bnd, sizeof bnd);
	status_line("CapAmb:", amb, sizeof amb);
	status_line("NoNewPrivs:", nnp, sizeof nnp);
	status_line("Seccomp:", sec, sizeof sec);
	printf("uid=%u euid=%u gid=%u egid=%u groups=%s capeff=%s capprm=%s capbnd=%s capamb=%s "
	       "nnp=%s seccomp=%s pid=%d sid=%d pgid=%d ppid=%d\n",
	       getuid(), geteuid(), getgid(), getegid(), groups, eff, prm, bnd, amb, nnp, sec,
	       getpid(), getsid(0), getpgrp(), getppid());
	return 0;
}

/* musl has no sigabbrev_np(): the names the tests use. */
static const struct { int sig; const char *name; } sigs[] = {
	{SIGHUP, "HUP"}, {SIGINT, "INT"}, {SIGQUIT, "QUIT"}, {SIGILL, "ILL"}, {SIGTRAP, "TRAP"},
	{SIGABRT, "ABRT"}, {SIGBUS, "BUS"}, {SIGFPE, "FPE"}, {SIGKILL, "KILL"}, {SIGUSR1, "USR1"},
	{SIGSEGV, "SEGV"}, {SIGUSR2, "USR2"}, {SIGPIPE, "PIPE"}, {SIGALRM, "ALRM"}, {SIGTERM, "TERM"},
	{SIGCHLD, "CHLD"}, {SIGCONT, "CONT"}, {SIGSTOP, "STOP"}, {SIGTSTP, "TSTP"}, {SIGTTIN, "TTIN"},
	{SIGTTOU, "TTOU"}, {SIGURG, "URG"}, {SIGXCPU, "XCPU"}, {SIGXFSZ, "XFSZ"}, {SIGVTALRM, "VTALRM"},
	{SIGPROF, "PROF"}, {SIGWINCH, "WINCH"}, {SIGIO, "IO"}, {SIGPWR, "PWR"}, {SIGSYS, "SYS"},
};

static const char *sig_name(int sig)
{
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		if (sigs[i].sig == sig)
			return sigs[i].name;
	return "?";
}

static void on_signal(int sig)
{
	char line[64];
	int n = snprintf(line, sizeof line, "signal %s\n", sig_name(sig));
	(void)!write(1, line, (size_t)n);
}

static int sig_by_name(const char *s)
{
	if (!strncmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		if (!strcmp(s, sigs[i].name))
			return sigs[i].sig;
	return atoi(s);
}

/* signals SECS [ignore SIG...]: print each signal received until SECS pass. */
static int signals(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	for (int i = 1; i < NSIG; i++)
		if (i != SIGKILL && i != SIGSTOP && i != SIGCHLD)
			sigaction(i, &sa, NULL);
	for (int i = 3; i < argc; i++)
		signal(sig_by_name(argv[i]), SIG_IGN);
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("ready\n");
	/* usleep, not pause(): pause only returns on a signal, and with none the
	 * time limit would never be checked. */
	time_t end = time(NULL) + (argc > 2 ? atoi(argv[2]) : 10);
	while (time(NULL) < end)
		usleep(50000);
	return 0;
}

/* trap SIG STATUS SECS: exit STATUS when SIG arrives, else after SECS. ignore SIG SECS. */
static int trap_status;
static void on_trap(int sig)
{
	(void)sig;
	_exit(trap_status);
}

static int spawn_orphans(int n)
{
	for (int i = 0; i < n; i++) {
		pid_t p = fork();
		if (p == 0) {
			if (fork() == 0) {
				usleep(20000);
				_exit(0);
			}
			_exit(0);
		}
		if (p > 0)
			waitpid(p, NULL, 0);
	}
	return 0;
}

static int daemonize(int secs)
{
	pid_t p = fork();
	if (p == 0) {
		setsid();
		if (fork() == 0) {
			/* A grandchild in its own session and group: survives the grader. */
			for (int i = 0; i < secs * 10; i++)
				usleep(100000);
			_exit(0);
		}
		_exit(0);
	}
	waitpid(p, NULL, 0);
	return 0;
}

static void *thread_fn(void *arg) { return arg; }

static int threads(int n)
{
	pthread_t t[64];
	if (n > 64)
		n = 64;
	for (int i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, thread_fn, NULL))
			return printf("probe: threads: FAILED (%s)\n", strerror(errno)), 1;
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	printf("probe: threads: OK (%d)\n", n);
	return 0;
}

static int stamp(const char *path)
{
	struct timespec mono, real;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	FILE *f = fopen(path, "w");
	if (!f)
		return perror(path), 1;
	fprintf(f, "%lld %lld\n", (long long)mono.tv_sec * 1000000000LL + mono.tv_nsec,
		(long long)real.tv_sec * 1000000000LL + real.tv_nsec);
	return fclose(f) ? 1 : 0;
}

static int cat(const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return printf("probe: cat %s: %s\n", path, strerror(errno)), 1;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		(void)!write(1, buf, (size_t)n);
	close(fd);
	return 0;
}

/* write-file PATH TEXT: a positive check (OK/FAILED), unlike the `write` attack. */
static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		return printf("probe: write-file %s: FAILED (%s)\n", path, strerror(errno)), 1;
	close(fd);
	printf("probe: write-file %s: OK\n", path);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	const char *a2 = argc > 2 ? argv[2] : "";
	const char *a3 = argc > 3 ? argv[3] : "";
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "exit"))
		return atoi(a2);
	if (!strcmp(cmd, "sleep")) {
		for (int i = 0; i < atoi(a2) * 10; i++)
			usleep(100000);
		return 0;
	}
	if (!strcmp(cmd, "whoami"))
		return whoami();
	if (!strcmp(cmd, "signals"))
		return signals(argc, argv);
	if (!strcmp(cmd, "trap") || !strcmp(cmd, "ignore")) {
		struct sigaction sa = {.sa_handler = !strcmp(cmd, "trap") ? on_trap : SIG_IGN};
		trap_status = atoi(a3);
		sigaction(sig_by_name(a2), &sa, NULL);
		printf("ready\n");
		for (int i = 0; i < atoi(argc > 4 ? argv[4] : "60") * 10; i++)
			usleep(100000);
		return 0;
	}
	if (!strcmp(cmd, "kill-self")) {
		raise(sig_by_name(a2));
		return 0;
	}
	if (!strcmp(cmd, "spawn-orphans"))
		return spawn_orphans(atoi(a2));
	if (!strcmp(cmd, "daemon"))
		return daemonize(atoi(a2));
	if (!strcmp(cmd, "threads"))
		return threads(atoi(a2));
	if (!strcmp(cmd, "stamp"))
		return stamp(a2);
	if (!strcmp(cmd, "publish")) { /* publish TMP MARKER STAMPFILE: stamp, then rename */
		if (stamp(argc > 4 ? argv[4] : "/dev/null"))
			return 1;
		return rename(a2, a3) ? (perror("rename"), 1) : 0;
	}
	if (!strcmp(cmd, "cat"))
		return cat(a2);
	if (!strcmp(cmd, "write-file"))
		return write_file(a2, a3);
	if (!strcmp(cmd, "hold-fd") && argc > 3) { /* hold-fd N PROG ARG...: exec with fd N open */
		int fd = open("/etc/passwd", O_RDONLY);
		if (fd < 0 || dup2(fd, atoi(a2)) < 0)
			return perror("probe: hold-fd"), 1;
		close(fd);
		execv(argv[3], argv + 3);
		return perror("probe: hold-fd: exec"), 127;
	}
	if (!strcmp(cmd, "sys"))
		return sys_probe(argc - 1, argv + 1);
	if (!strcmp(cmd, "ignore-rt") && argc > 2) { /* ignore-rt PROG ARG...: 32-34 ignored, exec */
		struct { void *h; unsigned long f; void *r; unsigned long m; } ign = {(void *)1, 0, 0, 0};
		for (int s = 32; s <= 34; s++)
			syscall(SYS_rt_sigaction, s, &ign, NULL, 8);
		execv(argv[2], argv + 2);
		return perror("probe: ignore-rt: exec"), 127;
	}

	int rc = attack(argc - 1, argv + 1);
	if (rc < 0 && argc > 1)
		rc = verdict_program(argc - 1, argv + 1);
	if (rc >= 0)
		return rc;
	fprintf(stderr, "probe: unknown subcommand '%s'\n", cmd);
	return 2;
}
