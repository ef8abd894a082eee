/* config_run.c - the options of `usher run` (run.h) that the shim does not have, and
 * the run's defaults. The option rows are in config_opts.c's table, with FOR_RUN. */
#include <errno.h>
#include <string.h>

#include "config.h"
#include "parse.h"
#include "util.h"

#define APPLY(fn) int fn(struct usher_config *c, const char *v, char *why, size_t whylen)

static int set_path(const char **dst, const char *v, char *why, size_t whylen)
{
	if (!*v)
		return WHY("empty path");
	*dst = v;
	return 0;
}

static int set_num(uint64_t *dst, const char *v, uint64_t max, char *why, size_t whylen)
{
	int rc = parse_u64(v, dst);
	if (rc == 0 && (*dst == 0 || *dst > max))
		rc = -ERANGE;
	return rc < 0 ? WHY("not a whole number between 1 and %llu", (unsigned long long)max) : 0;
}

APPLY(a_run_wall_time)
{
	int rc = parse_seconds_ms(v, &c->run.wall_ms);
	return rc < 0 ? WHY("not a number of seconds (digits, up to 3 decimals)") : 0;
}
APPLY(a_run_cpu_time)
{
	int rc = parse_seconds_ms(v, &c->cpu_time_ms);
	return rc < 0 ? WHY("not a number of seconds (digits, up to 3 decimals)") : 0;
}
APPLY(a_run_memory)
{
	int rc = parse_size(v, &c->memory_limit);
	if (rc == 0 && c->memory_limit && c->memory_limit < (UINT64_C(1) << 20))
		return WHY("less than 1M: nothing runs in that");
	return rc < 0 ? WHY("not a size (digits with an optional K, M or G)") : 0;
}
APPLY(a_run_max_output)
{
	c->run.max_output_set = true;
	int rc = parse_size(v, &c->max_output);
	return rc < 0 ? WHY("not a size (digits with an optional K, M or G)") : 0;
}
APPLY(a_run_fsize)
{
	int rc = parse_size(v, &c->run.fsize);
	if (rc == 0 && c->run.fsize == 0)
		return WHY("0: not even the program's output could be written");
	return rc < 0 ? WHY("not a size (digits with an optional K, M or G)") : 0;
}
/* RLIMIT_NPROC counts threads: a JVM starts twenty before main(). */
APPLY(a_run_processes) { return set_num(&c->run.processes, v, 1u << 20, why, whylen); }
APPLY(a_run_open_files) { return set_num(&c->run.open_files, v, 1u << 20, why, whylen); }
APPLY(a_run_stdin) { return set_path(&c->run.stdin_path, v, why, whylen); }
APPLY(a_run_stdout) { return set_path(&c->run.stdout_path, v, why, whylen); }
APPLY(a_run_stderr) { return set_path(&c->run.stderr_path, v, why, whylen); }
APPLY(a_run_meta) { return set_path(&c->run.meta, v, why, whylen); }
APPLY(a_run_dir) { return set_path(&c->run.dir, v, why, whylen); }
APPLY(a_run_hide)
{
	if (c->run.hide.n >= 16)
		return WHY("more than 16 paths");
	if (*v != '/')
		return WHY("not an absolute path");
	return strlist_add(&c->run.hide, v) < 0 ? -ENOMEM : 0;
}
/* The shim's: the operator's list, applied by PID 1 before the grader exists. */
APPLY(a_hide)
{
	if (*v != '/')
		return WHY("not an absolute path");
	return strlist_add(&c->hide, v) < 0 ? -ENOMEM : 0;
}

/* NAME=VALUE, or NAME alone: the grader's own value, if it has one. */
APPLY(a_run_env)
{
	if (!*v || *v == '=')
		return WHY("not NAME or NAME=VALUE");
	return strlist_add(&c->run.env, v) < 0 ? -ENOMEM : 0;
}
APPLY(a_run_allow_network)
{
	bool b;
	if (parse_bool(v, &b) < 0)
		return WHY("not a boolean (1/0, true/false, yes/no, on/off)");
	c->network = b ? NET_ALL : NET_NONE;
	return 0;
}

int config_run_defaults(struct usher_config *c, const char *channel, char *why, size_t whylen)
{
	uint64_t fd;
	/* 8 MiB: DOMjudge's default output limit; a program's answer to one test case is
	 * far less, a loop printing forever far more. */
	if (!c->run.max_output_set)
		c->max_output = UINT64_C(8) << 20;
	if (!c->run.processes)
		c->run.processes = 256;
	if (!c->run.open_files)
		c->run.open_files = 256;
	if (!c->run.fsize)
		c->run.fsize = UINT64_C(64) << 20;
	/* No network unless --allow-network said so (the shim's default is loopback). */
	if (c->network != NET_ALL)
		c->network = NET_NONE;
	c->run.channel = -1;
	if (channel && (parse_u64(channel, &fd) < 0 || fd < 3 || fd > 65535))
		return WHY("USHER_RUN_FD '%s' is not a file descriptor", channel);
	if (channel)
		c->run.channel = (int)fd;
	return 0;
}
