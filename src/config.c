/* config.c - the config stage: argv and USHER_* variables into a usher_config.
 *
 * Precedence (SPEC.md): a flag beats its variable. So the command line is applied
 * first and remembers which options it set; then each option it did not set takes
 * its USHER_* variable, if any; what is left keeps its default. Repeated flags and
 * comma lists accumulate. A usage error is one line naming the option and the value,
 * then a hint to --help; the caller exits 125.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "feedback.h"
#include "log.h"
#include "stages.h"
#include "sys.h"
#include "util.h"

#define MAX_OPTS 64

static void defaults(struct usher_config *c)
{
	memset(c, 0, sizeof *c);
	c->command = CMD_SHIM;
	c->submission = "/shared/submission";
	c->wait_timeout_ms = UINT64_C(600) * 1000;
	c->max_files = 10000;
	c->max_bytes = UINT64_C(1) << 30;
	c->max_depth = 32;
	c->user_spec = "auto";
	c->seccomp = SECCOMP_DEFAULT;
	c->landlock = LANDLOCK_AUTO;
	c->network = NET_LOOPBACK;
	c->kill_after_ms = 5000;
	c->log_format = LOG_TEXT;
	/* 1 MiB: far more than any grader log a person reads (PrairieLearn caps its
	 * results at 1 MB, a CloudWatch event at 256 KiB), and a flood costs at most that
	 * per run instead of gigabytes of billed log ingestion (docs/usher.1, --max-output). */
	c->max_output = UINT64_C(1) << 20;
	c->feedback_format = FEEDBACK_COURSERA;
}

/* Defaults for lists apply only when neither a flag nor a variable gave any. */
static int list_defaults(struct usher_config *c)
{
	static const char *const writable[] = {"/tmp", "/var/tmp", "/dev/shm"};
	static const char *const feedback[] = {
		"/shared/feedback.json", "/shared/htmlFeedback.html", "/shared/txtFeedback.txt"};
	/* Why these: a core dump can fill the disk and leak memory; nproc and nofile
	 * bound a fork or fd bomb per uid; fsize bounds one runaway file. */
	static const struct { int res; rlim_t v; } rlimits[] = {
		{RLIMIT_CORE, 0}, {RLIMIT_NPROC, 1024}, {RLIMIT_NOFILE, 1024},
		{RLIMIT_FSIZE, (rlim_t)1 << 30},
	};
	bool no_writable = !c->writable.n, no_feedback = !c->feedback.n;
	/* Gradescope and PrairieLearn read one results.json of their own. */
	bool coursera = c->feedback_format == FEEDBACK_COURSERA || c->feedback_format == FEEDBACK_NONE;
	for (size_t i = 0; i < 3; i++)
		if ((no_writable && strlist_add(&c->writable, writable[i]) < 0) ||
		    (no_feedback && coursera && strlist_add(&c->feedback, feedback[i]) < 0))
			return -ENOMEM;
	if (no_feedback && !coursera && strlist_add(&c->feedback, feedback_default_path(c->feedback_format)) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < sizeof rlimits / sizeof rlimits[0]; i++)
		if (!c->rlimits[rlimits[i].res].set)
			c->rlimits[rlimits[i].res] = (struct usher_rlimit){true, rlimits[i].v, rlimits[i].v};
	return 0;
}

static const struct opt *find_long(const char *name, size_t len, unsigned cmd)
{
	size_t n;
	const struct opt *o = config_options(&n);
	for (size_t i = 0; i < n; i++)
		if ((o[i].commands & cmd) && strlen(o[i].name) == len && !strncmp(o[i].name, name, len))
			return &o[i];
	return NULL;
}

static const struct opt *find_short(char s, unsigned cmd)
{
	size_t n;
	const struct opt *o = config_options(&n);
	for (size_t i = 0; i < n; i++)
		if ((o[i].commands & cmd) && o[i].short_name == s)
			return &o[i];
	return NULL;
}

/* The last usage error, for the result file's error.message. */
static char usage_msg[512];

__attribute__((format(printf, 2, 3))) static int usage(const char *why, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (why && *why)
		snprintf(usage_msg, sizeof usage_msg, "%s: %s", msg, why);
	else
		snprintf(usage_msg, sizeof usage_msg, "%s", msg);
	log_error("%s (try 'usher --help')", usage_msg);
	return -EINVAL;
}

/* getenv() over the environment config_load was given, so tests can pass their own. */
static const char *env_get(char **envp, const char *name)
{
	size_t n = strlen(name);
	for (; envp && *envp; envp++)
		if (!strncmp(*envp, name, n) && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

/* Apply a value; lists are split on commas, "\," standing for a literal comma. Values
 * are copied: those from the environment are wiped from it afterwards. */
static int apply(struct usher_config *c, const struct opt *o, const char *value,
		 const char *origin)
{
	char why[256] = "";
	if (o->arg != ARG_LIST) {
		const char *copy = config_strdup(value);
		if (!copy)
			return -ENOMEM;
		if (o->apply(c, copy, why, sizeof why) < 0)
			return usage(why, "bad %s '%s'", origin, value);
		return 0;
	}
	char *copy = config_strdup(value), *out = copy, *start = copy;
	if (!copy)
		return -ENOMEM;
	if (!*value)
		return usage("empty list", "bad %s '%s'", origin, value);
	for (const char *p = value;; p++) {
		if (*p == '\\' && p[1] == ',') {
			*out++ = ',';
			p++;
			continue;
		}
		if (*p == ',' || !*p) {
			*out++ = '\0';
			if (!*start || o->apply(c, start, why, sizeof why) < 0)
				return usage(*why ? why : "empty element", "bad %s '%s'", origin, value);
			start = out;
			if (!*p)
				return 0;
			continue;
		}
		*out++ = *p;
	}
}

static bool seen_has(const struct opt **seen, size_t n, const struct opt *o)
{
	for (size_t i = 0; i < n; i++)
		if (seen[i] == o)
			return true;
	return false;
}

/* The command line. Stops at "--"; the rest is the grader's argv. */
static int parse_args(struct usher_config *c, int argc, char **argv, unsigned cmd,
		      const struct opt **seen, size_t *nseen)
{
	int i = (cmd == FOR_SHIM) ? 1 : 2;
	for (; i < argc; i++) {
		const char *a = argv[i], *value = NULL;
		const struct opt *o = NULL;
		char flag[80];
		if (!strcmp(a, "--")) {
			c->argv = argv + i + 1;
			return 0;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			c->command = CMD_HELP;
			return 0;
		}
		if (!strcmp(a, "--version") && cmd == FOR_SHIM) {
			c->command = CMD_VERSION;
			return 0;
		}
		if (!strncmp(a, "--", 2)) {
			const char *eq = strchr(a + 2, '=');
			size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			o = find_long(a + 2, len, cmd);
			if (!o)
				return usage(NULL, "unknown option --%.*s", (int)len, a + 2);
			if (eq && o->arg == ARG_NONE)
				return usage(NULL, "option --%s takes no value", o->name);
			value = eq ? eq + 1 : NULL;
		} else if (a[0] == '-' && a[1] && !a[2]) {
			o = find_short(a[1], cmd);
			if (!o)
				return usage(NULL, "unknown option %s", a);
		} else if (cmd == FOR_DELIVER) {
			if (strlist_add(&c->deliver_sources, a) < 0)
				return -ENOMEM;
			continue;
		} else {
			return usage(NULL, "unexpected argument '%s': the grader's command goes after --", a);
		}
		if (o->arg == ARG_NONE) {
			value = "1";
		} else if (!value) {
			if (i + 1 >= argc)
				return usage(NULL, "option --%s needs a value", o->name);
			value = argv[++i];
		}
		snprintf(flag, sizeof flag, "--%s", o->name);
		int rc = apply(c, o, value, flag);
		if (rc < 0)
			return rc;
		if (!seen_has(seen, *nseen, o) && *nseen < MAX_OPTS)
			seen[(*nseen)++] = o;
	}
	return 0;
}

/* USHER_* variables for the options the command line did not set. */
static int parse_env(struct usher_config *c, char **envp, unsigned cmd,
		     const struct opt **seen, size_t nseen)
{
	size_t n;
	const struct opt *o = config_options(&n);
	for (size_t i = 0; i < n; i++) {
		char name[64];
		if (!(o[i].commands & cmd) || seen_has(seen, nseen, &o[i]))
			continue;
		config_env_name(o[i].name, name, sizeof name);
		const char *v = env_get(envp, name);
		if (!v)
			continue;
		/* An empty list variable means "not given", as orchestrators often set
		 * every variable of a template, empty when unused. */
		if (o[i].arg == ARG_LIST && !*v)
			continue;
		int rc = apply(c, &o[i], v, name);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* "DIR.ready": the marker is a sibling of DIR, never inside it, so a student's own
 * file cannot start grading early. Trailing slashes of DIR are ignored. */
static const char *sibling(const char *dir, const char *suffix)
{
	size_t len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		len--;
	size_t size = len + strlen(suffix) + 1;
	char *s = config_alloc(size);
	if (s)
		snprintf(s, size, "%.*s%s", (int)len, dir, suffix);
	return s;
}

/* Read a small file of the container (/etc/passwd); NULL when absent or unreadable. */
static char *slurp(const char *path)
{
	enum { MAX = 1 << 20 };
	char *buf = config_alloc(MAX);
	return buf && file_read_small(AT_FDCWD, path, buf, MAX, true) >= 0 ? buf : NULL;
}

static int finish(struct usher_config *c, char **envp)
{
	char why[256] = "";
	if (list_defaults(c) < 0)
		return -ENOMEM;
	if (c->command == CMD_DELIVER && !c->deliver_to)
		c->deliver_to = c->submission;
	const char *dir = c->command == CMD_DELIVER ? c->deliver_to : c->submission;
	if (!c->ready_file)
		c->ready_file = sibling(dir, ".ready");
	if (!c->failed_file)
		c->failed_file = sibling(dir, ".failed");
	if (!c->ready_file || !c->failed_file)
		return -ENOMEM;
	if (c->command == CMD_RUN) {
		if (config_run_defaults(c, env_get(envp, "USHER_RUN_FD"), why, sizeof why) < 0)
			return usage(NULL, "%s", why);
		if (!c->argv || !c->argv[0])
			return usage(NULL, "missing -- PROGRAM: usher run runs the learner's command given after --");
		return 0;
	}
	if (c->command != CMD_SHIM)
		return 0;
	/* auto: the plan stage chooses a uid of this run's own (plan_identity.c). */
	c->user_auto = !strcmp(c->user_spec, "auto");
	if (!c->user_auto && user_resolve(c->user_spec, slurp("/etc/passwd"), slurp("/etc/group"),
					  &c->uid, &c->gid, why, sizeof why) < 0)
		return usage(why, "bad --user '%s'", c->user_spec);
	if (c->seccomp == SECCOMP_NONE && (c->require & (1u << PROT_SECCOMP)))
		return usage(NULL, "--require seccomp contradicts --seccomp none");
	if (env_build(c, envp, why, sizeof why) < 0)
		return usage(why, "bad environment");
	if ((!c->argv || !c->argv[0]) && !c->dry_run)
		return usage(NULL, "missing -- PROGRAM: usher runs the grader's command given after --");
	return 0;
}

/* Logging and --result are set up from the command line before anything else, so that
 * even a usage error is logged in the requested format and reported in the result. */
static void early(struct usher_config *c, int argc, char **argv, char **envp)
{
	const char *v;
	if ((v = env_get(envp, "USHER_LOG_FORMAT")) && !strcmp(v, "json"))
		c->log_format = LOG_JSON;
	if ((v = env_get(envp, "USHER_RESULT")) && *v)
		c->result_path = config_strdup(v);
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (!strcmp(argv[i], "--log-format=json") ||
		    (!strcmp(argv[i], "--log-format") && i + 1 < argc && !strcmp(argv[i + 1], "json")))
			c->log_format = LOG_JSON;
		if (!strncmp(argv[i], "--result=", 9) && argv[i][9])
			c->result_path = argv[i] + 9;
		if (!strcmp(argv[i], "--result") && i + 1 < argc)
			c->result_path = argv[i + 1];
	}
	log_setup(c->log_format, 0);
}

int config_load(int argc, char **argv, char **envp, struct usher_config *c,
		struct usher_report *rep)
{
	const struct opt *seen[MAX_OPTS];
	size_t nseen = 0;
	unsigned cmd = FOR_SHIM;
	int rc;

	defaults(c);
	early(c, argc, argv, envp);
	if (argc > 1 && !strcmp(argv[1], "deliver"))
		c->command = CMD_DELIVER, cmd = FOR_DELIVER;
	else if (argc > 1 && !strcmp(argv[1], "doctor"))
		c->command = CMD_DOCTOR, cmd = FOR_DOCTOR;
	else if (argc > 1 && !strcmp(argv[1], "install"))
		c->command = CMD_INSTALL, cmd = FOR_INSTALL;
	else if (argc > 1 && !strcmp(argv[1], "run"))
		c->command = CMD_RUN, cmd = FOR_RUN;

	rc = parse_args(c, argc, argv, cmd, seen, &nseen);
	if (rc == 0 && c->command != CMD_HELP && c->command != CMD_VERSION)
		rc = parse_env(c, envp, cmd, seen, nseen);
	if (rc == 0 && c->command != CMD_HELP && c->command != CMD_VERSION)
		rc = finish(c, envp);
	log_setup(c->log_format, c->verbosity);
	if (rc < 0) {
		/* The line is already logged; the report carries the same cause. */
		rep->error.set = true;
		rep->error.step = STEP_CONFIG;
		snprintf(rep->error.message, sizeof rep->error.message, "%s", usage_msg);
		return rc;
	}
	env_wipe_secrets(envp);
	return 0;
}
