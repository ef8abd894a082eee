/* lockdown_seccomp_file.c - the `--seccomp FILE` format (docs/seccomp-policy.md):
 *
 *   # comment
 *   default allow | errno(N) | deny | kill | log      (once; default: allow)
 *   base default                                     (start from usher's default profile)
 *   ACTION SYSCALL [argN OP VALUE]...                 (up to 3 comparisons)
 *
 * ACTION is allow, deny (= errno(EPERM)), errno(N), kill or log; OP is ==, !=, <, <=,
 * >, >= or &MASK== (the argument masked with MASK equals VALUE); numbers are decimal
 * or 0x hexadecimal. A pure function over a buffer: it is fuzzed.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "util.h"
#include "policy.h"

static int number(const char *s, uint64_t *out)
{
	if (!strncmp(s, "0x", 2) && s[2]) {
		uint64_t v = 0;
		for (const char *p = s + 2; *p; p++) {
			int d = isdigit((unsigned char)*p) ? *p - '0'
				: (*p >= 'a' && *p <= 'f') ? *p - 'a' + 10
				: (*p >= 'A' && *p <= 'F') ? *p - 'A' + 10 : -1;
			if (d < 0 || v >> 60)
				return -EINVAL;
			v = v << 4 | (uint64_t)d;
		}
		*out = v;
		return 0;
	}
	return parse_u64(s, out);
}

static int action(const char *s, enum pol_action *a, int *err)
{
	uint64_t n;
	*err = 0;
	if (!strcmp(s, "allow"))
		*a = PA_ALLOW;
	else if (!strcmp(s, "deny"))
		*a = PA_ERRNO, *err = EPERM;
	else if (!strcmp(s, "kill"))
		*a = PA_KILL;
	else if (!strcmp(s, "log"))
		*a = PA_LOG;
	else if (!strncmp(s, "errno(", 6) && s[strlen(s) - 1] == ')') {
		char num[16];
		size_t len = strlen(s) - 7;
		if (len == 0 || len >= sizeof num)
			return -EINVAL;
		memcpy(num, s + 6, len);
		num[len] = '\0';
		if (parse_u64(num, &n) < 0 || n == 0 || n > 4095)
			return -EINVAL;
		*a = PA_ERRNO, *err = (int)n;
	} else {
		return -EINVAL;
	}
	return 0;
}

static int comparison(const char *arg, const char *op, const char *val, struct pol_cmp *c)
{
	static const struct { const char *s; enum pol_op op; } ops[] = {
		{"==", OP_EQ}, {"!=", OP_NE}, {"<", OP_LT}, {"<=", OP_LE}, {">", OP_GT}, {">=", OP_GE},
	};
	if (strncmp(arg, "arg", 3) != 0 || arg[3] < '0' || arg[3] > '5' || arg[4])
		return -EINVAL;
	c->arg = (unsigned)(arg[3] - '0');
	if (number(val, &c->value) < 0)
		return -EINVAL;
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (!strcmp(op, ops[i].s))
			return c->op = ops[i].op, 0;
	/* &MASK== */
	size_t n = strlen(op);
	if (op[0] == '&' && n > 3 && !strcmp(op + n - 2, "==")) {
		char mask[24];
		if (n - 3 >= sizeof mask)
			return -EINVAL;
		memcpy(mask, op + 1, n - 3);
		mask[n - 3] = '\0';
		c->op = OP_MASKED_EQ;
		return number(mask, &c->mask);
	}
	return -EINVAL;
}

static int add(struct policy *p, const struct pol_rule *r)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct pol_rule *v = realloc(p->rules, cap * sizeof *v);
		if (!v)
			return -ENOMEM;
		p->rules = v;
		p->cap = cap;
	}
	p->rules[p->n++] = *r;
	return 0;
}

/* One line, split into at most 16 words. */
static int line_words(char *line, char **w, int max)
{
	int n = 0;
	char *save = NULL;
	for (char *tok = strtok_r(line, " \t\r", &save); tok; tok = strtok_r(NULL, " \t\r", &save)) {
		if (n == max)
			return -1;
		w[n++] = tok;
	}
	return n;
}

int policy_parse(const char *text, size_t len, struct policy *out, char *why, size_t whylen)
{
	char line[512];
	int lineno = 0, seen_default = 0;
	memset(out, 0, sizeof *out);
	out->def = PA_ALLOW;
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - text - pos) : len - pos;
		lineno++;
		if (l >= sizeof line)
			return policy_free(out), WHY("line %d: longer than %zu bytes", lineno, sizeof line - 1);
		memcpy(line, text + pos, l);
		line[l] = '\0';
		pos += l + 1;
		if (memchr(line, '\0', l))
			return policy_free(out), WHY("line %d: NUL byte", lineno);
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *w[16];
		int n = line_words(line, w, 16);
		if (n < 0)
			return policy_free(out), WHY("line %d: too many words", lineno);
		if (n == 0)
			continue;
		if (!strcmp(w[0], "default")) {
			if (n != 2 || seen_default++ || action(w[1], &out->def, &out->def_err) < 0)
				return policy_free(out), WHY("line %d: expected one 'default ACTION'", lineno);
			continue;
		}
		if (!strcmp(w[0], "base")) {
			if (n != 2 || strcmp(w[1], "default") != 0)
				return policy_free(out), WHY("line %d: expected 'base default'", lineno);
			out->base_default = 1;
			continue;
		}
		struct pol_rule r = {.line = lineno};
		if (action(w[0], &r.action, &r.err) < 0)
			return policy_free(out), WHY("line %d: unknown action '%s' (allow, deny, errno(N), kill, log)", lineno, w[0]);
		if (n < 2 || strlen(w[1]) >= sizeof r.name)
			return policy_free(out), WHY("line %d: expected a syscall name after '%s'", lineno, w[0]);
		memcpy(r.name, w[1], strlen(w[1]) + 1); /* length checked just above */
		if ((n - 2) % 3 || (n - 2) / 3 > POL_MAX_CMP)
			return policy_free(out), WHY("line %d: comparisons are 'argN OP VALUE', at most %d", lineno, POL_MAX_CMP);
		for (int i = 2; i < n; i += 3)
			if (comparison(w[i], w[i + 1], w[i + 2], &r.cmp[r.ncmp++]) < 0)
				return policy_free(out), WHY("line %d: bad comparison '%s %s %s'", lineno, w[i], w[i + 1], w[i + 2]);
		if (add(out, &r) < 0)
			return policy_free(out), WHY("line %d: out of memory", lineno);
	}
	return 0;
}

void policy_free(struct policy *p)
{
	free(p->rules);
	p->rules = NULL;
	p->n = p->cap = 0;
}
