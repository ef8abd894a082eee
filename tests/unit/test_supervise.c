/* test_supervise.c - the deadlines of the supervision loop (src/supervise.c) and of the
 * wait (src/handoff_wait.c), with a real grader process and real signals (the fake seam's
 * process mode: fork, wait4 and kill are real, privileges still pretend).
 *
 *   --timeout       SIGTERM at the deadline, SIGKILL --kill-after later; status timeout
 *   SIGTERM to usher  forwarded, and arms the same escalation (docker stop)
 *   saturation      a deadline near UINT64_MAX (the largest --timeout, --kill-after or
 *                   --wait-timeout the parser accepts) means "never", not a sum that
 *                   wraps around into the past and fires at once (it did, until
 *                   sat_add; with plain additions these three tests fail)
 *
 * Timings are checked from below exactly (a signal never comes early) and from above
 * loosely (a loaded machine is slow, not wrong).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "plan.h"
#include "report.h"
#include "stages.h"
#include "sys_fake.h"
#include "util.h"

/* The largest value --timeout/--kill-after/--wait-timeout parse to (18446744073709551 s). */
#define HUGE_MS UINT64_C(18446744073709551000)

static struct usher_config cfg;
static struct usher_plan plan = {.report_fd = -1, .result_dirfd = -1};
static struct usher_report rep;
static int notes[2]; /* the grader writes "the ms it got SIGTERM" here */

static int setup(void **state)
{
	static char *argv[] = {(char *)"usher", (char *)"-q", (char *)"--", (char *)"/grader", NULL};
	static char *envp[] = {NULL};
	(void)state;
	config_free(&cfg);
	memset(&rep, 0, sizeof rep);
	assert_int_equal(config_load(4, argv, envp, &cfg, &rep), 0);
	memset(&rep, 0, sizeof rep);
	rep.grader.exit_code = -1;
	fake_reset();
	fake_processes(true);
	assert_int_equal(pipe2(notes, O_CLOEXEC | O_NONBLOCK), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	close(notes[0]);
	close(notes[1]);
	config_free(&cfg);
	return 0;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int on_term_exit; /* -1: note SIGTERM and go on; else note it and exit with this */
static void on_term(int sig)
{
	char line[32];
	int n = snprintf(line, sizeof line, "%lld\n", (long long)mono_ms());
	(void)sig;
	(void)!write(notes[1], line, (size_t)n);
	if (on_term_exit >= 0)
		_exit(on_term_exit);
}

/* A grader in its own process group (as after lockdown step 3) that notes SIGTERM, runs
 * for run_ms and exits with status. */
static pid_t grader(int term_exit, int run_ms, int status)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		sigset_t none;
		struct sigaction sa = {.sa_handler = on_term};
		setpgid(0, 0);
		on_term_exit = term_exit;
		sigaction(SIGTERM, &sa, NULL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		int64_t end = mono_ms() + run_ms;
		while (mono_ms() < end)
			usleep(5000);
		_exit(status);
	}
	return pid;
}

/* What supervise() is handed: the grader, without a seccomp listener. */
static struct usher_child *child(pid_t pid)
{
	static struct usher_child c;
	c = (struct usher_child){.pid = pid, .fd = -1, .listener = -1, .notify = {.fd = -1}};
	return &c;
}

/* When the grader noted SIGTERM, or -1. */
static int64_t term_at(void)
{
	char buf[64] = "";
	ssize_t n = read(notes[0], buf, sizeof buf - 1);
	return n > 0 ? strtoll(buf, NULL, 10) : -1;
}

static void deadline_sends_term_then_kill(void **state)
{
	(void)state;
	cfg.timeout_ms = 200;
	cfg.kill_after_ms = 300;
	int64_t t0 = mono_ms();
	pid_t pid = grader(-1, 10000, 0); /* ignores TERM */
	assert_int_equal(supervise(&cfg, &plan, &rep, child(pid)), 0);
	int64_t t1 = mono_ms(), term = term_at();
	assert_true(rep.grader.timed_out);
	assert_int_equal(rep.grader.signal, SIGKILL);
	assert_true(term >= t0 + 200);            /* not before the deadline */
	assert_true(t1 >= term + 300);            /* the grace, in full */
	assert_true(t1 - t0 < 5000);              /* ...and not the grader's own 10 s */
	rep.status = outcome_after_grader(&rep);
	assert_int_equal(outcome_exit_code(&rep), 124);

	setup(state); /* a grader that leaves in the grace: still a timeout, no SIGKILL */
	cfg.timeout_ms = 200;
	cfg.kill_after_ms = 5000;
	t0 = mono_ms();
	pid = grader(0, 10000, 7);
	assert_int_equal(supervise(&cfg, &plan, &rep, child(pid)), 0);
	assert_true(rep.grader.timed_out);
	assert_int_equal(rep.grader.signal, 0);
	assert_int_equal(rep.grader.exit_code, 0);
	assert_true(mono_ms() - t0 < 4000);
	assert_int_equal(outcome_after_grader(&rep), ST_TIMEOUT);
	teardown(state);
}

/* docker stop: SIGTERM to usher reaches the grader and arms SIGKILL after --kill-after. */
static void sigterm_is_forwarded_and_escalates(void **state)
{
	(void)state;
	cfg.timeout_ms = 0;
	cfg.kill_after_ms = 300;
	pid_t pid = grader(-1, 10000, 0);
	usleep(50000); /* its handler in place: a TERM before it would end it, not test us */
	int64_t t0 = mono_ms();
	kill(getpid(), SIGTERM); /* blocked: pending until the loop reads it */
	assert_int_equal(supervise(&cfg, &plan, &rep, child(pid)), 0);
	int64_t t1 = mono_ms(), term = term_at();
	assert_true(term >= t0);
	assert_false(rep.grader.timed_out);
	assert_int_equal(rep.grader.signal, SIGKILL);
	assert_true(t1 >= term + 300);
	assert_true(t1 - t0 < 5000);
	rep.status = outcome_after_grader(&rep);
	assert_int_equal(outcome_exit_code(&rep), 128 + SIGKILL);
}

static void huge_timeout_never_fires(void **state)
{
	(void)state;
	cfg.timeout_ms = HUGE_MS;
	cfg.kill_after_ms = 5000;
	pid_t pid = grader(-1, 300, 3);
	assert_int_equal(supervise(&cfg, &plan, &rep, child(pid)), 0);
	assert_false(rep.grader.timed_out);
	assert_true(term_at() < 0);
	assert_int_equal(rep.grader.exit_code, 3);
}

static void huge_kill_after_never_fires(void **state)
{
	(void)state;
	cfg.timeout_ms = 0;
	cfg.kill_after_ms = HUGE_MS;
	pid_t pid = grader(-1, 400, 5); /* notes TERM, runs on, exits 5 */
	usleep(50000);
	kill(getpid(), SIGTERM);
	assert_int_equal(supervise(&cfg, &plan, &rep, child(pid)), 0);
	/* forwarded, noted, and the grader ran to its own end */
	assert_true(term_at() >= 0);
	assert_int_equal(rep.grader.signal, 0);
	assert_int_equal(rep.grader.exit_code, 5);
}

/* The wait has the same kind of deadline: a marker published after 200 ms must end it. */
static void huge_wait_timeout_never_fires(void **state)
{
	char dir[] = "/tmp/usher-deadline.XXXXXX", sub[64], ready[64], failed[64];
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof sub, "%s/sub", dir);
	snprintf(ready, sizeof ready, "%s/sub.ready", dir);
	snprintf(failed, sizeof failed, "%s/sub.failed", dir);
	cfg.submission = sub;
	cfg.ready_file = ready;
	cfg.failed_file = failed;
	cfg.wait_timeout_ms = HUGE_MS;
	pid_t pid = fork();
	if (pid == 0) {
		usleep(200000);
		close(open(ready, O_WRONLY | O_CREAT, 0644));
		_exit(0);
	}
	int rc = wait_for_submission(&cfg, &rep);
	waitpid(pid, NULL, 0);
	wait_release();
	unlink(ready);
	rmdir(dir);
	assert_int_equal(rc, 0);
}

static int group_setup(void **state)
{
	sigset_t block;
	(void)state;
	/* As spawn_prepare() does in usher: signals are read from a signalfd, never delivered. */
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGTERM);
	return sigprocmask(SIG_BLOCK, &block, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(deadline_sends_term_then_kill, setup, teardown),
		cmocka_unit_test_setup_teardown(sigterm_is_forwarded_and_escalates, setup, teardown),
		cmocka_unit_test_setup_teardown(huge_timeout_never_fires, setup, teardown),
		cmocka_unit_test_setup_teardown(huge_kill_after_never_fires, setup, teardown),
		cmocka_unit_test_setup_teardown(huge_wait_timeout_never_fires, setup, teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
