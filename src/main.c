/* usher - the ENTRYPOINT of an untrusted grading container.
 *
 * Theory of operation
 *
 *   usher starts as PID 1 (or under docker --init, as a child subreaper) with the
 *   grader's original command after "--". Its stages run in this order, each a
 *   function in its own file taking the const configuration:
 *
 *   config     argv and USHER_* variables -> struct usher_config (config.c); the
 *              secrets in PID 1's environment memory are wiped right after.
 *   plan       before waiting: compile the seccomp program, probe Landlock, open
 *              the result's directory (plan.c), so the handoff path is short.
 *   spawn      fork the grader's process; it runs the lockdown at once, SPEC
 *              steps 1-9 in order, each failing closed (lockdown*.c, landlock.c,
 *              seccomp*.c), reports over a close-on-exec socket and waits for a go
 *              (spawn.c). A lockdown that cannot be applied fails here, before the
 *              wait, and the handoff path is left with one byte and an execve.
 *   wait       until the sidecar publishes DIR.ready (or DIR.failed), by inotify
 *              with a polling fallback (wait.c).
 *   check      the submission through file descriptors only: types, symlinks,
 *              limits, modes (check.c).
 *   start      the go: the child execs PROGRAM (exec.c), the parent drops what
 *              PID 1 does not need (pid1.c). --exec instead runs wait, check and
 *              the lockdown in PID 1 itself, then execs in place.
 *   supervise  PID 1 reaps every zombie, forwards signals to the grader's group,
 *              enforces --timeout and kills what the grader left (supervise.c).
 *   report     the result JSON, written atomically once no grader process is left
 *              (report.c).
 *
 *   Only main() maps what happened to a result status and an exit status.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "plan.h"
#include "stages.h"
#include "usher.h"

static int exit_status(const struct usher_report *rep)
{
	switch (rep->status) {
	case ST_EXITED:
		return rep->grader.exit_code;
	case ST_SIGNALED: /* the grader was killed, or usher was stopped before it ran */
		return 128 + (rep->grader.signal ? rep->grader.signal : rep->signal);
	case ST_TIMEOUT:
		return EXIT_USHER_TIMEOUT;
	case ST_WAIT_TIMEOUT:
	case ST_SIDECAR_FAILED:
		return EXIT_USHER_NOT_READY;
	case ST_REJECTED:
		return EXIT_USHER_REJECTED;
	case ST_SETUP_FAILED:
		return EXIT_USHER_FAILED;
	case ST_EXEC_FAILED: /* as shells do: not found 127, found but not runnable 126 */
		return (rep->error.err == ENOENT || rep->error.err == ENOTDIR)
			       ? EXIT_USHER_NOTFOUND : EXIT_USHER_NOEXEC;
	}
	return EXIT_USHER_FAILED;
}

/* Every outcome ends here: status, exit status, result file. */
static int finish(const struct usher_config *cfg, struct usher_plan *plan,
		  struct usher_report *rep, enum usher_status status)
{
	rep->status = status;
	rep->exit_code = exit_status(rep);
	if (cfg->result_path && report_write(cfg, plan, rep) < 0 && rep->exit_code == 0)
		rep->exit_code = EXIT_USHER_FAILED; /* a verdict nobody can read is no success */
	plan_release(plan);
	return rep->exit_code;
}

static enum usher_status after_wait(int rc, const struct usher_report *rep)
{
	if (rc == -USHER_E_WAIT_TIMEOUT)
		return ST_WAIT_TIMEOUT;
	if (rc == -USHER_E_SIDECAR)
		return ST_SIDECAR_FAILED;
	if (rc == -USHER_E_REJECT) /* a marker that is not a file, or a malformed manifest */
		return ST_REJECTED;
	return rc == -USHER_E_SIGNAL && rep->signal ? ST_SIGNALED : ST_SETUP_FAILED;
}

static enum usher_status after_check(int rc)
{
	return rc == -USHER_E_REJECT ? ST_REJECTED : ST_SETUP_FAILED;
}

static enum usher_status after_grader(const struct usher_report *rep)
{
	if (rep->grader.timed_out)
		return ST_TIMEOUT;
	return rep->grader.signal ? ST_SIGNALED : ST_EXITED;
}

int main(int argc, char **argv, char **envp)
{
	struct usher_config cfg;
	struct usher_report rep = {.wait_ms = -1, .grader.exit_code = -1};
	struct usher_plan plan = {.result_dirfd = -1};
	struct usher_child child = {.pid = -1, .fd = -1};
	pid_t grader;
	int rc;

	if (config_load(argc, argv, envp, &cfg, &rep) < 0)
		return finish(&cfg, &plan, &rep, ST_SETUP_FAILED);
	switch (cfg.command) {
	case CMD_HELP:
		return config_print_help() < 0 ? EXIT_USHER_FAILED : 0;
	case CMD_VERSION:
		return printf("usher %s\n", USHER_VERSION) < 0 ? EXIT_USHER_FAILED : 0;
	case CMD_DELIVER:
		return deliver_main(&cfg, &rep) < 0 ? EXIT_USHER_FAILED : 0;
	case CMD_DOCTOR:
		rc = doctor_main(&cfg, &rep);
		return rc == 0 ? 0 : rc == -ENOTSUP ? 1 : EXIT_USHER_FAILED;
	case CMD_SHIM:
		break;
	}
	if (cfg.dry_run)
		return config_print_json(&cfg) < 0 ? EXIT_USHER_FAILED : 0;

	if (plan_build(&cfg, &plan, &rep) < 0)
		return finish(&cfg, &plan, &rep, ST_SETUP_FAILED);

	/* The grader's process locks down while usher waits; it execs on the go. In
	 * --exec mode PID 1 itself becomes the grader, so it waits and checks (as root)
	 * first and locks down after. spawn_abort() is a no-op without a child. */
	if (!cfg.exec_mode && spawn_prepare(&cfg, &plan, &rep, &child) < 0)
		return finish(&cfg, &plan, &rep, ST_SETUP_FAILED);
	if (!cfg.no_wait && (rc = wait_for_submission(&cfg, &rep)) < 0) {
		spawn_abort(&child, &rep);
		return finish(&cfg, &plan, &rep, after_wait(rc, &rep));
	}
	if ((rc = check_submission(&cfg, &rep)) < 0) {
		spawn_abort(&child, &rep);
		return finish(&cfg, &plan, &rep, after_check(rc));
	}

	if (cfg.exec_mode) {
		/* Nothing is left to supervise or report after a successful exec. */
		if (lockdown(&cfg, &plan, &rep) < 0)
			return finish(&cfg, &plan, &rep, ST_SETUP_FAILED);
		exec_program(&cfg, &rep);
		return finish(&cfg, &plan, &rep, ST_EXEC_FAILED);
	}
	if (spawn_start(&cfg, &rep, &child, &grader) < 0)
		return finish(&cfg, &plan, &rep,
			      strcmp(rep.error.step, "exec") ? ST_SETUP_FAILED : ST_EXEC_FAILED);
	wait_release(); /* off the handoff path: the grader runs already */
	if (supervise(&cfg, &rep, grader) < 0)
		return finish(&cfg, &plan, &rep, ST_SETUP_FAILED);
	return finish(&cfg, &plan, &rep, after_grader(&rep));
}
