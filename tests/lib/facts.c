/* facts - what the kernel and the runtime really offer, asked directly, for tests that
 * judge usher's own reports (51-doctor.t): the Landlock ABI, openat2, the effective
 * capabilities, the uid. Raw syscalls only, so it runs in any image and owes nothing to
 * usher's code. Build: musl-gcc -static -O2 -o facts facts.c
 *
 * Prints one line: landlock_abi=N openat2=ok|errno capeff=HEX uid=N */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

struct open_how_ {
	uint64_t flags, mode, resolve;
};
struct cap_header {
	uint32_t version;
	int pid;
};
struct cap_data {
	uint32_t effective, permitted, inheritable;
};

int main(void)
{
	long abi = syscall(444 /* landlock_create_ruleset */, NULL, 0, 1 /* _VERSION */);
	struct open_how_ how = {.flags = O_PATH, .resolve = 0x08 /* RESOLVE_BENEATH */};
	long fd = syscall(437 /* openat2 */, AT_FDCWD, ".", &how, sizeof how);
	int o2 = fd >= 0 ? 0 : errno;
	struct cap_header h = {.version = 0x20080522 /* _LINUX_CAPABILITY_VERSION_3 */};
	struct cap_data d[2] = {{0}};
	uint64_t eff = syscall(SYS_capget, &h, d) == 0 ? (uint64_t)d[1].effective << 32 | d[0].effective : 0;
	printf("landlock_abi=%ld openat2=%s capeff=%llx uid=%u\n", abi > 0 ? abi : 0,
	       o2 ? "errno" : "ok", (unsigned long long)eff, (unsigned)getuid());
	return 0;
}
