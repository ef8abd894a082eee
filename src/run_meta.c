/* run_meta.c - the verdict of one `usher run`: its status names, its exit status, and
 * --meta's JSON (usher(1) USHER RUN; tests/schemas/run-meta.schema.json). */
#include <errno.h>
#include <string.h>

#include "json.h"
#include "plan.h"
#include "run.h"

static const char *const names[RUN_STATUS_COUNT] = {
	[RUN_OK] = "ok",
	[RUN_RUNTIME_ERROR] = "runtime_error",
	[RUN_SIGNALED] = "signaled",
	[RUN_WALL_TIME] = "wall_time_limit",
	[RUN_CPU_TIME] = "cpu_time_limit",
	[RUN_MEMORY] = "memory_limit",
	[RUN_OUTPUT] = "output_limit",
	[RUN_FILE_SIZE] = "file_size_limit",
	[RUN_INTERNAL] = "internal_error",
};

const char *run_status_name(enum run_status s)
{
	return (unsigned)s < RUN_STATUS_COUNT ? names[s] : "internal_error";
}

/* One code per status, in the table's order, so `case $?` needs no JSON; a PROGRAM that
 * could not be executed keeps the shell's 126 and 127. The program's own exit status
 * is in the meta file. */
int run_exit_code(const struct run_verdict *v)
{
	if (v->status == RUN_INTERNAL || (unsigned)v->status >= RUN_STATUS_COUNT) {
		if (v->exec_err == ENOENT || v->exec_err == ENOTDIR)
			return RUN_EXIT_NOTFOUND;
		if (v->exec_err)
			return RUN_EXIT_NOEXEC;
		return RUN_EXIT_INTERNAL;
	}
	return v->status; /* ok 0, runtime_error 1, ... file_size_limit 7 */
}

int run_meta_json(const struct run_verdict *v, char *buf, size_t len)
{
	static const char *const sep[] = {"uid", "landlock"};
	struct jbuf b;
	jb_init(&b, buf, len);
	jb_begin(&b);
	jb_kstr(&b, "status", run_status_name((enum run_status)v->status));
	if (v->exit_code >= 0)
		jb_ki64(&b, "exit_code", v->exit_code);
	else
		jb_knull(&b, "exit_code");
	if (v->signal > 0)
		jb_ki64(&b, "signal", v->signal);
	else
		jb_knull(&b, "signal");
	jb_ku64(&b, "cpu_ms", v->cpu_ms);
	jb_ku64(&b, "wall_ms", v->wall_ms);
	jb_ku64(&b, "max_rss_kib", v->max_rss_kib);
	jb_key(&b, "output");
	jb_begin(&b);
	jb_ku64(&b, "bytes", v->output_bytes);
	jb_kbool(&b, "truncated", v->truncated);
	jb_end(&b);
	jb_key(&b, "denied");
	jb_array(&b);
	for (unsigned i = 0; i < v->ndenied && i < sizeof v->denied / sizeof v->denied[0]; i++) {
		jb_begin(&b);
		jb_kstr(&b, "syscall", v->denied[i].syscall);
		jb_kstr(&b, "detail", v->denied[i].detail);
		jb_ku64(&b, "count", v->denied[i].count);
		jb_end(&b);
	}
	jb_array_end(&b);
	jb_kstr(&b, "message", v->message);
	jb_key(&b, "sandbox");
	jb_begin(&b);
	jb_ku64(&b, "uid", v->uid);
	jb_kstr(&b, "separation", sep[v->separation == SEP_LANDLOCK]);
	jb_ki64(&b, "landlock_abi", v->landlock_abi);
	jb_kstr(&b, "network", network_name((enum usher_network)v->network));
	jb_end(&b);
	jb_end(&b);
	return b.overflow ? -ENOSPC : (int)b.len;
}
