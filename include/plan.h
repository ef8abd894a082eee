/* plan.h - what usher prepares before the wait, so that the path from "marker seen"
 * to "grader running" does no parsing, no compiling and no guessing. */
#ifndef USHER_PLAN_H
#define USHER_PLAN_H

#include <linux/filter.h>
#include <stdbool.h>
#include <sys/types.h>

#include "usher.h"

/* What usher itself may do, read once from its effective capabilities. */
struct privilege {
	bool root;    /* euid 0 */
	bool setid;   /* CAP_SETUID and CAP_SETGID: can switch user */
	bool setpcap; /* CAP_SETPCAP: can cut the bounding set, lock securebits */
	bool chown;   /* CAP_CHOWN: can give files to the grader */
};

struct bpf_prog {
	struct sock_filter *insn;
	unsigned short len;
};

struct made_file {
	const char *path;
	dev_t dev;
	ino_t ino;
};

struct usher_plan {
	struct privilege priv;

	/* Who the grader will be (plan_identity.c): switch is false when usher cannot
	 * change its identity and the grader keeps usher's own. */
	uid_t uid;
	gid_t gid;
	bool switch_ids;
	const char *user_name; /* USER and LOGNAME */
	char home[256];        /* a private writable HOME; empty when the operator's is kept */
	const char **env;      /* the grader's environment, NULL-terminated */

	/* The seccomp programs, compiled by libseccomp (or copied, prebuilt) once; the
	 * child only attaches one. seccomp: refusals are errnos (len 0: --seccomp none).
	 * seccomp_notify: the same policy with refusals and AF_INET/AF_INET6 sockets sent
	 * to PID 1 over a user-notification listener (len 0 when there is no supervisor,
	 * --exec, or libseccomp cannot express it). */
	struct bpf_prog seccomp, seccomp_notify;
	const char *seccomp_name; /* "default", "none" or the policy path */
	/* What the grader will reach (step 9 narrows loopback to none when the kernel has
	 * no user notification). */
	enum usher_network network;

	/* Landlock ABI version the kernel (and the runtime's seccomp profile) allow;
	 * 0 when unavailable. */
	int landlock_abi;

	/* The fd on which the child reports to the parent (supervise_spawn.c); lockdown step 1 keeps
	 * it open (it is close-on-exec). -1 in --exec mode. */
	int report_fd;

	/* The directory of --result, opened before the grader exists, and the file's
	 * name in it: the grader can neither redirect nor pre-create the result. -1: none. */
	int result_dirfd;
	const char *result_name;
	/* The feedback files usher created (report_feedback.c), removed at the end if the
	 * grader left them empty. */
	struct made_file feedback_made[8];
	unsigned nfeedback_made;

	/* --exec: the pipe to the result's writer (report.c), which lockdown step 1 keeps
	 * (close-on-exec: a successful exec closes it); -1 without one. */
	int writer_fd;
	pid_t writer_pid;
	/* Room on disk for the result, taken before the grader (report_reserve.c); NULL. */
	struct reserved *result_space;

	/* Verdicts: the limits PID 1 enforces (supervise_limits.c), the output relay
	 * (supervise_output.c), the learner's file (report_feedback.c). NULL when unused. */
	struct limits *limits;
	struct relay *relay;
	struct feedback_plan *feedback;
	/* usher run (run_broker.c): the grader's end of the channel to the broker (kept by
	 * lockdown step 1, closed in PID 1 by pid1_harden; -1: none), and the
	 * run identities [run_uid, run_uid + RUN_UIDS) that the final sweep also kills. */
	int run_fd;
	const char *run_var; /* "USHER_RUN_FD=N" in env: the one USHER_* variable the grader gets */
	bool run_uids;
	uid_t run_uid;
};

#endif
