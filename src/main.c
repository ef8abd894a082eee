/* usher - the ENTRYPOINT of an untrusted grading container.
 *
 * Theory of operation
 *
 *   usher starts as PID 1 (or under docker --init, as a child subreaper) with the
 *   grader's original command after "--". Its stages run in this order, each a
 *   function in its own file taking the const configuration:
 *
 *   config     argv and USHER_* variables -> struct usher_config (config*.c); the
 *              secrets in PID 1's environment memory are wiped right after.
 *   plan       before waiting: compile the seccomp program, probe Landlock, open
 *              the result's directory, find the cgroup, make the output relay's
 *              pipes, create the feedback files, reserve disk room (plan.c).
 *   broker     the process that gives `usher run` its sandboxes (run_broker.c),
 *              forked while PID 1 still has the capabilities a run needs; the
 *              grader inherits a channel to it (USHER_RUN_FD).
 *   spawn      fork the grader's process; it runs the lockdown at once, SPEC
 *              steps 1-9 in order, each failing closed (lockdown*.c), reports over a
 *              close-on-exec socket and waits for a go (supervise_spawn.c). A lockdown
 *              that cannot be applied fails here, before the wait.
 *   wait       until the sidecar publishes DIR.ready (or DIR.failed), by inotify
 *              with a polling fallback (handoff_wait.c).
 *   check      the submission through file descriptors only: types, symlinks,
 *              limits, modes (handoff_check.c, handoff_resolve.c).
 *   start      the go: the child execs PROGRAM (lockdown_exec.c), the parent drops
 *              what PID 1 does not need (supervise_pid1.c). --exec instead runs wait,
 *              check and the lockdown in PID 1 itself, then execs in place.
 *   supervise  PID 1 reaps every zombie, forwards signals to the grader's group,
 *              enforces --timeout, --cpu-time and memory, relays the grader's output
 *              under --max-output, and kills what the grader left (supervise*.c).
 *   report     the rest of the output, the learner's file when usher ended the run,
 *              the result JSON, written atomically once no grader process is left
 *              (report*.c).
 *
 *   Only main() turns what happened into a result status and an exit status, through
 *   the table in report_outcome.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "enforce.h"
#include "feedback.h"
#include "lockdown.h"
#include "log.h"
#include "output.h"
#include "plan.h"
#include "report.h"
#include "run.h"
#include "stages.h"
#include "usher.h"

/* Every outcome ends here: status, exit status, result file. */
static int finish(const struct usher_config *cfg, struct usher_plan *plan,
		  struct usher_report *rep, enum usher_status status)
{
	rep->status = status;
	rep->exit_code = outcome_exit_code(rep);
	run_broker_stop();               /* usher run's broker and its runs end first */
	relay_finish(plan->relay, rep);  /* the grader's last output: every writer is gone */
	feedback_finish(cfg, plan, rep); /* the learner's file, when usher ended the run */
	feedback_cleanup(plan);          /* every grader process is gone */
	if (cfg->result_path && report_write(cfg, plan, rep) < 0 && rep->exit_code == 0)
		rep->exit_code = EXIT_USHER_FAILED; /* a verdict nobody can read is no success */
	plan_release(plan);
	return rep->exit_code;
}

int main(int argc, char **argv, char **envp)
{
	struct usher_config cfg;
	struct usher_report rep;
	/* memset, not only an initializer: the report's padding goes through the spawn
	 * channel in the child's records (valgrind: sendmsg of uninitialised bytes). */
	memset(&rep, 0, sizeof rep);
	rep.wait_ms = -1;
	rep.grader.exit_code = -1;
	rep.listener_fd = -1;
	struct usher_plan plan = {.result_dirfd = -1, .writer_fd = -1, .writer_pid = -1};
	struct usher_child child = {.pid = -1, .fd = -1, .listener = -1, .notify.fd = -1};
	pid_t grader;
	int rc;

	/* First of all: PID 1 is never dumpable, so nothing that runs beside it can read
	 * its memory or environment, whatever happens next. */
	int early = pid1_early(&rep);
	if (config_load(argc, argv, envp, &cfg, &rep) < 0 || early < 0)
		return finish(&cfg, &plan, &rep, ST_SETUP_FAILED);
	switch (cfg.command) {
	case CMD_HELP:
		return config_print_help() < 0 ? EXIT_USHER_FAILED : 0;
	case CMD_VERSION:
		return printf("usher %s\n", USHER_VERSION) < 0 ? EXIT_USHER_FAILED : 0;
	case CMD_DELIVER:
		rc = deliver_main(&cfg, &rep);
		return rc == -EEXIST ? EXIT_DELIVER_PUBLISHED : rc < 0 ? EXIT_USHER_FAILED : 0;
	case CMD_DOCTOR:
		rc = doctor_main(&cfg, &rep);
		return rc == 0 ? 0 : rc == -ENOTSUP ? 1 : EXIT_USHER_FAILED;
	case CMD_INSTALL:
		return install_main(&cfg, &rep) < 0 ? EXIT_USHER_FAILED : 0;
	case CMD_RUN: {
		struct run_verdict v;
		return run_main(&cfg, &rep, &v) < 0 ? RUN_EXIT_INTERNAL : run_exit_code(&v);
	}
	case CMD_SHIM:
		break;
	}
	if (cfg.dry_run)
		return config_print_json(&cfg) < 0 ? EXIT_USHER_FAILED : 0;
	if (!cfg.exec_mode && (rc = log_private()) < 0)
		log_verbose("log: reopen stderr non-blocking: %s: PID 1's log writes may wait", strerror(-rc));

	if (plan_build(&cfg, &plan, &rep) < 0 || run_broker_start(&cfg, &plan, &rep) < 0)
		return finish(&cfg, &plan, &rep, ST_SETUP_FAILED);

	/* The grader's process locks down while usher waits; it execs on the go. In
	 * --exec mode PID 1 itself becomes the grader, so it waits and checks (as root)
	 * first and locks down after. spawn_abort() is a no-op without a child. */
	if (!cfg.exec_mode && (spawn_prepare(&cfg, &plan, &rep, &child) < 0 ||
			       limits_adopt(&plan, &rep, child.pid) < 0)) {
		spawn_abort(&child, &rep);
		return finish(&cfg, &plan, &rep, ST_SETUP_FAILED);
	}
	if (!cfg.no_wait && (rc = wait_for_submission(&cfg, &rep)) < 0) {
		spawn_abort(&child, &rep);
		return finish(&cfg, &plan, &rep, outcome_after_wait(rc, &rep));
	}
	if ((rc = check_submission(&cfg, &plan, &rep)) < 0) {
		spawn_abort(&child, &rep);
		return finish(&cfg, &plan, &rep, outcome_after_check(rc));
	}

	if (cfg.exec_mode) {
		/* Nothing is left to supervise or report after a successful exec; a failure
		 * from here on is written by a writer that stays root. */
		if (report_writer_start(&cfg, &plan, &rep) < 0)
			return finish(&cfg, &plan, &rep, ST_SETUP_FAILED);
		if (lockdown(&cfg, &plan, &rep) < 0)
			return finish(&cfg, &plan, &rep, ST_SETUP_FAILED);
		exec_program(&cfg, &plan, &rep);
		return finish(&cfg, &plan, &rep, ST_EXEC_FAILED);
	}
	/* PID 1 gives up what it does not need before the grader's first instruction. */
	if (pid1_harden(&cfg, &plan, &rep) < 0) {
		spawn_abort(&child, &rep);
		return finish(&cfg, &plan, &rep, ST_SETUP_FAILED);
	}
	if (spawn_start(&cfg, &rep, &child, &grader) < 0)
		return finish(&cfg, &plan, &rep, outcome_after_start(&rep));
	wait_release(); /* off the handoff path: the grader runs already */
	if (supervise(&cfg, &plan, &rep, &child) < 0)
		return finish(&cfg, &plan, &rep, ST_SETUP_FAILED);
	return finish(&cfg, &plan, &rep, outcome_after_grader(&rep));
}
