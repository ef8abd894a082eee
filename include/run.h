/* run.h - `usher run`: the learner's code in a sandbox of its own, inside the grader.
 *
 * Three processes take part (docs/threat-model.md, "usher run"):
 *
 *   client   `usher run` itself, run by the grader as the grader (run_client.c): opens
 *            what the grader names (stdin, stdout, stderr, --dir, --hide) with the
 *            grader's own rights, sends one request, waits for the verdict, writes
 *            --meta, and exits with the status's code.
 *   broker   forked by PID 1 before it gives up its capabilities (run_broker.c): the
 *            only root process the grader can talk to, through one SOCK_SEQPACKET
 *            channel the grader inherits (USHER_RUN_FD). It checks a request and forks
 *            a keeper for it; it never reads anything else from the grader.
 *   keeper   one per run (run_keeper.c): gives the run an identity of its own (a uid
 *            and gid no other process has), its temporary directory and --dir, starts
 *            the learner's process locked down (run_child.c), enforces the limits,
 *            relays the output, names the refused calls, kills everything the run
 *            started, gives --dir back to the grader, and sends the verdict.
 *
 * The request is one datagram: struct run_request, then the strings (argv, then the
 * environment), with the client's fds attached in the order of enum run_fd. The
 * verdict is one datagram on the reply socket (the first fd): struct run_verdict.
 */
#ifndef USHER_RUN_H
#define USHER_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "usher.h"

struct usher_plan;

#define RUN_MAGIC 0x75736872u /* "ushr" */
#define RUN_VERSION 1u
#define RUN_MAX_STRINGS 32768 /* bytes of argv and environment together */
#define RUN_MAX_ARGS 1024
#define RUN_MAX_HIDE 16
#define RUN_UIDS 4096 /* the run identities: base .. base + RUN_UIDS - 1, one per live run */
#define RUN_MAX_LIVE 64 /* runs at once (keepers alive, the one on standby included) */
#define RUN_MAX_LIVE_S "64"

/* The fds a request carries, in this order: the first four always; --dir (RUN_HAS_DIR)
 * and the --hide paths (nhide) when there are. */
enum run_fd { RFD_REPLY, RFD_STDIN, RFD_STDOUT, RFD_STDERR, RFD_DIR, RFD_HIDE, RFD_MAX = RFD_HIDE + RUN_MAX_HIDE };

/* A request always carries the three streams (usher run's own when not named). */
enum {
	RUN_HAS_DIR = 1u << 0,
	RUN_ALLOW_NETWORK = 1u << 1,
};

/* The limits of one run; 0 means none (processes, open_files and fsize always have one). */
struct run_limits {
	uint64_t cpu_ms, wall_ms, memory, max_output, fsize, processes, open_files;
};

struct run_request {
	uint32_t magic, version, flags;
	uint32_t nhide;
	uint32_t argc, envc; /* strings that follow, each NUL-terminated */
	uint32_t strings;    /* their bytes */
	uint32_t pad;
	struct run_limits lim;
};

enum run_status {
	RUN_OK,
	RUN_RUNTIME_ERROR,
	RUN_SIGNALED,
	RUN_WALL_TIME,
	RUN_CPU_TIME,
	RUN_MEMORY,
	RUN_OUTPUT,
	RUN_FILE_SIZE,
	RUN_INTERNAL,
	RUN_STATUS_COUNT
};

/* Exit statuses of `usher run` (usher(1) USHER RUN): one per status, so a shell grader
 * needs no JSON; 126 and 127 keep their shell meaning for a PROGRAM that cannot run. */
enum { RUN_EXIT_INTERNAL = 125, RUN_EXIT_NOEXEC = 126, RUN_EXIT_NOTFOUND = 127 };

enum run_separation { SEP_UID, SEP_LANDLOCK };

struct run_verdict {
	uint32_t magic;
	int32_t status;    /* enum run_status */
	int32_t exit_code; /* -1: none */
	int32_t signal;    /* 0: none */
	int32_t exec_err;  /* PROGRAM could not be executed: its errno (status internal) */
	uint32_t uid;
	int32_t landlock_abi;
	int32_t separation; /* enum run_separation */
	int32_t network;    /* enum usher_network */
	uint32_t ndenied;
	uint64_t cpu_ms, wall_ms, max_rss_kib, output_bytes;
	uint8_t truncated;
	struct {
		char syscall[24], detail[40];
		uint64_t count;
	} denied[16];
	char message[256];
};

/* What the broker and its keepers know of the container (copied from the plan). */
struct run_env {
	bool switch_ids;     /* a second identity per run (root with CAP_SETUID) */
	uid_t grader_uid;
	gid_t grader_gid;
	uid_t base;          /* the first run uid */
	int landlock_abi;
	enum usher_network network; /* the grader's: --allow-network gives the learner no more */
	const struct bpf_prog *seccomp, *seccomp_notify;
	const char *why_not; /* non-NULL: no run can be separated from the grader, and why */
	int mem_version, mem_cgroup; /* the container's memory cgroup (cgroup.h), -1: none */
};

const char *run_status_name(enum run_status s);
int run_exit_code(const struct run_verdict *v);

/* run_broker.c: in PID 1 after the plan, before it drops its capabilities: fork the
 * broker, and hand the grader its end of the channel (plan->run_fd, USHER_RUN_FD). */
int run_broker_start(const struct usher_config *cfg, struct usher_plan *plan,
		     struct usher_report *rep);
/* A request as it travels: the header, then its strings. */
struct run_request_buf {
	struct run_request h;
	char strings[RUN_MAX_STRINGS];
};
/* run_broker.c: checks a request of len bytes that came with nfds fds, and points
 * argv[] and envp[] (RUN_MAX_ARGS + 1 each) at its strings. 0 or -EPROTO. */
int run_parse(struct run_request_buf *r, size_t len, unsigned nfds, char **argv, char **envp);

/* run_broker.c, in PID 1: the broker stops, its runs with it (every process of theirs
 * killed and reaped), before PID 1 sweeps the grader's leftovers and writes the result.
 * Waits at most ~3 s. A no-op without a broker, or the second time. */
void run_broker_stop(void);

/* run_keeper.c: a keeper on standby, in a child of the broker: it prepares a run for
 * identity `uid` (its temporary directory, the learner's process locked down up to its
 * seccomp filter) before any request, then takes one request from `sock` and runs it.
 * Never returns. */
__attribute__((noreturn)) void run_keeper(const struct run_env *env, int sock, uid_t uid);

/* The go the keeper gives the learner's process once the request is known: limits,
 * flags, argv and the environment (strings after it); fds in, out, err, tmp [, dir]. */
struct run_go {
	struct run_limits lim;
	uint32_t flags; /* RUN_HAS_DIR */
	uint32_t argc, envc, strings;
};
struct run_go_buf {
	struct run_go h;
	char strings[RUN_MAX_STRINGS + 512];
};
/* What the learner's process says to its keeper: the seccomp listener (kind 0, with
 * the fd), or why it stopped (1: a lockdown step, 2: the exec itself). */
struct child_report {
	int32_t kind;
	int32_t err;
	char what[96];
};
/* run_child.c: the learner's process, forked by a keeper on standby: what does not
 * depend on the request at once (session, identity, no_new_privs, seccomp), the rest
 * (streams, limits, Landlock, exec) at the go. Reports on `report`; never returns. */
struct run_child {
	const struct run_env *env;
	uid_t uid;
	int report;
};
__attribute__((noreturn)) void run_child(const struct run_child *c);
/* run_tree.c: walks that never follow a symlink and never recurse on the stack. */
/* Give every entry beneath dirfd (and dirfd itself) owned by `from` to to_uid:to_gid;
 * directories are entered only when owned by `from`; files with other links are left.
 * Returns the entries changed, or -errno. */
long tree_chown(int dirfd, uid_t from, uid_t to_uid, gid_t to_gid);
/* Remove `name` in `parent` and everything beneath it. */
int tree_remove(int parent, const char *name);
/* Remove the entries of dirfd owned by uid (and what is beneath them). */
int tree_remove_owned(int dirfd, uid_t uid);
/* Hide the file or directory fd (any kind of fd of it) from others: they lose every
 * right. A run's --hide: the grader's own only (-EPERM otherwise). The operator's
 * (usher --hide, foreign): any, its group then the grader's with at most the read and
 * search rights others had. -EINVAL: neither a file nor a directory. */
int tree_hide(int fd, uid_t grader, gid_t grader_gid, bool foreign);

/* run_meta.c: the verdict as JSON (--meta), into buf. */
int run_meta_json(const struct run_verdict *v, char *buf, size_t len);

/* run_client.c: `usher run`: 0 with the verdict filled, or -errno (125). */
int run_main(const struct usher_config *cfg, struct usher_report *rep, struct run_verdict *v);

#endif
