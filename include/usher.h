/* usher.h - the configuration every stage reads and the report every stage fills.
 *
 * The configuration is built once by config_load() and is const afterwards: each
 * stage takes `const struct usher_config *`. What the stages learn while running
 * (how long the wait took, the grader's rusage, which step failed) goes into
 * `struct usher_report`, which main() turns into an exit status and the result file.
 */
#ifndef USHER_H
#define USHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#define USHER_VERSION "0.1.0"

/* Exit statuses of the contract (SPEC.md "Exit status"). Only main() returns them. */
enum {
	EXIT_USHER_REJECTED = 65,     /* the submission broke a check */
	EXIT_USHER_NOT_READY = 75,    /* wait timeout or failed marker */
	EXIT_USHER_TIMEOUT = 124,     /* the grader hit --timeout */
	EXIT_USHER_FAILED = 125,      /* usage, configuration, lockdown */
	EXIT_USHER_NOEXEC = 126,      /* PROGRAM found but not executable */
	EXIT_USHER_NOTFOUND = 127,    /* PROGRAM not found */
};

/* Stage outcomes that are not plain failures. Stages return them negated, like errnos,
 * so that main() can tell "the sidecar gave up" from "usher broke". */
#define USHER_E_WAIT_TIMEOUT ETIMEDOUT /* wait: no marker before --wait-timeout */
#define USHER_E_SIDECAR ECANCELED      /* wait: the failed marker appeared */
#define USHER_E_REJECT EBADMSG         /* check: the submission broke a rule */
#define USHER_E_SIGNAL EINTR           /* a signal ended the stage; report.signal says which */

enum usher_command { CMD_SHIM, CMD_DELIVER, CMD_DOCTOR, CMD_HELP, CMD_VERSION };
enum usher_landlock { LANDLOCK_AUTO, LANDLOCK_REQUIRE, LANDLOCK_OFF };
enum usher_seccomp { SECCOMP_DEFAULT, SECCOMP_NONE, SECCOMP_FILE };
enum usher_log_format { LOG_TEXT, LOG_JSON };

/* A list of strings split from comma lists and repeated flags. Storage is owned
 * by the config arena; nothing is ever freed before exit. */
struct strlist {
	const char **v;
	size_t n;
};

struct usher_rlimit {
	bool set;
	rlim_t soft, hard;
};

#define USHER_RLIMIT_MAX 16 /* RLIMIT_NLIMITS on Linux */

struct usher_config {
	enum usher_command command;

	/* handoff */
	const char *submission;
	const char *ready_file;
	const char *failed_file;
	uint64_t wait_timeout_ms;
	bool no_wait;
	bool wait_poll; /* force the polling fallback (network filesystems, tests) */
	uint64_t max_files, max_bytes;
	unsigned max_depth;

	/* identity: resolved at config time from the container's /etc/passwd, /etc/group */
	const char *user_spec;
	uid_t uid;
	gid_t gid;
	bool user_explicit; /* --user/USHER_USER given: failure to switch is fatal */

	/* lockdown */
	uint64_t keep_caps; /* bit N = capability N */
	struct strlist writable;
	struct strlist feedback;
	bool allow_network;
	enum usher_seccomp seccomp;
	const char *seccomp_file;
	enum usher_landlock landlock;
	struct usher_rlimit rlimits[USHER_RLIMIT_MAX];
	struct strlist env_keep; /* n == 0 and !env_keep_set: keep everything not dropped */
	bool env_keep_set;
	struct strlist env_drop;
	struct strlist setenv;
	const char **grader_env; /* the environment the grader gets, NULL-terminated */

	/* supervision */
	uint64_t timeout_ms;    /* 0 = none */
	uint64_t kill_after_ms;
	bool exec_mode;
	const char *result_path;

	/* logging */
	enum usher_log_format log_format;
	int verbosity; /* -1 quiet, 0 normal, 1+ verbose */
	bool dry_run;

	/* the grader: argv after "--" */
	char *const *argv;

	/* usher deliver */
	const char *deliver_to;
	struct strlist deliver_sources;
	const char *deliver_fail;

	/* usher doctor */
	bool doctor_json;
};

/* Result status (SPEC.md "Result file"). */
enum usher_status {
	ST_EXITED,
	ST_SIGNALED,
	ST_TIMEOUT,
	ST_WAIT_TIMEOUT,
	ST_SIDECAR_FAILED,
	ST_REJECTED,
	ST_SETUP_FAILED,
	ST_EXEC_FAILED,
};

/* What the lockdown applied to the grader (the result's "lockdown"). */
struct usher_lockdown {
	bool applied;
	uid_t uid;
	gid_t gid;
	uint64_t caps;
	bool no_new_privs;
	int landlock_abi;
	const char *seccomp; /* "default", "none", or the policy path */
	bool network;
};

/* The first failure (the result's "error"). */
struct usher_error {
	bool set;
	char step[32];
	int err; /* positive errno, 0 if none */
	char message[512];
};

struct usher_report {
	enum usher_status status;
	int exit_code; /* usher's own */
	int signal;    /* a signal that ended a stage before the grader ran */

	struct {
		bool ran;
		int exit_code; /* -1 when killed */
		int signal;    /* 0 when exited */
		bool timed_out; /* --timeout fired: the status is "timeout" whatever the signal */
		uint64_t wall_ms, user_ms, sys_ms, max_rss_kib;
	} grader;

	int64_t wait_ms; /* -1: no wait happened */
	struct {
		bool has_files, has_bytes; /* the ready marker's optional files=/bytes= lines */
		uint64_t files, bytes;
	} manifest;
	char sidecar_reason[256];

	struct {
		bool checked;
		uint64_t files, bytes;
	} submission;

	struct usher_lockdown lockdown;

	struct usher_error error;
};

/* Record a failure in the report, log it as "usher: <message>: <strerror(err)>",
 * and return -err (or -EINVAL when err is 0) so callers can `return report_fail(...)`. */
int report_fail(struct usher_report *rep, const char *step, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
