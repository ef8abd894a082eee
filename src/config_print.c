/* config_print.c - --help from the option table, and --dry-run's JSON. */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "feedback.h"
#include "json.h"
#include "parse.h"
#include "report.h"
#include "stages.h"

int config_print_help(void)
{
	size_t n;
	const struct opt *o = config_options(&n);
	printf("usage: usher [OPTION]... -- PROGRAM [ARG]...\n"
	       "       usher deliver [--to DIR] SOURCE...  |  usher deliver --fail REASON\n"
	       "       usher doctor [--json]\n"
	       "       usher install --to DIR\n"
	       "       usher run [OPTION]... -- PROGRAM [ARG]...   (in a grader usher supervises)\n"
	       "       usher --help | --version\n\n"
	       "Waits for a submission, locks the process down, runs PROGRAM and supervises it.\n"
	       "Every option has a USHER_* twin (--wait-timeout is USHER_WAIT_TIMEOUT); a flag\n"
	       "beats its variable; repeatable options take comma lists. Options marked run: are\n"
	       "usher run's (the learner's program in a sandbox of its own).\n\nOptions:\n");
	for (size_t i = 0; i < n; i++) {
		char left[64], var[48];
		int len = snprintf(left, sizeof left, "%c%c%s--%s%s%s", o[i].short_name ? '-' : ' ',
				   o[i].short_name ? o[i].short_name : ' ', o[i].short_name ? ", " : "  ",
				   o[i].name, o[i].meta ? " " : "", o[i].meta ? o[i].meta : "");
		config_env_name(o[i].name, var, sizeof var);
		printf("  %s%*s %s [%s]\n", left, len < 30 ? 30 - len : 0, "", o[i].help, var);
	}
	printf("\nExit status: the grader's status (0-123), 124 timeout, 125 usher failed,\n"
	       "126 not executable, 127 not found, 128+N killed by signal N, 75 submission\n"
	       "not ready, 65 submission rejected, 137 memory limit, 152 CPU time limit,\n"
	       "153 file size limit. usher run: 0 ok, 1 runtime error, 2 signaled, 3 wall time,\n"
	       "4 CPU time, 5 memory, 6 output, 7 file size, 125 internal error. See usher(1).\n");
	return 0;
}

static void list(struct jbuf *b, const char *key, const struct strlist *l)
{
	jb_key(b, key);
	jb_array(b);
	for (size_t i = 0; i < l->n; i++)
		jb_str(b, l->v[i]);
	jb_array_end(b);
}

int config_print_json(const struct usher_config *c)
{
	static char out[65536];
	static const char *const landlock[] = {"auto", "require", "off"};
	struct jbuf b;
	jb_init(&b, out, sizeof out);
	jb_begin(&b);
	jb_kstr(&b, "submission", c->submission);
	jb_kstr(&b, "ready_file", c->ready_file);
	jb_kstr(&b, "failed_file", c->failed_file);
	jb_ku64(&b, "wait_timeout_ms", c->wait_timeout_ms);
	jb_kbool(&b, "no_wait", c->no_wait);
	jb_kbool(&b, "wait_poll", c->wait_poll);
	jb_ku64(&b, "max_files", c->max_files);
	jb_ku64(&b, "max_bytes", c->max_bytes);
	jb_ku64(&b, "max_depth", c->max_depth);
	jb_kstr(&b, "user", c->user_spec);
	jb_ku64(&b, "uid", c->uid);
	jb_ku64(&b, "gid", c->gid);
	jb_key(&b, "keep_caps");
	jb_array(&b);
	for (unsigned cap = 0; cap <= cap_last(); cap++)
		if (c->keep_caps & (UINT64_C(1) << cap))
			jb_str(&b, cap_name(cap));
	jb_array_end(&b);
	list(&b, "writable", &c->writable);
	list(&b, "feedback", &c->feedback);
	list(&b, "hide", &c->hide);
	jb_kstr(&b, "network", network_name(c->network));
	jb_kstr(&b, "seccomp", c->seccomp == SECCOMP_FILE ? c->seccomp_file
			       : c->seccomp == SECCOMP_NONE ? "none" : "default");
	jb_kstr(&b, "landlock", landlock[c->landlock]);
	jb_key(&b, "rlimits");
	jb_begin(&b);
	for (int r = 0; r < USHER_RLIMIT_MAX; r++) {
		if (!c->rlimits[r].set || !rlimit_name(r))
			continue;
		jb_key(&b, rlimit_name(r));
		jb_begin(&b);
		if (c->rlimits[r].soft == RLIM_INFINITY)
			jb_kstr(&b, "soft", "unlimited");
		else
			jb_ku64(&b, "soft", c->rlimits[r].soft);
		if (c->rlimits[r].hard == RLIM_INFINITY)
			jb_kstr(&b, "hard", "unlimited");
		else
			jb_ku64(&b, "hard", c->rlimits[r].hard);
		jb_end(&b);
	}
	jb_end(&b);
	if (c->env_keep_set)
		list(&b, "env_keep", &c->env_keep);
	else
		jb_knull(&b, "env_keep");
	list(&b, "env_drop", &c->env_drop);
	/* Names only: values may be secrets an operator passed on purpose. */
	jb_key(&b, "grader_env");
	jb_array(&b);
	for (const char **e = c->grader_env; e && *e; e++) {
		char name[256];
		const char *eq = strchr(*e, '=');
		size_t len = eq ? (size_t)(eq - *e) : strlen(*e);
		snprintf(name, sizeof name, "%.*s", (int)len, *e);
		jb_str(&b, name);
	}
	jb_array_end(&b);
	jb_ku64(&b, "timeout_ms", c->timeout_ms);
	jb_ku64(&b, "kill_after_ms", c->kill_after_ms);
	jb_kbool(&b, "exec", c->exec_mode);
	jb_ku64(&b, "cpu_time_ms", c->cpu_time_ms);
	jb_ku64(&b, "memory", c->memory_limit);
	jb_ku64(&b, "max_output", c->max_output);
	jb_kstr(&b, "feedback_format", feedback_format_name(c->feedback_format));
	jb_key(&b, "feedback_messages"); /* as given: STATUS=TEXT */
	jb_array(&b);
	for (int st = 0; st < USHER_STATUS_COUNT; st++) {
		char item[1024];
		if (!c->feedback_message[st])
			continue;
		snprintf(item, sizeof item, "%s=%s", status_name((enum usher_status)st), c->feedback_message[st]);
		jb_str(&b, item);
	}
	jb_array_end(&b);
	jb_kstr(&b, "result", c->result_path);
	jb_kstr(&b, "log_format", c->log_format == LOG_JSON ? "json" : "text");
	jb_ki64(&b, "verbosity", c->verbosity);
	jb_key(&b, "argv");
	jb_array(&b);
	for (char *const *a = c->argv; a && *a; a++)
		jb_str(&b, *a);
	jb_array_end(&b);
	jb_end(&b);
	if (b.overflow)
		return -1;
	printf("%s\n", jb_text(&b));
	return fflush(stdout) == 0 ? 0 : -1;
}
