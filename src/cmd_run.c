/* cmd_run.c - `usher run`, the client: what the grader runs, as the grader.
 *
 * Everything it opens, it opens with the grader's own rights (stdin, stdout, stderr,
 * --dir, --hide, --meta), so a request can never name more than the grader could
 * reach itself; the broker only receives fds. One request goes down the channel PID 1
 * gave the grader (USHER_RUN_FD) with a private reply socket; the verdict comes back
 * on that socket. When this process dies (the grader's own timeout kills it), the
 * reply socket closes and the keeper ends the run: a run never outlives its client.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "plan.h"
#include "run.h"
#include "sys.h"
#include "util.h"

extern char **environ;

/* The verdict of a run that did not start: "what: strerror(err)" (err 0: what alone). */
__attribute__((format(printf, 3, 4))) static int fail(struct run_verdict *v, int err, const char *fmt, ...)
{
	char what[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	v->status = RUN_INTERNAL;
	if (err)
		snprintf(v->message, sizeof v->message, "%s: %s", what, strerror(err));
	else
		snprintf(v->message, sizeof v->message, "%s", what);
	log_error("run: %s", v->message);
	return err ? -err : -EINVAL;
}

static int add_string(struct run_request_buf *r, const char *s)
{
	size_t n = strlen(s) + 1;
	if (r->h.strings + n > sizeof r->strings)
		return -E2BIG;
	memcpy(r->strings + r->h.strings, s, n);
	r->h.strings += (uint32_t)n;
	return 0;
}

static const char *env_lookup(const char *name, size_t len)
{
	for (char **e = environ; e && *e; e++)
		if (!strncmp(*e, name, len) && (*e)[len] == '=')
			return *e;
	return NULL;
}

/* The learner's environment: only what a program needs to run, and what --env names.
 * Nothing else of the grader's (its secrets, its paths) goes over. HOME, TMPDIR, USER
 * and LOGNAME are the keeper's (the run's own). */
static int add_env(const struct usher_config *cfg, struct run_request_buf *r)
{
	static const char *const keep[] = {"PATH", "LANG", "LC_ALL", "TZ"};
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < sizeof keep / sizeof keep[0]; i++) {
		const char *e = env_lookup(keep[i], strlen(keep[i]));
		if (e || !strcmp(keep[i], "PATH")) {
			rc = add_string(r, e ? e : "PATH=/usr/local/bin:/usr/bin:/bin");
			r->h.envc++;
		}
	}
	for (size_t i = 0; rc == 0 && i < cfg->run.env.n; i++) {
		const char *e = cfg->run.env.v[i];
		if (!strchr(e, '=') && !(e = env_lookup(e, strlen(e))))
			continue; /* NAME alone, and the grader has no such variable */
		rc = add_string(r, e);
		r->h.envc++;
	}
	return rc;
}

static int open_as_grader(const char *path, int flags, int *fd, struct run_verdict *v)
{
	*fd = sys_openat(AT_FDCWD, path, flags | O_CLOEXEC, 0644);
	return *fd < 0 ? fail(v, -*fd, "open %s", path) : 0;
}

/* Fill the fds of the request, in enum run_fd order; *n counts them. Streams not named
 * are usher run's own 0, 1 and 2 (*own says which, so that they are not closed). */
static int open_fds(const struct usher_config *cfg, struct run_request_buf *r, int *fds, unsigned *n,
		    bool *own, struct run_verdict *v)
{
	const struct usher_config *c = cfg;
	int fd, rc;
	const char *paths[3] = {c->run.stdin_path, c->run.stdout_path, c->run.stderr_path};
	for (int i = 0; i < 3; i++) {
		if (!paths[i]) {
			fd = i; /* inherited */
			own[*n] = true;
		} else if (i == 2 && paths[1] && !strcmp(paths[2], paths[1])) {
			/* The same file for both: one open file, so the two streams do not
			 * overwrite each other at their own offsets. */
			fd = fds[*n - 1];
			own[*n] = true;
		} else if ((rc = open_as_grader(paths[i], i ? O_WRONLY | O_CREAT | O_TRUNC : O_RDONLY, &fd, v)) < 0) {
			return rc;
		}
		fds[(*n)++] = fd;
	}
	if (c->run.dir) {
		if ((rc = open_as_grader(c->run.dir, O_RDONLY | O_DIRECTORY, &fd, v)) < 0)
			return rc;
		fds[(*n)++] = fd, r->h.flags |= RUN_HAS_DIR;
	}
	for (size_t i = 0; i < c->run.hide.n; i++) {
		struct stat st;
		/* The object itself: a symlink would hide its target from the grader's view
		 * of the moment, not what the learner will open. */
		if ((rc = open_as_grader(c->run.hide.v[i], O_PATH | O_NOFOLLOW, &fd, v)) < 0)
			return rc;
		fds[(*n)++] = fd, r->h.nhide++;
		if ((rc = sys_fstat(fd, &st)) < 0)
			return fail(v, -rc, "fstat %s", c->run.hide.v[i]);
		if (S_ISLNK(st.st_mode))
			return fail(v, 0, "--hide %s: a symbolic link (name what it points to)", c->run.hide.v[i]);
	}
	return 0;
}

static int build(const struct usher_config *cfg, struct run_request_buf *r, struct run_verdict *v)
{
	int rc = 0;
	r->h = (struct run_request){.magic = RUN_MAGIC, .version = RUN_VERSION};
	r->h.lim = (struct run_limits){.cpu_ms = cfg->cpu_time_ms, .wall_ms = cfg->run.wall_ms,
				       .memory = cfg->memory_limit, .max_output = cfg->max_output,
				       .fsize = cfg->run.fsize, .processes = cfg->run.processes,
				       .open_files = cfg->run.open_files};
	if (cfg->network == NET_ALL)
		r->h.flags |= RUN_ALLOW_NETWORK;
	for (char *const *a = cfg->argv; rc == 0 && *a; a++, r->h.argc++)
		rc = r->h.argc >= RUN_MAX_ARGS ? -E2BIG : add_string(r, *a);
	if (rc == 0)
		rc = add_env(cfg, r);
	return rc < 0 ? fail(v, -rc, "the program's arguments and environment") : 0;
}

static int write_meta(const char *path, const struct run_verdict *v)
{
	char json[8192];
	int len = run_meta_json(v, json, sizeof json - 1), fd, rc;
	if (len < 0)
		return len;
	json[len++] = '\n';
	if ((fd = sys_openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		log_error("run: open --meta %s: %s", path, strerror(-fd));
		return fd;
	}
	if ((rc = write_whole(fd, json, (size_t)len)) < 0)
		log_error("run: write --meta %s: %s", path, strerror(-rc));
	sys_close(fd);
	return rc;
}

static int request(const struct usher_config *cfg, struct run_verdict *v)
{
	static struct run_request_buf r;
	int fds[RFD_MAX], pair[2], rc;
	bool own[RFD_MAX] = {false};
	unsigned n = 0;
	if (cfg->run.channel < 0)
		return fail(v, 0, "no channel to usher (USHER_RUN_FD is unset): usher run works in "
			    "a grader that usher supervises as PID 1 (not with --exec)");
	if ((rc = build(cfg, &r, v)) < 0)
		return rc;
	if ((rc = sys_socketpair(pair)) < 0)
		return fail(v, -rc, "socketpair");
	fds[n++] = pair[1];
	rc = open_fds(cfg, &r, fds, &n, own, v);
	size_t len = offsetof(struct run_request_buf, strings) + r.h.strings;
	ssize_t sent = rc < 0 ? rc : sys_send_fds(cfg->run.channel, &r, len, fds, n);
	for (unsigned i = 0; i < n; i++)
		if (!own[i])
			sys_close(fds[i]);
	if (rc < 0 || sent < 0) {
		sys_close(pair[0]);
		return rc < 0 ? rc : fail(v, (int)-sent, "send the request to usher");
	}
	ssize_t got = sys_recv_record(pair[0], v, sizeof *v, &rc);
	if (rc >= 0)
		sys_close(rc); /* nothing is ever sent back but the verdict */
	sys_close(pair[0]);
	if (got != (ssize_t)sizeof *v || v->magic != RUN_MAGIC) {
		memset(v, 0, sizeof *v);
		v->exit_code = -1;
		return fail(v, got < 0 ? (int)-got : 0, "usher ended the run without a verdict");
	}
	v->message[sizeof v->message - 1] = '\0';
	if (v->status == RUN_INTERNAL)
		log_error("run: %s", v->message);
	return 0;
}

int run_main(const struct usher_config *cfg, struct usher_report *rep, struct run_verdict *v)
{
	(void)rep;
	memset(v, 0, sizeof *v);
	v->exit_code = -1;
	v->network = cfg->network;
	request(cfg, v);
	/* The verdict is written even when there was none to get: the grader reads it. */
	if (cfg->run.meta && write_meta(cfg->run.meta, v) < 0)
		return -EIO;
	return 0;
}
