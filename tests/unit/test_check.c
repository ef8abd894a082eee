/* test_check.c - the symlink rules of the submission check, with the kernel's
 * openat2(RESOLVE_BENEATH) and with the user-space walk that stands in for it where
 * openat2 is missing (resolve.c): both must reach the same verdict on every tree. */
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

#include "config.h"
#include "plan.h"
#include "stages.h"
#include "sys_fake.h"

/* A tree (shell commands run inside the submission) and what the check must say. */
static const struct {
	const char *setup, *want; /* want: NULL = accepted, else part of the message */
} trees[] = {
	{"echo x >f; ln -s f good", NULL},
	{"mkdir -p d/e; echo x >d/e/f; ln -s d/e/f deep; ln -s ../d/e d/up; ln -s d/./e/../e/f dots", NULL},
	{"mkdir d; ln -s d dl; echo x >d/f; ln -s dl/f through", NULL},
	{"mkdir d; ln -s ../../etc/passwd d/pw", "leads out"},
	{"ln -s .. up", "leads out"},
	{"ln -s . b; mkdir d; ln -s ../b/.. d/a", "leads out"},
	{"mkdir d; ln -s /etc/passwd d/abs", "absolute target"},
	{"ln -s missing dangling", "dangling"},
	{"echo x >f; ln -s f/x notdir", "dangling"},
	{"ln -s l2 l1; ln -s l1 l2", "loop"},
	{"mkdir a; ln -s ../a/../a/../a a/self; echo x >a/f; ln -s a/self/self/f far", NULL},
	{"mkdir a; ln -s a/../.. esc", "leads out"},
	{"ln -s ./././. dots; ln -s dots/dots/dots/.. out", "leads out"},
	{"mkdir a; echo x >a/f; ln -s a/f/ slash", "dangling"},
	{"for i in $(seq 45); do ln -s c$((i + 1)) c$i; done; echo x >c46", "loop"},
};

static void run_tree(const char *setup, const char *want, bool no_openat2)
{
	char dir[] = "/tmp/usher-check.XXXXXX", sub[64], cmd[512];
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof sub, "%s/sub", dir);
	snprintf(cmd, sizeof cmd, "mkdir %s && cd %s && { %s; }", sub, sub, setup);
	assert_int_equal(system(cmd), 0);

	struct usher_config cfg;
	struct usher_report rep;
	char *argv[] = {(char *)"usher", (char *)"-q", (char *)"--no-wait", (char *)"--submission", sub,
			(char *)"--", (char *)"/grader", NULL};
	char *envp[] = {NULL};
	memset(&rep, 0, sizeof rep);
	assert_int_equal(config_load(7, argv, envp, &cfg, &rep), 0);
	memset(&rep, 0, sizeof rep);
	fake_reset();
	fake_set_creds(getuid(), getgid(), 0, getuid() == 0 ? UINT64_C(0x1ffffffffff) : 0);
	if (no_openat2)
		fake_fail("sys_openat2", 0, ENOSYS);
	struct usher_plan plan = {.priv = {.root = getuid() == 0, .setid = getuid() == 0,
					   .chown = getuid() == 0},
				  .uid = getuid() ? getuid() : 65534, .switch_ids = getuid() == 0};
	int rc = check_submission(&cfg, &plan, &rep);
	if (want == NULL && rc != 0)
		fail_msg("%s (openat2 %s): rejected: %s", setup, no_openat2 ? "missing" : "present",
			 rep.error.message);
	if (want != NULL && (rc != -OUTCOME_REJECTED || !strstr(rep.error.message, want)))
		fail_msg("%s (openat2 %s): want a rejection naming '%s', got %d '%s'", setup,
			 no_openat2 ? "missing" : "present", want, rc, rep.error.message);
	config_free(&cfg);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void symlinks_with_openat2(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof trees / sizeof trees[0]; i++)
		run_tree(trees[i].setup, trees[i].want, false);
}

static void symlinks_without_openat2(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof trees / sizeof trees[0]; i++)
		run_tree(trees[i].setup, trees[i].want, true);
	/* and the walk really ran: openat2 was asked, and said ENOSYS */
	assert_true(fake_count("sys_openat2") > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(symlinks_with_openat2),
		cmocka_unit_test(symlinks_without_openat2),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
