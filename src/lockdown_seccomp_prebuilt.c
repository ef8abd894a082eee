/* lockdown_seccomp_prebuilt.c - the `default` profile as BPF, compiled at build time by
 * tools/gen-seccomp from the very table and libseccomp of lockdown_seccomp.c (the Makefile
 * regenerates it whenever either changes). Copying it replaces a ~0.7 ms libseccomp
 * build on every start; the kernel sees the same program either way.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "lockdown.h"
#include "plan.h"

#include "seccomp_prebuilt.inc"

bool seccomp_prebuilt(const struct usher_config *cfg, struct usher_plan *plan)
{
	const struct sock_filter *prog = cfg->allow_network ? prebuilt_network : prebuilt_no_network;
	size_t len = cfg->allow_network ? sizeof prebuilt_network / sizeof prebuilt_network[0]
					: sizeof prebuilt_no_network / sizeof prebuilt_no_network[0];
	/* Only the plain default profile; -v compiles it to print its rules. */
	if (cfg->seccomp != SECCOMP_DEFAULT || cfg->verbosity > 0)
		return false;
	/* A copy, so that plan_release frees every program alike. */
	if (!(plan->bpf = malloc(len * sizeof *prog)))
		return false; /* the compiler then tries, and reports ENOMEM if it must */
	memcpy(plan->bpf, prog, len * sizeof *prog);
	plan->bpf_len = (unsigned short)len;
	return true;
}
