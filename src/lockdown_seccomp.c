/* lockdown_seccomp.c - the `default` profile (SPEC.md lockdown step 9) and the compiler that
 * turns a policy (this table, or a --seccomp FILE) into BPF once, before the wait.
 *
 * Default action: allow. Denied calls get EPERM (or ENOSYS where a libc must fall
 * back), never a kill: a grader that probes for a feature gets a clean error. Hot
 * syscalls (read, write, openat, mmap, futex, ...) have no rule at all, so the kernel's
 * seccomp action cache answers them by number without running the filter; only
 * clone, socket, ioctl and personality carry argument checks. Non-native ABIs (x32,
 * i386) get EPERM through libseccomp's bad-architecture action.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "lockdown.h"
#include "log.h"
#include "policy.h"
#include "sys.h"
#include "util.h"

#define DENY(n, reason) {PA_ERRNO, EPERM, n, 0, {{0}}, 0, reason}
#define DENY_IF(n, a, m, v, reason) {PA_ERRNO, EPERM, n, 1, {{a, OP_MASKED_EQ, m, v}}, 0, reason}

static const struct pol_rule default_rules[] = {
	DENY("ptrace", "attach to or read other processes (PID 1 included)"),
	DENY("process_vm_readv", "read another process's memory without ptrace"),
	DENY("process_vm_writev", "write another process's memory without ptrace"),
	DENY("mount", "remount, bind over the submission or /proc"),
	DENY("umount2", "uncover what the runtime mounted over"),
	DENY("pivot_root", "swap the root filesystem"),
	DENY("open_tree", "new mount API: clone mounts"),
	DENY("move_mount", "new mount API: attach mounts"),
	DENY("fsopen", "new mount API: create a filesystem context"),
	DENY("fsconfig", "new mount API: configure a filesystem"),
	DENY("fsmount", "new mount API: create a mount"),
	DENY("fspick", "new mount API: reconfigure a mount"),
	DENY("mount_setattr", "change mount flags (e.g. drop nosuid)"),
	DENY("unshare", "new namespaces: user namespaces reopen capabilities and kernel surface"),
	DENY("setns", "join another namespace"),
	/* clone: only with a namespace flag (masked tests of arg 0, the flags on x86_64). */
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
	DENY("keyctl", "kernel keyrings: shared across containers of a uid, a frequent CVE target"),
	DENY("add_key", "kernel keyrings"),
	DENY("request_key", "kernel keyrings"),
	DENY("bpf", "eBPF programs and maps: large kernel attack surface"),
	DENY("userfaultfd", "stalls kernel page faults: a building block of kernel exploits"),
	DENY("perf_event_open", "performance counters: side channels and kernel surface"),
	DENY("io_uring_setup", "io_uring bypasses seccomp for the calls it performs"),
	DENY("io_uring_enter", "io_uring"),
	DENY("io_uring_register", "io_uring"),
	DENY("kexec_load", "replace the running kernel"),
	DENY("kexec_file_load", "replace the running kernel"),
	DENY("init_module", "load kernel modules"),
	DENY("finit_module", "load kernel modules"),
	DENY("delete_module", "unload kernel modules"),
	/* personality: READ_IMPLIES_EXEC makes every readable mapping executable;
	 * ADDR_NO_RANDOMIZE turns ASLR off for what the grader execs next. */
	DENY_IF("personality", 0, 0x0400000, 0x0400000, "READ_IMPLIES_EXEC: readable implies executable"),
	DENY_IF("personality", 0, 0x0040000, 0x0040000, "ADDR_NO_RANDOMIZE: no ASLR"),
	DENY_IF("personality", 0, 0x0100000, 0x0100000, "MMAP_PAGE_ZERO: map page 0 (NULL dereference exploits)"),
	/* ioctl: the request is an int: compare its low 32 bits only (CVE-2019-10063). */
	DENY_IF("ioctl", 1, 0xffffffff, 0x5412, "TIOCSTI: push input into a terminal"),
	DENY_IF("ioctl", 1, 0xffffffff, 0x541C, "TIOCLINUX: console selection (input injection on VTs)"),
	DENY("swapon", "system administration"),
	DENY("swapoff", "system administration"),
	DENY("reboot", "system administration"),
	DENY("acct", "process accounting to a file"),
	DENY("quotactl", "filesystem quotas"),
	DENY("lookup_dcookie", "profiling interface"),
};

/* Only without --allow-network (the socket family is arg 0). AF_UNIX stays. */
static const struct pol_rule network_rules[] = {
	DENY_IF("socket", 0, 0xffffffff, AF_INET, "IPv4: no network without --allow-network"),
	DENY_IF("socket", 0, 0xffffffff, AF_INET6, "IPv6: no network without --allow-network"),
	DENY_IF("socket", 0, 0xffffffff, AF_PACKET, "raw packets: sniffing and spoofing"),
	DENY_IF("socket", 0, 0xffffffff, AF_VSOCK, "vsock: talks to the host or hypervisor"),
};

static uint32_t scmp_action(enum pol_action a, int err)
{
	switch (a) {
	case PA_ALLOW: return SCMP_ACT_ALLOW;
	case PA_ERRNO: return SCMP_ACT_ERRNO((uint32_t)err);
	case PA_KILL: return SCMP_ACT_KILL_PROCESS;
	case PA_LOG: return SCMP_ACT_LOG;
	}
	return SCMP_ACT_KILL_PROCESS;
}

static enum scmp_compare scmp_op(enum pol_op op)
{
	switch (op) {
	case OP_EQ: return SCMP_CMP_EQ;
	case OP_NE: return SCMP_CMP_NE;
	case OP_LT: return SCMP_CMP_LT;
	case OP_LE: return SCMP_CMP_LE;
	case OP_GT: return SCMP_CMP_GT;
	case OP_GE: return SCMP_CMP_GE;
	case OP_MASKED_EQ: return SCMP_CMP_MASKED_EQ;
	}
	return SCMP_CMP_EQ;
}

static int add_rules(scmp_filter_ctx ctx, const struct pol_rule *r, size_t n, const char *file,
		     struct usher_report *rep)
{
	for (size_t i = 0; i < n; i++) {
		struct scmp_arg_cmp cmp[POL_MAX_CMP];
		int nr = seccomp_syscall_resolve_name(r[i].name);
		if (nr == __NR_SCMP_ERROR) {
			if (!file)
				continue; /* not on this architecture */
			return report_fail(rep, STEP_SECCOMP, 0, "%s:%d: unknown syscall '%s'", file, r[i].line, r[i].name);
		}
		for (unsigned c = 0; c < r[i].ncmp; c++) {
			const struct pol_cmp *pc = &r[i].cmp[c];
			cmp[c] = (struct scmp_arg_cmp){pc->arg, scmp_op(pc->op),
						       pc->op == OP_MASKED_EQ ? pc->mask : pc->value, pc->value};
		}
		int rc = seccomp_rule_add_array(ctx, scmp_action(r[i].action, r[i].err), nr, r[i].ncmp, cmp);
		if (rc < 0 && rc != -EEXIST) {
			if (file)
				return report_fail(rep, STEP_SECCOMP, -rc, "%s:%d: rule for %s", file, r[i].line, r[i].name);
			return report_fail(rep, STEP_SECCOMP, -rc, "default profile: rule for %s", r[i].name);
		}
	}
	return 0;
}

/* Read a policy file (at most 1 MiB) and parse it. */
static int load_file(const char *path, struct policy *pol, struct usher_report *rep)
{
	enum { MAX = 1 << 20 };
	char why[256];
	char *buf = malloc(MAX);
	if (!buf)
		return report_fail(rep, STEP_SECCOMP, ENOMEM, "read seccomp policy %s", path);
	ssize_t len = file_read_small(AT_FDCWD, path, buf, MAX, true);
	if (len < 0) {
		free(buf);
		return report_fail(rep, STEP_SECCOMP, (int)-len, "read seccomp policy %s", path);
	}
	int rc = policy_parse(buf, (size_t)len, pol, why, sizeof why);
	free(buf);
	if (rc < 0)
		return report_fail(rep, STEP_SECCOMP, 0, "seccomp policy %s: %s", path, why);
	return 0;
}

/* libseccomp writes BPF to an fd; a memfd gives it back as bytes. */
static int export_bpf(scmp_filter_ctx ctx, struct usher_plan *plan, struct usher_report *rep)
{
	int fd = memfd_create("usher-seccomp", MFD_CLOEXEC), rc;
	if (fd < 0)
		return report_fail(rep, STEP_SECCOMP, errno, "memfd_create");
	if ((rc = seccomp_export_bpf(ctx, fd)) < 0) {
		close(fd);
		return report_fail(rep, STEP_SECCOMP, -rc, "seccomp_export_bpf");
	}
	off_t size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % (off_t)sizeof(struct sock_filter) || size / 8 > 0xffff ||
	    !(plan->bpf = malloc((size_t)size)) || pread(fd, plan->bpf, (size_t)size, 0) != size) {
		close(fd);
		return report_fail(rep, STEP_SECCOMP, EIO, "read back the BPF program");
	}
	close(fd);
	plan->bpf_len = (unsigned short)(size / (off_t)sizeof(struct sock_filter));
	return 0;
}

int seccomp_compile(const struct usher_config *cfg, struct usher_plan *plan, struct usher_report *rep)
{
	struct policy pol = {.def = PA_ALLOW};
	bool from_file = cfg->seccomp == SECCOMP_FILE, base = !from_file;
	int rc;

	plan->seccomp_name = from_file ? cfg->seccomp_file : cfg->seccomp == SECCOMP_NONE ? "none" : "default";
	if (cfg->seccomp == SECCOMP_NONE || seccomp_prebuilt(cfg, plan))
		return 0;
	if (from_file && (rc = load_file(cfg->seccomp_file, &pol, rep)) < 0)
		return rc;
	base |= pol.base_default;
	scmp_filter_ctx ctx = seccomp_init(scmp_action(pol.def, pol.def_err));
	if (!ctx) {
		policy_free(&pol);
		return report_fail(rep, STEP_SECCOMP, ENOMEM, "seccomp_init");
	}
	/* Real errnos from libseccomp; no_new_privs is lockdown step 7's job, not the
	 * filter's; a binary tree keeps the rules of a long policy cheap; non-native
	 * ABIs (x32, i386 through int 0x80) get EPERM. */
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1)) < 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(EPERM))) < 0)
		rc = report_fail(rep, STEP_SECCOMP, -rc, "seccomp_attr_set");
	if (rc == 0 && base)
		rc = add_rules(ctx, default_rules, sizeof default_rules / sizeof default_rules[0], NULL, rep);
	if (rc == 0 && base && !cfg->allow_network)
		rc = add_rules(ctx, network_rules, sizeof network_rules / sizeof network_rules[0], NULL, rep);
	if (rc == 0 && from_file)
		rc = add_rules(ctx, pol.rules, pol.n, cfg->seccomp_file, rep);
	if (rc == 0 && cfg->verbosity > 0) {
		log_verbose("seccomp rules (%s):", plan->seccomp_name);
		seccomp_export_pfc(ctx, STDERR_FILENO);
	}
	if (rc == 0)
		rc = export_bpf(ctx, plan, rep);
	seccomp_release(ctx);
	policy_free(&pol);
	return rc;
}
