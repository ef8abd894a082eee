/* lockdown_seccomp_rules.c - the `default` seccomp profile (SPEC.md lockdown step 9):
 * what the grader may not ask of the kernel, each rule with its reason.
 *
 * Shape: default allow, so that the hot syscalls (read, write, openat, mmap, futex...)
 * carry no rule and stay in the kernel's seccomp action cache, answered by number
 * without running the filter (~25-30 ns instead of ~115-160 ns a call). Everything
 * else is decided by families, as an allow-list would be:
 *   - syscall numbers this table was not reviewed against (above NR_REVIEWED, the last
 *     one libseccomp 2.5.4 names) get ENOSYS, as on an older kernel, except those
 *     reviewed and listed below (the prelude);
 *   - socket families by allow-list: AF_UNIX and AF_NETLINK, AF_INET and AF_INET6 only
 *     with --allow-network; every other family, known or future, is refused;
 *   - the kernel-attack-surface and escape families are refused with EPERM.
 * The calls that carry argument checks (and so leave the cache) are only clone, socket,
 * socketpair, ioctl, personality and seccomp. Denied calls get EPERM (ENOSYS where a
 * libc must fall back), never a kill: a grader that probes for a feature gets a clean
 * error. docs/seccomp-policy.md lists every rule; tests/attacks proves each with a
 * control.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/socket.h>

#include "lockdown.h"
#include "policy.h"

#define DENY(n, reason) {PA_ERRNO, EPERM, n, 0, {{0}}, 0, reason}
#define DENY_IF(n, a, m, v, reason) {PA_ERRNO, EPERM, n, 1, {{a, OP_MASKED_EQ, m, v}}, 0, reason}
/* An int argument (socket family, ioctl request): its low 32 bits only, which is what
 * the kernel reads (CVE-2019-10063: a rule on the whole register missed requests with
 * garbage in the high half). */
#define INT32 0xffffffffu

const struct pol_rule seccomp_default_rules[] = {
	/* Mounts: remount, bind over the submission or /proc, uncover what the runtime
	 * mounted over. open_tree_attr (467), the newest of the family, is in the prelude:
	 * libseccomp does not name it. */
	DENY("mount", "remount, bind over the submission or /proc"),
	DENY("umount2", "uncover what the runtime mounted over"),
	DENY("pivot_root", "swap the root filesystem"),
	DENY("open_tree", "new mount API: clone mounts (open_tree_attr too, in the prelude)"),
	DENY("move_mount", "new mount API: attach mounts"),
	DENY("fsopen", "new mount API: create a filesystem context"),
	DENY("fsconfig", "new mount API: configure a filesystem"),
	DENY("fsmount", "new mount API: create a mount"),
	DENY("fspick", "new mount API: reconfigure a mount"),
	DENY("mount_setattr", "change mount flags (e.g. drop nosuid)"),
	/* Namespaces: a user namespace gives back capabilities over new namespaces and
	 * with them a large kernel surface. */
	DENY("unshare", "new namespaces: user namespaces reopen capabilities and kernel surface"),
	DENY("setns", "join another namespace"),
	DENY_IF("clone", 0, CLONE_NEWNS, CLONE_NEWNS, "clone into a new mount namespace"),
	DENY_IF("clone", 0, CLONE_NEWUSER, CLONE_NEWUSER, "clone into a new user namespace"),
	DENY_IF("clone", 0, CLONE_NEWPID, CLONE_NEWPID, "clone into a new pid namespace"),
	DENY_IF("clone", 0, CLONE_NEWNET, CLONE_NEWNET, "clone into a new network namespace"),
	DENY_IF("clone", 0, CLONE_NEWIPC, CLONE_NEWIPC, "clone into a new ipc namespace"),
	DENY_IF("clone", 0, CLONE_NEWUTS, CLONE_NEWUTS, "clone into a new uts namespace"),
	DENY_IF("clone", 0, CLONE_NEWCGROUP, CLONE_NEWCGROUP, "clone into a new cgroup namespace"),
	/* clone3 passes its flags in memory, which seccomp cannot read: ENOSYS makes glibc
	 * and musl fall back to clone, where the flags are checked above. */
	{PA_ERRNO, ENOSYS, "clone3", 0, {{0}}, 0, "flags out of seccomp's reach: fall back to clone"},
	/* Kernel surfaces that graders do not need and exploits do. */
	DENY("keyctl", "kernel keyrings: shared across containers of a uid, a frequent CVE target"),
	DENY("add_key", "kernel keyrings"),
	DENY("request_key", "kernel keyrings"),
	DENY("bpf", "eBPF programs and maps: large kernel attack surface"),
	DENY("userfaultfd", "stalls kernel page faults: a building block of kernel exploits"),
	DENY("perf_event_open", "performance counters: side channels and kernel surface"),
	DENY("io_uring_setup", "io_uring performs calls that seccomp never sees"),
	DENY("io_uring_enter", "io_uring"),
	DENY("io_uring_register", "io_uring"),
	DENY("modify_ldt", "installs LDT entries: 16-bit segments, a classic exploit primitive"),
	DENY("fanotify_init", "filesystem-wide event monitoring"),
	DENY("open_by_handle_at", "opens files by handle, around path checks (the 'shocker' escape)"),
	DENY("syslog", "the kernel log: kernel addresses defeat KASLR"),
	/* seccomp itself: a filter of the grader's own is fine (it only narrows), a
	 * user-notification listener is not: the grader would become a supervisor of the
	 * calls of what it runs, and usher's own listener must stay the only one. */
	{PA_ERRNO, EPERM, "seccomp", 2, {{0, OP_EQ, 0, SECCOMP_SET_MODE_FILTER},
					  {1, OP_MASKED_EQ, SECCOMP_FILTER_FLAG_NEW_LISTENER,
					   SECCOMP_FILTER_FLAG_NEW_LISTENER}}, 0,
	 "a seccomp user-notification listener: the grader would supervise calls"},
	/* Replacing the kernel, its modules, the machine's state. */
	DENY("kexec_load", "replace the running kernel"),
	DENY("kexec_file_load", "replace the running kernel"),
	DENY("init_module", "load kernel modules"),
	DENY("finit_module", "load kernel modules"),
	DENY("delete_module", "unload kernel modules"),
	DENY("swapon", "system administration"),
	DENY("swapoff", "system administration"),
	DENY("reboot", "system administration"),
	DENY("acct", "process accounting to a file"),
	DENY("quotactl", "filesystem quotas"),
	DENY("quotactl_fd", "filesystem quotas"),
	DENY("lookup_dcookie", "profiling interface"),
	DENY("vhangup", "hang up the terminal of others"),
	DENY("iopl", "I/O port privilege level"),
	DENY("ioperm", "I/O port access"),
	/* personality: READ_IMPLIES_EXEC makes every readable mapping executable;
	 * ADDR_NO_RANDOMIZE turns ASLR off for what the grader execs next; MMAP_PAGE_ZERO
	 * maps page 0. The query personality(0xffffffff) sets all these bits and is
	 * allowed by the prelude before these rules are reached. */
	DENY_IF("personality", 0, 0x0400000, 0x0400000, "READ_IMPLIES_EXEC: readable implies executable"),
	DENY_IF("personality", 0, 0x0040000, 0x0040000, "ADDR_NO_RANDOMIZE: no ASLR"),
	DENY_IF("personality", 0, 0x0100000, 0x0100000, "MMAP_PAGE_ZERO: map page 0 (NULL dereference exploits)"),
	/* Terminals (docker run -t): the grader has none after setsid, but a terminal fd
	 * it inherited or opened is still one. The request is an int: low 32 bits. */
	DENY_IF("ioctl", 1, INT32, 0x5412, "TIOCSTI: push input into a terminal"),
	DENY_IF("ioctl", 1, INT32, 0x541C, "TIOCLINUX: console selection (input injection on VTs)"),
	DENY_IF("ioctl", 1, INT32, 0x540A, "TCXONC: stop the terminal's output, so PID 1's log would block"),
	DENY_IF("ioctl", 1, INT32, 0x5423, "TIOCSETD: change the line discipline (n_gsm and friends: CVEs)"),
	/* socketpair makes only AF_UNIX pairs; refuse the rest before any family code runs. */
	DENY_IF("socketpair", 0, INT32, 0, "socketpair of family 0"),
	{PA_ERRNO, EPERM, "socketpair", 1, {{0, OP_GE, 0, 2}}, 0, "socketpair of a family other than AF_UNIX"},
};
const size_t seccomp_default_count = sizeof seccomp_default_rules / sizeof seccomp_default_rules[0];

/* Socket families by allow-list: every family below AF_MAX that is not allowed, and
 * everything from AF_MAX up (families newer kernels may add). AF_UNIX (local IPC) and
 * AF_NETLINK (glibc's getaddrinfo, `ip addr`) are always allowed; AF_INET and
 * AF_INET6 only with --allow-network. Refused, among others: AF_PACKET (sniffing,
 * spoofing), AF_VSOCK (the host or hypervisor), AF_ALG, AF_KEY, AF_RDS, AF_TIPC,
 * AF_CAN, AF_SMC (kernel code reached by one socket() call, a steady CVE source). */
#define NR_REVIEWED 456 /* futex_requeue: the last syscall libseccomp 2.5.4 names */
#define NR_PERSONALITY 135
static const struct {
	unsigned nr;
	bool allow; /* else EPERM */
	const char *why;
} reviewed[] = {
	{462, true, "mseal: seals the caller's own mappings"},
	{463, true, "setxattrat: as setxattr"},
	{464, true, "getxattrat: as getxattr"},
	{465, true, "listxattrat: as listxattr"},
	{466, true, "removexattrat: as removexattr"},
	{467, false, "open_tree_attr: the mount family (open_tree with attributes)"},
	{468, true, "file_getattr: as the FS_IOC_FSGETXATTR ioctl"},
	{469, true, "file_setattr: as the FS_IOC_FSSETXATTR ioctl"},
	/* 457 statmount, 458 listmount, 459-461 lsm_*, 470 and up: ENOSYS (programs fall
	 * back to /proc/self/mountinfo and the like). */
};

#define USHER_AF_MAX 46 /* AF_MCTP is 45 (Linux 5.15) */
size_t seccomp_socket_rules(enum pol_action inet, enum pol_action others, struct pol_rule *out,
			    size_t max)
{
	size_t n = 0;
	for (unsigned af = 0; af < USHER_AF_MAX && n + 1 < max; af++) {
		bool is_inet = af == AF_INET || af == AF_INET6;
		if (af == AF_UNIX || af == AF_NETLINK || (is_inet && inet == PA_ALLOW))
			continue;
		out[n] = (struct pol_rule)DENY_IF("socket", 0, INT32, af, "a socket family not on the allow-list");
		if (is_inet)
			out[n].why = inet == PA_NOTIFY ? "AF_INET/AF_INET6: PID 1 makes the socket, bound to lo, "
							 "or refuses it" : "no network without --network all";
		out[n++].action = is_inet ? inet : others;
	}
	if (n < max) {
		out[n] = (struct pol_rule){PA_ERRNO, EPERM, "socket", 1, {{0, OP_GE, 0, USHER_AF_MAX}}, 0,
					   "a socket family newer than this table"};
		out[n++].action = others;
	}
	return n;
}

int seccomp_refusal_errno(unsigned nr)
{
	/* clone3: so that libcs fall back to clone; unreviewed numbers: as an older kernel
	 * would answer. The same errnos as the plain filter gives. */
	if (nr == 435 /* clone3 */)
		return ENOSYS;
	if (nr > NR_REVIEWED) {
		for (size_t i = 0; i < sizeof reviewed / sizeof reviewed[0]; i++)
			if (reviewed[i].nr == nr)
				return EPERM;
		return ENOSYS;
	}
	return EPERM;
}

/* The prelude: a few BPF instructions in front of libseccomp's program, for what
 * libseccomp cannot express. It loads only the architecture and the syscall number
 * (and personality's argument on personality's own branch), so the kernel's action
 * cache still answers every other call by number.
 *   - personality(0xffffffff) is the read-only query: allowed (libseccomp refuses an
 *     allow rule under an allow default, and one rule cannot test one argument twice);
 *   - numbers above NR_REVIEWED: ENOSYS, as an older kernel would say, except the ones
 *     reviewed below. x32 numbers and foreign architectures go on to libseccomp, whose
 *     bad-architecture action refuses them (EPERM). */
const char *seccomp_reviewed(unsigned i, unsigned *nr, bool *allow)
{
	if (i >= sizeof reviewed / sizeof reviewed[0])
		return NULL;
	*nr = reviewed[i].nr;
	*allow = reviewed[i].allow;
	return reviewed[i].why;
}

size_t seccomp_prelude(struct sock_filter *out, size_t max, uint32_t deny, uint32_t unknown)
{
	const size_t h = sizeof reviewed / sizeof reviewed[0];
	const size_t len = 11 + h, lib = len, allow = 9 + h, eperm = 10 + h;
	if (max < len)
		return 0;
#define AT(i, target) (unsigned char)((target) - (i) - 1)
	out[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	out[1] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, AT(1, lib));
	out[2] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	out[3] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NR_PERSONALITY, 0, AT(3, 6));
	out[4] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
	out[5] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xffffffff, AT(5, allow), AT(5, lib));
	out[6] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, AT(6, lib), 0);
	out[7] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, NR_REVIEWED, 0, AT(7, lib));
	for (size_t i = 0; i < h; i++)
		out[8 + i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, reviewed[i].nr,
							  AT(8 + i, reviewed[i].allow ? allow : eperm), 0);
	out[8 + h] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, unknown);
	out[allow] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	out[eperm] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, deny);
#undef AT
	return len;
}
