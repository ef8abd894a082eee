/* test_run.c - usher run's learner process (src/run_child.c) fails closed: with the fake
 * seam's pretend privileges and real processes, the child is forked as a keeper forks
 * it, and every lockdown step is made to fail in turn. Whatever fails, the keeper gets
 * the step and its errno, and nothing is ever executed; with no failure, the go brings
 * the streams and the program is executed once, after every step. Also the verdict's
 * exit statuses and the meta JSON (src/run_meta.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "plan.h"
#include "run.h"
#include "sys.h"
#include "sys_fake.h"

static char log_path[64];
static struct sock_filter insn[1] = {{0x06, 0, 0, 0x7fff0000}}; /* ret ALLOW */
static struct bpf_prog prog = {insn, 1};
static const struct run_env env = {.switch_ids = true, .grader_uid = 1000, .grader_gid = 1000,
				   .base = 5000, .landlock_abi = 6, .network = NET_NONE,
				   .seccomp = &prog, .seccomp_notify = &prog, .mem_cgroup = -1};

static int setup(void **state)
{
	(void)state;
	fake_reset();
	fake_set_creds(0, 0, 3, UINT64_C(0x1ffffffffff));
	fake_processes(true);
	snprintf(log_path, sizeof log_path, "/tmp/usher-test-run.%d", (int)getpid());
	unlink(log_path);
	fake_exec_log(log_path);
	fake_exec_default(0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(log_path);
	return 0;
}

static bool executed(void)
{
	char buf[256] = "";
	int fd = open(log_path, O_RDONLY);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	return n > 0;
}

/* The child as a keeper starts it, with a fault planned: its first record, and (when it
 * is ready and go is true) the go with four real fds. Returns the child's exit status. */
static int child(const char *fault, int nth, int err, bool go, struct child_report *first,
		 struct child_report *second)
{
	int pair[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* The report channel on fd 3, where run_child keeps it (the fake dup2 only
		 * pretends). */
		if (dup2(pair[1], 3) < 0)
			_exit(99);
		if (fault)
			fake_fail(fault, nth, err);
		struct run_child c = {.env = &env, .uid = 5001, .report = 3};
		run_child(&c);
	}
	close(pair[1]);
	memset(first, 0, sizeof *first);
	memset(second, 0, sizeof *second);
	ssize_t n = read(pair[0], first, sizeof *first);
	if (n == (ssize_t)sizeof *first && first->kind == 0 && go) {
		static struct run_go_buf g;
		int null = open("/dev/null", O_RDWR), fds[4] = {null, null, null, null};
		memset(&g, 0, sizeof g);
		g.h.lim = (struct run_limits){.processes = 16, .open_files = 64, .fsize = 1 << 20};
		g.h.argc = 1;
		g.h.envc = 1;
		memcpy(g.strings, "/learner\0PATH=/bin\0", 19);
		g.h.strings = 19;
		/* A child whose receive was made to fail may be gone before the go is sent
		 * (EPIPE): the go never arrived, as for a child that was exec'd. A child that
		 * should have run and did not is caught by executed(). */
		ssize_t sent = sys_send_fds(pair[0], &g, sizeof g.h + 19, fds, 4);
		close(null);
		if (sent <= 0 && !(fault && !strcmp(fault, "sys_recv_fds")))
			fail_msg("the go: %s", strerror((int)-sent));
		if (sent <= 0 || read(pair[0], second, sizeof *second) <= 0)
			second->kind = -1; /* nothing more: the exec happened (close-on-exec) */
	}
	close(pair[0]);
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

static void ready_then_exec(void **state)
{
	struct child_report a, b;
	(void)state;
	child(NULL, 0, 0, true, &a, &b);
	assert_int_equal(a.kind, 0);   /* ready, its filter attached */
	assert_int_equal(b.kind, -1);  /* no failure after the go */
	assert_true(executed());       /* and the program ran */
}

static void no_go_no_exec(void **state)
{
	struct child_report a, b;
	(void)state;
	int st = child(NULL, 0, 0, false, &a, &b);
	assert_int_equal(a.kind, 0);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0); /* the keeper left: no run */
	assert_false(executed());
}

/* Every step of the standby half: the keeper hears which, nothing runs. */
static void standby_steps_fail_closed(void **state)
{
	static const struct {
		const char *name;
		int nth;
	} steps[] = {
		{"sys_setsid", 1}, {"sys_capbset_drop", 1}, {"sys_setgroups", 1}, {"sys_setresgid", 1},
		{"sys_setresuid", 1}, {"sys_capng_set", 1}, {"sys_getresuid", 1},
		{"sys_openat", 1} /* oom_score_adj */, {"sys_write", 1} /* oom_score_adj */,
		{"sys_prctl", 1} /* PDEATHSIG */, {"sys_prctl", 2} /* no_new_privs */,
		{"sys_seccomp_attach", 1},
	};
	(void)state;
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		struct child_report a, b;
		unlink(log_path);
		int st = child(steps[i].name, steps[i].nth, EACCES, true, &a, &b);
		if (a.kind != 1 || a.err != EACCES || executed() || !WIFEXITED(st) || WEXITSTATUS(st) != 127)
			fail_msg("%s #%d: record kind %d err %d, executed %d, status %#x", steps[i].name,
				 steps[i].nth, a.kind, a.err, executed(), st);
	}
}

/* And of the half after the go. */
static void go_steps_fail_closed(void **state)
{
	static const struct {
		const char *name;
		int nth;
	} steps[] = {
		{"sys_recv_fds", 1}, {"sys_dup2", 1}, {"sys_dup2", 3}, {"sys_fchdir", 1},
		{"sys_setrlimit", 1}, {"sys_setrlimit", 2}, {"sys_setrlimit", 3}, {"sys_setrlimit", 4},
		{"sys_landlock_create_ruleset", 1}, {"sys_landlock_add_rule", 1},
		{"sys_landlock_restrict_self", 1},
	};
	(void)state;
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		struct child_report a, b;
		unlink(log_path);
		child(steps[i].name, steps[i].nth, EACCES, true, &a, &b);
		bool quiet_exit = !strcmp(steps[i].name, "sys_recv_fds"); /* no go: leaves, says nothing */
		if (a.kind != 0 || (!quiet_exit && (b.kind != 1 || b.err != EACCES)) || executed())
			fail_msg("%s #%d: records %d/%d err %d, executed %d", steps[i].name, steps[i].nth, a.kind,
				 b.kind, b.err, executed());
	}
}

static void exec_failure_reported(void **state)
{
	struct child_report a, b;
	(void)state;
	fake_exec_result("/learner", ENOENT);
	child(NULL, 0, 0, true, &a, &b);
	assert_int_equal(b.kind, 2);
	assert_int_equal(b.err, ENOENT);
	assert_string_equal(b.what, "/learner");
}

static void exit_codes(void **state)
{
	struct run_verdict v = {.status = RUN_OK};
	(void)state;
	for (int s = RUN_OK; s < RUN_INTERNAL; s++) {
		v.status = s;
		assert_int_equal(run_exit_code(&v), s);
	}
	v.status = RUN_INTERNAL;
	assert_int_equal(run_exit_code(&v), 125);
	v.exec_err = ENOENT;
	assert_int_equal(run_exit_code(&v), 127);
	v.exec_err = EACCES;
	assert_int_equal(run_exit_code(&v), 126);
	assert_string_equal(run_status_name(RUN_FILE_SIZE), "file_size_limit");
}

static void meta_json(void **state)
{
	char buf[4096];
	struct run_verdict v = {.status = RUN_SIGNALED, .exit_code = -1, .signal = 11, .cpu_ms = 5, .ndenied = 1,
				.network = NET_NONE, .separation = SEP_UID, .uid = 5001};
	(void)state;
	snprintf(v.denied[0].syscall, sizeof v.denied[0].syscall, "ptrace");
	v.denied[0].count = 2;
	snprintf(v.message, sizeof v.message, "a \"quoted\" message");
	assert_true(run_meta_json(&v, buf, sizeof buf) > 0);
	assert_non_null(strstr(buf, "\"status\":\"signaled\",\"exit_code\":null,\"signal\":11"));
	assert_non_null(strstr(buf, "\"denied\":[{\"syscall\":\"ptrace\",\"detail\":\"\",\"count\":2}]"));
	assert_non_null(strstr(buf, "a \\\"quoted\\\" message"));
	assert_true(run_meta_json(&v, buf, 40) < 0); /* too small: an error, never half a JSON */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(ready_then_exec, setup, teardown),
		cmocka_unit_test_setup_teardown(no_go_no_exec, setup, teardown),
		cmocka_unit_test_setup_teardown(standby_steps_fail_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(go_steps_fail_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(exec_failure_reported, setup, teardown),
		cmocka_unit_test(exit_codes),
		cmocka_unit_test(meta_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
