/* lockdown_creds.c - lockdown steps 5 (identity) and 6 (capabilities), and the read-back
 * that refuses to exec when the kernel's state differs from the plan.
 *
 * Order (minijail's): the bounding set and the securebits need CAP_SETPCAP, which the
 * uid change takes away, so they come first, while usher is still root; then
 * supplementary groups, gid, uid; then the permitted/effective/inheritable/ambient sets.
 * With no --keep-cap, the uid change itself clears every capability (the kernel's
 * setuid fixup, locked on); with --keep-cap, SECBIT_KEEP_CAPS lets the permitted set
 * survive it, and step 6 trims it to exactly the kept ones and raises them as ambient
 * so they survive the exec of a non-setuid program.
 */
#include <errno.h>
#include <linux/securebits.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "lockdown.h"
#include "log.h"
#include "parse.h"
#include "sys.h"

/* What uid 0 could do with capabilities is locked away: exec by root or of a setuid-root
 * binary grants nothing (NOROOT), the setuid fixup stays on (NO_SETUID_FIXUP_LOCKED),
 * KEEP_CAPS cannot be set again, and nothing can be raised as ambient when nothing is
 * kept. KEEP_CAPS itself (cleared by the kernel at exec) only while caps are kept. */
static unsigned long securebits(uint64_t keep)
{
	unsigned long bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP_LOCKED;
	if (keep)
		bits |= SECBIT_KEEP_CAPS;
	else
		bits |= SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |
			SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
	return bits;
}

/* The runtime's stdio pipes belong to root with mode 0600: a grader that reopens them
 * (`echo > /dev/stdout`, `tee /dev/stderr`) would get EACCES after the uid change.
 * Anonymous pipes and sockets are handed to the grader; files and terminals, whose
 * owner means something outside this process, never are. */
static void give_stdio(const struct usher_plan *plan)
{
	for (int fd = 0; plan->priv.chown && fd <= 2; fd++) {
		struct stat st;
		struct statfs fs;
		/* pipefs and sockfs hold only anonymous pipes and sockets, never a named
		 * FIFO of some filesystem. A failure only leaves the pipe as it was. */
		if (sys_fstat(fd, &st) == 0 && st.st_uid == 0 && sys_fstatfs(fd, &fs) == 0 &&
		    (fs.f_type == 0x50495045 /* PIPEFS_MAGIC */ || fs.f_type == 0x534F434B /* SOCKFS_MAGIC */))
			(void)sys_fchown(fd, plan->uid, plan->gid); /* failing leaves it as it was */
	}
}

int lockdown_identity(const struct usher_config *cfg, const struct usher_plan *plan,
		      struct usher_report *rep)
{
	int rc;
	/* Without CAP_SETPCAP (a non-root start) the plan recorded the degradation. */
	if (plan->priv.setpcap) {
		if ((rc = caps_bound(cfg->keep_caps)) < 0)
			return report_fail(rep, STEP_CAPS, -rc, "drop the bounding set");
		if ((rc = sys_prctl(PR_SET_SECUREBITS, securebits(cfg->keep_caps), 0, 0, 0)) < 0)
			return report_fail(rep, STEP_SECUREBITS, -rc, "prctl PR_SET_SECUREBITS");
	}
	if (plan->switch_ids) {
		give_stdio(plan);
		/* Supplementary groups first (root's would survive the gid change), then the
		 * gid while usher may still change it, then the uid, which ends privilege. */
		if ((rc = sys_setgroups(0, NULL)) < 0)
			return report_fail(rep, STEP_GROUPS, -rc, "setgroups (clear supplementary groups)");
		if ((rc = sys_setresgid(plan->gid, plan->gid, plan->gid)) < 0)
			return report_fail(rep, STEP_GID, -rc, "setresgid %u", (unsigned)plan->gid);
		if ((rc = sys_setresuid(plan->uid, plan->uid, plan->uid)) < 0)
			return report_fail(rep, STEP_UID, -rc, "setresuid %u", (unsigned)plan->uid);
	}
	/* Not switching: the grader keeps usher's ids (non-root start, or root with
	 * --unsafe root-grader); the plan holds them and recorded why. */
	rep->lockdown.uid = plan->uid;
	rep->lockdown.gid = plan->gid;
	return 0;
}

int lockdown_caps(const struct usher_config *cfg, struct usher_report *rep)
{
	/* Dropping capabilities needs no privilege; keeping one needs it in the permitted
	 * set, so an unprivileged usher asked to keep one fails here, as it must. */
	int rc = caps_apply(cfg->keep_caps, true);
	if (rc < 0)
		return report_fail(rep, STEP_CAPS, -rc, "set capabilities (kept: %#llx)",
				   (unsigned long long)cfg->keep_caps);
	rep->lockdown.caps = cfg->keep_caps;
	return 0;
}

/* After identity and capabilities: ask the kernel what it really is (bubblewrap's
 * "check that the drop really happened") and refuse to exec on any difference. */
int lockdown_verify(const struct usher_config *cfg, const struct usher_plan *plan,
		    struct usher_report *rep)
{
	uid_t r, e, s;
	gid_t rg, eg, sg, groups[1];
	uint64_t eff, prm, inh, bnd, amb;
	int rc;

	if ((rc = sys_getresuid(&r, &e, &s)) < 0 || (rc = sys_getresgid(&rg, &eg, &sg)) < 0)
		return report_fail(rep, STEP_VERIFY, -rc, "read back ids");
	if (r != rep->lockdown.uid || e != r || s != r || rg != rep->lockdown.gid || eg != rg || sg != rg)
		return report_fail(rep, STEP_VERIFY, EPERM, "ids are %u/%u/%u:%u/%u/%u, not %u:%u", r, e, s,
				   rg, eg, sg, rep->lockdown.uid, rep->lockdown.gid);
	if (plan->switch_ids && (rc = sys_getgroups(1, groups)) != 0)
		return report_fail(rep, STEP_VERIFY, rc < 0 ? -rc : EPERM, "supplementary groups remain");
	if ((rc = sys_caps_read(&eff, &prm, &inh, &bnd, &amb)) < 0)
		return report_fail(rep, STEP_VERIFY, -rc, "read back capabilities");
	uint64_t keep = cfg->keep_caps;
	if (eff != keep || prm != keep || inh != keep || amb != keep || (plan->priv.setpcap && bnd != keep))
		return report_fail(rep, STEP_VERIFY, EPERM,
				   "capabilities are eff=%#llx prm=%#llx inh=%#llx bnd=%#llx amb=%#llx, "
				   "not %#llx", (unsigned long long)eff, (unsigned long long)prm,
				   (unsigned long long)inh, (unsigned long long)bnd,
				   (unsigned long long)amb, (unsigned long long)keep);
	if ((rc = sys_prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)) != 1)
		return report_fail(rep, STEP_VERIFY, rc < 0 ? -rc : EPERM, "no_new_privs is not set");
	return 0;
}
