/* config_env.c - the grader's environment (SPEC.md lockdown step 2) and the wipe of PID 1's
 * own copy. Credentials are matched by name; the list is the policy, with the reason
 * for each entry. */
#include <stdio.h>
#include <string.h>

#include "config.h"

/* A name ending in '*' is a prefix. */
static const char *const secrets[] = {
	"USHER_*",                          /* usher's own configuration never reaches the grader */
	"AWS_CONTAINER_CREDENTIALS_*",      /* ECS task-role credential endpoint (relative/full URI) */
	"AWS_CONTAINER_AUTHORIZATION_TOKEN*", /* bearer token (or its file) for that endpoint */
	"AWS_ACCESS_KEY_ID",                /* static credentials passed as variables */
	"AWS_SECRET_ACCESS_KEY",
	"AWS_SESSION_TOKEN",
	"ECS_CONTAINER_METADATA_URI*",      /* task metadata: other containers, networks, ARNs */
	"ECS_AGENT_URI",                    /* the ECS agent's API */
};

static bool name_matches(const char *entry, size_t namelen, const char *pattern)
{
	size_t plen = strlen(pattern);
	if (plen && pattern[plen - 1] == '*')
		return namelen >= plen - 1 && !strncmp(entry, pattern, plen - 1);
	return namelen == plen && !strncmp(entry, pattern, plen);
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

void env_wipe_secrets(char **envp)
{
	for (char **e = envp; e && *e; e++)
		if (env_is_secret(*e))
			memset(*e, 0, strlen(*e));
}
