/* test_spawn.c - the spawn protocol (src/supervise_spawn.c) with real processes and the
 * fake seam's pretend privileges (fake_processes): the child really forks, locks down
 * (pretending), reports over the real socket, waits for the go, and "execs" (the fake
 * closes its close-on-exec fds, logs the exec, exits).
 *
 *   lockdown fails       -> its record reaches the parent: the step, the errno; no exec
 *   child dies, no word  -> before the go: "died before exec" (spawn, EIO); after it,
 *                           indistinguishable from an exec: its status is the grader's
 *   go                   -> exec, the channel's end-of-file, the grader's pid
 *   exec fails           -> its record: step exec, the errno (127/126 later); reaped
 *   end-of-file, no go   -> the child leaves without exec
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "plan.h"
#include "report.h"
#include "stages.h"
#include "sys_fake.h"

static struct usher_config cfg;
static struct usher_report rep;
static struct usher_plan plan;
static struct usher_child child;
static char dir[] = "/tmp/usher-spawn.XXXXXX", log_path[64];
static sigset_t saved_mask;
static const char *grader_env[] = {"PATH=/bin", NULL};

static int setup(void **state)
{
	/* static: the configuration keeps pointing at argv */
	static char *argv[] = {(char *)"usher", (char *)"-q", (char *)"--", (char *)"/grader", NULL};
	static char *envp[] = {NULL};
	(void)state;
	config_free(&cfg);
	memset(&rep, 0, sizeof rep);
	assert_int_equal(config_load(4, argv, envp, &cfg, &rep), 0);
	memset(&rep, 0, sizeof rep);
	plan = (struct usher_plan){.seccomp_name = "none", .report_fd = -1, .result_dirfd = -1,
				   .priv = {.root = true, .setid = true, .setpcap = true, .chown = true},
				   .uid = 65534, .gid = 65534, .switch_ids = true, .env = grader_env};
	fake_reset();
	fake_set_creds(0, 0, 3, UINT64_C(0x1ffffffffff));
	fake_processes(true);
	fake_exec_log(log_path);
	unlink(log_path);
	child = (struct usher_child){.pid = -1, .fd = -1};
	/* spawn_prepare blocks every signal in "PID 1" (here: the test): undone below. */
	sigprocmask(SIG_SETMASK, NULL, &saved_mask);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sigprocmask(SIG_SETMASK, &saved_mask, NULL);
	config_free(&cfg);
	return 0;
}

/* What the children executed, "" for nothing. */
static const char *execs(void)
{
	static char buf[512];
	FILE *f = fopen(log_path, "r");
	size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	return buf;
}

static void lockdown_failure_is_reported_and_nothing_runs(void **state)
{
	(void)state;
	fake_fail("sys_setresuid", 1, EPERM);
	int rc = spawn_prepare(&cfg, &plan, &rep, &child);
	assert_int_equal(rc, -EPERM);
	assert_true(rep.error.set);
	assert_string_equal(step_name(rep.error.step), "uid");
	assert_int_equal(rep.error.err, EPERM);
	assert_non_null(strstr(rep.error.message, "setresuid 65534"));
	assert_false(rep.lockdown.applied);
	assert_int_equal(child.pid, -1); /* killed and reaped already */
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_string_equal(execs(), "");
	assert_int_equal(outcome_exit_code(&(struct usher_report){.status = ST_SETUP_FAILED}), 125);
}

static void death_before_exec_is_not_lost(void **state)
{
	(void)state;
	fake_fail("sys_setsid", 1, FAKE_DIE); /* mid-lockdown, without a record */
	assert_int_equal(spawn_prepare(&cfg, &plan, &rep, &child), -EIO);
	assert_string_equal(step_name(rep.error.step), "spawn");
	assert_non_null(strstr(rep.error.message, "died before exec"));
	assert_string_equal(execs(), "");

	/* After the go, a death without a word closes the channel as an exec would: the
	 * parent cannot tell them apart, and the child's status is taken as the grader's
	 * (supervise_spawn.c says so). What must hold: its status is not lost. */
	setup(state);
	fake_fail("sys_execve", 1, FAKE_DIE);
	assert_int_equal(spawn_prepare(&cfg, &plan, &rep, &child), 0);
	pid_t grader = -1;
	assert_int_equal(spawn_start(&cfg, &rep, &child, &grader), 0);
	int st;
	assert_int_equal(waitpid(grader, &st, 0), grader);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), FAKE_DIE_STATUS);
	assert_string_equal(execs(), "");
}

static void go_runs_the_grader(void **state)
{
	(void)state;
	fake_exec_result("/grader", 0);
	fake_exec_exits(42);
	assert_int_equal(spawn_prepare(&cfg, &plan, &rep, &child), 0);
	/* Locked down, not running: nothing is executed before the go. */
	assert_true(rep.lockdown.applied);
	assert_int_equal(rep.lockdown.uid, 65534);
	usleep(20000);
	assert_string_equal(execs(), "");
	pid_t grader = -1;
	assert_int_equal(spawn_start(&cfg, &rep, &child, &grader), 0);
	assert_int_equal(grader, child.pid);
	assert_true(rep.grader.ran);
	assert_false(rep.error.set);
	assert_string_equal(execs(), "/grader\n");
	int st;
	assert_int_equal(waitpid(grader, &st, 0), grader);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 42);
}

static void exec_failure_is_reported(void **state)
{
	static const struct { int err; const char *prog; int code; } rows[] = {
		{ENOENT, "/grader", 127}, {EACCES, "/grader", 126}, {ENOEXEC, "/grader", 126},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		setup(state);
		fake_exec_result(rows[i].prog, rows[i].err);
		assert_int_equal(spawn_prepare(&cfg, &plan, &rep, &child), 0);
		pid_t grader = -1;
		assert_int_equal(spawn_start(&cfg, &rep, &child, &grader), -rows[i].err);
		assert_string_equal(step_name(rep.error.step), "exec");
		assert_int_equal(rep.error.err, rows[i].err);
		assert_false(rep.grader.ran);
		assert_false(rep.lockdown.applied);
		assert_int_equal(waitpid(-1, NULL, WNOHANG), -1); /* reaped */
		rep.status = outcome_after_start(&rep);
		assert_int_equal(rep.status, ST_EXEC_FAILED);
		assert_int_equal(outcome_exit_code(&rep), rows[i].code);
		teardown(state);
	}
}

/* The parent gives up (no submission, a rejection, a signal): the child sees end-of-file
 * instead of the go and leaves with 125, without exec. Tested without spawn_abort's
 * SIGKILL, which would hide whether the child itself obeys. */
static void end_of_file_means_no_exec(void **state)
{
	(void)state;
	fake_exec_result("/grader", 0);
	assert_int_equal(spawn_prepare(&cfg, &plan, &rep, &child), 0);
	close(child.fd);
	int st;
	assert_int_equal(waitpid(child.pid, &st, 0), child.pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 125);
	assert_string_equal(execs(), "");

	setup(state); /* and spawn_abort itself: killed, reaped, lockdown not reported */
	fake_exec_result("/grader", 0);
	assert_int_equal(spawn_prepare(&cfg, &plan, &rep, &child), 0);
	spawn_abort(&child, &rep);
	assert_int_equal(child.pid, -1);
	assert_false(rep.lockdown.applied);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_string_equal(execs(), "");
}

static int group_setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(log_path, sizeof log_path, "%s/execs", dir);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	unlink(log_path);
	rmdir(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(lockdown_failure_is_reported_and_nothing_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(death_before_exec_is_not_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(go_runs_the_grader, setup, teardown),
		cmocka_unit_test_setup_teardown(exec_failure_is_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(end_of_file_means_no_exec, setup, teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
