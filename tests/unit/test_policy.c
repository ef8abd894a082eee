/* test_policy.c - the parsers of untrusted text: the seccomp policy file and the ready
 * marker's manifest. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "handoff.h"
#include "policy.h"

static int parse(const char *text, struct policy *p, char *why)
{
	return policy_parse(text, strlen(text), p, why, 160);
}

static void policy_ok(void **state)
{
	struct policy p;
	char why[160] = "";
	(void)state;
	assert_int_equal(parse("# a policy\n"
			       "default errno(1)\n"
			       "base default\n"
			       "\n"
			       "deny ptrace   # inline comment\n"
			       "errno(38) clone3\n"
			       "kill kexec_load\n"
			       "log socket\n"
			       "allow personality arg0 == 0\n"
			       "deny ioctl arg1 &0xffffffff== 0x5412\n"
			       "deny clone arg0 &0x10000000== 0x10000000 arg1 != 0 arg2 >= 7\n",
			       &p, why),
			 0);
	assert_int_equal(p.def, PA_ERRNO);
	assert_int_equal(p.def_err, 1);
	assert_true(p.base_default);
	assert_int_equal(p.n, 7);
	assert_string_equal(p.rules[0].name, "ptrace");
	assert_int_equal(p.rules[0].action, PA_ERRNO);
	assert_int_equal(p.rules[0].err, EPERM);
	assert_int_equal(p.rules[1].err, 38);
	assert_int_equal(p.rules[2].action, PA_KILL);
	assert_int_equal(p.rules[3].action, PA_LOG);
	assert_int_equal(p.rules[4].ncmp, 1);
	assert_int_equal(p.rules[5].cmp[0].op, OP_MASKED_EQ);
	assert_int_equal(p.rules[5].cmp[0].mask, 0xffffffff);
	assert_int_equal(p.rules[5].cmp[0].value, 0x5412);
	assert_int_equal(p.rules[6].ncmp, 3);
	assert_int_equal(p.rules[6].cmp[2].op, OP_GE);
	assert_int_equal(p.rules[6].line, 11);
	policy_free(&p);
}

static void policy_errors(void **state)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{"permit ptrace\n", "line 1: unknown action"},
		{"deny\n", "line 1: expected a syscall name"},
		{"default allow\ndefault kill\n", "line 2: expected one 'default ACTION'"},
		{"default maybe\n", "line 1"},
		{"errno(0) x\n", "unknown action"},
		{"errno(4096) x\n", "unknown action"},
		{"errno() x\n", "unknown action"},
		{"deny x arg6 == 1\n", "bad comparison"},
		{"deny x arg0 =~ 1\n", "bad comparison"},
		{"deny x arg0 == 0xg\n", "bad comparison"},
		{"deny x arg0 == 1 arg1\n", "comparisons are"},
		{"deny x arg0 == 1 arg1 == 2 arg2 == 3 arg3 == 4\n", "at most 3"},
		{"base nothing\n", "expected 'base default'"},
		{"deny aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", "expected a syscall"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct policy p;
		char why[160] = "";
		if (parse(bad[i].text, &p, why) != -EINVAL || !strstr(why, bad[i].want))
			fail_msg("'%s': got '%s', want '%s'", bad[i].text, why, bad[i].want);
	}
	struct policy p;
	char why[160];
	char nul[] = "deny ptrace\nallow\0x\n";
	assert_int_equal(policy_parse(nul, sizeof nul - 1, &p, why, sizeof why), -EINVAL);
	assert_non_null(strstr(why, "line 2: NUL"));
}

static void manifest(void **state)
{
	struct usher_report rep;
	char why[160];
	(void)state;
	memset(&rep, 0, sizeof rep);
	assert_int_equal(manifest_parse("", 0, &rep, why, sizeof why), 0);
	assert_false(rep.manifest.has_files);
	const char *m = "# from usher deliver\r\nfiles=12\r\nbytes=34918\nfuture=1\n";
	assert_int_equal(manifest_parse(m, strlen(m), &rep, why, sizeof why), 0);
	assert_true(rep.manifest.has_files && rep.manifest.has_bytes);
	assert_int_equal(rep.manifest.files, 12);
	assert_int_equal(rep.manifest.bytes, 34918);
	static const char *const bad[] = {"files=x\n", "files=-1\n", "files=1\nfiles=1\n", "nokey\n",
					  "bytes=99999999999999999999\n", "files=1 \n"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&rep, 0, sizeof rep);
		assert_int_equal(manifest_parse(bad[i], strlen(bad[i]), &rep, why, sizeof why), -EINVAL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(policy_ok),
		cmocka_unit_test(policy_errors),
		cmocka_unit_test(manifest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
