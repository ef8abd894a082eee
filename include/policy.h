/* policy.h - seccomp policies as data: the default profile (lockdown_seccomp.c) and
 * the `--seccomp FILE` text format (lockdown_seccomp_file.c), compiled the same way. */
#ifndef USHER_POLICY_H
#define USHER_POLICY_H

#include <stddef.h>
#include <stdint.h>

enum pol_action { PA_ALLOW, PA_ERRNO, PA_KILL, PA_LOG, PA_NOTIFY };
enum pol_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_MASKED_EQ };

struct pol_cmp {
	unsigned arg; /* 0-5 */
	enum pol_op op;
	uint64_t mask; /* OP_MASKED_EQ only */
	uint64_t value;
};

#define POL_MAX_CMP 3

struct pol_rule {
	enum pol_action action;
	int err;          /* PA_ERRNO */
	char name[40];    /* the syscall */
	unsigned ncmp;
	struct pol_cmp cmp[POL_MAX_CMP];
	int line;         /* in the policy file; 0 for the default profile */
	const char *why;  /* the reason (default profile) */
};

struct policy {
	enum pol_action def;
	int def_err;
	int base_default; /* `base default`: the default profile's rules come first */
	struct pol_rule *rules;
	size_t n, cap;
};

/* Parse a policy file's text. On error returns -EINVAL with "line N: reason" in why.
 * The format is documented in docs/seccomp-policy.md. */
int policy_parse(const char *text, size_t len, struct policy *out, char *why, size_t whylen);
void policy_free(struct policy *p);

#endif
