/* util_parse.c - see include/parse.h. Numbers are parsed by hand rather than with strtoull
 * because strtoull accepts leading space, a sign and "-1" (as a huge value), all of
 * which the contract says are errors. */
#include "parse.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

/* Digits in [s, end) -> value; -ERANGE on overflow. */
static int digits(const char *s, const char *end, uint64_t *out)
{
	uint64_t v = 0;
	if (s == end)
		return -EINVAL;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int parse_u64(const char *s, uint64_t *out)
{
	if (!s)
		return -EINVAL;
	return digits(s, s + strlen(s), out);
}

int parse_size(const char *s, uint64_t *out)
{
	uint64_t v, mult = 1;
	size_t n;
	if (!s || !(n = strlen(s)))
		return -EINVAL;
	switch (s[n - 1]) {
	case 'K': case 'k': mult = UINT64_C(1) << 10; n--; break;
	case 'M': case 'm': mult = UINT64_C(1) << 20; n--; break;
	case 'G': case 'g': mult = UINT64_C(1) << 30; n--; break;
	default: break;
	}
	int rc = digits(s, s + n, &v);
	if (rc < 0)
		return rc;
	if (v > UINT64_MAX / mult)
		return -ERANGE;
	*out = v * mult;
	return 0;
}

int parse_seconds_ms(const char *s, uint64_t *out)
{
	uint64_t whole, frac = 0;
	if (!s)
		return -EINVAL;
	const char *dot = strchr(s, '.');
	const char *end = dot ? dot : s + strlen(s);
	int rc = digits(s, end, &whole);
	if (rc < 0)
		return rc;
	if (dot) {
		size_t nf = strlen(dot + 1);
		if (nf == 0 || nf > 3)
			return -EINVAL;
		rc = digits(dot + 1, dot + 1 + nf, &frac);
		if (rc < 0)
			return rc;
		for (; nf < 3; nf++)
			frac *= 10;
	}
	if (whole > (UINT64_MAX - frac) / 1000)
		return -ERANGE;
	*out = whole * 1000 + frac;
	return 0;
}

int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"1", "true", "yes", "on"};
	static const char *const no[] = {"", "0", "false", "no", "off"};
	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (!strcasecmp(s, yes[i]))
			return *out = true, 0;
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (!strcasecmp(s, no[i]))
			return *out = false, 0;
	return -EINVAL;
}

/* Linux capability numbers (include/uapi/linux/capability.h), without "CAP_". */
static const char *const cap_names[] = {
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID",
	"SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST",
	"NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO",
	"SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
	"SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE",
	"AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM",
	"BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
};
#define NCAPS (sizeof cap_names / sizeof cap_names[0])

int cap_from_name(const char *s, unsigned *out)
{
	if (!s)
		return -EINVAL;
	if (!strncasecmp(s, "CAP_", 4))
		s += 4;
	for (unsigned i = 0; i < NCAPS; i++)
		if (!strcasecmp(s, cap_names[i]))
			return *out = i, 0;
	return -EINVAL;
}

const char *cap_name(unsigned cap)
{
	return cap < NCAPS ? cap_names[cap] : NULL;
}

unsigned cap_last(void) { return NCAPS - 1; }

static const struct {
	const char *name;
	int resource;
} rlimits[] = {
	{"as", RLIMIT_AS}, {"core", RLIMIT_CORE}, {"cpu", RLIMIT_CPU}, {"data", RLIMIT_DATA},
	{"fsize", RLIMIT_FSIZE}, {"locks", RLIMIT_LOCKS}, {"memlock", RLIMIT_MEMLOCK},
	{"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE}, {"nofile", RLIMIT_NOFILE},
	{"nproc", RLIMIT_NPROC}, {"rss", RLIMIT_RSS}, {"rtprio", RLIMIT_RTPRIO},
	{"rttime", RLIMIT_RTTIME}, {"sigpending", RLIMIT_SIGPENDING}, {"stack", RLIMIT_STACK},
};

int rlimit_from_name(const char *s, int *out)
{
	for (size_t i = 0; s && i < sizeof rlimits / sizeof rlimits[0]; i++)
		if (!strcmp(s, rlimits[i].name))
			return *out = rlimits[i].resource, 0;
	return -EINVAL;
}

const char *rlimit_name(int resource)
{
	for (size_t i = 0; i < sizeof rlimits / sizeof rlimits[0]; i++)
		if (rlimits[i].resource == resource)
			return rlimits[i].name;
	return NULL;
}

static int rlimit_value(const char *s, const char *end, rlim_t *out)
{
	char buf[32];
	uint64_t v;
	size_t n = (size_t)(end - s);
	if (n >= sizeof buf)
		return -ERANGE;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (!strcmp(buf, "unlimited") || !strcmp(buf, "infinity")) {
		*out = RLIM_INFINITY;
		return 0;
	}
	int rc = parse_size(buf, &v);
	if (rc < 0)
		return rc;
	if (v >= (uint64_t)RLIM_INFINITY)
		return -ERANGE;
	*out = (rlim_t)v;
	return 0;
}

int parse_rlimit(const char *s, int *resource, rlim_t *soft, rlim_t *hard)
{
	char name[16];
	rlim_t lo, hi;
	const char *eq = s ? strchr(s, '=') : NULL;
	if (!eq || (size_t)(eq - s) >= sizeof name)
		return -EINVAL;
	memcpy(name, s, (size_t)(eq - s));
	name[eq - s] = '\0';
	int res, rc = rlimit_from_name(name, &res);
	if (rc < 0)
		return rc;
	const char *colon = strchr(eq + 1, ':');
	const char *end = eq + 1 + strlen(eq + 1);
	rc = rlimit_value(eq + 1, colon ? colon : end, &lo);
	if (rc < 0)
		return rc;
	hi = lo;
	if (colon && (rc = rlimit_value(colon + 1, end, &hi)) < 0)
		return rc;
	if (lo > hi)
		return -EINVAL;
	*resource = res;
	*soft = lo;
	*hard = hi;
	return 0;
}
