/* test_parse.c - strict numbers, sizes, seconds, booleans, capability and rlimit names,
 * user resolution, and the JSON writer. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "json.h"
#include "parse.h"

static void numbers(void **state)
{
	uint64_t v;
	(void)state;
	assert_int_equal(parse_u64("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_u64("007", &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(parse_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(parse_u64("18446744073709551616", &v), -ERANGE);
	static const char *const bad[] = {"", " 1", "1 ", "-1", "+1", "1x", "0x10", "1.0", "1e3"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(parse_u64(bad[i], &v), -EINVAL);
	assert_int_equal(parse_u64(NULL, &v), -EINVAL);
}

static void sizes(void **state)
{
	uint64_t v;
	(void)state;
	assert_int_equal(parse_size("1K", &v), 0);
	assert_int_equal(v, 1024);
	assert_int_equal(parse_size("2m", &v), 0);
	assert_int_equal(v, 2 << 20);
	assert_int_equal(parse_size("1G", &v), 0);
	assert_int_equal(v, 1 << 30);
	assert_int_equal(parse_size("5", &v), 0);
	assert_int_equal(v, 5);
	assert_int_equal(parse_size("17179869184G", &v), -ERANGE);
	static const char *const bad[] = {"", "K", "1KB", "1T", "-1K", "1 K", "1.5G"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(parse_size(bad[i], &v), -EINVAL);
}

static void seconds(void **state)
{
	uint64_t v;
	(void)state;
	assert_int_equal(parse_seconds_ms("2", &v), 0);
	assert_int_equal(v, 2000);
	assert_int_equal(parse_seconds_ms("0.05", &v), 0);
	assert_int_equal(v, 50);
	assert_int_equal(parse_seconds_ms("1.5", &v), 0);
	assert_int_equal(v, 1500);
	assert_int_equal(parse_seconds_ms("0.001", &v), 0);
	assert_int_equal(v, 1);
	static const char *const bad[] = {"", ".", "1.", ".5", "1.0001", "-1", "1s", "1,5"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(parse_seconds_ms(bad[i], &v), -EINVAL);
	assert_int_equal(parse_seconds_ms("18446744073709552", &v), -ERANGE);
}

static void booleans(void **state)
{
	bool b;
	(void)state;
	assert_int_equal(parse_bool("TRUE", &b), 0);
	assert_true(b);
	assert_int_equal(parse_bool("", &b), 0);
	assert_false(b);
	assert_int_equal(parse_bool("2", &b), -EINVAL);
}

static void caps_and_rlimits(void **state)
{
	unsigned cap;
	int res;
	rlim_t soft, hard;
	(void)state;
	assert_int_equal(cap_from_name("CAP_SYS_ADMIN", &cap), 0);
	assert_int_equal(cap, 21);
	assert_int_equal(cap_from_name("checkpoint_restore", &cap), 0);
	assert_int_equal(cap, 40);
	assert_int_equal(cap_from_name("CAP_", &cap), -EINVAL);
	assert_string_equal(cap_name(10), "NET_BIND_SERVICE");
	assert_null(cap_name(cap_last() + 1));
	assert_int_equal(parse_rlimit("nproc=unlimited", &res, &soft, &hard), 0);
	assert_int_equal(res, RLIMIT_NPROC);
	assert_true(soft == RLIM_INFINITY && hard == RLIM_INFINITY);
	assert_int_equal(parse_rlimit("as=1G:unlimited", &res, &soft, &hard), 0);
	assert_true(soft == (rlim_t)1 << 30 && hard == RLIM_INFINITY);
	assert_int_equal(parse_rlimit("as=unlimited:1G", &res, &soft, &hard), -EINVAL);
	assert_int_equal(parse_rlimit("=1", &res, &soft, &hard), -EINVAL);
	assert_int_equal(parse_rlimit("NOFILE=1", &res, &soft, &hard), -EINVAL);
	assert_string_equal(rlimit_name(RLIMIT_STACK), "stack");
}

static void users(void **state)
{
	const char *passwd = "root:x:0:0::/root:/bin/sh\n"
			     "grader:x:1000:1001::/home/grader:/bin/sh\n"
			     "broken:x:notanumber:1\n"
			     "nogid:x:2000\n"
			     "rootgroup:x:3000:0::/:/bin/sh\n"
			     "nobody:x:65534:65534::/:/sbin/nologin";
	const char *group = "root:x:0:\nstaff:x:50:\n";
	uid_t u;
	gid_t g;
	char why[128];
	(void)state;
	assert_int_equal(user_resolve("grader", passwd, group, &u, &g, why, sizeof why), 0);
	assert_int_equal(u, 1000);
	assert_int_equal(g, 1001);
	assert_int_equal(user_resolve("grader:staff", passwd, group, &u, &g, why, sizeof why), 0);
	assert_int_equal(g, 50);
	assert_int_equal(user_resolve("1000", passwd, group, &u, &g, why, sizeof why), 0);
	assert_int_equal(g, 1001); /* primary group of the passwd entry */
	assert_int_equal(user_resolve("4242", passwd, group, &u, &g, why, sizeof why), 0);
	assert_int_equal(g, 4242); /* no entry: the same number, never 0 */
	assert_int_equal(user_resolve("4242", NULL, NULL, &u, &g, why, sizeof why), 0);
	assert_int_equal(user_resolve("nobody", passwd, group, &u, &g, why, sizeof why), 0);
	assert_int_equal(u, 65534);
	assert_int_equal(user_resolve("grader", NULL, group, &u, &g, why, sizeof why), -EINVAL);
	assert_int_equal(user_resolve("ghost", passwd, group, &u, &g, why, sizeof why), -EINVAL);
	assert_non_null(strstr(why, "ghost"));
	assert_int_equal(user_resolve("broken", passwd, group, &u, &g, why, sizeof why), -EINVAL);
	assert_int_equal(user_resolve("1:nogroup", passwd, group, &u, &g, why, sizeof why), -EINVAL);
	assert_int_equal(user_resolve("1:", passwd, group, &u, &g, why, sizeof why), -EINVAL);
	assert_int_equal(user_resolve(":1", passwd, group, &u, &g, why, sizeof why), -EINVAL);
	assert_int_equal(user_resolve("gr", passwd, group, &u, &g, why, sizeof why), -EINVAL);
	/* A passwd line without a gid field resolved to gid 0: now the uid's own number. */
	assert_int_equal(user_resolve("nogid", passwd, group, &u, &g, why, sizeof why), 0);
	assert_int_equal(u, 2000);
	assert_int_equal(g, 2000);
	/* Root's group from the image's passwd is refused unless named. */
	assert_int_equal(user_resolve("rootgroup", passwd, group, &u, &g, why, sizeof why), -EINVAL);
	assert_non_null(strstr(why, "gid 0"));
	assert_int_equal(user_resolve("rootgroup:0", passwd, group, &u, &g, why, sizeof why), 0);
	assert_int_equal(g, 0);
}

static void json(void **state)
{
	char buf[256];
	struct jbuf b;
	(void)state;
	jb_init(&b, buf, sizeof buf);
	jb_begin(&b);
	jb_kstr(&b, "s", "a\"b\\c\n\x01\xff");
	jb_ku64(&b, "u", 18446744073709551615u);
	jb_ki64(&b, "i", -1);
	jb_kbool(&b, "t", true);
	jb_knull(&b, "n");
	jb_key(&b, "o");
	jb_begin(&b);
	jb_key(&b, "a");
	jb_array(&b);
	jb_u64(&b, 1);
	jb_str(&b, NULL);
	jb_array_end(&b);
	jb_end(&b);
	jb_end(&b);
	assert_false(b.overflow);
	assert_string_equal(jb_text(&b),
			    "{\"s\":\"a\\\"b\\\\c\\n\\u0001\\ufffd\",\"u\":18446744073709551615,"
			    "\"i\":-1,\"t\":true,\"n\":null,\"o\":{\"a\":[1,null]}}");
	/* Valid UTF-8 passes as it is; what is not UTF-8 becomes U+FFFD, never a
	 * character that was not there ("\xc3\xa9" used to come back as "Ã©"). */
	static const struct { const char *in, *out; } utf8[] = {
		{"\xc3\xa9", "\"\xc3\xa9\""},                 /* é */
		{"\xe2\x82\xac", "\"\xe2\x82\xac\""},         /* € */
		{"\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\""}, /* U+1F600 */
		{"\xc3", "\"\\ufffd\""},                      /* cut short */
		{"\xc0\xaf", "\"\\ufffd\\ufffd\""},           /* overlong '/' */
		{"\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""}, /* a surrogate */
		{"\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""}, /* above U+10FFFF */
		{"a\xe2\x82", "\"a\\ufffd\\ufffd\""},
	};
	for (size_t i = 0; i < sizeof utf8 / sizeof utf8[0]; i++) {
		jb_init(&b, buf, sizeof buf);
		jb_str(&b, utf8[i].in);
		assert_string_equal(jb_text(&b), utf8[i].out);
	}
	jb_init(&b, buf, 8);
	jb_begin(&b);
	jb_kstr(&b, "long", "too long for eight bytes");
	jb_end(&b);
	assert_true(b.overflow);
	assert_string_equal(jb_text(&b), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(numbers), cmocka_unit_test(sizes),
		cmocka_unit_test(seconds), cmocka_unit_test(booleans),
		cmocka_unit_test(caps_and_rlimits), cmocka_unit_test(users),
		cmocka_unit_test(json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
