/* fuzz_parse.c - the strict number, size, seconds, boolean, capability and rlimit
 * parsers over arbitrary bytes (NUL-terminated copies), each against an oracle that
 * can disagree with it:
 *
 *   parse_u64, parse_size, parse_seconds_ms, parse_bool
 *       a reference written from the contract (SPEC.md: digits only, K/M/G powers of
 *       1024, up to three decimals, no sign, no space, no overflow), in 128-bit
 *       arithmetic: same acceptance, same value
 *   cap_from_name / cap_name, rlimit_from_name / rlimit_name, parse_rlimit
 *       round trips: what is accepted prints back to a string that parses to the same
 *       thing, and a name is only accepted if it is (up to case and CAP_) a known one
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse.h"

typedef unsigned __int128 u128;

#define CHECK(cond, ...)                                                                 \
	do {                                                                             \
		if (!(cond)) {                                                           \
			fprintf(stderr, "fuzz_parse: " __VA_ARGS__);                     \
			fputc('\n', stderr);                                             \
			abort();                                                         \
		}                                                                        \
	} while (0)

/* Digits in [s, end), nonempty; 0 and *v, or -1. Nothing else is a number. */
static int ref_digits(const char *s, const char *end, u128 *v)
{
	*v = 0;
	if (s == end)
		return -1;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		*v = *v * 10 + (unsigned)(*s - '0');
		if (*v > UINT64_MAX)
			return -1;
	}
	return 0;
}

static int ref_u64(const char *s, uint64_t *out)
{
	u128 v;
	if (ref_digits(s, s + strlen(s), &v) < 0)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

static int ref_size(const char *s, uint64_t *out)
{
	size_t n = strlen(s);
	unsigned shift = 0;
	u128 v;
	if (n && strchr("kK", s[n - 1]))
		shift = 10;
	else if (n && strchr("mM", s[n - 1]))
		shift = 20;
	else if (n && strchr("gG", s[n - 1]))
		shift = 30;
	if (ref_digits(s, s + n - (shift ? 1 : 0), &v) < 0 || (v << shift) > UINT64_MAX)
		return -1;
	*out = (uint64_t)(v << shift);
	return 0;
}

static int ref_seconds(const char *s, uint64_t *out)
{
	const char *dot = strchr(s, '.');
	u128 whole, frac = 0;
	if (ref_digits(s, dot ? dot : s + strlen(s), &whole) < 0)
		return -1;
	if (dot) {
		size_t nf = strlen(dot + 1);
		if (nf < 1 || nf > 3 || ref_digits(dot + 1, dot + 1 + nf, &frac) < 0)
			return -1;
		for (; nf < 3; nf++)
			frac *= 10;
	}
	if (whole * 1000 + frac > UINT64_MAX)
		return -1;
	*out = (uint64_t)(whole * 1000 + frac);
	return 0;
}

static int ref_bool(const char *s, bool *out)
{
	static const char *const words[] = {"", "0", "false", "no", "off", "1", "true", "yes", "on"};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (!strcasecmp(s, words[i]))
			return *out = i >= 5, 0;
	return -1;
}

static void numbers(const char *s)
{
	uint64_t v, r;
	bool b, rb;
	int got = parse_u64(s, &v), want = ref_u64(s, &r);
	CHECK((got == 0) == (want == 0) && (got || v == r), "parse_u64('%s'): %d %llu, the contract: %d %llu",
	      s, got, (unsigned long long)v, want, (unsigned long long)r);
	got = parse_size(s, &v), want = ref_size(s, &r);
	CHECK((got == 0) == (want == 0) && (got || v == r), "parse_size('%s'): %d %llu, the contract: %d %llu",
	      s, got, (unsigned long long)v, want, (unsigned long long)r);
	got = parse_seconds_ms(s, &v), want = ref_seconds(s, &r);
	CHECK((got == 0) == (want == 0) && (got || v == r), "parse_seconds_ms('%s'): %d %llu, the contract: %d %llu",
	      s, got, (unsigned long long)v, want, (unsigned long long)r);
	got = parse_bool(s, &b), want = ref_bool(s, &rb);
	CHECK((got == 0) == (want == 0) && (got || b == rb), "parse_bool('%s'): %d %d, the contract: %d %d", s,
	      got, b, want, rb);
}

static void names(const char *s)
{
	unsigned cap, again;
	int res, res2;
	if (cap_from_name(s, &cap) == 0) {
		const char *name = cap_name(cap);
		CHECK(name, "cap_from_name('%s') = %u, which has no name", s, cap);
		CHECK(!strcasecmp(s, name) || (!strncasecmp(s, "cap_", 4) && !strcasecmp(s + 4, name)),
		      "cap_from_name('%s') = %u, whose name is %s", s, cap, name);
		CHECK(cap_from_name(name, &again) == 0 && again == cap, "cap %s does not parse back", name);
	}
	if (rlimit_from_name(s, &res) == 0) {
		const char *name = rlimit_name(res);
		CHECK(name && !strcmp(name, s), "rlimit_from_name('%s') = %d, named %s", s, res, name ? name : "(null)");
		CHECK(rlimit_from_name(name, &res2) == 0 && res2 == res, "rlimit %s does not parse back", name);
	}
}

static void rlimits(const char *s)
{
	int res, res2;
	rlim_t soft, hard, soft2, hard2;
	char back[96], a[32], b[32];
	if (parse_rlimit(s, &res, &soft, &hard) != 0)
		return;
	CHECK(soft <= hard, "parse_rlimit('%s'): soft %llu above hard %llu", s, (unsigned long long)soft,
	      (unsigned long long)hard);
	CHECK(rlimit_name(res), "parse_rlimit('%s'): resource %d has no name", s, res);
	snprintf(a, sizeof a, soft == RLIM_INFINITY ? "unlimited" : "%llu", (unsigned long long)soft);
	snprintf(b, sizeof b, hard == RLIM_INFINITY ? "unlimited" : "%llu", (unsigned long long)hard);
	snprintf(back, sizeof back, "%s=%s:%s", rlimit_name(res), a, b);
	CHECK(parse_rlimit(back, &res2, &soft2, &hard2) == 0 && res2 == res && soft2 == soft && hard2 == hard,
	      "parse_rlimit('%s') printed back as '%s' does not parse to the same", s, back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	numbers(s);
	names(s);
	rlimits(s);
	free(s);
	return 0;
}
