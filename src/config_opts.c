/* config_opts.c - the option table: every option of SPEC.md "Command line", the
 * function that applies its value, and its --help line. The USHER_* twin of each
 * option is derived from its name, so the two can never disagree. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "feedback.h"
#include "parse.h"
#include "report.h"
#include "util.h"

static int set_str(const char **dst, const char *v, char *why, size_t whylen)
{
	if (!*v)
		return WHY("empty value");
	*dst = v;
	return 0;
}

static int set_seconds(uint64_t *dst, const char *v, char *why, size_t whylen)
{
	int rc = parse_seconds_ms(v, dst);
	if (rc == -ERANGE)
		return WHY("too large");
	return rc < 0 ? WHY("not a number of seconds (digits, up to 3 decimals)") : 0;
}

static int set_count(uint64_t *dst, const char *v, char *why, size_t whylen)
{
	int rc = parse_u64(v, dst);
	if (rc == -ERANGE)
		return WHY("too large");
	return rc < 0 ? WHY("not a whole number") : 0;
}

#define APPLY(fn) static int fn(struct usher_config *c, const char *v, char *why, size_t whylen)

APPLY(a_submission) { return set_str(&c->submission, v, why, whylen); }
APPLY(a_ready_file) { return set_str(&c->ready_file, v, why, whylen); }
APPLY(a_failed_file) { return set_str(&c->failed_file, v, why, whylen); }
APPLY(a_wait_timeout) { return set_seconds(&c->wait_timeout_ms, v, why, whylen); }
APPLY(a_max_files) { return set_count(&c->max_files, v, why, whylen); }
APPLY(a_max_depth)
{
	uint64_t d;
	int rc = set_count(&d, v, why, whylen);
	if (rc == 0 && d > 4096)
		return WHY("deeper than 4096");
	c->max_depth = (unsigned)d;
	return rc;
}
APPLY(a_max_bytes)
{
	int rc = parse_size(v, &c->max_bytes);
	if (rc == -ERANGE)
		return WHY("too large");
	return rc < 0 ? WHY("not a size (digits with an optional K, M or G)") : 0;
}
APPLY(a_user)
{
	c->user_explicit = strcmp(v, "auto") != 0;
	return set_str(&c->user_spec, v, why, whylen);
}
/* --require NAME[=ABI]: a protection of the table in usher.h, or landlock=N. */
APPLY(a_require)
{
	const char *eq = strchr(v, '=');
	size_t len = eq ? (size_t)(eq - v) : strlen(v);
	for (int p = 0; p < PROT_COUNT; p++) {
		const char *name = protection_name((enum usher_protection)p);
		if (strlen(name) != len || strncmp(v, name, len) != 0)
			continue;
		if (eq && p != PROT_LANDLOCK)
			return WHY("only landlock takes a value (landlock=ABI)");
		if (p == PROT_LANDLOCK) {
			uint64_t abi = 1;
			if (eq && (parse_u64(eq + 1, &abi) < 0 || abi < 1 || abi > 64))
				return WHY("not landlock=ABI with ABI a version from 1");
			if ((int)abi > c->require_landlock_abi)
				c->require_landlock_abi = (int)abi;
		}
		c->require |= 1u << p;
		return 0;
	}
	char names[256] = "";
	for (int p = 0; p < PROT_COUNT; p++)
		snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", p ? ", " : "",
			 protection_name((enum usher_protection)p));
	return WHY("unknown protection (%s; landlock=ABI)", names);
}
APPLY(a_unsafe)
{
	if (!strcmp(v, "root-grader"))
		c->unsafe |= UNSAFE_ROOT_GRADER;
	else if (!strcmp(v, "same-uid"))
		c->unsafe |= UNSAFE_SAME_UID;
	else
		return WHY("not root-grader or same-uid");
	return 0;
}
APPLY(a_keep_cap)
{
	unsigned cap;
	if (cap_from_name(v, &cap) < 0)
		return WHY("unknown capability (e.g. NET_BIND_SERVICE)");
	c->keep_caps |= UINT64_C(1) << cap;
	return 0;
}
APPLY(a_writable)
{
	if (v[0] != '/')
		return WHY("not an absolute path");
	return strlist_add(&c->writable, v) < 0 ? WHY("out of memory") : 0;
}
APPLY(a_feedback)
{
	if (v[0] != '/')
		return WHY("not an absolute path");
	return strlist_add(&c->feedback, v) < 0 ? WHY("out of memory") : 0;
}
APPLY(a_seccomp)
{
	if (!*v)
		return WHY("empty value");
	if (!strcmp(v, "default")) {
		c->seccomp = SECCOMP_DEFAULT;
	} else if (!strcmp(v, "none")) {
		c->seccomp = SECCOMP_NONE;
	} else {
		c->seccomp = SECCOMP_FILE;
		c->seccomp_file = v;
	}
	return 0;
}
APPLY(a_landlock)
{
	if (!strcmp(v, "auto"))
		c->landlock = LANDLOCK_AUTO;
	else if (!strcmp(v, "require"))
		c->landlock = LANDLOCK_REQUIRE;
	else if (!strcmp(v, "off"))
		c->landlock = LANDLOCK_OFF;
	else
		return WHY("not auto, require or off");
	return 0;
}
APPLY(a_rlimit)
{
	int res;
	rlim_t soft, hard;
	if (parse_rlimit(v, &res, &soft, &hard) < 0)
		return WHY("not NAME=SOFT[:HARD] with a known name (nofile, nproc, as, ...), "
			   "sizes or 'unlimited', soft <= hard");
	c->rlimits[res] = (struct usher_rlimit){.set = true, .soft = soft, .hard = hard};
	return 0;
}
static int add_env_name(struct strlist *l, const char *v, char *why, size_t whylen)
{
	if (!*v || strchr(v, '='))
		return WHY("not a variable name");
	return strlist_add(l, v) < 0 ? WHY("out of memory") : 0;
}
APPLY(a_env_keep)
{
	c->env_keep_set = true;
	return add_env_name(&c->env_keep, v, why, whylen);
}
APPLY(a_env_drop) { return add_env_name(&c->env_drop, v, why, whylen); }
APPLY(a_setenv)
{
	const char *eq = strchr(v, '=');
	if (!eq || eq == v)
		return WHY("not NAME=VALUE");
	if (!strncmp(v, "USHER_", 6))
		return WHY("USHER_* variables never reach the grader");
	return strlist_add(&c->setenv, v) < 0 ? WHY("out of memory") : 0;
}
APPLY(a_timeout) { return set_seconds(&c->timeout_ms, v, why, whylen); }
APPLY(a_kill_after) { return set_seconds(&c->kill_after_ms, v, why, whylen); }
APPLY(a_result) { return set_str(&c->result_path, v, why, whylen); }
APPLY(a_log_format)
{
	if (!strcmp(v, "text"))
		c->log_format = LOG_TEXT;
	else if (!strcmp(v, "json"))
		c->log_format = LOG_JSON;
	else
		return WHY("not text or json");
	return 0;
}
/* Verdicts (issue 16). */
static int set_size(uint64_t *dst, const char *v, char *why, size_t whylen)
{
	int rc = parse_size(v, dst);
	if (rc == -ERANGE)
		return WHY("too large");
	return rc < 0 ? WHY("not a size (digits with an optional K, M or G)") : 0;
}
APPLY(a_cpu_time) { return set_seconds(&c->cpu_time_ms, v, why, whylen); }
APPLY(a_memory)
{
	int rc = set_size(&c->memory_limit, v, why, whylen);
	if (rc == 0 && c->memory_limit && c->memory_limit < (UINT64_C(1) << 20))
		return WHY("less than 1M: nothing runs in that");
	return rc;
}
APPLY(a_max_output) { return set_size(&c->max_output, v, why, whylen); }
APPLY(a_feedback_format)
{
	if (feedback_format_parse(v, &c->feedback_format) < 0)
		return WHY("not coursera, gradescope, prairielearn or none");
	return 0;
}
/* STATUS=TEXT, STATUS a result status ("memory_limit"); TEXT verbatim (\, for a comma). */
APPLY(a_feedback_message)
{
	const char *eq = strchr(v, '=');
	for (int st = 0; eq && st < USHER_STATUS_COUNT; st++) {
		const char *name = status_name((enum usher_status)st);
		if (strlen(name) == (size_t)(eq - v) && !strncmp(v, name, (size_t)(eq - v))) {
			if (!eq[1])
				return WHY("empty message");
			c->feedback_message[st] = eq + 1;
			return 0;
		}
	}
	return WHY("not STATUS=TEXT with STATUS a result status (timeout, memory_limit, ...)");
}
APPLY(a_to) { return set_str(&c->deliver_to, v, why, whylen); }
APPLY(a_fail) { return set_str(&c->deliver_fail, v, why, whylen); }

/* Flags. For ARG_NONE options the value is "1" from the command line, or the
 * variable's text, which must be a boolean. */
#define FLAG(fn, field)                                                                \
	APPLY(fn)                                                                      \
	{                                                                              \
		bool b;                                                                \
		if (parse_bool(v, &b) < 0)                                             \
			return WHY("not a boolean (1/0, true/false, yes/no, on/off)");  \
		c->field = b;                                                          \
		return 0;                                                              \
	}
FLAG(a_no_wait, no_wait)
FLAG(a_wait_poll, wait_poll)
APPLY(a_allow_network)
{
	bool b;
	if (parse_bool(v, &b) < 0)
		return WHY("not a boolean (1/0, true/false, yes/no, on/off)");
	if (b)
		c->network = NET_ALL;
	return 0;
}
APPLY(a_network)
{
	if (!strcmp(v, "none"))
		c->network = NET_NONE;
	else if (!strcmp(v, "loopback"))
		c->network = NET_LOOPBACK;
	else if (!strcmp(v, "all"))
		c->network = NET_ALL;
	else
		return WHY("not none, loopback or all");
	return 0;
}
FLAG(a_exec, exec_mode)
FLAG(a_dry_run, dry_run)
FLAG(a_json, doctor_json)
APPLY(a_quiet)
{
	bool b;
	if (parse_bool(v, &b) < 0)
		return WHY("not a boolean");
	if (b)
		c->verbosity = -1;
	return 0;
}
APPLY(a_verbose)
{
	bool b;
	if (parse_bool(v, &b) < 0)
		return WHY("not a boolean");
	if (b)
		c->verbosity = 1;
	return 0;
}

static const struct opt options[] = {
	{"submission", 0, ARG_ONE, FOR_ALL, "DIR", "where the sidecar drops the submission (/shared/submission)", a_submission},
	{"ready-file", 0, ARG_ONE, FOR_SHIM | FOR_DELIVER, "PATH", "marker whose appearance means the drop is complete (DIR.ready)", a_ready_file},
	{"failed-file", 0, ARG_ONE, FOR_SHIM | FOR_DELIVER, "PATH", "marker the sidecar writes when it could not deliver (DIR.failed)", a_failed_file},
	{"wait-timeout", 0, ARG_ONE, FOR_SHIM, "SECS", "give up waiting for the marker (600)", a_wait_timeout},
	{"no-wait", 0, ARG_NONE, FOR_SHIM, NULL, "the submission is already there: do not wait", a_no_wait},
	{"wait-poll", 0, ARG_NONE, FOR_SHIM, NULL, "poll instead of inotify (network filesystems)", a_wait_poll},
	{"max-files", 0, ARG_ONE, FOR_SHIM, "N", "most files in the submission (10000)", a_max_files},
	{"max-bytes", 0, ARG_ONE, FOR_SHIM, "SIZE", "most bytes in the submission (1G)", a_max_bytes},
	{"max-depth", 0, ARG_ONE, FOR_SHIM | FOR_DELIVER, "N", "deepest directory nesting (32)", a_max_depth},
	{"user", 0, ARG_ONE, FOR_SHIM, "UID[:GID]", "who the grader runs as: auto (a uid of this run's own), numbers or names (auto)", a_user},
	{"keep-cap", 0, ARG_LIST, FOR_SHIM, "CAP,...", "capabilities the grader keeps (none)", a_keep_cap},
	{"writable", 0, ARG_LIST, FOR_SHIM, "PATH,...", "all the grader may modify (/tmp,/var/tmp,/dev/shm)", a_writable},
	{"feedback", 0, ARG_LIST, FOR_SHIM, "PATH,...", "files the grader may create and write (/shared/feedback.json,...)", a_feedback},
	{"network", 0, ARG_ONE, FOR_SHIM, "MODE", "none, loopback (TCP/UDP on lo only) or all (loopback)", a_network},
	{"allow-network", 0, ARG_NONE, FOR_SHIM, NULL, "the same as --network all", a_allow_network},
	{"require", 0, ARG_LIST, FOR_SHIM, "NAME,...", "fail (125) rather than run without these protections (uid-switch, landlock=4, ...)", a_require},
	{"unsafe", 0, ARG_LIST, FOR_SHIM, "RISK,...", "accept a risk that is otherwise a setup failure (root-grader, same-uid)", a_unsafe},
	{"seccomp", 0, ARG_ONE, FOR_SHIM, "PROFILE", "default, none, or a policy file (default)", a_seccomp},
	{"landlock", 0, ARG_ONE, FOR_SHIM, "MODE", "auto, require or off (auto)", a_landlock},
	{"rlimit", 0, ARG_LIST, FOR_SHIM, "NAME=SOFT[:HARD],...", "resource limits (core=0,nproc=1024,nofile=1024,fsize=1G)", a_rlimit},
	{"env-keep", 0, ARG_LIST, FOR_SHIM, "NAME,...", "only these variables reach the grader", a_env_keep},
	{"env-drop", 0, ARG_LIST, FOR_SHIM, "NAME,...", "these variables do not reach the grader", a_env_drop},
	{"setenv", 0, ARG_LIST, FOR_SHIM, "K=V,...", "set variables for the grader (\\, for a comma)", a_setenv},
	{"timeout", 0, ARG_ONE, FOR_SHIM, "SECS", "wall-clock limit for the grader, 0 for none (0)", a_timeout},
	{"kill-after", 0, ARG_ONE, FOR_SHIM, "SECS", "grace between SIGTERM and SIGKILL (5)", a_kill_after},
	{"exec", 0, ARG_NONE, FOR_SHIM, NULL, "lock down and exec in place instead of supervising", a_exec},
	{"result", 0, ARG_ONE, FOR_SHIM, "PATH", "write the result JSON there, atomically", a_result},
	{"dry-run", 0, ARG_NONE, FOR_SHIM, NULL, "print the effective configuration as JSON and exit", a_dry_run},
	{"cpu-time", 0, ARG_ONE, FOR_SHIM, "SECS", "CPU time of the grader and all it runs, 0 for none (0)", a_cpu_time},
	{"memory", 0, ARG_ONE, FOR_SHIM, "SIZE", "memory limit usher enforces below the container's, 0 for none (0)", a_memory},
	{"max-output", 0, ARG_ONE, FOR_SHIM, "SIZE", "the grader's stdout+stderr kept: head and tail, 0 for no relay (1M)", a_max_output},
	{"feedback-format", 0, ARG_ONE, FOR_SHIM, "FORMAT", "the learner's file usher writes: coursera, gradescope, prairielearn or none (coursera)", a_feedback_format},
	{"feedback-message", 0, ARG_LIST, FOR_SHIM, "STATUS=TEXT,...", "the learner's message for a result status, instead of the default; \\, for a comma", a_feedback_message},
	{"hide", 0, ARG_LIST, FOR_SHIM, "PATH,...", "files and directories the learner's runs (usher run) may not read; the grader still can", a_hide},
	{"dir", 0, ARG_ONE, FOR_RUN, "DIR", "run: the learner's read-write working directory, the grader's (its temporary one)", a_run_dir},
	{"hide", 0, ARG_LIST, FOR_RUN, "PATH,...", "run: what the learner may not read (hidden tests, reference solution)", a_run_hide},
	{"stdin", 0, ARG_ONE, FOR_RUN, "FILE", "run: the learner's standard input (usher run's own)", a_run_stdin},
	{"stdout", 0, ARG_ONE, FOR_RUN, "FILE", "run: where the learner's standard output goes (usher run's own)", a_run_stdout},
	{"stderr", 0, ARG_ONE, FOR_RUN, "FILE", "run: where the learner's standard error goes (usher run's own)", a_run_stderr},
	{"meta", 0, ARG_ONE, FOR_RUN, "FILE", "run: write the verdict there as JSON", a_run_meta},
	{"wall-time", 0, ARG_ONE, FOR_RUN, "SECS", "run: wall-clock limit, 0 for none (0)", a_run_wall_time},
	{"cpu-time", 0, ARG_ONE, FOR_RUN, "SECS", "run: CPU time of the learner's processes together, 0 for none (0)", a_run_cpu_time},
	{"memory", 0, ARG_ONE, FOR_RUN, "SIZE", "run: resident memory of the learner's processes together, 0 for none (0)", a_run_memory},
	{"processes", 0, ARG_ONE, FOR_RUN, "N", "run: processes and threads at once (256)", a_run_processes},
	{"open-files", 0, ARG_ONE, FOR_RUN, "N", "run: open files per process (256)", a_run_open_files},
	{"fsize", 0, ARG_ONE, FOR_RUN, "SIZE", "run: largest file the learner may write (64M)", a_run_fsize},
	{"max-output", 0, ARG_ONE, FOR_RUN, "SIZE", "run: stdout+stderr together; more ends the run, 0 for none (8M)", a_run_max_output},
	{"allow-network", 0, ARG_NONE, FOR_RUN, NULL, "run: the network the grader has (none)", a_run_allow_network},
	{"env", 0, ARG_LIST, FOR_RUN, "NAME[=VALUE],...", "run: variables for the learner beyond PATH, LANG, LC_ALL, TZ, HOME, TMPDIR, USER", a_run_env},
	{"to", 0, ARG_ONE, FOR_DELIVER | FOR_INSTALL, "DIR", "deliver: the submission directory (the --submission default); install: where to copy usher", a_to},
	{"fail", 0, ARG_ONE, FOR_DELIVER, "REASON", "deliver: publish the failed marker with REASON", a_fail},
	{"json", 0, ARG_NONE, FOR_DOCTOR, NULL, "doctor: print the report as JSON", a_json},
	{"log-format", 0, ARG_ONE, FOR_ALL | FOR_RUN, "FORMAT", "text or json (text)", a_log_format},
	{"quiet", 'q', ARG_NONE, FOR_ALL | FOR_RUN, NULL, "log errors only", a_quiet},
	{"verbose", 'v', ARG_NONE, FOR_ALL | FOR_RUN, NULL, "log details, such as the seccomp rules", a_verbose},
};

const struct opt *config_options(size_t *n)
{
	*n = sizeof options / sizeof options[0];
	return options;
}
