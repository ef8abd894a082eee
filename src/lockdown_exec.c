/* lockdown_exec.c - lockdown step 10: execve of PROGRAM, with the PATH lookup done here (in the
 * grader's environment, as execvp would) because usher cannot trust the image's libc
 * and must know which error to report: not found (127) or not executable (126). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "plan.h"
#include "stages.h"
#include "sys.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *grader_path(const struct usher_plan *plan)
{
	for (const char **e = plan->env; e && *e; e++)
		if (!strncmp(*e, "PATH=", 5))
			return *e + 5;
	return DEFAULT_PATH;
}

/* execve says ENOENT both for "no such PROGRAM" and for "PROGRAM's #! interpreter is
 * missing". The second means PROGRAM was found (126, as bash says "bad interpreter"),
 * and its most common cause is a script saved with CRLF line endings: say so. */
static int explain_enoent(const char *path, struct usher_report *rep)
{
	char head[256];
	int fd = sys_openat(AT_FDCWD, path, O_RDONLY | O_NONBLOCK, 0);
	if (fd < 0)
		return 0;
	ssize_t n = sys_read(fd, head, sizeof head - 1);
	sys_close(fd);
	if (n < 2 || head[0] != '#' || head[1] != '!')
		return 0;
	head[n] = '\0';
	head[strcspn(head, "\n")] = '\0';
	char *interp = head + 2 + strspn(head + 2, " \t");
	size_t len = strcspn(interp, " \t");
	if (len && interp[len - 1] == '\r' && !interp[len]) {
		interp[len - 1] = '\0';
		return report_fail(rep, STEP_EXEC, ENOEXEC,
				   "exec %s: CRLF line endings in the shebang ('#!%s\\r'): "
				   "convert the script to LF (dos2unix)", path, interp);
	}
	interp[len] = '\0';
	return report_fail(rep, STEP_EXEC, ENOEXEC, "exec %s: its interpreter %s was not found",
			   path, interp);
}

int exec_program(const struct usher_config *cfg, const struct usher_plan *plan, struct usher_report *rep)
{
	const char *prog = cfg->argv[0];
	char *const *envp = (char *const *)plan->env;
	char full[4096];
	int rc, first = -ENOENT;

	/* A name with a slash, relative ones included, is run as is (relative to the
	 * kept working directory: graders use "grader/grader.py"). */
	if (strchr(prog, '/')) {
		rc = sys_execve(prog, cfg->argv, envp);
		if (rc == -ENOENT && explain_enoent(prog, rep) < 0)
			return -ENOEXEC;
		return report_fail(rep, STEP_EXEC, -rc, "exec %s", prog);
	}
	for (const char *dir = grader_path(plan); dir;) {
		const char *colon = strchr(dir, ':');
		size_t len = colon ? (size_t)(colon - dir) : strlen(dir);
		/* An empty PATH element means the working directory, as in POSIX. */
		if (snprintf(full, sizeof full, "%.*s%s%s", (int)len, dir, len ? "/" : "", prog) <
		    (int)sizeof full) {
			rc = sys_execve(full, cfg->argv, envp);
			if (rc == -ENOENT && explain_enoent(full, rep) < 0)
				return -ENOEXEC;
			/* Remember the most telling error: a file that exists but cannot
			 * run (EACCES) beats "not here" (ENOENT) from the other entries. */
			if (rc != -ENOENT && rc != -ENOTDIR && first == -ENOENT)
				first = rc;
		}
		dir = colon ? colon + 1 : NULL;
	}
	return report_fail(rep, STEP_EXEC, -first, "exec %s (PATH=%s)", prog, grader_path(plan));
}
