/* test_main.c - main() end to end over the fake seam (src/main.c, built as usher_main):
 * config, plan, spawn, wait, check, start, supervise, report, with real processes and
 * pretend privileges (fake_processes). Each run is a forked copy of the test, so that
 * main's process-wide state (blocked signals, the wiped environment) stays there.
 *
 * For each way a run can end: usher's exit status (SPEC.md "Exit status"), the result's
 * status, grader, lockdown and error.step, and whether anything was executed: a run that
 * failed before the go, in either mode, never executes anything.
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "sys_fake.h"

int usher_main(int argc, char **argv, char **envp);

static char dir[] = "/tmp/usher-main.XXXXXX";
static char path[6][128]; /* sub, sub.ready, sub.failed, result, feedback, exec log */
enum { SUB, READY, FAILED, RESULT, FEEDBACK, EXECS };
static char result[16384], execs[512];

/* How a run is set up inside the forked copy, before usher_main. */
struct run {
	int exec_err;    /* 0: /grader execs, then exits exec_status */
	int exec_status; /* negative: killed by that signal */
	const char *fail; /* a seam call that fails, "name:nth:errno" */
	const char *extra[4];
};

static void fresh(bool ready)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf %s/* && mkdir %s && echo 'print(1)' >%s/main.py", dir,
		 path[SUB], path[SUB]);
	assert_int_equal(system(cmd), 0);
	if (ready)
		close(open(path[READY], O_WRONLY | O_CREAT, 0644));
}

static int slurp(const char *file, char *buf, size_t len)
{
	int fd = open(file, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, len - 1);
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n < 0 ? -1 : 0;
}

/* usher's exit status; result[] and execs[] hold the result file and what ran ("" if none). */
static int run(const struct run *r)
{
	char *argv[28];
	int argc = 0;
	argv[argc++] = (char *)"usher";
	argv[argc++] = (char *)"-q";
	argv[argc++] = (char *)"--submission";
	argv[argc++] = path[SUB];
	argv[argc++] = (char *)"--feedback";
	argv[argc++] = path[FEEDBACK];
	argv[argc++] = (char *)"--result";
	argv[argc++] = path[RESULT];
	argv[argc++] = (char *)"--wait-timeout";
	argv[argc++] = (char *)"5";
	argv[argc++] = (char *)"--user"; /* a fixed identity, not this run's own random one */
	argv[argc++] = (char *)"65534:65534";
	for (int i = 0; i < 4 && r->extra[i]; i++)
		argv[argc++] = (char *)r->extra[i];
	argv[argc++] = (char *)"--";
	argv[argc++] = (char *)"/grader";
	argv[argc] = NULL;

	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fake_reset();
		fake_set_creds(0, 0, 3, UINT64_C(0x1ffffffffff));
		fake_processes(true);
		fake_exec_log(path[EXECS]);
		fake_exec_result("/grader", r->exec_err);
		fake_exec_exits(r->exec_status);
		if (r->fail) {
			static char name[64];
			int nth, err;
			if (sscanf(r->fail, "%63[^:]:%d:%d", name, &nth, &err) == 3)
				fake_fail(name, nth, err);
		}
		char *envp[] = {(char *)"PATH=/bin", NULL};
		_exit(usher_main(argc, argv, envp));
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (slurp(path[RESULT], result, sizeof result) < 0)
		result[0] = '\0';
	slurp(path[EXECS], execs, sizeof execs);
	unlink(path[RESULT]);
	unlink(path[EXECS]);
	return WEXITSTATUS(st);
}

#define has(s) assert_non_null(strstr(result, s))

static void grader_exits(void **state)
{
	(void)state;
	fresh(true);
	assert_int_equal(run(&(struct run){.exec_status = 42}), 42);
	has("\"status\":\"exited\",\"exit_code\":42,\"grader\":{\"exit_code\":42,\"signal\":null");
	has("\"lockdown\":{\"uid\":65534,\"gid\":65534,\"caps\":[],\"no_new_privs\":true");
	has("\"submission\":{\"files\":1,");
	has("\"error\":null");
	assert_string_equal(execs, "/grader\n");
}

static void grader_killed_by_a_signal(void **state)
{
	(void)state;
	fresh(true);
	assert_int_equal(run(&(struct run){.exec_status = -SIGUSR1}), 128 + SIGUSR1);
	has("\"status\":\"signaled\",\"exit_code\":138,\"grader\":{\"exit_code\":null,\"signal\":10");
}

static void exec_failures(void **state)
{
	(void)state;
	fresh(true);
	assert_int_equal(run(&(struct run){.exec_err = ENOENT}), 127);
	has("\"status\":\"exec_failed\",\"exit_code\":127,\"grader\":null");
	has("\"lockdown\":null");
	has("\"error\":{\"step\":\"exec\",\"errno\":2,");
	fresh(true);
	assert_int_equal(run(&(struct run){.exec_err = EACCES}), 126);
	has("\"status\":\"exec_failed\",\"exit_code\":126,");
	has("\"error\":{\"step\":\"exec\",\"errno\":13,");
	assert_string_equal(execs, "");
}

/* A lockdown step that fails: 125 at once, before the wait (no marker is needed), no
 * exec; in --exec mode too, where PID 1 locks itself down after the check. */
static void failed_lockdown_never_execs(void **state)
{
	(void)state;
	fresh(false);
	assert_int_equal(run(&(struct run){.fail = "sys_setresuid:1:1"}), 125);
	has("\"status\":\"setup_failed\",\"exit_code\":125,\"grader\":null");
	has("\"lockdown\":null");
	has("\"error\":{\"step\":\"uid\",\"errno\":1,");
	assert_string_equal(execs, "");

	fresh(true);
	assert_int_equal(run(&(struct run){.fail = "sys_seccomp_attach:1:22", .extra = {"--exec"}}), 125);
	has("\"status\":\"setup_failed\",\"exit_code\":125,\"grader\":null");
	has("\"error\":{\"step\":\"seccomp\",\"errno\":22,");
	assert_string_equal(execs, "");
}

/* --exec: usher becomes the grader; its status is the grader's, and no result is left
 * behind for a run that reached the exec (nothing is left to write it). */
static void exec_mode_becomes_the_grader(void **state)
{
	(void)state;
	fresh(true);
	assert_int_equal(run(&(struct run){.exec_status = 9, .extra = {"--exec"}}), 9);
	assert_string_equal(execs, "/grader\n");
	assert_string_equal(result, "");
	fresh(true);
	assert_int_equal(run(&(struct run){.exec_err = ENOENT, .extra = {"--exec"}}), 127);
	has("\"status\":\"exec_failed\",\"exit_code\":127,\"grader\":null");
}

static void never_ready_and_rejected(void **state)
{
	(void)state;
	fresh(false);
	assert_int_equal(run(&(struct run){.extra = {"--wait-timeout", "0.2"}}), 75);
	has("\"status\":\"wait_timeout\",\"exit_code\":75,\"grader\":null");
	has("\"lockdown\":null");
	has("\"error\":{\"step\":\"wait\",\"errno\":0,");

	fresh(false);
	FILE *f = fopen(path[FAILED], "w");
	fputs("fetch failed: 403\n", f);
	fclose(f);
	assert_int_equal(run(&(struct run){0}), 75);
	has("\"status\":\"sidecar_failed\",\"exit_code\":75,");
	has("\"sidecar_reason\":\"fetch failed: 403\"");

	fresh(true);
	char fifo[160];
	snprintf(fifo, sizeof fifo, "%s/pipe", path[SUB]);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	assert_int_equal(run(&(struct run){0}), 65);
	has("\"status\":\"rejected\",\"exit_code\":65,\"grader\":null");
	has("\"error\":{\"step\":\"check\",\"errno\":0,");
	assert_string_equal(execs, "");
}

/* A verdict nobody can read is no success: a result that cannot be written turns 0 into
 * 125, and leaves any other status as it was. Every rename fails: the result's reserved
 * room is renamed into place, and when that fails it is written the usual way, which
 * renames too (report.c). */
static void unwritten_result(void **state)
{
	(void)state;
	fresh(true);
	assert_int_equal(run(&(struct run){.fail = "sys_renameat:0:5"}), 125);
	assert_string_equal(result, "");
	fresh(true);
	assert_int_equal(run(&(struct run){.fail = "sys_renameat:0:5", .exec_status = 3}), 3);
}

static void usage_error(void **state)
{
	(void)state;
	fresh(true);
	assert_int_equal(run(&(struct run){.extra = {"--max-files", "10x"}}), 125);
	has("\"status\":\"setup_failed\",\"exit_code\":125,\"grader\":null,\"wait_ms\":null,\"submission\":null,\"lockdown\":null");
	has("\"error\":{\"step\":\"config\",\"errno\":0,");
	assert_string_equal(execs, "");
}

static int group_setup(void **state)
{
	static const char *const names[] = {"sub", "sub.ready", "sub.failed", "result.json", "fb.json", "execs"};
	(void)state;
	assert_non_null(mkdtemp(dir));
	for (int i = 0; i < 6; i++)
		snprintf(path[i], sizeof path[i], "%s/%s", dir, names[i]);
	return 0;
}

static int group_teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(grader_exits),
		cmocka_unit_test(grader_killed_by_a_signal),
		cmocka_unit_test(exec_failures),
		cmocka_unit_test(failed_lockdown_never_execs),
		cmocka_unit_test(exec_mode_becomes_the_grader),
		cmocka_unit_test(never_ready_and_rejected),
		cmocka_unit_test(unwritten_result),
		cmocka_unit_test(usage_error),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
