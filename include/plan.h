/* plan.h - what usher prepares before the wait, so that the path from "marker seen"
 * to "grader running" does no parsing, no compiling and no guessing. */
#ifndef USHER_PLAN_H
#define USHER_PLAN_H

#include <linux/filter.h>
#include <stdbool.h>

struct usher_plan {
	/* The seccomp program, compiled by libseccomp once; the child only attaches it.
	 * len == 0 means no filter (--seccomp none). */
	struct sock_filter *bpf;
	unsigned short bpf_len;
	const char *seccomp_name; /* "default", "none" or the policy path */

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
};

#endif
