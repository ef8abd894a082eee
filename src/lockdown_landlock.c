/* lockdown_landlock.c - lockdown step 8.
 *
 * The ruleset handles every filesystem right the kernel's ABI knows, and grants:
 *   /                          read files, list directories, execute
 *   --writable directories     everything
 *   --feedback files           write and truncate (created beforehand, owned by the
 *                              grader: creating files in /shared is not granted)
 *   a few devices              write (and ioctl): /dev/null, /dev/tty, ...
 * With ABI >= 4 and no --allow-network, TCP bind and connect are handled with no rule:
 * denied. With ABI >= 6, signals and abstract unix sockets are scoped: the grader
 * cannot signal or connect to anything outside its own domain, PID 1 included.
 *
 * Only ENOSYS, EOPNOTSUPP and EPERM from landlock_create_ruleset mean "no Landlock"
 * (an old kernel, Landlock not enabled at boot, a runtime seccomp profile that predates
 * it); any other errno is a failure (landlock_probe).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "lockdown.h"
#include "log.h"
#include "sys.h"

struct ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net; /* ABI 4 */
	uint64_t scoped;             /* ABI 6 */
};

struct path_beneath {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

#define FILE_RIGHTS (LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE | LL_FS_TRUNCATE | LL_FS_IOCTL_DEV)

/* Devices graders legitimately open for writing. */
static const char *const devices[] = {
	"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty", "/dev/ptmx",
};

static uint64_t fs_rights(int abi)
{
	uint64_t r = (LL_FS_MAKE_SYM << 1) - 1; /* ABI 1: EXECUTE .. MAKE_SYM */
	if (abi >= 2)
		r |= LL_FS_REFER;
	if (abi >= 3)
		r |= LL_FS_TRUNCATE;
	if (abi >= 5)
		r |= LL_FS_IOCTL_DEV;
	return r;
}

/* The ruleset of an ABI: every filesystem right it knows; TCP handled (with no rule:
 * denied) when asked, from ABI 4; signals and abstract sockets scoped from ABI 6.
 * Returns the size to pass, which tells the kernel which fields exist. */
static size_t ruleset_for(int abi, bool tcp_denied, struct ruleset_attr *attr)
{
	*attr = (struct ruleset_attr){.handled_access_fs = fs_rights(abi)};
	if (abi < 4)
		return sizeof attr->handled_access_fs;
	if (tcp_denied)
		attr->handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
	if (abi < 6)
		return offsetof(struct ruleset_attr, scoped);
	attr->scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL;
	return sizeof *attr;
}

int landlock_probe(void)
{
	int abi = sys_landlock_create_ruleset(NULL, 0, LL_CREATE_RULESET_VERSION);
	/* Not there: a kernel without it (ENOSYS), built in but not enabled at boot
	 * (EOPNOTSUPP), or a runtime profile that predates it (EPERM; runc's stub answers
	 * ENOSYS for Docker before 20.10.18). Anything else (EIO, ENOMEM...) is a fault,
	 * returned as such: it must not pass for "no Landlock". */
	if (abi == -ENOSYS || abi == -EOPNOTSUPP || abi == -EPERM) {
		log_verbose("landlock: unavailable: %s", strerror(-abi));
		return 0;
	}
	return abi;
}

/* Grant `rights` beneath `path`; a path that does not exist is skipped. */
static int allow(int ruleset, const char *path, uint64_t rights, uint64_t handled,
		 struct usher_report *rep)
{
	struct stat st;
	int fd = sys_openat(AT_FDCWD, path, O_PATH, 0), rc;
	if (fd == -ENOENT || fd == -ENOTDIR || fd == -EACCES) {
		log_verbose("landlock: %s: skipped: %s", path, strerror(-fd));
		return 0;
	}
	if (fd < 0)
		return report_fail(rep, STEP_LANDLOCK, -fd, "open %s", path);
	if ((rc = sys_fstat(fd, &st)) < 0) {
		sys_close(fd);
		return report_fail(rep, STEP_LANDLOCK, -rc, "fstat %s", path);
	}
	struct path_beneath pb = {.allowed_access = rights & handled, .parent_fd = fd};
	if (!S_ISDIR(st.st_mode))
		pb.allowed_access &= FILE_RIGHTS; /* only these make sense on a file */
	rc = sys_landlock_add_rule(ruleset, LL_RULE_PATH_BENEATH, &pb, 0);
	sys_close(fd);
	if (rc < 0)
		return report_fail(rep, STEP_LANDLOCK, -rc, "landlock_add_rule %s", path);
	return 0;
}

static int add_rules(const struct usher_config *cfg, int ruleset, uint64_t handled,
		     struct usher_report *rep)
{
	int rc = allow(ruleset, "/", LL_FS_READ_FILE | LL_FS_READ_DIR | LL_FS_EXECUTE, handled, rep);
	for (size_t i = 0; rc == 0 && i < cfg->writable.n; i++)
		rc = allow(ruleset, cfg->writable.v[i], handled, handled, rep);
	for (size_t i = 0; rc == 0 && i < cfg->feedback.n; i++)
		rc = allow(ruleset, cfg->feedback.v[i], LL_FS_WRITE_FILE | LL_FS_TRUNCATE, handled, rep);
	for (size_t i = 0; rc == 0 && i < sizeof devices / sizeof devices[0]; i++)
		rc = allow(ruleset, devices[i], LL_FS_WRITE_FILE | LL_FS_READ_FILE | LL_FS_IOCTL_DEV,
			   handled, rep);
	/* Pseudo-terminals of `docker run -t` live under /dev/pts. */
	if (rc == 0)
		rc = allow(ruleset, "/dev/pts", LL_FS_WRITE_FILE | LL_FS_READ_FILE | LL_FS_IOCTL_DEV,
			   handled, rep);
	return rc;
}

int landlock_apply(const struct usher_config *cfg, const struct usher_plan *plan,
		   struct usher_report *rep)
{
	int abi = plan->landlock_abi, rc;
	if (cfg->landlock == LANDLOCK_OFF)
		return 0;
	if (abi <= 0) {
		if (cfg->landlock == LANDLOCK_REQUIRE)
			return report_fail(rep, STEP_LANDLOCK, ENOSYS, "--landlock require: Landlock is unavailable");
		return 0; /* logged once by plan_build */
	}
	/* Landlock's TCP rules know ports, not addresses: they can only say "no TCP at
	 * all", which is what --network none means. Loopback-only is the supervisor's
	 * (supervise_notify.c). */
	struct ruleset_attr attr;
	size_t size = ruleset_for(abi, cfg->network == NET_NONE, &attr);
	int ruleset = sys_landlock_create_ruleset(&attr, size, 0);
	if (ruleset < 0)
		return report_fail(rep, STEP_LANDLOCK, -ruleset, "landlock_create_ruleset (ABI %d)", abi);
	rc = add_rules(cfg, ruleset, attr.handled_access_fs, rep);
	if (rc == 0 && (rc = sys_landlock_restrict_self(ruleset, 0)) < 0)
		rc = report_fail(rep, STEP_LANDLOCK, -rc, "landlock_restrict_self");
	sys_close(ruleset);
	if (rc == 0)
		rep->lockdown.landlock_abi = abi;
	return rc;
}

/* usher run's learner (run_child.c): the same rules, with the writable directories
 * given as fds (its --dir and temporary directory) and no feedback file; TCP denied
 * unless the run has the network; always scoped (ABI 6): the learner can signal and
 * reach abstract sockets of its own run only, not the grader, PID 1 or another run. */
int landlock_run(int abi, const int *rw, size_t nrw, bool tcp_denied, struct usher_report *rep)
{
	struct ruleset_attr attr;
	size_t size = ruleset_for(abi, tcp_denied, &attr);
	int rc = 0;
	int ruleset = sys_landlock_create_ruleset(&attr, size, 0);
	if (ruleset < 0)
		return report_fail(rep, STEP_LANDLOCK, -ruleset, "landlock_create_ruleset (ABI %d)", abi);
	struct usher_config none = {0};
	rc = add_rules(&none, ruleset, attr.handled_access_fs, rep);
	for (size_t i = 0; rc == 0 && i < nrw; i++) {
		struct path_beneath pb = {.allowed_access = attr.handled_access_fs, .parent_fd = rw[i]};
		if (rw[i] >= 0 && (rc = sys_landlock_add_rule(ruleset, LL_RULE_PATH_BENEATH, &pb, 0)) < 0)
			rc = report_fail(rep, STEP_LANDLOCK, -rc, "landlock_add_rule (a writable directory)");
	}
	if (rc == 0 && (rc = sys_landlock_restrict_self(ruleset, 0)) < 0)
		rc = report_fail(rep, STEP_LANDLOCK, -rc, "landlock_restrict_self");
	sys_close(ruleset);
	return rc;
}
