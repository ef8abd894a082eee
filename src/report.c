/* report.c - the result file (SPEC.md "Result file").
 *
 * The directory of --result is opened before any grader exists (report_prepare), and
 * the file is written at the very end, after every grader process is gone: to a temp
 * file created O_EXCL in that directory, fsynced, renamed into place. So the grader can
 * neither redirect the result through a symlink it planted, nor pre-create, truncate or
 * forge it: there is nobody left to race with when it is written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "log.h"
#include "parse.h"
#include "plan.h"
#include "report.h"
#include "stages.h"
#include "sys.h"

#define RESULT_VERSION 1

static const char *status_name(enum usher_status s)
{
	switch (s) {
	case ST_EXITED: return "exited";
	case ST_SIGNALED: return "signaled";
	case ST_TIMEOUT: return "timeout";
	case ST_WAIT_TIMEOUT: return "wait_timeout";
	case ST_SIDECAR_FAILED: return "sidecar_failed";
	case ST_REJECTED: return "rejected";
	case ST_SETUP_FAILED: return "setup_failed";
	case ST_EXEC_FAILED: return "exec_failed";
	}
	return "setup_failed";
}

/* Split PATH into its directory (opened O_PATH) and its last component. */
static int open_parent(const char *path, const char **name)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	*name = slash ? slash + 1 : path;
	if (!**name)
		return -EISDIR;
	if (!slash)
		return sys_openat(AT_FDCWD, ".", O_PATH | O_DIRECTORY, 0);
	size_t len = slash == path ? 1 : (size_t)(slash - path);
	if (len >= sizeof dir)
		return -ENAMETOOLONG;
	memcpy(dir, path, len);
	dir[len] = '\0';
	return sys_openat(AT_FDCWD, dir, O_PATH | O_DIRECTORY, 0);
}

int report_prepare(const struct usher_config *cfg, struct usher_plan *plan,
		   struct usher_report *rep)
{
	plan->result_dirfd = -1;
	if (!cfg->result_path)
		return 0;
	int fd = open_parent(cfg->result_path, &plan->result_name);
	if (fd < 0)
		return report_fail(rep, "result", -fd, "open the directory of %s", cfg->result_path);
	plan->result_dirfd = fd;
	return 0;
}

static void grader_json(struct jbuf *b, const struct usher_report *rep)
{
	jb_key(b, "grader");
	if (!rep->grader.ran) {
		jb_null(b);
		return;
	}
	jb_begin(b);
	/* null when killed, or when usher lost track of it (supervision failed) */
	if (rep->grader.signal || rep->grader.exit_code < 0)
		jb_knull(b, "exit_code");
	else
		jb_ki64(b, "exit_code", rep->grader.exit_code);
	if (rep->grader.signal)
		jb_ki64(b, "signal", rep->grader.signal);
	else
		jb_knull(b, "signal");
	jb_ku64(b, "wall_ms", rep->grader.wall_ms);
	jb_ku64(b, "user_ms", rep->grader.user_ms);
	jb_ku64(b, "sys_ms", rep->grader.sys_ms);
	jb_ku64(b, "max_rss_kib", rep->grader.max_rss_kib);
	jb_end(b);
}

static void lockdown_json(struct jbuf *b, const struct usher_report *rep)
{
	jb_key(b, "lockdown");
	if (!rep->lockdown.applied) {
		jb_null(b);
		return;
	}
	jb_begin(b);
	jb_ku64(b, "uid", rep->lockdown.uid);
	jb_ku64(b, "gid", rep->lockdown.gid);
	jb_key(b, "caps");
	jb_array(b);
	for (unsigned c = 0; c <= cap_last(); c++)
		if (rep->lockdown.caps & (UINT64_C(1) << c))
			jb_str(b, cap_name(c));
	jb_array_end(b);
	jb_kbool(b, "no_new_privs", rep->lockdown.no_new_privs);
	jb_ki64(b, "landlock_abi", rep->lockdown.landlock_abi);
	jb_kstr(b, "seccomp", rep->lockdown.seccomp ? rep->lockdown.seccomp : "none");
	jb_kbool(b, "network", rep->lockdown.network);
	jb_end(b);
}

int report_json(const struct usher_report *rep, char *buf, size_t len)
{
	struct jbuf b;
	jb_init(&b, buf, len);
	jb_begin(&b);
	jb_ku64(&b, "version", RESULT_VERSION);
	jb_kstr(&b, "status", status_name(rep->status));
	jb_ki64(&b, "exit_code", rep->exit_code);
	grader_json(&b, rep);
	if (rep->wait_ms < 0)
		jb_knull(&b, "wait_ms");
	else
		jb_ku64(&b, "wait_ms", (uint64_t)rep->wait_ms);
	jb_key(&b, "submission");
	if (rep->submission.checked) {
		jb_begin(&b);
		jb_ku64(&b, "files", rep->submission.files);
		jb_ku64(&b, "bytes", rep->submission.bytes);
		jb_end(&b);
	} else {
		jb_null(&b);
	}
	lockdown_json(&b, rep);
	jb_key(&b, "error");
	if (rep->error.set) {
		jb_begin(&b);
		jb_kstr(&b, "step", rep->error.step);
		jb_ki64(&b, "errno", rep->error.err);
		jb_kstr(&b, "message", rep->error.message);
		jb_end(&b);
	} else {
		jb_null(&b);
	}
	if (rep->sidecar_reason[0])
		jb_kstr(&b, "sidecar_reason", rep->sidecar_reason);
	jb_end(&b);
	return b.overflow ? -ENOBUFS : (int)b.len;
}

int report_write(const struct usher_config *cfg, const struct usher_plan *plan,
		 const struct usher_report *rep)
{
	char json[8192], tmp[96];
	const char *name;
	int dirfd = plan ? plan->result_dirfd : -1, rc, fd;
	bool own_dirfd = false;

	int len = report_json(rep, json, sizeof json - 1);
	if (len < 0) {
		log_error("format result %s: %s", cfg->result_path, strerror(-len));
		return len;
	}
	json[len++] = '\n';
	if (dirfd < 0) {
		/* Before plan_build (a usage error): open the directory now. */
		if ((dirfd = open_parent(cfg->result_path, &name)) < 0) {
			log_error("write result %s: %s", cfg->result_path, strerror(-dirfd));
			return dirfd;
		}
		own_dirfd = true;
	} else {
		name = plan->result_name;
	}
	snprintf(tmp, sizeof tmp, ".usher-result.%d.tmp", (int)getpid());
	fd = sys_openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644);
	if (fd == -EEXIST) { /* a leftover of an earlier run with our pid: ours to replace */
		sys_unlinkat(dirfd, tmp, 0);
		fd = sys_openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644);
	}
	rc = fd;
	if (fd >= 0) {
		ssize_t w = sys_write(fd, json, (size_t)len);
		rc = w < 0 ? (int)w : w != len ? -EIO : sys_fsync(fd);
		sys_close(fd);
		if (rc >= 0)
			rc = sys_renameat(dirfd, tmp, dirfd, name);
		if (rc < 0)
			sys_unlinkat(dirfd, tmp, 0);
	}
	if (own_dirfd)
		sys_close(dirfd);
	if (rc < 0) {
		log_error("write result %s: %s", cfg->result_path, strerror(-rc));
		return rc;
	}
	log_verbose("result written to %s", cfg->result_path);
	return 0;
}
