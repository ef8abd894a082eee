/* run_keeper_loop.c - a run's keeper while the learner runs, and after (run_keeper.c
 * says what it is). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "enforce.h"
#include "parse.h"
#include "run_keeper.h"
#include "supervise.h"
#include "sys.h"
#include "util.h"

#define TICK_MS 20 /* how often --cpu-time and --memory are counted */

/* All of buf to a stream (a pipe, a terminal, a file at its own offset). */
static int put(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = sys_write(fd, buf, len);
		if (w == -EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? (int)w : -EIO;
		buf += w, len -= (size_t)w;
	}
	return 0;
}

static void kill_run(struct keeper *k, enum run_status why)
{
	if (!k->limit)
		k->limit = why;
	if (k->pid > 0 && !k->exited) {
		sys_kill(-k->pid, SIGKILL);
		sys_kill(k->pid, SIGKILL);
	}
}

/* One read of the learner's stdout (i 0) or stderr (1) into its destination, counted;
 * past --max-output the rest is not written and the run ends. */
static void relay(struct keeper *k, int i)
{
	char buf[65536];
	ssize_t n = sys_read(k->pipe[i], buf, sizeof buf);
	if (n == -EAGAIN || n == -EINTR)
		return;
	if (n <= 0) {
		sys_close(k->pipe[i]);
		k->pipe[i] = -1;
		return;
	}
	uint64_t cap = k->req->lim.max_output, room = n;
	if (cap && k->out_bytes + (uint64_t)n > cap) {
		room = cap > k->out_bytes ? cap - k->out_bytes : 0;
		k->truncated = true;
		kill_run(k, RUN_OUTPUT);
	}
	k->out_bytes += room;
	/* The destination is the grader's: a write it does not drain only slows its own
	 * run. When its reader is gone (`usher run ... | head`), the keeper closes the
	 * learner's pipe too: the learner's next write gets EPIPE or SIGPIPE, as it would
	 * have without usher run. Another failure drops the output, never the run. */
	int rc = room && k->dest[i] >= 0 ? put(k->dest[i], buf, (size_t)room) : 0;
	if (rc == -EPIPE) {
		sys_close(k->pipe[i]);
		k->pipe[i] = -1;
	}
	if (rc < 0)
		k->dest[i] = -1;
}

static void reap(struct keeper *k)
{
	struct signalfd_siginfo si;
	int st;
	pid_t p;
	while (sys_read(k->sigfd, &si, sizeof si) > 0)
		;
	while ((p = sys_wait4(-1, &st, WNOHANG, NULL)) > 0)
		if (p == k->pid) {
			k->exited = true;
			k->status = st;
			k->ended = now_ms();
		}
}

static void child_report(struct keeper *k)
{
	struct child_report r;
	int fd = -1;
	memset(&r, 0, sizeof r);
	ssize_t n = sys_recv_record(k->report, &r, sizeof r, &fd);
	if (n <= 0) {
		sys_close(k->report); /* the exec happened, or the child is gone */
		k->report = -1;
		return;
	}
	if (n != (ssize_t)sizeof r) {
		if (fd >= 0)
			sys_close(fd);
		return;
	}
	if (fd >= 0)
		sys_close(fd); /* the listener came on standby: nothing else comes with an fd */
	if (r.kind == 0)
		return;
	k->failed = true;
	k->failure.kind = r.kind, k->failure.err = r.err;
	r.what[sizeof r.what - 1] = '\0';
	snprintf(k->failure.what, sizeof k->failure.what, "%s", r.what);
}

/* The run's CPU time (ms) and memory (bytes, proportional set size) now: its
 * processes, found by the run's uid (or, sharing the grader's, the first process
 * alone), plus the CPU of those already reaped (in the keeper's RUSAGE_CHILDREN; those
 * a live process reaped are in its own cutime: nothing is counted twice). */
static void count(const struct keeper *k, uint64_t *cpu_ms, uint64_t *rss)
{
	struct rusage ru;
	struct dents d = {0};
	const char *name;
	int dfd = sys_openat(AT_FDCWD, "/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0), err;
	long tick = sysconf(_SC_CLK_TCK);
	uint64_t ticks = 0, kib = 0;
	*cpu_ms = sys_getrusage(RUSAGE_CHILDREN, &ru) == 0 ? rusage_cpu_ns(&ru) / 1000000 : 0;
	*rss = 0;
	if (dfd < 0)
		return;
	while ((name = dents_next(dfd, &d, &err))) {
		uint64_t pid, t;
		pid_t ppid;
		struct stat st;
		if (parse_u64(name, &pid) < 0)
			continue;
		if (k->env->switch_ids ? sys_fstatat(dfd, name, &st, 0) < 0 || st.st_uid != k->uid
				       : (pid_t)pid != k->pid)
			continue;
		if (proc_cpu_ticks(dfd, name, &t, &ppid) == 0)
			ticks += t;
		/* Memory: the proportional set size, each shared page divided among its
		 * sharers (a hundred forked workers are not a hundred copies); only when
		 * --memory asks, since the kernel walks the page tables for it. */
		if (k->req->lim.memory) {
			char path[64], buf[2048];
			/* smaps_rollup wants ptrace access: the keeper reads it as the run's uid
			 * (its filesystem ids), not as root without CAP_SYS_PTRACE. */
			snprintf(path, sizeof path, "%s/smaps_rollup", name);
			if (k->env->switch_ids)
				sys_setfsids(k->uid, k->uid);
			ssize_t n = file_read_small(dfd, path, buf, sizeof buf, false);
			if (k->env->switch_ids)
				sys_setfsids(0, 0);
			const char *pss = n > 0 ? strstr(buf, "\nPss:") : NULL;
			if (pss)
				kib += strtoull(pss + 5, NULL, 10);
		}
	}
	sys_close(dfd);
	*cpu_ms += tick > 0 ? ticks * 1000 / (uint64_t)tick : 0;
	*rss = kib * 1024;
}

static void watch(struct keeper *k)
{
	const struct run_limits *l = &k->req->lim;
	uint64_t cpu, rss;
	if (l->wall_ms && now_ms() - k->started >= l->wall_ms)
		kill_run(k, RUN_WALL_TIME);
	/* Counting walks /proc: once per tick, not on every event of the loop. */
	if ((!l->cpu_ms && !l->memory) || now_ms() < k->next_count)
		return;
	k->next_count = now_ms() + TICK_MS;
	count(k, &cpu, &rss);
	if (l->cpu_ms && cpu >= l->cpu_ms)
		kill_run(k, RUN_CPU_TIME);
	if (l->memory && rss > l->memory)
		kill_run(k, RUN_MEMORY);
}

void keeper_loop(struct keeper *k)
{
	const struct run_limits *l = &k->req->lim;
	while (!k->exited) {
		struct pollfd p[6];
		int who[6], n = 0, timeout = -1;
		const int fds[6] = {k->pipe[0], k->pipe[1], k->sigfd, k->client_gone ? -1 : k->reply, k->report,
			      k->listener.fd};
		for (int i = 0; i < 6; i++)
			if (fds[i] >= 0) {
				p[n] = (struct pollfd){.fd = fds[i], .events = POLLIN};
				who[n++] = i;
			}
		if (l->wall_ms)
			timeout = ms_until(sat_add(k->started, l->wall_ms), 60000);
		if ((l->cpu_ms || l->memory) && (timeout < 0 || timeout > TICK_MS))
			timeout = TICK_MS;
		int rc = sys_poll(p, (unsigned long)n, timeout);
		for (int j = 0; rc > 0 && j < n; j++) {
			if (!p[j].revents)
				continue;
			switch (who[j]) {
			case 0:
			case 1: relay(k, who[j]); break;
			case 2: reap(k); break;
			case 3: /* the client is gone: nobody waits for this run any more */
				k->client_gone = true;
				kill_run(k, RUN_INTERNAL);
				break;
			case 4: child_report(k); break;
			case 5:
				if (p[j].revents & (POLLHUP | POLLERR))
					notify_close(&k->listener);
				else
					notify_handle(&k->listener, &k->rep);
				break;
			}
		}
		watch(k);
	}
}

void keeper_verdict_sweep(struct keeper *k)
{
	unsigned left = 0;
	struct sweep sw = {.grader = k->pid, .by_uid = k->env->switch_ids, .uid = k->uid,
			   .deadline_ms = 5000};
	if (k->swept || k->pid <= 0)
		return;
	supervise_sweep(&sw, &left);
	k->swept = true;
	/* Every writer is gone: what is left in the pipes is read to the end. */
	for (int i = 0; i < 2; i++)
		while (k->pipe[i] >= 0)
			relay(k, i);
	notify_close(&k->listener);
}

void keeper_verdict(struct keeper *k)
{
	struct run_verdict *v = &k->v;
	struct rusage ru;
	uint64_t ooms = 0;
	/* What the child said before it exited (a failure record may still be queued
	 * when its exit was seen first): its end is closed, this cannot block. */
	while (k->report >= 0)
		child_report(k);
	keeper_verdict_sweep(k);
	v->wall_ms = k->ended - k->started;
	if (sys_getrusage(RUSAGE_CHILDREN, &ru) == 0) {
		v->cpu_ms = rusage_cpu_ns(&ru) / 1000000;
		v->max_rss_kib = (uint64_t)ru.ru_maxrss;
	}
	v->output_bytes = k->out_bytes;
	v->truncated = k->truncated;
	for (unsigned i = 0; i < k->rep.ndenied && v->ndenied < 16; i++, v->ndenied++) {
		snprintf(v->denied[i].syscall, sizeof v->denied[i].syscall, "%s", k->rep.denied[i].syscall);
		snprintf(v->denied[i].detail, sizeof v->denied[i].detail, "%s", k->rep.denied[i].detail);
		v->denied[i].count = k->rep.denied[i].count;
	}
	if (WIFEXITED(k->status))
		v->exit_code = WEXITSTATUS(k->status);
	else if (WIFSIGNALED(k->status))
		v->signal = WTERMSIG(k->status);
	if (k->failed) {
		v->status = RUN_INTERNAL;
		v->exit_code = -1;
		if (k->failure.kind == 2)
			v->exec_err = k->failure.err;
		snprintf(v->message, sizeof v->message, "%s%s: %s", k->failure.kind == 2 ? "exec " : "",
			 k->failure.what, strerror(k->failure.err));
		return;
	}
	if (k->limit) {
		static const char *const why[RUN_STATUS_COUNT] = {
			[RUN_WALL_TIME] = "--wall-time", [RUN_CPU_TIME] = "--cpu-time",
			[RUN_MEMORY] = "--memory", [RUN_OUTPUT] = "--max-output",
			[RUN_INTERNAL] = "usher run, its client, is gone"};
		v->status = k->limit;
		snprintf(v->message, sizeof v->message, "usher ended the run: %s", why[k->limit]);
		return;
	}
	if (WIFEXITED(k->status)) {
		v->status = v->exit_code ? RUN_RUNTIME_ERROR : RUN_OK;
		return;
	}
	v->status = RUN_SIGNALED;
	if (v->signal == SIGXCPU || (v->signal == SIGKILL && k->req->lim.cpu_ms && v->cpu_ms >= k->req->lim.cpu_ms))
		v->status = RUN_CPU_TIME;
	else if (v->signal == SIGXFSZ)
		v->status = RUN_FILE_SIZE;
	else if (v->signal == SIGKILL && k->env->mem_cgroup >= 0 &&
		 cgroup_oom_kills(k->env->mem_version, k->env->mem_cgroup, &ooms) == 0 && ooms > k->oom_before)
		v->status = RUN_MEMORY; /* the container's OOM killer chose the learner */
}
