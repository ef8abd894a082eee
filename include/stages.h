/* stages.h - the stages main() calls, in the order it calls them.
 *
 * Each takes the const configuration, returns 0 or a negative errno (or a negated
 * OUTCOME_* of usher.h: a verdict, not a failure), and records what it learnt in the
 * report. None of them exits or decides an exit status: that is main()'s job alone,
 * through report_outcome.c.
 */
#ifndef USHER_STAGES_H
#define USHER_STAGES_H

#include <sys/types.h>

#include "notify.h"
#include "usher.h"

struct usher_plan;

/* config.c: argv + environment -> config. On a usage error, logs one line naming the
 * option and value plus a hint to --help, and returns -EINVAL. */
int config_load(int argc, char **argv, char **envp, struct usher_config *cfg,
		struct usher_report *rep);

/* plan.c: work done before the wait so the handoff path is short: the seccomp
 * program is compiled, Landlock probed, the result directory opened. */
int plan_build(const struct usher_config *cfg, struct usher_plan *plan,
	       struct usher_report *rep);
/* plan.c: gives back what plan_build took, once the result is written. */
void plan_release(struct usher_plan *plan);

/* handoff_wait.c: until the ready marker (0), the failed marker (-OUTCOME_SIDECAR_FAILED),
 * --wait-timeout (-OUTCOME_WAIT_TIMEOUT) or a signal (-OUTCOME_SIGNALED). */
int wait_for_submission(const struct usher_config *cfg, struct usher_report *rep);
/* handoff_wait.c: the wait's last, slow teardown (closing inotify takes ~10 ms), for main to
 * call once the grader runs. In --exec mode, lockdown step 1 closes it instead. */
void wait_release(void);

/* handoff_check.c: the submission checks; -OUTCOME_REJECTED when a rule is broken. */
int check_submission(const struct usher_config *cfg, const struct usher_plan *plan,
		     struct usher_report *rep);

/* lockdown.c: SPEC steps 1-9, in order; never returns 0 after a failed step. */
int lockdown(const struct usher_config *cfg, const struct usher_plan *plan,
	     struct usher_report *rep);

/* lockdown_exec.c: step 10, execve of PROGRAM with PATH lookup in the grader's environment.
 * Returns only on failure, with -errno (ENOENT -> 127, EACCES/ENOEXEC -> 126). */
int exec_program(const struct usher_config *cfg, const struct usher_plan *plan,
		 struct usher_report *rep);

/* supervise_spawn.c: the grader's process, in two halves around the wait. */
struct usher_child {
	pid_t pid;    /* -1: none */
	int fd;       /* usher's end of the channel to it */
	int listener; /* the seccomp listener its lockdown created (-1: none) */
	struct notifier notify; /* PID 1's side of that listener (supervise_notify.c) */
};
/* Before the wait: fork; the child runs lockdown() at once and waits for a go. Returns
 * once the lockdown is applied, or with its failure (the child is then gone). */
int spawn_prepare(const struct usher_config *cfg, const struct usher_plan *plan,
		  struct usher_report *rep, struct usher_child *child);
/* After the check: go; returns once the exec happened (*grader) or failed. */
int spawn_start(const struct usher_config *cfg, struct usher_report *rep,
		struct usher_child *child, pid_t *grader);
/* The wait or the check failed: the child exits without exec, and is reaped. */
void spawn_abort(struct usher_child *child, struct usher_report *rep);

/* supervise_pid1.c: PID 1 itself. pid1_early(): not dumpable, first thing in main.
 * pid1_harden(): before the go byte, every capability PID 1 does not need goes. */
int pid1_early(struct usher_report *rep);
int pid1_harden(const struct usher_config *cfg, const struct usher_plan *plan,
		struct usher_report *rep);

/* supervise.c: reap, forward signals, enforce the deadline, kill leftovers. */
int supervise(const struct usher_config *cfg, const struct usher_plan *plan,
	      struct usher_report *rep, struct usher_child *child);

/* report.c: open --result's directory before any grader exists (called by
 * plan_build), so the grader can neither redirect nor pre-create the result. */
int report_prepare(const struct usher_config *cfg, struct usher_plan *plan,
		   struct usher_report *rep);
/* report.c: with --exec, a writer that keeps root's hold on the result's directory
 * while PID 1 locks itself down (report_write then sends the result to it). */
int report_writer_start(const struct usher_config *cfg, struct usher_plan *plan,
			struct usher_report *rep);
/* report.c: the result JSON, atomically. */
int report_write(const struct usher_config *cfg, const struct usher_plan *plan,
		 const struct usher_report *rep);

/* report_degraded.c: a protection wanted and not applied: recorded in
 * rep->lockdown.degraded and logged once, or, when --require names it, a failure
 * (STEP_REQUIRE). `level` is what is there (the Landlock ABI) where that matters. */
int degrade(const struct usher_config *cfg, struct usher_report *rep, enum usher_protection what,
	    int level, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
bool protection_required(const struct usher_config *cfg, enum usher_protection what, int level);

/* subcommands */
int deliver_main(const struct usher_config *cfg, struct usher_report *rep);
int doctor_main(const struct usher_config *cfg, struct usher_report *rep);
/* cmd_install.c: copy the running binary to DIR/usher (--to), atomically, 0755. */
int install_main(const struct usher_config *cfg, struct usher_report *rep);
int config_print_help(void);
int config_print_json(const struct usher_config *cfg);

#endif
