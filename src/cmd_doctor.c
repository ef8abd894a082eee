/* cmd_doctor.c - `usher doctor [--json]`: what this container lets usher enforce, and why
 * not. Run it with the same image, user and runtime options as the grader. Exit 0 when
 * the default policy can be fully enforced, 1 otherwise (main maps -ENOTSUP to 1).
 *
 * usher needs, as root: SETUID, SETGID (switch user), SETPCAP (bounding set,
 * securebits), CHOWN, FOWNER, DAC_OVERRIDE (normalise the submission, create the
 * feedback files), KILL (signal a grader of another uid). All are in Docker's and
 * containerd's default set.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/seccomp.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "json.h"
#include "lockdown.h"
#include "parse.h"
#include "stages.h"
#include "sys.h"
#include "util.h"

static const unsigned needed_caps[] = {7 /* SETUID */, 6 /* SETGID */, 8 /* SETPCAP */, 0 /* CHOWN */,
				       3 /* FOWNER */, 1 /* DAC_OVERRIDE */, 5 /* KILL */};

struct fact {
	const char *name, *level; /* ok, warn, fail */
	char text[256];
};

struct doctor {
	struct fact f[16];
	int n;
	bool full;
};

__attribute__((format(printf, 4, 5))) static void add(struct doctor *d, const char *name,
						      const char *level, const char *fmt, ...)
{
	va_list ap;
	struct fact *f = &d->f[d->n++];
	f->name = name;
	f->level = level;
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof f->text, fmt, ap);
	va_end(ap);
	if (!strcmp(level, "fail"))
		d->full = false;
}

static long status_field(const char *key)
{
	char buf[4096];
	int fd = sys_openat(AT_FDCWD, "/proc/self/status", O_RDONLY, 0);
	ssize_t n = fd < 0 ? -1 : sys_read(fd, buf, sizeof buf - 1);
	if (fd >= 0)
		sys_close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	const char *p = strstr(buf, key);
	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static void caps(struct doctor *d)
{
	uint64_t eff, prm, inh, bnd, amb;
	char missing[200] = "";
	if (sys_caps_read(&eff, &prm, &inh, &bnd, &amb) < 0) {
		add(d, "capabilities", "fail", "cannot read /proc/self/status");
		return;
	}
	for (size_t i = 0; i < sizeof needed_caps / sizeof needed_caps[0]; i++)
		if (!(eff & (UINT64_C(1) << needed_caps[i])))
			snprintf(missing + strlen(missing), sizeof missing - strlen(missing), " %s",
				 cap_name(needed_caps[i]));
	if (*missing)
		add(d, "capabilities", "fail", "effective %#llx; missing:%s (usher cannot switch user or "
		    "prepare the submission: non-root mode)", (unsigned long long)eff, missing);
	else
		add(d, "capabilities", "ok", "effective %#llx: all usher needs", (unsigned long long)eff);
}

static void landlock(struct doctor *d)
{
	int abi = landlock_probe();
	long seccomp = status_field("Seccomp:");
	if (abi >= 6)
		add(d, "landlock", "ok", "ABI %d: filesystem, TCP and scoping rules", abi);
	else if (abi > 0)
		add(d, "landlock", "warn", "ABI %d: filesystem rules%s; no signal scoping (kernel < 6.12)", abi,
		    abi >= 4 ? ", TCP rules" : "; no TCP rules (kernel < 6.7)");
	else
		add(d, "landlock", "fail", "unavailable%s", seccomp == 2
			? ": probably blocked by the runtime's seccomp profile (Docker < 20.10.18) or not in the kernel"
			: ": not in the kernel or not enabled (lsm=landlock)");
}

static void userns(struct doctor *d)
{
	pid_t pid = sys_fork();
	if (pid == 0)
		_exit(unshare(CLONE_NEWUSER) == 0 ? 0 : 1);
	int st = 0;
	if (pid > 0)
		sys_wait4(pid, &st, 0, NULL);
	add(d, "user_namespaces", "ok", "%s (the grader is denied them by seccomp either way)",
	    pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "available to this container" : "not available");
}

/* Can the kernel resolve a path and refuse to leave a directory (openat2, Linux 5.6)? */
static void openat2_fact(struct doctor *d)
{
	int fd = sys_openat2(AT_FDCWD, ".", O_PATH, 0x08 /* RESOLVE_BENEATH */);
	if (fd >= 0) {
		sys_close(fd);
		add(d, "openat2", "ok", "the kernel checks where the submission's symlinks lead");
	} else {
		add(d, "openat2", "warn", "%s (kernel < 5.6, or the runtime's seccomp profile): usher "
		    "checks symlinks itself, one component at a time", strerror(-fd));
	}
}

/* Does the submission's filesystem deliver inotify events? Create a file and see. */
static void inotify(struct doctor *d, const struct usher_config *cfg)
{
	char dir[4096], probe[4200];
	const char *base;
	struct statfs fs;
	if (path_split(cfg->submission, dir, sizeof dir, &base) < 0 || statfs(dir, &fs) < 0) {
		add(d, "inotify", "warn", "%s does not exist yet: cannot test (usher polls as a fallback)", dir);
		return;
	}
	const char *type = fs.f_type == 0x6969 ? "nfs" : fs.f_type == 0x794c7630 ? "overlay"
			   : fs.f_type == 0x01021994 ? "tmpfs" : fs.f_type == 0xef53 ? "ext4" : "other";
	int ifd = sys_inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	int wd = ifd < 0 ? ifd : sys_inotify_add_watch(ifd, dir, IN_CREATE);
	snprintf(probe, sizeof probe, "%s/.usher-doctor.%d", dir, (int)getpid());
	int fd = wd < 0 ? -1 : sys_openat(AT_FDCWD, probe, O_WRONLY | O_CREAT | O_EXCL, 0600);
	struct pollfd p = {.fd = ifd, .events = POLLIN};
	bool seen = fd >= 0 && sys_poll(&p, 1, 100) > 0;
	if (fd >= 0) {
		sys_close(fd);
		sys_unlinkat(AT_FDCWD, probe, 0);
	}
	if (ifd >= 0)
		sys_close(ifd);
	if (fd < 0)
		add(d, "inotify", "warn", "%s (%s): cannot create a test file there", dir, type);
	else
		add(d, "inotify", seen ? "ok" : "warn", "%s (%s): %s", dir, type,
		    seen ? "events delivered" : "no event: usher will poll (up to 250 ms late)");
}

static void pids(struct doctor *d)
{
	static const char *const paths[] = {"/sys/fs/cgroup/pids.max", "/sys/fs/cgroup/pids/pids.max"};
	for (size_t i = 0; i < 2; i++) {
		char buf[32] = "";
		int fd = sys_openat(AT_FDCWD, paths[i], O_RDONLY, 0);
		if (fd < 0)
			continue;
		ssize_t n = sys_read(fd, buf, sizeof buf - 1);
		sys_close(fd);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		add(d, "pids_limit", strcmp(buf, "max") ? "ok" : "warn", "%s%s", buf,
		    strcmp(buf, "max") ? "" : ": none; RLIMIT_NPROC is per uid across the host, set --pids-limit");
		return;
	}
	add(d, "pids_limit", "warn", "not visible: set the orchestrator's pids limit");
}

/* --- the protections, by the names of --require and lockdown.degraded ---------- */

struct prot {
	bool ok;
	char why[160];
};

/* Does the kernel answer a seccomp user-notification request (Linux 5.0)? And is it new
 * enough for SECCOMP_IOCTL_NOTIF_ADDFD (5.9), which loopback sockets need? The second
 * cannot be asked without a listener, so the release says it. */
static void notification(struct prot *denied, struct prot *loopback)
{
	struct seccomp_notif_sizes sizes;
	struct utsname u;
	unsigned major = 0, minor = 0;
	int rc = sys_seccomp_notif_sizes(&sizes);
	*denied = (struct prot){rc == 0, ""};
	if (rc < 0)
		snprintf(denied->why, sizeof denied->why, "no seccomp user notification (%s): refused calls "
			 "are not named", strerror(-rc));
	if (uname(&u) == 0) { /* "6.18.44-..." */
		char *end;
		major = (unsigned)strtoul(u.release, &end, 10);
		if (*end == '.')
			minor = (unsigned)strtoul(end + 1, NULL, 10);
	}
	*loopback = (struct prot){rc == 0 && (major > 5 || (major == 5 && minor >= 9)), ""};
	if (!loopback->ok)
		snprintf(loopback->why, sizeof loopback->why, "%s: --network loopback gives no network at all",
			 rc < 0 ? "no seccomp user notification" : "kernel before 5.9 (no NOTIF_ADDFD)");
}

static void protections(struct prot p[PROT_COUNT])
{
	struct privilege priv = {0};
	int abi = landlock_probe(), rc = privilege_read(&priv);
	for (int i = 0; i < PROT_COUNT; i++)
		p[i] = (struct prot){true, ""};
	if (rc < 0)
		priv = (struct privilege){0};
#define DEGRADE(w, ...) (p[w].ok = false, snprintf(p[w].why, sizeof p[w].why, __VA_ARGS__))
	if (!priv.setid)
		DEGRADE(PROT_UID_SWITCH, priv.root ? "root without CAP_SETUID/CAP_SETGID: a setup failure "
			"unless --unsafe root-grader" : "not root: the grader shares usher's uid");
	if (!priv.setid)
		DEGRADE(PROT_OWN_UID, "cannot switch: no uid of the run's own");
	if (!priv.setpcap)
		DEGRADE(PROT_BOUNDING_SET, "no CAP_SETPCAP: the bounding set stays, securebits unlocked");
	if (!priv.chown)
		DEGRADE(PROT_SUBMISSION_OWNER, "no CAP_CHOWN: the submission stays its uploader's");
	if (abi <= 0)
		DEGRADE(PROT_LANDLOCK, "unavailable%s", !priv.root ? ": a non-root start is then a setup "
			"failure unless --unsafe same-uid" : "");
	else if (abi < LANDLOCK_ABI_FULL)
		DEGRADE(PROT_LANDLOCK, "ABI %d of %d: no signal or abstract-socket scoping%s", abi,
			LANDLOCK_ABI_FULL, !priv.root ? " (a non-root start needs it)" : "");
	/* As lockdown step 4 will judge: no room above usher's score (the runtime's 1000,
	 * which usher tries to lower as this does, on its own score), or no Landlock. */
	char score[16] = "";
	int fd = sys_openat(AT_FDCWD, "/proc/self/oom_score_adj", O_RDWR, 0);
	if (fd < 0)
		DEGRADE(PROT_OOM_SCORE, "/proc/self/oom_score_adj: %s", strerror(-fd));
	else if (sys_pread(fd, score, sizeof score - 1, 0) > 0 && strtol(score, NULL, 10) >= 1000 &&
		 sys_write(fd, "0", 1) != 1)
		DEGRADE(PROT_OOM_SCORE, "oom_score_adj 1000, set by the runtime: no room above usher's");
	else if (abi <= 0)
		DEGRADE(PROT_OOM_SCORE, "no Landlock: the grader may write its score back down to usher's");
	if (fd >= 0)
		sys_close(fd);
	if (getpid() != 1 && (rc = sys_prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) < 0)
		DEGRADE(PROT_SUBREAPER, "prctl PR_SET_CHILD_SUBREAPER: %s", strerror(-rc));
	notification(&p[PROT_DENIED_CALLS], &p[PROT_LOOPBACK]);
#undef DEGRADE
}

int doctor_main(const struct usher_config *cfg, struct usher_report *rep)
{
	struct prot prot[PROT_COUNT];
	struct doctor d = {.full = true};
	(void)rep;
	add(&d, "pid1", getpid() == 1 ? "ok" : "warn", getpid() == 1 ? "usher is PID 1: it reaps and kills everything"
	    : "not PID 1 (pid %d): usher becomes a child subreaper; leftovers are killed on a best effort", (int)getpid());
	add(&d, "user", getuid() == 0 ? "ok" : "fail", "uid %u gid %u%s", getuid(), getgid(),
	    getuid() == 0 ? "" : ": not root: the grader runs as this uid (non-root mode)");
	caps(&d);
	long nnp = status_field("NoNewPrivs:");
	add(&d, "no_new_privs", "ok", nnp == 1 ? "already set by the runtime" : "not set yet: usher sets it");
	long sec = status_field("Seccomp:"), filters = status_field("Seccomp_filters:");
	add(&d, "seccomp", "ok", "runtime mode %ld, %ld filter(s): usher stacks its own", sec, filters < 0 ? 0 : filters);
	landlock(&d);
	userns(&d);
	openat2_fact(&d);
	inotify(&d, cfg);
	pids(&d);
	protections(prot);

	if (cfg->doctor_json) {
		static char out[16384];
		struct jbuf b;
		jb_init(&b, out, sizeof out);
		jb_begin(&b);
		jb_kbool(&b, "fully_enforceable", d.full);
		for (int i = 0; i < d.n; i++) {
			jb_key(&b, d.f[i].name);
			jb_begin(&b);
			jb_kstr(&b, "level", d.f[i].level);
			jb_kstr(&b, "text", d.f[i].text);
			jb_end(&b);
		}
		/* The names of --require and lockdown.degraded: what a run with the defaults
		 * here would apply, or degrade and why. */
		jb_key(&b, "protections");
		jb_begin(&b);
		for (int i = 0; i < PROT_COUNT; i++) {
			jb_key(&b, protection_name((enum usher_protection)i));
			jb_begin(&b);
			jb_kbool(&b, "applied", prot[i].ok);
			if (prot[i].ok)
				jb_knull(&b, "reason");
			else
				jb_kstr(&b, "reason", prot[i].why);
			jb_end(&b);
		}
		jb_end(&b);
		jb_end(&b);
		printf("%s\n", jb_text(&b));
	} else {
		for (int i = 0; i < d.n; i++)
			printf("%-4s  %-16s %s\n", d.f[i].level, d.f[i].name, d.f[i].text);
		printf("protections with the defaults here (the names of --require and lockdown.degraded):\n");
		for (int i = 0; i < PROT_COUNT; i++)
			printf("%-8s  %-16s %s\n", prot[i].ok ? "applied" : "degraded",
			       protection_name((enum usher_protection)i), prot[i].why);
		printf("%s\n", d.full ? "usher can enforce its default policy here."
				      : "usher cannot enforce its full default policy here (see fail lines).");
	}
	return d.full ? 0 : -ENOTSUP;
}
