/* sys_fake.h - control of the fake seam (tests/fakes/sys_fake.c) for unit tests.
 *
 * Every sys_* call is recorded by name in a trace. A test can make the Nth call of a
 * name fail with an errno, and then check what was (not) called after it:
 *
 *     fake_reset();
 *     fake_fail("sys_setresuid", 1, EPERM);
 *     assert_true(lockdown(&cfg, &plan, &rep) < 0);
 *     assert_int_equal(fake_count("sys_execve"), 0);
 *
 * File calls (open, read, fstat, ...) pass through to the real kernel so tests can use
 * temporary directories; privileged and process calls (setresuid, fork, execve,
 * seccomp, landlock, ...) do nothing and succeed unless told to fail.
 */
#ifndef USHER_SYS_FAKE_H
#define USHER_SYS_FAKE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

void fake_reset(void);
/* The nth call (1-based; 0 = every call) of `name` fails with -err. */
void fake_fail(const char *name, int nth, int err);
/* How many times `name` was called since fake_reset(). */
int fake_count(const char *name);
/* The calls so far, comma-separated: "sys_close_range,sys_setsid,...". */
const char *fake_trace(void);
/* Position of the first call of `name` in the trace, -1 if none: for order checks. */
int fake_index(const char *name);
/* The pretend kernel's credentials: ids, number of supplementary groups, and the
 * effective/permitted/bounding capability sets (inheritable and ambient start empty). */
/* `name` reports success but changes nothing: a kernel that lies, for read-back tests. */
void fake_ignore(const char *name);
void fake_set_creds(uid_t uid, gid_t gid, int ngroups, uint64_t caps);

#endif
