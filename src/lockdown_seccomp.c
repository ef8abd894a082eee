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
	case PA_NOTIFY: return SCMP_ACT_NOTIFY;
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

/* notify: the default table's refusals become user notifications (PID 1 answers with
 * the same errno, seccomp_refusal_errno, and counts them); a policy file's own rules
 * keep their actions. */
static int add_rules(scmp_filter_ctx ctx, const struct pol_rule *r, size_t n, const char *file,
		     bool notify, struct usher_report *rep)
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
		enum pol_action a = notify && !file && r[i].action == PA_ERRNO ? PA_NOTIFY : r[i].action;
		int rc = seccomp_rule_add_array(ctx, scmp_action(a, r[i].err), nr, r[i].ncmp, cmp);
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
static int export_bpf(scmp_filter_ctx ctx, bool notify, struct bpf_prog *out, struct usher_report *rep)
{
	struct sock_filter prelude[32];
	size_t np = seccomp_prelude(prelude, sizeof prelude / sizeof prelude[0],
				    notify ? SECCOMP_RET_USER_NOTIF : SECCOMP_RET_ERRNO | EPERM,
				    notify ? SECCOMP_RET_USER_NOTIF : SECCOMP_RET_ERRNO | ENOSYS);
	int fd = sys_memfd_create("usher-seccomp", MFD_CLOEXEC), rc;
	if (fd < 0 || np == 0)
		return report_fail(rep, STEP_SECCOMP, fd < 0 ? -fd : EINVAL, "memfd_create");
	if ((rc = seccomp_export_bpf(ctx, fd)) < 0) {
		sys_close(fd);
		return report_fail(rep, STEP_SECCOMP, -rc, "seccomp_export_bpf");
	}
	off_t size = sys_lseek(fd, 0, SEEK_END);
	size_t n = size > 0 ? (size_t)size / sizeof(struct sock_filter) : 0;
	ssize_t got = 0;
	int err = size < 0 ? (int)-size : 0; /* the errno of what failed, EIO for a short read */
	if (!err && (size == 0 || (size_t)size % sizeof(struct sock_filter) || n + np > 0xffff))
		err = EIO;
	if (!err && !(out->insn = malloc((n + np) * sizeof *out->insn)))
		err = ENOMEM;
	if (!err && (got = sys_pread(fd, out->insn + np, (size_t)size, 0)) != size)
		err = got < 0 ? (int)-got : EIO;
	if (err) {
		sys_close(fd);
		return report_fail(rep, STEP_SECCOMP, err, "read back the BPF program");
	}
	sys_close(fd);
	memcpy(out->insn, prelude, np * sizeof *prelude);
	out->len = (unsigned short)(n + np);
	return 0;
}

/* One program of the profile: the default table (when base), the socket-family
 * allow-list, the policy file's rules; refusals as errnos, or notifications. */
static int compile(const struct usher_config *cfg, const struct policy *pol, bool base, bool notify,
		   const char *name, struct bpf_prog *out, struct usher_report *rep)
{
	const char *file = cfg->seccomp == SECCOMP_FILE ? cfg->seccomp_file : NULL;
	scmp_filter_ctx ctx = seccomp_init(scmp_action(pol->def, pol->def_err));
	int rc = 0;
	if (!ctx)
		return report_fail(rep, STEP_SECCOMP, ENOMEM, "seccomp_init");
	/* Real errnos from libseccomp; no_new_privs is lockdown step 7's job, not the
	 * filter's; a binary tree keeps the rules of a long policy cheap; non-native
	 * ABIs (x32, i386 through int 0x80) get EPERM. */
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1)) < 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(EPERM))) < 0)
		rc = report_fail(rep, STEP_SECCOMP, -rc, "seccomp_attr_set");
	struct pol_rule sockets[64];
	enum pol_action inet = cfg->network == NET_ALL ? PA_ALLOW : notify ? PA_NOTIFY : PA_ERRNO;
	size_t nsockets = seccomp_socket_rules(inet, notify ? PA_NOTIFY : PA_ERRNO, sockets,
					       sizeof sockets / sizeof sockets[0]);
	if (rc == 0 && base)
		rc = add_rules(ctx, seccomp_default_rules, seccomp_default_count, NULL, notify, rep);
	if (rc == 0)
		rc = add_rules(ctx, sockets, nsockets, NULL, false, rep);
	if (rc == 0 && file)
		rc = add_rules(ctx, pol->rules, pol->n, file, false, rep);
	if (rc == 0 && cfg->verbosity > 0) {
		log_verbose("seccomp rules (%s, refusals as %s): first the prelude: personality(0xffffffff) "
			    "allowed; syscalls above 456 ENOSYS, except:", name, notify ? "notifications" : "errnos");
		const char *why;
		unsigned nr;
		bool allow;
		for (unsigned i = 0; (why = seccomp_reviewed(i, &nr, &allow)); i++)
			log_verbose("  %u %s: %s", nr, allow ? "ALLOW" : "ERRNO(1)", why);
		seccomp_export_pfc(ctx, STDERR_FILENO);
	}
	if (rc == 0)
		rc = export_bpf(ctx, notify, out, rep);
	seccomp_release(ctx);
	return rc;
}

int seccomp_compile_variant(const struct usher_config *cfg, bool notify, struct bpf_prog *out,
			    struct usher_report *rep)
{
	struct policy pol = {.def = PA_ALLOW};
	bool from_file = cfg->seccomp == SECCOMP_FILE;
	int rc = 0;
	if (from_file && (rc = load_file(cfg->seccomp_file, &pol, rep)) < 0)
		return rc;
	rc = compile(cfg, &pol, !from_file || pol.base_default, notify,
		     from_file ? cfg->seccomp_file : "default", out, rep);
	policy_free(&pol);
	return rc;
}

int seccomp_compile(const struct usher_config *cfg, struct usher_plan *plan, struct usher_report *rep)
{
	bool from_file = cfg->seccomp == SECCOMP_FILE;
	int rc;
	plan->seccomp_name = from_file ? cfg->seccomp_file : cfg->seccomp == SECCOMP_NONE ? "none" : "default";
	if (cfg->seccomp == SECCOMP_NONE || seccomp_prebuilt(cfg, plan))
		return 0;
	if ((rc = seccomp_compile_variant(cfg, false, &plan->seccomp, rep)) < 0)
		return rc;
	/* The notify variant only where there is a supervisor to answer. A libseccomp or
	 * kernel that cannot express it leaves it empty: the plan then says so. */
	if (!cfg->exec_mode) {
		struct usher_report scratch = {0};
		if (seccomp_compile_variant(cfg, true, &plan->seccomp_notify, &scratch) < 0)
			log_verbose("seccomp: no notification variant: %s", scratch.error.message);
	}
	return 0;
}
