/* config_env.c - the grader's environment (SPEC.md lockdown step 2) and the wipe of PID 1's
 * own copy. Credentials are matched by name; the list is the policy, with the reason
 * for each entry. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config.h"

/* The names that never reach the grader. A deny-list, not an allow-list: graders and
 * platforms pass their own variables (Coursera: partId, filename, userId) and an
 * allow-list would break them silently; credentials have recognisable names. A
 * pattern ending in '*' is a prefix, one starting with '*' a suffix (any case). */
static const char *const secrets[] = {
	"USHER_*",   /* usher's own configuration */
	"AWS_*",     /* ECS task-role endpoint and token (AWS_CONTAINER_CREDENTIALS_*,
		      * AWS_CONTAINER_AUTHORIZATION_TOKEN*), static keys, EKS web identity
		      * (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE), AWS_SECURITY_TOKEN,
		      * AWS_BEARER_TOKEN_BEDROCK...: none of them is the grader's business */
	"ECS_*",     /* task metadata (ECS_CONTAINER_METADATA_URI*: other containers,
		      * networks, ARNs) and the agent's API (ECS_AGENT_URI) */
	"AMAZON_*",  /* Amazon tooling's credentials */
	"GOOGLE_APPLICATION_CREDENTIALS", /* a service account key file */
	"AZURE_*",   /* client secrets, federated token files */
	"GITHUB_TOKEN", "GH_TOKEN", "ACTIONS_*", /* CI runners */
	"CI_JOB_TOKEN", "CI_JOB_JWT*",
	"KUBERNETES_SERVICE_*", /* the API server's address: nothing a grader talks to */
	"*_TOKEN", "*_TOKEN_FILE", "*_SECRET", "*_SECRET_KEY", "*_ACCESS_KEY", "*_API_KEY",
	"*_PRIVATE_KEY", "*PASSWORD", "*_CREDENTIALS",
};

static bool name_matches(const char *entry, size_t namelen, const char *pattern)
{
	size_t plen = strlen(pattern);
	if (plen && pattern[plen - 1] == '*')
		return namelen >= plen - 1 && !strncasecmp(entry, pattern, plen - 1);
	if (plen && pattern[0] == '*')
		return namelen >= plen - 1 && !strncasecmp(entry + namelen - (plen - 1), pattern + 1, plen - 1);
	return namelen == plen && !strncasecmp(entry, pattern, plen);
}

static size_t name_len(const char *entry)
{
	const char *eq = strchr(entry, '=');
	return eq ? (size_t)(eq - entry) : strlen(entry);
}

bool env_is_secret(const char *entry)
{
	size_t n = name_len(entry);
	for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
		if (name_matches(entry, n, secrets[i]))
			return true;
	return false;
}

static bool in_list(const struct strlist *l, const char *entry)
{
	size_t n = name_len(entry);
	for (size_t i = 0; i < l->n; i++)
		if (strlen(l->v[i]) == n && !strncmp(entry, l->v[i], n))
			return true;
	return false;
}

int env_build(struct usher_config *cfg, char **envp, char *why, size_t whylen)
{
	size_t n = 0, max = cfg->setenv.n + 1;
	for (char **e = envp; e && *e; e++)
		max++;
	const char **out = config_alloc(max * sizeof *out);
	if (!out)
		return snprintf(why, whylen, "out of memory"), -1;
	for (char **e = envp; e && *e; e++) {
		if (env_is_secret(*e) || in_list(&cfg->env_drop, *e))
			continue;
		if (cfg->env_keep_set && !in_list(&cfg->env_keep, *e))
			continue;
		/* A copy: the original is wiped if secret and may be overwritten. */
		if (!(out[n++] = config_strdup(*e)))
			return snprintf(why, whylen, "out of memory"), -1;
	}
	/* --setenv overrides what came from the environment. */
	for (size_t i = 0; i < cfg->setenv.n; i++) {
		size_t j = 0;
		while (j < n && !(name_len(out[j]) == name_len(cfg->setenv.v[i]) &&
				  !strncmp(out[j], cfg->setenv.v[i], name_len(out[j]))))
			j++;
		out[j] = cfg->setenv.v[i];
		if (j == n)
			n++;
	}
	out[n] = NULL;
	cfg->grader_env = out;
	return 0;
}

bool env_overrides(const struct usher_config *cfg, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < cfg->setenv.n; i++)
		if (!strncmp(cfg->setenv.v[i], name, n) && cfg->setenv.v[i][n] == '=')
			return true;
	for (size_t i = 0; cfg->env_keep_set && i < cfg->env_keep.n; i++)
		if (!strcmp(cfg->env_keep.v[i], name))
			return true;
	return false;
}

/* Replace or add NAME=VALUE in a NULL-terminated list with room for one more. */
static int env_put(const char **env, size_t *n, const char *name, const char *value)
{
	size_t len = strlen(name) + strlen(value) + 2, j = 0;
	char *e = config_alloc(len);
	if (!e)
		return -1;
	snprintf(e, len, "%s=%s", name, value);
	while (j < *n && !(name_len(env[j]) == strlen(name) && !strncmp(env[j], name, strlen(name))))
		j++;
	env[j] = e;
	if (j == *n)
		env[++*n] = NULL;
	return 0;
}

const char **env_for_grader(const struct usher_config *cfg, const char *home, const char *user)
{
	static const char *const xdg[][2] = {
		{"XDG_CACHE_HOME", ".cache"}, {"XDG_CONFIG_HOME", ".config"}, {"XDG_DATA_HOME", ".local/share"},
	};
	size_t n = 0;
	while (cfg->grader_env && cfg->grader_env[n])
		n++;
	const char **env = config_alloc((n + 8) * sizeof *env);
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		env[i] = cfg->grader_env[i];
	env[n] = NULL;
	/* What the operator set or kept explicitly wins; otherwise the grader's own home
	 * and name replace what the image said for root (HOME=/root). */
	if (home && *home && !env_overrides(cfg, "HOME")) {
		if (env_put(env, &n, "HOME", home) < 0)
			return NULL;
		for (size_t i = 0; i < sizeof xdg / sizeof xdg[0]; i++) {
			char dir[300];
			snprintf(dir, sizeof dir, "%s/%s", home, xdg[i][1]);
			if (!env_overrides(cfg, xdg[i][0]) && env_put(env, &n, xdg[i][0], dir) < 0)
				return NULL;
		}
	}
	if (user && !env_overrides(cfg, "USER") && env_put(env, &n, "USER", user) < 0)
		return NULL;
	if (user && !env_overrides(cfg, "LOGNAME") && env_put(env, &n, "LOGNAME", user) < 0)
		return NULL;
	return env;
}

void env_wipe_secrets(char **envp)
{
	for (char **e = envp; e && *e; e++)
		if (env_is_secret(*e))
			memset(*e, 0, strlen(*e));
}
