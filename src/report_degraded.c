/* report_degraded.c - protections wanted and not applied (SPEC.md "Fail closed").
 *
 * A degraded protection is never silent: degrade() records it in the result's
 * lockdown.degraded ({"what", "reason"}), logs one warning line, and when the operator
 * named it in --require, fails instead (step "require", exit 125). The names are those
 * of USHER_PROTECTIONS in usher.h, which --require, --help and `usher doctor` share.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "stages.h"

static const char *const names[PROT_COUNT] = {
#define X(e, name, what) [PROT_##e] = (name),
	USHER_PROTECTIONS(X)
#undef X
};

const char *protection_name(enum usher_protection p)
{
	return p >= 0 && p < PROT_COUNT ? names[p] : "?";
}

bool protection_required(const struct usher_config *cfg, enum usher_protection what, int level)
{
	if (!(cfg->require & (1u << what)))
		return false;
	/* landlock=N is met by any ABI from N: a lower one is a failure, a higher one
	 * missing some right is only a degradation. */
	return what != PROT_LANDLOCK || level < cfg->require_landlock_abi;
}

int degrade(const struct usher_config *cfg, struct usher_report *rep, enum usher_protection what,
	    int level, const char *fmt, ...)
{
	char reason[sizeof rep->lockdown.degraded[0].reason] = {0}; /* copied whole below */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	if (protection_required(cfg, what, level))
		return report_fail(rep, STEP_REQUIRE, EPERM, "--require %s: %s", names[what], reason);
	struct usher_lockdown *l = &rep->lockdown;
	for (unsigned i = 0; i < l->ndegraded; i++)
		if (l->degraded[i].what == what)
			return 0; /* said once */
	if (l->ndegraded < USHER_DEGRADED_MAX) {
		l->degraded[l->ndegraded].what = what;
		memcpy(l->degraded[l->ndegraded].reason, reason, sizeof reason);
		l->ndegraded++;
	}
	log_warn("%s: not enforced: %s", names[what], reason);
	return 0;
}
