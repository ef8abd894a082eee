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
	EXIT_DELIVER_PUBLISHED = 73,  /* usher deliver: a marker exists already (EX_CANTCREAT) */
	/* The limits of usher's own verdicts, as a shell would report the kill: SIGKILL is
	 * what the OOM killer sends (and what Docker and Kubernetes report as OOMKilled),
	 * SIGXCPU and SIGXFSZ are the kernel's own signals for CPU time and file size. */
	EXIT_USHER_MEMORY = 137,    /* 128 + SIGKILL: memory_limit */
	EXIT_USHER_CPU_TIME = 152,  /* 128 + SIGXCPU: cpu_time_limit */
	EXIT_USHER_FILE_SIZE = 153, /* 128 + SIGXFSZ: file_size_limit */
};

/* Outcomes of the handoff that are verdicts, not failures: the sidecar gave up, the
 * submission broke a rule. Stages return them negated, like errnos, but from a range no
 * errno reaches (the kernel's end at 4095), so a filesystem's real EBADMSG or ETIMEDOUT
 * can never pass for a verdict. */
enum usher_outcome {
	OUTCOME_FIRST = 4096,
	OUTCOME_WAIT_TIMEOUT,   /* wait: no marker before --wait-timeout */
	OUTCOME_SIDECAR_FAILED, /* wait: the failed marker appeared */
	OUTCOME_REJECTED,       /* wait or check: the submission broke a rule */
	OUTCOME_SIGNALED,       /* a signal ended the stage; report.signal says which */
};
static inline bool is_outcome(int rc) { return rc < -OUTCOME_FIRST; }

/* The steps a failure is charged to: the result's error.step. One table, so that the
 * result, usher(1) and docs/result.schema.json can be checked against it (tests/unit/test_report.c).
 * X(enum suffix, name in the result, what failed). */
#define USHER_STEPS(X)                                                                    \
	X(CONFIG, "config", "the command line or a USHER_* variable")                     \
	X(REQUIRE, "require", "a protection --require names could not be applied")        \
	X(RESULT, "result", "opening the result's directory")                             \
	X(IDENTITY, "identity", "choosing the grader's identity, its home")               \
	X(FEEDBACK, "feedback", "creating the feedback files for the grader")             \
	X(WAIT, "wait", "waiting for the ready marker")                                   \
	X(CHECK, "check", "checking the submission")                                      \
	X(SIGNALS, "signals", "blocking or unblocking signals")                           \
	X(SPAWN, "spawn", "starting the grader's process")                                \
	X(FDS, "fds", "lockdown 1: closing inherited file descriptors")                   \
	X(ENV, "env", "lockdown 2: the grader's environment")                             \
	X(SETSID, "setsid", "lockdown 3: a new session")                                  \
	X(RLIMIT, "rlimit", "lockdown 4: resource limits")                                \
	X(GROUPS, "groups", "lockdown 5: clearing supplementary groups")                  \
	X(GID, "gid", "lockdown 5: the group id")                                         \
	X(UID, "uid", "lockdown 5: the user id")                                          \
	X(CAPS, "caps", "lockdown 6: capabilities and the bounding set")                  \
	X(SECUREBITS, "securebits", "lockdown 6: locking the securebits")                 \
	X(NO_NEW_PRIVS, "no_new_privs", "lockdown 7: no_new_privs")                       \
	X(VERIFY, "verify", "reading back identity, capabilities and no_new_privs")       \
	X(LANDLOCK, "landlock", "lockdown 8: Landlock")                                   \
	X(SECCOMP, "seccomp", "lockdown 9: the seccomp filter")                           \
	X(EXEC, "exec", "lockdown 10: execve of PROGRAM")                                 \
	X(PID1, "pid1", "hardening PID 1 itself")                                         \
	X(SUPERVISE, "supervise", "supervising the grader")                               \
	X(LIMITS, "limits", "the limits usher enforces itself (--memory, --cpu-time)")   \
	X(OUTPUT, "output", "the relay of the grader's output (--max-output)")           \
	X(DELIVER, "deliver", "usher deliver")                                            \
	X(RUN, "run", "usher run's broker, and --hide: what the learner's runs may not read")

enum usher_step {
	STEP_NONE,
#define X(e, name, what) STEP_##e,
	USHER_STEPS(X)
#undef X
	STEP_COUNT
};
const char *step_name(enum usher_step s); /* "config", ...; NULL for STEP_NONE */
const char *step_meaning(enum usher_step s);

/* The protections usher applies that the container may not allow: each one wanted and
 * not applied is an entry of the result's lockdown.degraded and one warning line;
 * `--require NAME,...` turns it into a setup failure; `usher doctor` uses the same
 * names. X(enum suffix, name, what it gives). */
#define USHER_PROTECTIONS(X)                                                                  \
	X(UID_SWITCH, "uid-switch", "the grader runs as an identity of its own, never root or usher's") \
	X(OWN_UID, "own-uid", "the grader's uid belongs to this run alone, not to other containers") \
	X(BOUNDING_SET, "bounding-set", "the bounding set is cleared and the securebits are locked") \
	X(SUBMISSION_OWNER, "submission-owner", "the submission is root's and read-only to the grader") \
	X(LANDLOCK, "landlock", "Landlock confines writes (ABI 1), TCP (4), signals and sockets (6)") \
	X(OOM_SCORE, "oom-score", "the OOM killer chooses the grader's processes, never usher") \
	X(SUBREAPER, "subreaper", "the grader's orphans come back to usher to be killed") \
	X(SECCOMP, "seccomp", "usher's own seccomp filter")                                   \
	X(DENIED_CALLS, "denied-calls", "the result names the calls the filter refused")       \
	X(LOOPBACK, "loopback", "TCP and UDP on the loopback interface (else no network at all)")

enum usher_protection {
#define X(e, name, what) PROT_##e,
	USHER_PROTECTIONS(X)
#undef X
	PROT_COUNT
};
const char *protection_name(enum usher_protection p);
#define LANDLOCK_ABI_FULL 6 /* the ABI whose every right usher uses (Linux 6.12) */

/* Risks an operator may accept explicitly (--unsafe): without them these are setup
 * failures, because nothing would stand between the grader and PID 1 or root. */
enum {
	UNSAFE_ROOT_GRADER = 1u << 0, /* root without CAP_SETUID/SETGID: the grader runs as uid 0 */
	UNSAFE_SAME_UID = 1u << 1,    /* non-root start without Landlock scoping (ABI 6) */
};

enum usher_command { CMD_SHIM, CMD_DELIVER, CMD_DOCTOR, CMD_INSTALL, CMD_RUN, CMD_HELP, CMD_VERSION };
enum usher_landlock { LANDLOCK_AUTO, LANDLOCK_REQUIRE, LANDLOCK_OFF };
enum usher_seccomp { SECCOMP_DEFAULT, SECCOMP_NONE, SECCOMP_FILE };
enum usher_log_format { LOG_TEXT, LOG_JSON };
/* What the grader may reach: nothing but AF_UNIX and AF_NETLINK, TCP and UDP on the
 * loopback interface only (the default: Jupyter kernels, a learner's server tested on
 * localhost), or the whole network (--allow-network). */
enum usher_network { NET_NONE, NET_LOOPBACK, NET_ALL };
const char *network_name(enum usher_network n); /* "none", "loopback", "all" */

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
	ST_MEMORY_LIMIT,    /* the OOM killer (or usher's guard) ended the grader */
	ST_CPU_TIME_LIMIT,  /* --cpu-time, or SIGXCPU (an rlimit) ended the grader */
	ST_FILE_SIZE_LIMIT, /* SIGXFSZ (rlimit fsize) ended the grader */
};
#define USHER_STATUS_COUNT (ST_FILE_SIZE_LIMIT + 1) /* keep after the last status */

/* The learner-facing file usher writes itself (--feedback-format). */
enum usher_feedback_format { FEEDBACK_COURSERA, FEEDBACK_GRADESCOPE, FEEDBACK_PRAIRIELEARN, FEEDBACK_NONE };

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
	bool user_auto;     /* --user auto (the default): an identity of this run's own */
	bool user_explicit; /* --user/USHER_USER given: failure to switch is fatal */
	unsigned require;   /* bit N = protection N must be applied (--require) */
	int require_landlock_abi; /* --require landlock=N; 1 for plain "landlock" */
	unsigned unsafe;    /* UNSAFE_* risks accepted (--unsafe) */

	/* lockdown */
	uint64_t keep_caps; /* bit N = capability N */
	struct strlist writable;
	struct strlist feedback;
	enum usher_network network;
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

	/* verdicts (issue 16): limits usher enforces itself, the output relay, the
	 * learner's file */
	uint64_t cpu_time_ms;   /* --cpu-time; 0 = none */
	uint64_t memory_limit;  /* --memory, bytes; 0 = none of usher's */
	uint64_t max_output;    /* --max-output, bytes; 0 = no relay, the grader gets fds 1 and 2 */
	enum usher_feedback_format feedback_format;
	const char *feedback_message[USHER_STATUS_COUNT]; /* --feedback-message; NULL = the default */

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

	/* usher run (run.h): the learner's program in a sandbox of its own. The limits
	 * --cpu-time, --memory and --max-output are the fields above, with the run's
	 * defaults; the others are here. */
	struct {
		int channel; /* USHER_RUN_FD, from PID 1; -1: none */
		uint64_t wall_ms, fsize, processes, open_files;
		bool max_output_set;
		const char *stdin_path, *stdout_path, *stderr_path, *meta, *dir;
		struct strlist hide, env;
	} run;
	/* --hide of the shim: what no run of the learner's may read (the grader may) */
	struct strlist hide;
};

#define USHER_DEGRADED_MAX 12

/* What the lockdown applied to the grader (the result's "lockdown"). */
struct usher_lockdown {
	struct {
		enum usher_protection what;
		char reason[120];
	} degraded[USHER_DEGRADED_MAX];
	unsigned ndegraded;
	bool applied;
	uid_t uid;
	gid_t gid;
	uint64_t caps;
	bool no_new_privs;
	int landlock_abi;
	const char *seccomp; /* "default", "none", or the policy path */
	enum usher_network network; /* what the grader can really reach */
	bool notify;                /* refused calls and loopback sockets go through PID 1 */
};

/* The first failure (the result's "error"). */
struct usher_error {
	bool set;
	enum usher_step step;
	int err; /* positive errno, 0 if none */
	char message[512];
};

/* Limits usher enforces on the running grader (the first one to fire is the cause). */
enum usher_limit { LIMIT_NONE, LIMIT_TIMEOUT, LIMIT_CPU_TIME, LIMIT_MEMORY };

struct usher_report {
	enum usher_status status;
	int exit_code; /* usher's own */
	int signal;    /* a signal that ended a stage before the grader ran */

	struct {
		bool ran;
		int exit_code; /* -1 when killed */
		int signal;    /* 0 when exited */
		bool timed_out; /* --timeout fired: the status is "timeout" whatever the signal */
		unsigned leftover; /* processes the sweep could not kill before its deadline */
		uint64_t wall_ms, user_ms, sys_ms, max_rss_kib;
		enum usher_limit limit; /* the first limit usher enforced on the grader */
		uint64_t cpu_ms;        /* the whole tree's CPU time (supervise_limits.c says how) */
		bool has_peak;          /* peak_memory_kib was read from a cgroup of the grader's */
		uint64_t peak_memory_kib;
		uint64_t oom_kills;     /* OOM kills in the grader's cgroup during the run */
		uint64_t memory_limit;  /* the limit that applied, bytes; 0 unknown (for the feedback) */
	} grader;

	/* The output relay (--max-output): what the grader wrote to fds 1 and 2. */
	struct {
		bool relayed;
		uint64_t bytes;   /* everything the grader wrote */
		uint64_t dropped; /* what did not reach usher's stdout/stderr: the middle, or a log
				   * that never drained */
		bool truncated;   /* dropped > 0 */
	} output;

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

	/* The calls the filter refused, by name (supervise_notify.c), bounded: entries past
	 * the last are counted in `denied_more`. */
	struct {
		char syscall[24], detail[40];
		uint64_t count;
	} denied[32];
	unsigned ndenied;
	uint64_t denied_more;
	/* Process-local, never reported: the grader's process hands the seccomp listener
	 * it created to PID 1 through the spawn channel (-1: none). */
	int listener_fd;

	struct usher_error error;
};

/* Record a failure in the report, log it as "usher: <message>: <strerror(err)>",
 * and return -err (or -EINVAL when err is 0) so callers can `return report_fail(...)`. */
int report_fail(struct usher_report *rep, enum usher_step step, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
