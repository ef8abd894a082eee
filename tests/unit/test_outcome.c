/* test_outcome.c - what happened -> result status -> usher's exit status
 * (src/report_outcome.c), row by row against SPEC.md "Exit status":
 *
 *   0-123 the grader's own status   124 --timeout        125 usher failed
 *   126 found, not executable        127 not found        128+N killed by signal N
 *   75 never ready                   65 rejected
 *
 * and the rule that verdicts live above the errno range: a real EBADMSG or ETIMEDOUT
 * from a filesystem is a failure (125), never "rejected" or "wait_timeout". */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "report.h"
#include "usher.h"

static struct usher_report rep;

static void reset(void)
{
	memset(&rep, 0, sizeof rep);
	rep.wait_ms = -1;
	rep.grader.exit_code = -1;
}

static int code(enum usher_status st)
{
	rep.status = st;
	return outcome_exit_code(&rep);
}

/* 0-123 (and the rest of 0-255: a grader may exit 200) come back unchanged. */
static void exited_is_the_graders_status(void **state)
{
	(void)state;
	for (int n = 0; n <= 255; n++) {
		reset();
		rep.grader.ran = true;
		rep.grader.exit_code = n;
		assert_int_equal(outcome_after_grader(&rep), ST_EXITED);
		assert_int_equal(code(ST_EXITED), n);
	}
}

/* 128+N for every signal, whether it killed the grader or stopped usher before it ran. */
static void signaled_is_128_plus_n(void **state)
{
	(void)state;
	for (int sig = 1; sig < 65; sig++) {
		reset();
		rep.grader.ran = true;
		rep.grader.signal = sig;
		/* SIGXCPU and SIGXFSZ are the kernel's limits: verdicts of their own, whose
		 * exit codes are still 128+N (test_verdicts.c has their rows). */
		enum usher_status want = sig == SIGXCPU ? ST_CPU_TIME_LIMIT : sig == SIGXFSZ ? ST_FILE_SIZE_LIMIT
											   : ST_SIGNALED;
		assert_int_equal(outcome_after_grader(&rep), want);
		assert_int_equal(code(want), 128 + sig);
		reset(); /* stopped during the wait: no grader, the signal is usher's */
		rep.signal = sig;
		assert_int_equal(outcome_after_wait(-OUTCOME_SIGNALED, &rep), ST_SIGNALED);
		assert_int_equal(code(ST_SIGNALED), 128 + sig);
	}
	reset(); /* "signaled" with no signal recorded anywhere is not a status to report */
	assert_int_equal(outcome_after_wait(-OUTCOME_SIGNALED, &rep), ST_SETUP_FAILED);
}

/* The deadline wins over how the grader died: SIGKILL after the grace, or an exit in it. */
static void timeout_is_124(void **state)
{
	(void)state;
	static const int how[][2] = {{-1, SIGKILL}, {-1, SIGTERM}, {0, 0}, {3, 0}};
	for (size_t i = 0; i < sizeof how / sizeof how[0]; i++) {
		reset();
		rep.grader.ran = rep.grader.timed_out = true;
		rep.grader.exit_code = how[i][0];
		rep.grader.signal = how[i][1];
		assert_int_equal(outcome_after_grader(&rep), ST_TIMEOUT);
		assert_int_equal(code(ST_TIMEOUT), 124);
	}
}

static void never_ready_is_75_rejected_is_65(void **state)
{
	(void)state;
	reset();
	assert_int_equal(outcome_after_wait(-OUTCOME_WAIT_TIMEOUT, &rep), ST_WAIT_TIMEOUT);
	assert_int_equal(code(ST_WAIT_TIMEOUT), 75);
	assert_int_equal(outcome_after_wait(-OUTCOME_SIDECAR_FAILED, &rep), ST_SIDECAR_FAILED);
	assert_int_equal(code(ST_SIDECAR_FAILED), 75);
	/* a marker that is not a file, or a malformed manifest: the drop is broken */
	assert_int_equal(outcome_after_wait(-OUTCOME_REJECTED, &rep), ST_REJECTED);
	assert_int_equal(outcome_after_check(-OUTCOME_REJECTED), ST_REJECTED);
	assert_int_equal(code(ST_REJECTED), 65);
}

/* Errnos are failures of usher (125) whatever their name suggests. */
static void errnos_are_never_verdicts(void **state)
{
	(void)state;
	static const int errs[] = {EIO, ENOSYS, EPERM, EINTR, ENOMEM, EBADMSG, ETIMEDOUT, ENOENT, 4095};
	for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
		reset();
		assert_false(is_outcome(-errs[i]));
		assert_int_equal(outcome_after_wait(-errs[i], &rep), ST_SETUP_FAILED);
		assert_int_equal(outcome_after_check(-errs[i]), ST_SETUP_FAILED);
	}
	assert_true(is_outcome(-OUTCOME_REJECTED));
	reset();
	assert_int_equal(code(ST_SETUP_FAILED), 125);
}

/* After the go: an exec failure is 126 or 127 as shells say it; anything else that
 * stopped the start (the child died, PID 1's hardening failed) is usher's failure. */
static void exec_failures_are_126_or_127(void **state)
{
	(void)state;
	static const struct { int err, want; } rows[] = {
		{ENOENT, 127}, {ENOTDIR, 127},                /* not found */
		{EACCES, 126}, {ENOEXEC, 126}, {EPERM, 126},  /* found: mode, format, file caps */
		{EISDIR, 126}, {ETXTBSY, 126}, {E2BIG, 126},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		reset();
		rep.error = (struct usher_error){.set = true, .step = STEP_EXEC, .err = rows[i].err};
		assert_int_equal(outcome_after_start(&rep), ST_EXEC_FAILED);
		assert_int_equal(code(ST_EXEC_FAILED), rows[i].want);
	}
	static const enum usher_step other[] = {STEP_SPAWN, STEP_PID1, STEP_SECCOMP, STEP_NONE};
	for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
		reset();
		rep.error = (struct usher_error){.set = other[i] != STEP_NONE, .step = other[i], .err = ENOENT};
		assert_int_equal(outcome_after_start(&rep), ST_SETUP_FAILED);
		assert_int_equal(code(ST_SETUP_FAILED), 125);
	}
}

/* Every status has a name in the result and one exit status, inside 0-255. */
static void every_status_has_a_name_and_a_code(void **state)
{
	(void)state;
	static const char *const want[] = {"exited", "signaled", "timeout", "wait_timeout",
					   "sidecar_failed", "rejected", "setup_failed", "exec_failed"};
	for (int st = ST_EXITED; st <= ST_EXEC_FAILED; st++) {
		reset();
		rep.grader.exit_code = 0;
		rep.grader.signal = 1;
		assert_string_equal(status_name((enum usher_status)st), want[st]);
		int c = code((enum usher_status)st);
		assert_true(c >= 0 && c <= 255);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exited_is_the_graders_status),
		cmocka_unit_test(signaled_is_128_plus_n),
		cmocka_unit_test(timeout_is_124),
		cmocka_unit_test(never_ready_is_75_rejected_is_65),
		cmocka_unit_test(errnos_are_never_verdicts),
		cmocka_unit_test(exec_failures_are_126_or_127),
		cmocka_unit_test(every_status_has_a_name_and_a_code),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
