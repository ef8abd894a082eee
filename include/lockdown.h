/* lockdown.h - internals of the lockdown steps (lockdown*.c). */
#ifndef USHER_LOCKDOWN_H
#define USHER_LOCKDOWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/filter.h>

#include "plan.h"
#include "policy.h"
#include "usher.h"

/* The OOM killer's order in a full container (oom_score_adj, lockdown step 4 and usher
 * run's learner): a run's learner first, then the grader, never usher. The learner's
 * code can fill the cgroup with memory no process's resident set shows (unmapped memfds,
 * tmpfs), so its score, not its size, must make it the victim. The runtime gives the
 * container a score (Docker and ECS 0; Kubernetes 1000 BestEffort, 2-999 Burstable, -997
 * Guaranteed), which runc pins as the minimum (it writes it with CAP_SYS_RESOURCE): usher
 * tries to lower its own to 0 (supervise_limits.c) and usually keeps it. The grader goes
 * halfway from usher's score to the learner's 1000: 500 from 0 (950 from 900), where the
 * grader is taken before the learner only when it alone holds more than half the
 * limit. From 1000 (a BestEffort pod) there is no room: the grader cannot be put above
 * usher, and step 4 says the protection is degraded.
 * What keeps the grader and the learner from writing their scores back down is Landlock
 * (no writes in /proc); without it step 4 says the protection is degraded. */
#define OOM_SCORE_LEARNER "1000"
static inline int oom_score_grader(int usher_score)
{
	return usher_score + (1000 - usher_score + 1) / 2;
}

/* struct privilege (plan.h), read once by the plan stage. */
int privilege_read(struct privilege *p);

/* lockdown_caps.c: the bounding set cut to `keep` (needs CAP_SETPCAP, so before the uid
 * change), and effective, permitted, inheritable (and with `ambient`, ambient) made
 * exactly `keep`. */
int caps_bound(uint64_t keep);
int caps_apply(uint64_t keep, bool ambient);

/* lockdown_process.c: steps 1 (inherited fds) and 3 (session, terminal). */
int lockdown_fds(const struct usher_plan *plan, struct usher_report *rep);
int lockdown_session(struct usher_report *rep);

/* lockdown_creds.c: steps 5-6 and their read-back. */
int lockdown_identity(const struct usher_config *cfg, const struct usher_plan *plan,
		      struct usher_report *rep);
int lockdown_caps(const struct usher_config *cfg, struct usher_report *rep);
int lockdown_verify(const struct usher_config *cfg, const struct usher_plan *plan,
		    struct usher_report *rep);

/* lockdown_landlock.c */
/* The ABI version; 0 when unavailable (ENOSYS, EOPNOTSUPP, a runtime's EPERM: logged
 * at -v); any other failure as -errno, which must fail rather than pass for "none". */
int landlock_probe(void);
int landlock_apply(const struct usher_config *cfg, const struct usher_plan *plan,
		   struct usher_report *rep);
/* The learner's of usher run: read everywhere, write beneath the fds rw[] (-1: none). */
int landlock_run(int abi, const int *rw, size_t nrw, bool tcp_denied, struct usher_report *rep);
/* report_feedback.c: create the --feedback files, owned by the grader, before any
 * grader exists. */
int feedback_prepare(const struct usher_config *cfg, struct usher_plan *plan,
		     struct usher_report *rep);
/* report_feedback.c: remove the feedback files usher created and the grader left empty. */
void feedback_cleanup(const struct usher_plan *plan);
/* plan_identity.c: the grader's uid, gid, name and HOME into the plan. */
int plan_identity(const struct usher_config *cfg, struct usher_plan *plan, struct usher_report *rep);

/* lockdown_seccomp_prebuilt.c: the default profile as compiled at build time, into the plan;
 * false when the configuration asks for anything else. */
bool seccomp_prebuilt(const struct usher_config *cfg, struct usher_plan *plan);
/* lockdown_seccomp.c: compile the profile into plan->seccomp and plan->seccomp_notify
 * (the prebuilt ones when they fit); one variant alone for gen-seccomp and the tests. */
int seccomp_compile_variant(const struct usher_config *cfg, bool notify, struct bpf_prog *out,
			    struct usher_report *rep);
int seccomp_compile(const struct usher_config *cfg, struct usher_plan *plan,
		    struct usher_report *rep);

/* lockdown_seccomp_rules.c: the default profile, the socket-family allow-list (into
 * out, at most max rules), and the hand-written prelude in front of libseccomp's
 * program (deny: the action for a refused reviewed call, unknown: for a number above
 * the reviewed ones). */
extern const struct pol_rule seccomp_default_rules[];
extern const size_t seccomp_default_count;
/* inet: PA_ALLOW (no rule), PA_ERRNO or PA_NOTIFY for AF_INET/AF_INET6; others: the
 * action for every family off the allow-list. */
size_t seccomp_socket_rules(enum pol_action inet, enum pol_action others, struct pol_rule *out,
			    size_t max);
/* The errno a refused call gets (what the plain filter says; the supervisor answers
 * the same for a notified one). */
int seccomp_refusal_errno(unsigned nr);
size_t seccomp_prelude(struct sock_filter *out, size_t max, uint32_t deny, uint32_t unknown);
/* The i-th syscall above NR_REVIEWED the prelude decides, and why; NULL past the end. */
const char *seccomp_reviewed(unsigned i, unsigned *nr, bool *allow);

/* Landlock ABI constants, defined here because linux-libc-dev (6.1) predates ABI 4. */
#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1
#define LL_FS_EXECUTE (1ULL << 0)
#define LL_FS_WRITE_FILE (1ULL << 1)
#define LL_FS_READ_FILE (1ULL << 2)
#define LL_FS_READ_DIR (1ULL << 3)
#define LL_FS_REMOVE_DIR (1ULL << 4)
#define LL_FS_REMOVE_FILE (1ULL << 5)
#define LL_FS_MAKE_CHAR (1ULL << 6)
#define LL_FS_MAKE_DIR (1ULL << 7)
#define LL_FS_MAKE_REG (1ULL << 8)
#define LL_FS_MAKE_SOCK (1ULL << 9)
#define LL_FS_MAKE_FIFO (1ULL << 10)
#define LL_FS_MAKE_BLOCK (1ULL << 11)
#define LL_FS_MAKE_SYM (1ULL << 12)
#define LL_FS_REFER (1ULL << 13)     /* ABI 2 */
#define LL_FS_TRUNCATE (1ULL << 14)  /* ABI 3 */
#define LL_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#define LL_NET_BIND_TCP (1ULL << 0)  /* ABI 4 */
#define LL_NET_CONNECT_TCP (1ULL << 1)
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */
#define LL_SCOPE_SIGNAL (1ULL << 1)

#endif
