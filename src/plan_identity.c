/* plan_identity.c - who the grader will be, decided once before the fork.
 *
 *   --user auto (the default)   a uid and gid of this run's own, drawn at random from
 *                               [AUTO_FIRST, AUTO_LAST) where the container's user
 *                               namespace maps them, never one the image's /etc/passwd
 *                               or /etc/group lists;
 *   --user UID[:GID]|NAME[:GROUP]  that identity (config_user.c).
 *
 * Why a uid of its own: the kernel counts several resources per uid across the whole
 * host, not per container: RLIMIT_NPROC (measured: while one container's grader held
 * 1,023 processes, another container's grader could not fork), inotify instances and
 * watches, pipe buffer pages, POSIX message queues, keyrings. Graders of many
 * containers sharing uid 65534 share those budgets. isolate gives each box its own uid;
 * systemd's DynamicUser allocates from a range. usher cannot see the other containers,
 * so it draws from 268 million uids: two of k concurrent runs on one host share a uid
 * with probability about k^2 / 5.4e8 (k = 100: 2e-5). In a user namespace that maps
 * fewer ids (Docker's userns-remap maps 65536), the draw is from what it maps.
 *
 * Everything that depends on the uid follows: HOME, a private directory (0700) in the
 * first --writable directory, with XDG_CACHE_HOME, XDG_CONFIG_HOME and XDG_DATA_HOME
 * under it (Go's build cache, pip, npm, matplotlib); USER and LOGNAME; a git
 * safe.directory for the submission (root owns it, so git calls it "dubious"); and an
 * /etc/passwd and /etc/group entry where the image's files are writable (in a container
 * only, never a host's), as OpenShift's images do for arbitrary uids (Java's user.name and user.home, `id -un`, ssh look the
 * uid up there). --env-keep HOME or --setenv HOME=... keep the operator's HOME instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "lockdown.h"
#include "log.h"
#include "parse.h"
#include "plan.h"
#include "stages.h"
#include "sys.h"
#include "util.h"

#define AUTO_FIRST UINT64_C(0x70000000) /* above systemd's container range (to 0x6fffffff) */
#define AUTO_LAST UINT64_C(0x7fff0000)  /* below 2^31: some tools take uids as signed ints */
#define TEXT_MAX (1 << 20)

/* Does any line of an /etc/passwd or /etc/group text have `id` as its third field? If
 * so, also copy its first field (the name) into name[]. */
static bool listed(const char *text, uint64_t id, char *name, size_t namelen)
{
	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n'), *c1 = strchr(line, ':');
		const char *c2 = c1 && (!end || c1 < end) ? strchr(c1 + 1, ':') : NULL;
		if (c2 && (!end || c2 < end)) {
			char num[24];
			uint64_t v;
			size_t n = strcspn(c2 + 1, ":\n");
			if (n < sizeof num) {
				memcpy(num, c2 + 1, n);
				num[n] = '\0';
				if (parse_u64(num, &v) == 0 && v == id) {
					if (name)
						snprintf(name, namelen, "%.*s", (int)(c1 - line), line);
					return true;
				}
			}
		}
		line = end ? end + 1 : NULL;
	}
	return false;
}

/* The range of ids to draw from: [AUTO_FIRST, AUTO_LAST) when /proc/self/uid_map maps
 * it whole (no user namespace, or a large one), else the upper part of the largest
 * mapped range. No uid_map (no /proc): the default range. */
static void draw_range(uint64_t *lo, uint64_t *hi)
{
	char map[4096];
	uint64_t best_lo = 0, best_n = 0;
	*lo = AUTO_FIRST;
	*hi = AUTO_LAST;
	if (file_read_small(AT_FDCWD, "/proc/self/uid_map", map, sizeof map, false) < 0)
		return;
	for (char *line = map, *next; line && *line; line = next) {
		uint64_t v[3];
		char *save = NULL, *w = NULL;
		int k = 0;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		/* "inside outside count", space-aligned */
		for (w = strtok_r(line, " \t", &save); w && k < 3 && parse_u64(w, &v[k]) == 0;
		     w = strtok_r(NULL, " \t", &save))
			k++;
		if (k != 3)
			continue;
		uint64_t in = v[0], n = v[2];
		if (in <= AUTO_FIRST && in + n >= AUTO_LAST)
			return; /* the whole default range is mapped */
		if (n > best_n)
			best_lo = in, best_n = n;
	}
	/* Keep clear of the ids images give their own users (below 10000). */
	*lo = best_lo + (best_n > 20000 ? 10000 : best_n / 2);
	*hi = best_lo + best_n - 2; /* never the last id: 65535 is often (uid_t)-1 in 16 bits */
}

static int choose_uid(struct usher_plan *plan, const char *passwd, const char *group)
{
	uint64_t lo, hi;
	draw_range(&lo, &hi);
	for (int attempt = 0; attempt < 64 && hi > lo; attempt++) {
		uint32_t r;
		if (sys_getrandom(&r, sizeof r) != (ssize_t)sizeof r)
			return -EIO;
		uint64_t id = lo + r % (hi - lo);
		if (id == 65534 || listed(passwd, id, NULL, 0) || listed(group, id, NULL, 0))
			continue;
		plan->uid = (uid_t)id;
		plan->gid = (gid_t)id; /* a group of its own too */
		return 0;
	}
	return -ENOSPC;
}

/* Append LINE to an /etc file of the image, if it is a regular file root may write:
 * one write(2) with O_APPEND, so a reader sees the line whole or not at all. */
static void append_entry(const char *path, const char *text, const char *line)
{
	char buf[320];
	struct stat st;
	int fd = sys_openat(AT_FDCWD, path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK, 0), rc;
	if (fd < 0) {
		log_verbose("%s: no entry for the grader: %s", path, strerror(-fd));
		return;
	}
	bool newline = text && *text && text[strlen(text) - 1] != '\n';
	int n = snprintf(buf, sizeof buf, "%s%s\n", newline ? "\n" : "", line);
	if ((rc = sys_fstat(fd, &st)) == 0 && S_ISREG(st.st_mode) && n > 0 && (size_t)n < sizeof buf)
		rc = sys_write(fd, buf, (size_t)n) == n ? 0 : -EIO;
	if (rc < 0)
		log_verbose("%s: no entry for the grader: %s", path, strerror(-rc));
	sys_close(fd);
}

/* Is usher in a container? The initial pid namespace has a fixed inode number
 * (PROC_PID_INIT_INO): anywhere else, the /etc files are the container's own, and
 * adding an entry there is the container's business. On a host they are the machine's:
 * never touched. */
static bool in_container(void)
{
	struct stat st;
	return sys_fstatat(AT_FDCWD, "/proc/self/ns/pid", &st, 0) == 0 && st.st_ino != 0xEFFFFFFCu;
}

/* HOME: a private directory for the grader in the first --writable directory that
 * exists. Created O_NOFOLLOW-safe (mkdirat, then opened without following a planted
 * symlink and checked by fd); a name that is taken gets a random suffix. */
static int make_home(const struct usher_config *cfg, struct usher_plan *plan, struct usher_report *rep)
{
	for (size_t i = 0; i < cfg->writable.n; i++) {
		int base = sys_openat(AT_FDCWD, cfg->writable.v[i], O_PATH | O_DIRECTORY, 0);
		if (base < 0)
			continue;
		for (int attempt = 0; attempt < 8; attempt++) {
			char name[64];
			int rc;
			uint32_t r = 0;
			if (attempt && sys_getrandom(&r, sizeof r) < 0)
				break;
			snprintf(name, sizeof name, attempt ? "usher-home-%u.%08x" : "usher-home-%u",
				 (unsigned)plan->uid, r);
			bool made = (rc = sys_mkdirat(base, name, 0700)) == 0;
			if (rc < 0 && rc != -EEXIST)
				break;
			rc = 0;
			int fd = sys_openat(base, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
			struct stat st;
			if (fd < 0 || sys_fstat(fd, &st) < 0) {
				if (fd >= 0)
					sys_close(fd);
				continue;
			}
			/* Ours when just made (root's, or the grader's in a non-root start) or
			 * left by an earlier run for the same uid. */
			bool ours = made || st.st_uid == plan->uid;
			if (ours && plan->switch_ids && plan->priv.chown)
				rc = sys_fchown(fd, plan->uid, plan->gid);
			if (ours && rc == 0)
				rc = sys_fchmod(fd, 0700);
			sys_close(fd);
			if (!ours)
				continue;
			sys_close(base);
			if (rc < 0)
				return report_fail(rep, STEP_IDENTITY, -rc, "give %s/%s to uid %u",
						   cfg->writable.v[i], name, (unsigned)plan->uid);
			snprintf(plan->home, sizeof plan->home, "%s/%s", cfg->writable.v[i], name);
			return 0;
		}
		sys_close(base);
	}
	log_warn("identity: no --writable directory to make the grader's HOME in: HOME stays as it is");
	return 0;
}

/* The git configuration that trusts the submission (owned by root) for this user. */
static void git_safe_directory(const struct usher_config *cfg, const struct usher_plan *plan)
{
	char path[300], text[4200];
	snprintf(path, sizeof path, "%s/.gitconfig", plan->home);
	int n = snprintf(text, sizeof text, "# usher: the submission is root's and read-only to the "
			 "grader; trust it.\n[safe]\n\tdirectory = %s\n", cfg->submission);
	int fd = sys_openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644);
	if (fd < 0)
		return;
	if (n > 0 && (size_t)n < sizeof text && sys_write(fd, text, (size_t)n) == n && plan->switch_ids &&
	    plan->priv.chown)
		sys_fchown(fd, plan->uid, plan->gid);
	sys_close(fd);
}

int plan_identity(const struct usher_config *cfg, struct usher_plan *plan, struct usher_report *rep)
{
	static char passwd[TEXT_MAX], group[TEXT_MAX], name[64];
	int rc;
	if (file_read_small(AT_FDCWD, "/etc/passwd", passwd, sizeof passwd, true) < 0)
		passwd[0] = '\0';
	if (file_read_small(AT_FDCWD, "/etc/group", group, sizeof group, true) < 0)
		group[0] = '\0';

	plan->switch_ids = plan->priv.setid;
	if (plan->switch_ids && cfg->user_auto) {
		if ((rc = choose_uid(plan, passwd, group)) < 0) {
			plan->uid = plan->gid = 65534;
			if ((rc = degrade(cfg, rep, PROT_OWN_UID, 0, "no free uid to draw (%s): the "
					  "grader runs as 65534", strerror(-rc))) < 0)
				return rc;
		}
	} else if (plan->switch_ids) {
		plan->uid = cfg->uid;
		plan->gid = cfg->gid;
	} else if (plan->priv.root) {
		/* Root without CAP_SETUID/CAP_SETGID (Kubernetes `drop: [ALL]` with
		 * runAsUser 0): the grader would be uid 0 and own the image's files. */
		if (!(cfg->unsafe & UNSAFE_ROOT_GRADER))
			return report_fail(rep, STEP_IDENTITY, EPERM, "usher is root without CAP_SETUID and "
					   "CAP_SETGID: the grader would run as uid 0; add SETUID and SETGID to "
					   "the container's capabilities, or accept it with --unsafe root-grader");
		plan->uid = 0;
		plan->gid = getgid();
		if ((rc = degrade(cfg, rep, PROT_UID_SWITCH, 0, "root without CAP_SETUID/CAP_SETGID: "
				  "the grader runs as uid 0 (--unsafe root-grader)")) < 0)
			return rc;
	} else {
		/* Non-root start (image USER, docker run --user, runAsNonRoot): the grader
		 * keeps usher's ids; PID 1 is then kept apart by non-dumpability and
		 * Landlock's scoping (plan.c insists on it). */
		plan->uid = getuid();
		plan->gid = getgid();
		if (cfg->user_explicit && (cfg->uid != plan->uid || cfg->gid != plan->gid))
			return report_fail(rep, STEP_UID, EPERM, "switch to --user %s (uid %u): usher runs as "
					   "uid %u without CAP_SETUID/CAP_SETGID", cfg->user_spec,
					   (unsigned)cfg->uid, (unsigned)plan->uid);
		/* The runtime's supplementary groups (docker --group-add, Kubernetes fsGroup)
		 * stay too: only CAP_SETGID could drop them. */
		gid_t groups[64];
		int ng = sys_getgroups(64, groups);
		char extra[120] = "";
		for (int i = 0; i < ng && strlen(extra) < sizeof extra - 16; i++)
			snprintf(extra + strlen(extra), sizeof extra - strlen(extra), "%s%u", i ? "," : "; and keeps the groups ",
				 (unsigned)groups[i]);
		if ((rc = degrade(cfg, rep, PROT_UID_SWITCH, 0, "usher started as uid %u without "
				  "CAP_SETUID: the grader shares its uid%s", (unsigned)plan->uid, extra)) < 0)
			return rc;
		if (cfg->user_auto && (rc = degrade(cfg, rep, PROT_OWN_UID, 0, "the grader keeps "
						    "the container's uid %u", (unsigned)plan->uid)) < 0)
			return rc;
	}

	/* HOME first: the passwd entry added below points at it. */
	plan->user_name = name;
	plan->home[0] = '\0';
	if (!env_overrides(cfg, "HOME")) {
		if ((rc = make_home(cfg, plan, rep)) < 0)
			return rc;
		if (plan->home[0])
			git_safe_directory(cfg, plan);
	}
	/* The name: the image's, or usher-UID with an entry added where root may. */
	if (!listed(passwd, plan->uid, name, sizeof name)) {
		snprintf(name, sizeof name, "usher-%u", (unsigned)plan->uid);
		if (plan->switch_ids && plan->priv.root && in_container()) {
			char line[400];
			snprintf(line, sizeof line, "%s:x:%u:%u:usher grader:%s:/sbin/nologin", name,
				 (unsigned)plan->uid, (unsigned)plan->gid, plan->home[0] ? plan->home : "/");
			append_entry("/etc/passwd", passwd, line);
			if (!listed(group, plan->gid, NULL, 0)) {
				snprintf(line, sizeof line, "usher-%u:x:%u:", (unsigned)plan->gid,
					 (unsigned)plan->gid);
				append_entry("/etc/group", group, line);
			}
		}
	}
	log_verbose("identity: uid %u gid %u (%s)%s%s", (unsigned)plan->uid, (unsigned)plan->gid, name,
		    plan->home[0] ? ", HOME " : "", plan->home);
	return 0;
}
