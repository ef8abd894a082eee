/* lockdown_seccomp.c - the compiler that turns a policy (the default profile of
 * lockdown_seccomp_rules.c, or a --seccomp FILE) into BPF once, before the wait.
 *
 * Every profile gets the socket-family allow-list (unless --allow-network, AF_INET and
 * AF_INET6 are refused) and the prelude (unreviewed syscall numbers: ENOSYS), a policy
 * file too, with or without `base default`: its author cannot drop the network rules
 * by omission while the result says "network": false. Non-native ABIs (x32, i386) get
 * EPERM through libseccomp's bad-architecture action.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
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

/* libseccomp writes BPF to an fd; a memfd gives it back as bytes, after the prelude
 * (lockdown_seccomp_rules.c), whose jumps land on libseccomp's first instruction. */
static int export_bpf(scmp_filter_ctx ctx, struct usher_plan *plan, struct usher_report *rep)
{
	struct sock_filter prelude[32];
	size_t np = seccomp_prelude(prelude, sizeof prelude / sizeof prelude[0],
				    SECCOMP_RET_ERRNO | EPERM, SECCOMP_RET_ERRNO | ENOSYS);
	int fd = sys_memfd_create("usher-seccomp", MFD_CLOEXEC), rc;
	if (fd < 0 || np == 0)
		return report_fail(rep, STEP_SECCOMP, fd < 0 ? -fd : EINVAL, "memfd_create");
	if ((rc = seccomp_export_bpf(ctx, fd)) < 0) {
		sys_close(fd);
		return report_fail(rep, STEP_SECCOMP, -rc, "seccomp_export_bpf");
	}
	off_t size = sys_lseek(fd, 0, SEEK_END);
	size_t n = size > 0 ? (size_t)size / sizeof(struct sock_filter) : 0;
	if (size <= 0 || (size_t)size % sizeof(struct sock_filter) || n + np > 0xffff ||
	    !(plan->bpf = malloc((n + np) * sizeof *plan->bpf)) ||
	    sys_pread(fd, plan->bpf + np, (size_t)size, 0) != size) {
		sys_close(fd);
		return report_fail(rep, STEP_SECCOMP, EIO, "read back the BPF program");
	}
	sys_close(fd);
	memcpy(plan->bpf, prelude, np * sizeof *prelude);
	plan->bpf_len = (unsigned short)(n + np);
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
	struct pol_rule sockets[64];
	size_t nsockets = seccomp_socket_rules(cfg->allow_network, sockets, sizeof sockets / sizeof sockets[0]);
	if (rc == 0 && base)
		rc = add_rules(ctx, seccomp_default_rules, seccomp_default_count, NULL, rep);
	if (rc == 0)
		rc = add_rules(ctx, sockets, nsockets, NULL, rep);
	if (rc == 0 && from_file)
		rc = add_rules(ctx, pol.rules, pol.n, cfg->seccomp_file, rep);
	if (rc == 0 && cfg->verbosity > 0) {
		log_verbose("seccomp rules (%s): first the prelude: personality(0xffffffff) allowed; "
			    "syscalls above 456 ENOSYS, except:", plan->seccomp_name);
		const char *why;
		unsigned nr;
		bool allow;
		for (unsigned i = 0; (why = seccomp_reviewed(i, &nr, &allow)); i++)
			log_verbose("  %u %s: %s", nr, allow ? "ALLOW" : "ERRNO(1)", why);
		seccomp_export_pfc(ctx, STDERR_FILENO);
	}
	if (rc == 0)
		rc = export_bpf(ctx, plan, rep);
	seccomp_release(ctx);
	policy_free(&pol);
	return rc;
}
