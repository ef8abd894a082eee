/* bench - helpers for bench/run (static, musl).
 *
 *   bench spawn N LABEL -- CMD... [:: LABEL -- CMD...]...
 *       runs each command N times, interleaved A B C A B C (the machine's noise hits
 *       all alike), and prints "LABEL median_us p90_us" per command
 *   bench reap N LABEL -- CMD... [:: ...]
 *       the same, as a child subreaper: whatever a supervisor leaves behind when it
 *       exits is re-parented here and counted; prints "LABEL median_us p90_us left"
 *       where left is the most processes one run left behind
 *   bench pipe N LABEL -- CMD... [:: LABEL -- CMD...]...
 *       the same interleaving, each command's stdout a pipe that bench reads as fast as
 *       it can (a log driver that keeps up) and stderr /dev/null; prints
 *       "LABEL median_ms p90_ms MiB_per_s bytes_read" (MiB/s of the median run)
 *   bench syscalls N [allow-all]
 *       ns per call of getppid, read(1 byte of /dev/zero), openat+close, ioctl(FIONBIO);
 *       with allow-all, under a one-instruction filter that allows everything: the
 *       floor any seccomp filter costs on this kernel
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/ioctl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int spawn(int argc, char **argv, int reap)
{
	int n = atoi(argv[2]), ncmd = 0;
	char **cmds[32], *labels[32];
	for (int i = 3; i < argc && ncmd < 32;) {
		labels[ncmd] = argv[i];
		cmds[ncmd] = &argv[i + 2]; /* after "--" */
		int j = i + 2;
		while (j < argc && strcmp(argv[j], "::"))
			j++;
		argv[j < argc ? j : argc] = NULL;
		ncmd++;
		i = j + 1;
	}
	double *t = calloc((size_t)(n * ncmd), sizeof *t);
	int left[32] = {0};
	if (reap && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		return perror("bench: PR_SET_CHILD_SUBREAPER"), 1;
	int devnull = open("/dev/null", O_WRONLY);
	for (int r = 0; r < n; r++)
		for (int c = 0; c < ncmd; c++) {
			double start = now_ns();
			pid_t pid = fork();
			if (pid == 0) {
				dup2(devnull, 1);
				dup2(devnull, 2);
				execv(cmds[c][0], cmds[c]);
				_exit(127);
			}
			int st;
			waitpid(pid, &st, 0);
			t[c * n + r] = (now_ns() - start) / 1000;
			if (!WIFEXITED(st) || WEXITSTATUS(st)) {
				fprintf(stderr, "bench: %s exited %d\n", labels[c], st);
				return 1;
			}
			int stray = 0; /* re-parented to us: the supervisor left them */
			while (reap && (waitpid(-1, NULL, 0) > 0 || errno == EINTR))
				stray++;
			if (stray > left[c])
				left[c] = stray;
		}
	for (int c = 0; c < ncmd; c++) {
		qsort(t + c * n, (size_t)n, sizeof *t, cmp);
		printf("%s %.0f %.0f", labels[c], t[c * n + n / 2], t[c * n + n * 9 / 10]);
		printf(reap ? " %d\n" : "\n", left[c]);
	}
	return 0;
}

/* Run argv with stdout into a pipe drained here; returns the bytes read, -1 on failure. */
static long long drained(char **argv)
{
	static char buf[1 << 20];
	int p[2];
	long long total = 0;
	if (pipe(p) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		dup2(p[1], 1);
		dup2(devnull, 2);
		close(p[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	for (ssize_t n; (n = read(p[0], buf, sizeof buf)) != 0;) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		total += n;
	}
	close(p[0]);
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? total : -1;
}

static int pipes(int argc, char **argv)
{
	int n = atoi(argv[2]), ncmd = 0;
	char **cmds[32], *labels[32];
	long long bytes[32] = {0};
	for (int i = 3; i < argc && ncmd < 32;) {
		labels[ncmd] = argv[i];
		cmds[ncmd] = &argv[i + 2];
		int j = i + 2;
		while (j < argc && strcmp(argv[j], "::"))
			j++;
		argv[j < argc ? j : argc] = NULL;
		ncmd++;
		i = j + 1;
	}
	double *t = calloc((size_t)(n * ncmd), sizeof *t);
	for (int r = 0; r < n; r++)
		for (int c = 0; c < ncmd; c++) {
			double start = now_ns();
			long long got = drained(cmds[c]);
			t[c * n + r] = (now_ns() - start) / 1e6;
			if (got < 0) {
				fprintf(stderr, "bench: %s failed\n", labels[c]);
				return 1;
			}
			bytes[c] = got;
		}
	for (int c = 0; c < ncmd; c++) {
		qsort(t + c * n, (size_t)n, sizeof *t, cmp);
		double med = t[c * n + n / 2];
		printf("%s %.1f %.1f %.0f %lld\n", labels[c], med, t[c * n + n * 9 / 10],
		       (double)bytes[c] / (1 << 20) / (med / 1000), bytes[c]);
	}
	return 0;
}

static int allow_all(void)
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = {.len = 1, .filter = &allow};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return perror("bench: seccomp"), -1;
	return 0;
}

static int syscalls(long n)
{
	char b;
	int zero = open("/dev/zero", O_RDONLY), on = 0;
	double t0 = now_ns();
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	double t1 = now_ns();
	for (long i = 0; i < n; i++)
		if (read(zero, &b, 1) != 1)
			return 1;
	double t2 = now_ns();
	for (long i = 0; i < n / 10; i++)
		close(open("/dev/null", O_RDONLY));
	double t3 = now_ns();
	for (long i = 0; i < n; i++)
		ioctl(zero, FIONBIO, &on);
	double t4 = now_ns();
	printf("getppid %.1f\nread %.1f\nopenat+close %.1f\nioctl %.1f\n", (t1 - t0) / (double)n,
	       (t2 - t1) / (double)n, (t3 - t2) / (double)(n / 10), (t4 - t3) / (double)n);
	return 0;
}

/* The cost of a refused call (keyctl, denied by usher's default profile), and of an
 * AF_INET socket made and closed (under --network loopback, PID 1 makes it). */
static int denied(long n)
{
	double t0 = now_ns();
	for (long i = 0; i < n; i++)
		syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0);
	double t1 = now_ns();
	long m = n / 10;
	for (long i = 0; i < m; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd >= 0)
			close(fd);
	}
	double t2 = now_ns();
	printf("refused %.1f\nsocket-inet %.1f\n", (t1 - t0) / (double)n, (t2 - t1) / (double)m);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "denied"))
		return denied(atol(argv[2]));
	if (argc > 3 && !strcmp(argv[1], "spawn"))
		return spawn(argc, argv, 0);
	if (argc > 3 && !strcmp(argv[1], "reap"))
		return spawn(argc, argv, 1);
	if (argc > 3 && !strcmp(argv[1], "pipe"))
		return pipes(argc, argv);
	if (argc > 2 && !strcmp(argv[1], "syscalls")) {
		if (argc > 3 && !strcmp(argv[3], "allow-all") && allow_all() < 0)
			return 1;
		return syscalls(atol(argv[2]));
	}
	fprintf(stderr, "usage: bench spawn|reap|pipe N LABEL -- CMD... [:: ...] | bench syscalls N [allow-all] | bench denied N\n");
	return 2;
}
