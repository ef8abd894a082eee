/* test_exec.c - lockdown step 10's PATH search (src/lockdown_exec.c) through the fake
 * execve, which answers per path (fake_exec_result) and records what was tried:
 *
 *   a slash in PROGRAM      no search: exactly that path, relative ones included
 *   PATH elements           in order; an empty one (leading, trailing, "::") is the cwd
 *   no PATH                 the default list
 *   errors                  EACCES (found, not runnable) beats ENOENT from other
 *                           entries: 126, not 127; all ENOENT: 127
 *   ENOENT on a script      its #! interpreter is missing: 126, and a CRLF shebang says
 *                           so (dos2unix), the commonest cause
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "plan.h"
#include "report.h"
#include "stages.h"
#include "sys_fake.h"

static struct usher_config cfg;
static struct usher_plan plan;
static struct usher_report rep;
static const char *env[4];
static char *argv[3];

static void prepare(const char *prog, const char *path_var)
{
	memset(&cfg, 0, sizeof cfg);
	memset(&rep, 0, sizeof rep);
	argv[0] = (char *)prog;
	argv[1] = NULL;
	cfg.argv = argv;
	env[0] = "HOME=/nonexistent";
	env[1] = path_var;
	env[2] = NULL;
	plan = (struct usher_plan){.env = env, .report_fd = -1, .result_dirfd = -1};
	fake_reset();
	fake_exec_default(ENOENT); /* nothing exists unless a test says so */
}

/* exec_program's result, mapped as main maps it. */
static int exit_code(int rc)
{
	assert_true(rc < 0); /* it returns only on failure */
	rep.status = outcome_after_start(&rep);
	return outcome_exit_code(&rep);
}

static void a_slash_means_no_search(void **state)
{
	(void)state;
	prepare("grader/grader.py", "PATH=/a:/b");
	assert_int_equal(exit_code(exec_program(&cfg, &plan, &rep)), 127);
	assert_string_equal(fake_exec_paths(), "grader/grader.py");
	prepare("/abs/grader", "PATH=/a:/b");
	fake_exec_result("/abs/grader", EACCES);
	assert_int_equal(exit_code(exec_program(&cfg, &plan, &rep)), 126);
	assert_string_equal(fake_exec_paths(), "/abs/grader");
	assert_string_equal(step_name(rep.error.step), "exec");
	assert_int_equal(rep.error.err, EACCES);
}

static void path_elements_in_order_empty_is_cwd(void **state)
{
	(void)state;
	prepare("g", "PATH=:/a::/b:");
	assert_int_equal(exit_code(exec_program(&cfg, &plan, &rep)), 127);
	assert_string_equal(fake_exec_paths(), "g,/a/g,g,/b/g,g");
	assert_int_equal(rep.error.err, ENOENT);
	assert_non_null(strstr(rep.error.message, "PATH=:/a::/b:"));
}

static void no_path_means_the_default(void **state)
{
	(void)state;
	prepare("g", NULL);
	exec_program(&cfg, &plan, &rep);
	assert_string_equal(fake_exec_paths(),
			    "/usr/local/sbin/g,/usr/local/bin/g,/usr/sbin/g,/usr/bin/g,/sbin/g,/bin/g");
}

static void found_but_not_runnable_beats_not_found(void **state)
{
	(void)state;
	/* EACCES in the middle: the search goes on (a later entry may run), and if
	 * nothing does, the answer is 126 with EACCES, not the last entry's ENOENT. */
	prepare("g", "PATH=/a:/b:/c");
	fake_exec_result("/b/g", EACCES);
	assert_int_equal(exit_code(exec_program(&cfg, &plan, &rep)), 126);
	assert_string_equal(fake_exec_paths(), "/a/g,/b/g,/c/g");
	assert_int_equal(rep.error.err, EACCES);
	/* ENOTDIR (a file where a directory should be) is "not here" too. */
	prepare("g", "PATH=/a:/b");
	fake_exec_result("/a/g", ENOTDIR);
	assert_int_equal(exit_code(exec_program(&cfg, &plan, &rep)), 127);
	/* The first telling error wins over a later one. */
	prepare("g", "PATH=/a:/b");
	fake_exec_result("/a/g", EACCES);
	fake_exec_result("/b/g", ENOEXEC);
	assert_int_equal(exit_code(exec_program(&cfg, &plan, &rep)), 126);
	assert_int_equal(rep.error.err, EACCES);
}

static void missing_interpreter_and_crlf(void **state)
{
	char dir[] = "/tmp/usher-exec.XXXXXX", crlf[64], lf[64], bin[64];
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(crlf, sizeof crlf, "%s/crlf.sh", dir);
	snprintf(lf, sizeof lf, "%s/lf.sh", dir);
	snprintf(bin, sizeof bin, "%s/bin", dir);
	FILE *f = fopen(crlf, "w");
	fputs("#!/bin/sh\r\necho hi\r\n", f);
	fclose(f);
	f = fopen(lf, "w");
	fputs("#! /nonexistent/python3 -u\nprint(1)\n", f);
	fclose(f);
	f = fopen(bin, "w");
	fputs("\177ELF...", f);
	fclose(f);

	/* execve says ENOENT for a script whose interpreter is missing ("/bin/sh\r"). */
	prepare(crlf, "PATH=/bin");
	assert_int_equal(exit_code(exec_program(&cfg, &plan, &rep)), 126);
	assert_int_equal(rep.error.err, ENOEXEC);
	assert_non_null(strstr(rep.error.message, "CRLF line endings in the shebang"));
	assert_non_null(strstr(rep.error.message, "dos2unix"));

	prepare(lf, "PATH=/bin");
	assert_int_equal(exit_code(exec_program(&cfg, &plan, &rep)), 126);
	assert_non_null(strstr(rep.error.message, "its interpreter /nonexistent/python3 was not found"));

	/* The same explanation through a PATH search, found in the second entry. */
	prepare("crlf.sh", "PATH=/nonexistent:");
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(exit_code(exec_program(&cfg, &plan, &rep)), 126);
	assert_non_null(strstr(rep.error.message, "CRLF"));

	/* ENOENT for a file that is not a script: just not found. */
	prepare(bin, "PATH=/bin");
	assert_int_equal(exit_code(exec_program(&cfg, &plan, &rep)), 127);
	assert_int_equal(rep.error.err, ENOENT);

	assert_int_equal(chdir("/"), 0);
	unlink(crlf);
	unlink(lf);
	unlink(bin);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_slash_means_no_search),
		cmocka_unit_test(path_elements_in_order_empty_is_cwd),
		cmocka_unit_test(no_path_means_the_default),
		cmocka_unit_test(found_but_not_runnable_beats_not_found),
		cmocka_unit_test(missing_interpreter_and_crlf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
