/* config.h - internals shared by the config files (config.c, config_user.c, config_env.c,
 * config_print.c) and their unit tests. The stage entry point is in stages.h. */
#ifndef USHER_CONFIG_H
#define USHER_CONFIG_H

#include <stddef.h>
#include <sys/types.h>

#include "usher.h"

enum opt_arg { ARG_NONE, ARG_ONE, ARG_LIST };

/* Which commands accept an option. */
#define FOR_SHIM 1u
#define FOR_DELIVER 2u
#define FOR_DOCTOR 4u
#define FOR_INSTALL 8u
#define FOR_RUN 16u
#define FOR_ALL (FOR_SHIM | FOR_DELIVER | FOR_DOCTOR | FOR_INSTALL)

struct opt {
	const char *name; /* --name; its twin is USHER_NAME with '-' -> '_' */
	char short_name;  /* -q, -v; 0 for none */
	enum opt_arg arg;
	unsigned commands;
	const char *meta; /* the value's name in --help */
	const char *help;
	/* Applies one value (one element for ARG_LIST). Returns 0 or -errno and then
	 * writes the reason into why[]. */
	int (*apply)(struct usher_config *cfg, const char *value, char *why, size_t whylen);
};

const struct opt *config_options(size_t *n);

/* config_run.c: the options of `usher run`, and its defaults; channel is USHER_RUN_FD. */
#define RUN_APPLY(fn) int fn(struct usher_config *c, const char *v, char *why, size_t whylen)
RUN_APPLY(a_run_wall_time);
RUN_APPLY(a_run_cpu_time);
RUN_APPLY(a_run_memory);
RUN_APPLY(a_run_max_output);
RUN_APPLY(a_run_fsize);
RUN_APPLY(a_run_processes);
RUN_APPLY(a_run_open_files);
RUN_APPLY(a_run_stdin);
RUN_APPLY(a_run_stdout);
RUN_APPLY(a_run_stderr);
RUN_APPLY(a_run_meta);
RUN_APPLY(a_run_dir);
RUN_APPLY(a_run_hide);
RUN_APPLY(a_hide);
RUN_APPLY(a_run_env);
RUN_APPLY(a_run_allow_network);
int config_run_defaults(struct usher_config *c, const char *channel, char *why, size_t whylen);
/* "wait-timeout" -> "USHER_WAIT_TIMEOUT" */
void config_env_name(const char *opt, char *out, size_t outlen);
/* Allocation for strings and lists that live as long as the process. */
void *config_alloc(size_t n);
char *config_strdup(const char *s);
int strlist_add(struct strlist *l, const char *s);
void config_free(struct usher_config *cfg);

/* config_user.c: resolve "UID[:GID]" or "NAME[:GROUP]" against the text of an
 * /etc/passwd and /etc/group (either may be NULL: no such file). A numeric uid
 * without a group takes its passwd entry's primary gid, or the same number. */
int user_resolve(const char *spec, const char *passwd, const char *group, uid_t *uid,
		 gid_t *gid, char *why, size_t whylen);

/* config_env.c */
/* True for names that must never reach the grader: USHER_*, and the credentials and
 * metadata endpoints that ECS and AWS inject. */
bool env_is_secret(const char *entry);
/* The grader's environment from the original one and the config's lists. */
int env_build(struct usher_config *cfg, char **envp, char *why, size_t whylen);
/* Zero the secrets in the original environment memory: that is what /proc/PID/environ
 * shows, so after this neither it nor ptrace finds them in PID 1. */
void env_wipe_secrets(char **envp);
/* True when --setenv sets NAME or --env-keep lists it: the operator's value wins. */
bool env_overrides(const struct usher_config *cfg, const char *name);
/* The grader's final environment: the config's, with HOME, XDG_CACHE_HOME,
 * XDG_CONFIG_HOME, XDG_DATA_HOME (when home is set), USER and LOGNAME, unless the
 * operator overrides them. NULL when out of memory. */
const char **env_for_grader(const struct usher_config *cfg, const char *home, const char *user);

#endif
