/* lockdown_caps.c - capabilities, set by policy over one-call seam wrappers (so that
 * fault injection fails each call, not a loop): the bounding set cut down to what is
 * kept, and the effective, permitted, inheritable and ambient sets made exactly that.
 * Used by the grader's lockdown (step 6, lockdown_creds.c) and by PID 1 for itself
 * (supervise_pid1.c). */
#include <errno.h>

#include "lockdown.h"
#include "sys.h"

int caps_bound(uint64_t keep)
{
	for (unsigned cap = 0; cap < 64; cap++) {
		if (keep & (UINT64_C(1) << cap))
			continue;
		/* Drop first, one call per capability. Two refusals have a meaning, which
		 * the kernel is asked to confirm: EINVAL past its last capability (the read
		 * says EINVAL too: done), EPERM without CAP_SETPCAP (fine if the capability
		 * is not in the set anyway). Any other failure is one. */
		int rc = sys_capbset_drop(cap);
		if (rc == 0)
			continue;
		if (rc != -EINVAL && rc != -EPERM)
			return rc;
		int in = sys_capbset_read(cap);
		if (in == -EINVAL)
			break;
		if (in < 0)
			return in; /* the question failed: that is the failure */
		if (rc == -EPERM && in == 0)
			continue;
		return rc;
	}
	return 0;
}

int caps_apply(uint64_t keep, bool ambient)
{
	int rc = sys_capng_set(keep);
	if (rc < 0 || !ambient)
		return rc;
	/* Ambient: cleared, then raised for what is kept, so it survives the exec of a
	 * program without file capabilities as a non-root user. */
	if ((rc = sys_ambient_clear()) < 0)
		return rc;
	for (unsigned cap = 0; cap < 64; cap++)
		if ((keep & (UINT64_C(1) << cap)) && (rc = sys_ambient_raise(cap)) < 0)
			return rc;
	return 0;
}
