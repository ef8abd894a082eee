/* probe_syscalls.c - `probe sys NAME...`: tries system calls that older kernels lack,
 * each with harmless arguments, and prints one line per call:
 *
 *   probe: sys NAME: ok N          the call returned N (it exists and worked)
 *   probe: sys NAME: EBADF ...     the call reached the kernel and refused the arguments
 *   probe: sys NAME: ENOSYS ...    missing: an old kernel, or a filter emulating one
 *
 * tests/integration/23-kernels.t runs it with and without a profile of tests/kernels/ to
 * show that the emulation really removes a call (ENOSYS or EINVAL under the profile,
 * anything else without it). Nothing here has an effect: fds opened are closed, no
 * child is created, no filter is installed (a NULL program faults first).
 */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const struct { int err; const char *name; } errnos[] = {
	{ENOSYS, "ENOSYS"}, {EPERM, "EPERM"}, {EINVAL, "EINVAL"}, {EBADF, "EBADF"},
	{EFAULT, "EFAULT"}, {ENOENT, "ENOENT"}, {EACCES, "EACCES"}, {EOPNOTSUPP, "EOPNOTSUPP"},
	{ESRCH, "ESRCH"}, {E2BIG, "E2BIG"}, {ENOMEM, "ENOMEM"},
};

static const char *errno_name(int e)
{
	for (size_t i = 0; i < sizeof errnos / sizeof *errnos; i++)
		if (errnos[i].err == e)
			return errnos[i].name;
	return "E?";
}

struct open_how_ { uint64_t flags, mode, resolve; };

static long call(const char *name)
{
	if (!strcmp(name, "close_range")) /* nothing is open up there */
		return syscall(436, ~0U, ~0U, 0);
	if (!strcmp(name, "openat2")) {
		struct open_how_ how = {O_PATH | O_DIRECTORY, 0, 0x08 /* RESOLVE_BENEATH */};
		long fd = syscall(437, AT_FDCWD, ".", &how, sizeof how);
		if (fd >= 0)
			close((int)fd);
		return fd;
	}
	if (!strcmp(name, "landlock")) /* the ABI version */
		return syscall(444, NULL, 0, 1 /* LANDLOCK_CREATE_RULESET_VERSION */);
	if (!strcmp(name, "clone3")) /* a size too small: EINVAL, no child */
		return syscall(435, NULL, 0);
	if (!strcmp(name, "pidfd_open")) {
		long fd = syscall(434, getpid(), 0);
		if (fd >= 0)
			close((int)fd);
		return fd;
	}
	if (!strcmp(name, "pidfd_getfd"))
		return syscall(438, -1, 0, 0);
	if (!strcmp(name, "pidfd_send_signal"))
		return syscall(424, -1, 0, NULL, 0);
	if (!strcmp(name, "faccessat2"))
		return syscall(439, AT_FDCWD, "/", F_OK, 0);
	if (!strcmp(name, "process_madvise"))
		return syscall(440, -1, NULL, 0, 0, 0);
	if (!strcmp(name, "epoll_pwait2"))
		return syscall(441, -1, NULL, 1, NULL, NULL, 0);
	if (!strcmp(name, "io_uring_setup"))
		return syscall(425, 0, NULL);
	if (!strcmp(name, "rseq"))
		return syscall(334, NULL, 0, 0, 0);
	if (!strcmp(name, "futex_waitv"))
		return syscall(449, NULL, 0, 0, NULL, 0);
	if (!strcmp(name, "fchmodat2"))
		return syscall(452, AT_FDCWD, "/nonexistent-probe", 0, 0);
	if (!strcmp(name, "seccomp-notify")) { /* user notification (5.0): its sizes */
		uint16_t sizes[3];
		return syscall(SYS_seccomp, 3 /* SECCOMP_GET_NOTIF_SIZES */, 0, sizes);
	}
	if (!strcmp(name, "seccomp-listener")) /* NEW_LISTENER (5.0): a NULL program faults */
		return syscall(SYS_seccomp, 1 /* SET_MODE_FILTER */, 8, NULL);
	if (!strcmp(name, "seccomp-killable")) /* NEW_LISTENER|WAIT_KILLABLE_RECV (5.19) */
		return syscall(SYS_seccomp, 1, 8 | 32, NULL);
	errno = EDOM;
	return -2;
}

/* sys NAME...: one line per call; exit 0 unless a name is unknown. */
int sys_probe(int argc, char **argv)
{
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		errno = 0;
		long r = call(argv[i]);
		if (r == -2 && errno == EDOM) {
			printf("probe: sys %s: unknown call\n", argv[i]);
			rc = 2;
		} else if (r < 0) {
			printf("probe: sys %s: %s (%s)\n", argv[i], errno_name(errno), strerror(errno));
		} else {
			printf("probe: sys %s: ok %ld\n", argv[i], r);
		}
	}
	return rc;
}
