/* sys_fake.h - control of the fake seam (tests/fakes/sys_fake.c) for unit tests.
 *
 * Every sys_* call is recorded by name in a trace. A test can make the Nth call of a
 * name fail with an errno, and then check what was (not) called after it:
 *
 *     fake_reset();
 *     fake_fail("sys_setresuid", 1, EPERM);
 *     assert_true(lockdown(&cfg, &plan, &rep) < 0);
 *     assert_int_equal(fake_count("sys_landlock_restrict_self"), 0);
 *
 * File calls (open, read, fstat, ...) pass through to the real kernel so tests can use
 * temporary directories; privileged and process calls (setresuid, fork, execve,
 * seccomp, landlock, ...) do nothing and succeed unless told to fail.
 *
 * Process mode (fake_processes(true)) makes fork, wait4 and kill real, so the spawn
 * protocol and the supervision loop run with real processes and real signals while
 * every privileged call still only pretends. An execve that "succeeds" in process mode
 * does what a real exec does to the caller's descriptors (closes the close-on-exec
 * ones), notes the path in the exec log, and exits with the status fake_exec_exits()
 * gave: the parent sees exactly what it would see after a real exec.
 */
#ifndef USHER_SYS_FAKE_H
#define USHER_SYS_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

void fake_reset(void);
/* The nth call (1-based; 0 = every call) of `name` fails with -err. err FAKE_DIE makes
 * the calling process _exit(FAKE_DIE_STATUS) instead: a child that dies without a word. */
void fake_fail(const char *name, int nth, int err);
#define FAKE_DIE 0x7fff
#define FAKE_DIE_STATUS 99
/* How many times `name` was called since fake_reset() (in this process). */
int fake_count(const char *name);
/* The calls so far, comma-separated: "sys_close_range,sys_setsid,...". */
const char *fake_trace(void);
/* Position of the first call of `name` in the trace, -1 if none: for order checks. */
int fake_index(const char *name);
/* `name` reports success but changes nothing: a kernel that lies, for read-back tests. */
void fake_ignore(const char *name);
/* The pretend kernel's credentials: ids, number of supplementary groups, and the
 * effective/permitted/bounding capability sets (inheritable and ambient start empty). */
void fake_set_creds(uid_t uid, gid_t gid, int ngroups, uint64_t caps);

/* Process mode: real fork, wait4 and kill (off after fake_reset). A child starts with an
 * empty trace and counts of its own; the faults, the exec table and the credentials are
 * inherited, so a fault aimed at the child's nth call hits its nth call. */
void fake_processes(bool on);
/* execve of exactly `path` fails with -err; err 0 makes it succeed (process mode only:
 * outside it a success cannot be simulated and is reported as -ENOEXEC). */
void fake_exec_result(const char *path, int err);
/* The answer for paths not in the table: -ENOEXEC unless changed (so code that goes on
 * after an exec is visible). */
void fake_exec_default(int err);
/* The exit status of a process whose execve succeeded (process mode); default 0.
 * A negative status -N: the "program" is killed by signal N. */
void fake_exec_exits(int status);
/* Every successful (simulated) execve appends "PATH\n" to this file, from whichever
 * process made it: the parent reads it to know whether, and what, a child executed. */
void fake_exec_log(const char *file);
/* The paths this process passed to execve, comma-separated, in order. */
const char *fake_exec_paths(void);

#endif
