/* lockdown_seccomp_prebuilt.c - the `default` profile as BPF, compiled at build time by
 * tools/gen-seccomp from the very table and libseccomp of lockdown_seccomp.c (the
 * Makefile regenerates it whenever either changes). Copying it replaces a ~0.7 ms
 * libseccomp build on every start; the kernel sees the same program either way.
 *
 * Four programs: refusals as errnos or as notifications to PID 1, each with AF_INET
 * and AF_INET6 allowed (--network all) or not (refused, or sent to PID 1).
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "lockdown.h"
#include "plan.h"

#include "seccomp_prebuilt.inc"

static bool copy(const struct sock_filter *insn, size_t len, struct bpf_prog *out)
{
	/* A copy, so that plan_release frees every program alike. */
	if (!(out->insn = malloc(len * sizeof *insn)))
		return false;
	memcpy(out->insn, insn, len * sizeof *insn);
	out->len = (unsigned short)len;
	return true;
}

#define COPY(a, out) copy((a), sizeof(a) / sizeof(a)[0], (out))

bool seccomp_prebuilt(const struct usher_config *cfg, struct usher_plan *plan)
{
	bool all = cfg->network == NET_ALL;
	/* Only the plain default profile; -v compiles it to print its rules. */
	if (cfg->seccomp != SECCOMP_DEFAULT || cfg->verbosity > 0)
		return false;
	if (!(all ? COPY(prebuilt_errno_inet, &plan->seccomp) : COPY(prebuilt_errno, &plan->seccomp)))
		return false; /* the compiler then tries, and reports ENOMEM if it must */
	if (!cfg->exec_mode && !(all ? COPY(prebuilt_notify_inet, &plan->seccomp_notify)
				      : COPY(prebuilt_notify, &plan->seccomp_notify))) {
		free(plan->seccomp.insn);
		plan->seccomp.insn = NULL;
		plan->seccomp.len = 0;
		return false;
	}
	return true;
}
