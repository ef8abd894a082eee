/* run_broker.c - the broker of `usher run` (run.h): forked by PID 1 after the plan and
 * before PID 1 gives up its capabilities, it keeps the few a run needs (switching to
 * a run's identity, giving --dir to it and back, hiding files, killing what a run
 * leaves) and nothing else. The grader reaches it through one SOCK_SEQPACKET channel
 * only, and sends it fds it opened itself; every field of a request is checked here,
 * because the grader, not `usher run`, decides what goes down that channel.
 *
 * It is not dumpable (PID 1 made itself so before the fork, and that is inherited) and
 * not the grader's uid: the grader can neither trace it nor signal it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "lockdown.h"
#include "log.h"
#include "plan.h"
#include "run.h"
#include "stages.h"
#include "supervise.h"
#include "sys.h"

/* What the broker keeps: set*id for the run identity, chown/fowner/dac for --dir,
 * --hide and the cleanup, kill for the sweep, setpcap to clear the learner's bounding
 * set. Not NET_RAW, MKNOD, SYS_CHROOT and the rest the runtime gave. */
#define BROKER_CAPS                                                                         \
	((1ULL << CAP_CHOWN) | (1ULL << CAP_DAC_OVERRIDE) | (1ULL << CAP_DAC_READ_SEARCH) |     \
	 (1ULL << CAP_FOWNER) | (1ULL << CAP_KILL) | (1ULL << CAP_SETGID) | (1ULL << CAP_SETUID) | \
	 (1ULL << CAP_SETPCAP))

static struct run_env env;
static struct bpf_prog progs[2];
/* Keepers alive (runs under way, and the one on standby), their identities and the
 * processes their runs may have. Keepers are root: a grader asking for runs faster
 * than they end must not fill the pid space with them, nor, with a uid per run, have
 * more processes at once than its own limit allows it; and no identity is given to a
 * second run while the first one lives. */
static struct {
	pid_t pid;
	uid_t uid;
	uint64_t processes;
} runs[RUN_MAX_LIVE];
static unsigned live;
static uint64_t budget; /* the grader's RLIMIT_NPROC: all runs together */
static pid_t broker = -1, standby = -1;
static volatile sig_atomic_t stopping;

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

/* PID 1 asks the broker to stop (the grader is gone, or never ran): the keeper on
 * standby is let go (it removes its temporary directory and its process), then every
 * process of the runs still under way is killed and reaped here (the broker is their
 * subreaper), so that PID 1's own sweep finds the grader's leftovers only. */
__attribute__((noreturn)) static void stop(int next)
{
	unsigned left;
	struct sweep sw = {.grader = 0, .runs = env.switch_ids, .run_uid = env.base, .deadline_ms = 2000};
	if (next >= 0)
		sys_close(next);
	for (int i = 0; standby > 0 && i < 200; i++) {
		struct timespec ms = {0, 1000000};
		if (sys_wait4(standby, NULL, WNOHANG, NULL) != 0)
			break;
		nanosleep(&ms, NULL);
	}
	supervise_sweep(&sw, &left);
	_exit(0);
}

/* The learner's programs: the grader's profile (the default one where the grader has
 * none: a run never gets less than the default), AF_INET and AF_INET6 sent to the
 * keeper, which makes them (bound to lo, or not where the grader has the whole network)
 * with --allow-network, and refuses them without. */
static int run_programs(const struct usher_config *cfg, struct usher_report *rep)
{
	struct usher_config c = *cfg;
	struct usher_plan p = {0};
	int rc;
	if (c.seccomp == SECCOMP_NONE)
		c.seccomp = SECCOMP_DEFAULT;
	c.exec_mode = false;
	c.verbosity = 0;
	c.network = NET_NONE;
	if ((rc = seccomp_compile(&c, &p, rep)) < 0)
		return rc;
	progs[0] = p.seccomp, progs[1] = p.seccomp_notify;
	env.seccomp = &progs[0];
	env.seccomp_notify = &progs[1];
	return 0;
}

static void run_uid_base(const struct usher_config *cfg, struct usher_plan *plan)
{
	uint32_t r = 0;
	/* Next to the grader's own random uid when it has one (the range it was drawn
	 * from leaves room above it), else drawn the same way. */
	if (cfg->user_auto)
		env.base = plan->uid + 1;
	else if (sys_getrandom(&r, sizeof r) == (ssize_t)sizeof r)
		env.base = 0x70000000u + (r % 0xfff0u) * 0x1000u;
	else
		env.base = 0x7ffe0000u;
	plan->run_uids = true;
	plan->run_uid = env.base;
}

/* Checks a request and splits its strings; NULL-terminated argv and envp. */
int run_parse(struct run_request_buf *r, size_t len, unsigned nfds, char **argv, char **envp)
{
	const struct run_request *h = &r->h;
	if (len < sizeof *h)
		return -EPROTO;
	unsigned want = 4 + !!(h->flags & RUN_HAS_DIR) + h->nhide;
	if (h->magic != RUN_MAGIC || h->version != RUN_VERSION ||
	    h->strings != len - sizeof *h || h->nhide > RUN_MAX_HIDE || h->argc < 1 ||
	    h->argc > RUN_MAX_ARGS || h->envc > RUN_MAX_ARGS || nfds != want ||
	    h->lim.processes < 1 || h->lim.open_files < 1 || h->lim.fsize < 1)
		return -EPROTO;
	char *p = r->strings, *end = r->strings + h->strings;
	for (uint32_t i = 0; i < h->argc + h->envc; i++) {
		char *nul = memchr(p, '\0', (size_t)(end - p));
		if (!nul)
			return -EPROTO;
		if (i < h->argc)
			argv[i] = p;
		else
			envp[i - h->argc] = p;
		p = nul + 1;
	}
	if (p != end)
		return -EPROTO;
	argv[h->argc] = NULL;
	envp[h->envc] = NULL;
	return 0;
}

static void refuse(int reply, const char *why)
{
	struct run_verdict v = {.magic = RUN_MAGIC, .status = RUN_INTERNAL, .exit_code = -1};
	snprintf(v.message, sizeof v.message, "usher refused the request: %s", why);
	sys_send_record(reply, &v, sizeof v, -1);
}

/* A keeper on standby for the next run, with the next identity: its end of a socket
 * the request will come on, or -1. */
static int spare(int ch, unsigned *seq)
{
	int pair[2];
	if (sys_socketpair(pair) < 0)
		return -1;
	uid_t uid;
	bool taken;
	do { /* the next identity no live run has */
		uid = env.base + ((*seq)++ % RUN_UIDS);
		taken = false;
		for (unsigned i = 0; i < live; i++)
			taken |= runs[i].uid == uid;
	} while (taken);
	pid_t pid = live >= RUN_MAX_LIVE ? -EAGAIN : sys_fork();
	if (pid == 0) {
		sys_close(ch), sys_close(pair[0]);
		run_keeper(&env, pair[1], uid);
	}
	sys_close(pair[1]);
	if (pid < 0) {
		sys_close(pair[0]);
		return -1;
	}
	runs[live].pid = pid, runs[live].uid = uid, runs[live].processes = 0;
	live++;
	standby = pid;
	return pair[0];
}

/* Keepers that ended (their runs are over): reaped here, between requests. */
static void reap(void)
{
	pid_t pid;
	while (live > 0 && (pid = sys_wait4(-1, NULL, WNOHANG, NULL)) > 0)
		for (unsigned i = 0; i < live; i++)
			if (runs[i].pid == pid) {
				runs[i] = runs[--live];
				break;
			}
}

/* May a run of n processes start now? The standby keeper is charged with it. */
static bool within_budget(uint64_t n)
{
	uint64_t sum = 0;
	for (unsigned i = 0; i < live; i++)
		sum += runs[i].processes;
	if (sum + n > budget)
		return false;
	for (unsigned i = 0; i < live; i++)
		if (runs[i].pid == standby)
			runs[i].processes = n;
	return true;
}

__attribute__((noreturn)) static void serve(int ch)
{
	static struct run_request_buf r;
	static char *argv[RUN_MAX_ARGS + 1], *envp[RUN_MAX_ARGS + 1];
	unsigned seq = 0;
	/* The first keeper is made at the first request: a grader that never runs
	 * anything costs one idle broker, nothing more. */
	int next = -1;
	for (;;) {
		int fds[RFD_MAX];
		unsigned n = 0;
		ssize_t len = sys_recv_fds(ch, &r, sizeof r, fds, RFD_MAX, &n), sent = -1;
		if (stopping || len == 0 || (len < 0 && len != -EINTR && len != -EMSGSIZE)) {
			for (unsigned i = 0; i < n; i++)
				sys_close(fds[i]);
			stop(next); /* PID 1 asked, or every holder of the grader's end is gone */
		}
		reap();
		if (len < 0 || run_parse(&r, (size_t)len, n, argv, envp) < 0) {
			if (n > 0)
				refuse(fds[0], "a malformed request");
		} else if (next < 0 && live >= RUN_MAX_LIVE) {
			refuse(fds[0], "too many runs at once (" RUN_MAX_LIVE_S ")");
		} else if (r.h.lim.processes > budget) {
			refuse(fds[0], "--processes is more than the grader itself may have (its nproc limit)");
		} else {
			/* To the keeper on standby (a new one if it died), which replies to the
			 * client itself; then the next one is made ready. */
			for (int attempt = 0; attempt < 2 && sent < 0; attempt++) {
				if (next < 0)
					next = spare(ch, &seq);
				if (next >= 0 && !within_budget(r.h.lim.processes)) {
					refuse(fds[0], "the runs under way already have as many processes as the grader may");
					sent = 0;
					break;
				}
				sent = next < 0 ? -EAGAIN : sys_send_fds(next, &r, (size_t)len, fds, n);
				if (next >= 0)
					sys_close(next);
				next = -1;
			}
			if (sent < 0)
				refuse(fds[0], "no keeper could be started");
			if (next < 0)
				next = spare(ch, &seq);
		}
		for (unsigned i = 0; i < n; i++)
			sys_close(fds[i]);
	}
}

__attribute__((noreturn)) static void broker_main(int ch, const struct usher_plan *plan)
{
	sigset_t all;
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	/* PID 1 blocks signals and catches some; nothing is caught here, and keepers are
	 * reaped between requests (reap()). */
	struct sigaction term = {.sa_handler = on_term}; /* no SA_RESTART: recvmsg returns */
	sigfillset(&all);
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, sig == SIGTERM ? &term : &dfl, NULL);
	sys_sigprocmask(SIG_UNBLOCK, &all, NULL);
	/* Orphans of runs whose keeper died come here, not to PID 1. */
	sys_prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	sys_prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* Nothing of PID 1's: not the result's directory, not the relay's pipes. */
	int rc = ch > 3 ? sys_close_range(3, (unsigned)ch - 1, 0) : 0;
	if (rc == 0)
		rc = sys_close_range((unsigned)ch + 1, ~0U, 0);
	if (rc < 0)
		for (int fd = 3; fd < 1024; fd++)
			if (fd != ch)
				close(fd); /* before Linux 5.9: PID 1 holds a handful */
	struct cgroup cg;
	env.mem_cgroup = -1;
	if (cgroup_open(&cg) == 0 && cg.mem >= 0)
		env.mem_version = cg.mem_version, env.mem_cgroup = cg.mem; /* for OOM verdicts */
	if (plan->priv.root) {
		uint64_t eff, prm;
		if (sys_caps_get(&eff, &prm) < 0 || caps_apply(prm & BROKER_CAPS, false) < 0) {
			log_error("run: the broker cannot drop its capabilities: no runs");
			_exit(1);
		}
	}
	serve(ch);
}

/* The operator's --hide, before the grader exists: files of the image (hidden tests, a
 * reference solution) that the grader may read and no run may. It rests on a run's own
 * uid: without one, it cannot be kept, and that is a setup failure. */
static int hide_paths(const struct usher_config *cfg, struct usher_report *rep)
{
	for (size_t i = 0; i < cfg->hide.n; i++) {
		const char *p = cfg->hide.v[i];
		int fd, rc;
		if (!env.switch_ids)
			return report_fail(rep, STEP_RUN, EPERM, "--hide %s: the learner's runs would share the "
					   "grader's uid (usher cannot switch users): nothing would hide it", p);
		if ((fd = sys_openat(AT_FDCWD, p, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0)) < 0)
			return report_fail(rep, STEP_RUN, -fd, "--hide: open %s", p);
		rc = tree_hide(fd, env.grader_uid, env.grader_gid, true);
		sys_close(fd);
		if (rc < 0)
			return report_fail(rep, STEP_RUN, -rc, "--hide %s%s", p,
					   rc == -EINVAL ? ": neither a file nor a directory (nor a symlink)" : "");
	}
	return 0;
}

int run_broker_start(const struct usher_config *cfg, struct usher_plan *plan,
		     struct usher_report *rep)
{
	int ch[2], rc;
	char var[32];
	if (cfg->exec_mode)
		return 0; /* nobody stays to broker anything */
	env.switch_ids = plan->switch_ids && plan->priv.setid && plan->uid != 0;
	env.grader_uid = plan->uid;
	env.grader_gid = plan->gid;
	env.landlock_abi = plan->landlock_abi;
	env.network = plan->network;
	/* All runs together may have as many processes as the grader itself (nproc). */
	budget = cfg->rlimits[RLIMIT_NPROC].set && cfg->rlimits[RLIMIT_NPROC].soft != RLIM_INFINITY
			 ? cfg->rlimits[RLIMIT_NPROC].soft : 4096;
	if (env.switch_ids)
		run_uid_base(cfg, plan);
	else if (plan->landlock_abi < LANDLOCK_ABI_FULL)
		env.why_not = "no separation is possible: usher cannot give the run an identity of its "
			      "own (it has no CAP_SETUID) and Landlock cannot scope its signals (ABI < 6)";
	if ((rc = run_programs(cfg, rep)) < 0 || (rc = hide_paths(cfg, rep)) < 0)
		return rc;
	if ((rc = sys_socketpair(ch)) < 0)
		return report_fail(rep, STEP_RUN, -rc, "usher run: the channel's socketpair");
	/* The grader's end survives its exec (lockdown step 1 keeps it). */
	if ((rc = sys_fcntl(ch[1], F_SETFD, 0)) < 0 ||
	    (rc = snprintf(var, sizeof var, "USHER_RUN_FD=%d", ch[1])) < 0) {
		sys_close(ch[0]), sys_close(ch[1]);
		return report_fail(rep, STEP_RUN, rc < 0 ? -rc : EIO, "usher run: the channel");
	}
	size_t n = 0;
	while (plan->env[n])
		n++;
	/* Static: lives as long as PID 1 (and its forks), never freed. */
	static const char **e;
	static char v[32];
	if (!(e = malloc((n + 2) * sizeof *e))) {
		sys_close(ch[0]), sys_close(ch[1]);
		return report_fail(rep, STEP_ENV, ENOMEM, "usher run: the grader's environment");
	}
	snprintf(v, sizeof v, "%s", var);
	memcpy(e, plan->env, n * sizeof *e);
	e[n] = v, e[n + 1] = NULL;
	plan->env = e;
	plan->run_var = v;
	pid_t pid = sys_fork();
	if (pid < 0) {
		sys_close(ch[0]), sys_close(ch[1]);
		return report_fail(rep, STEP_RUN, (int)-pid, "usher run: fork the broker");
	}
	if (pid == 0)
		broker_main(ch[0], plan);
	sys_close(ch[0]);
	plan->run_fd = ch[1];
	broker = pid;
	log_verbose("run: broker %d, channel fd %d, run uids from %u%s", (int)pid, ch[1],
		    (unsigned)env.base, env.why_not ? " (runs refused: no separation)" : "");
	return 0;
}

void run_broker_stop(void)
{
	if (broker <= 0)
		return;
	sys_kill(broker, SIGTERM);
	/* At most ~3 s: the broker's own sweep gives up after 2. */
	for (int i = 0; i < 3000; i++) {
		struct timespec ms = {0, 1000000};
		pid_t r = sys_wait4(broker, NULL, WNOHANG, NULL);
		if (r == broker || r == -ECHILD)
			break;
		if (i == 2999) {
			sys_kill(broker, SIGKILL);
			sys_wait4(broker, NULL, 0, NULL);
		}
		nanosleep(&ms, NULL);
	}
	broker = -1;
}
