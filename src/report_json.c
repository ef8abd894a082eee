/* report_json.c - the result object (SPEC.md "Result file"; docs/result.schema.json),
 * formatted into a caller's buffer: a pure function of the report, unit-tested and
 * fuzzed apart from the file it is written to (report.c). */
#include <errno.h>

#include "json.h"
#include "parse.h"
#include "report.h"

#define RESULT_VERSION 1

const char *network_name(enum usher_network n)
{
	switch (n) {
	case NET_NONE: return "none";
	case NET_LOOPBACK: return "loopback";
	case NET_ALL: return "all";
	}
	return "none";
}

const char *status_name(enum usher_status s)
{
	switch (s) {
	case ST_EXITED: return "exited";
	case ST_SIGNALED: return "signaled";
	case ST_TIMEOUT: return "timeout";
	case ST_WAIT_TIMEOUT: return "wait_timeout";
	case ST_SIDECAR_FAILED: return "sidecar_failed";
	case ST_REJECTED: return "rejected";
	case ST_SETUP_FAILED: return "setup_failed";
	case ST_EXEC_FAILED: return "exec_failed";
	case ST_MEMORY_LIMIT: return "memory_limit";
	case ST_CPU_TIME_LIMIT: return "cpu_time_limit";
	case ST_FILE_SIZE_LIMIT: return "file_size_limit";
	}
	return "setup_failed";
}

static void grader_json(struct jbuf *b, const struct usher_report *rep)
{
	jb_key(b, "grader");
	if (!rep->grader.ran) {
		jb_null(b);
		return;
	}
	jb_begin(b);
	/* null when killed, or when usher lost track of it (supervision failed) */
	if (rep->grader.signal || rep->grader.exit_code < 0)
		jb_knull(b, "exit_code");
	else
		jb_ki64(b, "exit_code", rep->grader.exit_code);
	if (rep->grader.signal)
		jb_ki64(b, "signal", rep->grader.signal);
	else
		jb_knull(b, "signal");
	jb_ku64(b, "wall_ms", rep->grader.wall_ms);
	jb_ku64(b, "user_ms", rep->grader.user_ms);
	jb_ku64(b, "sys_ms", rep->grader.sys_ms);
	jb_ku64(b, "max_rss_kib", rep->grader.max_rss_kib);
	jb_ku64(b, "leftover", rep->grader.leftover);
	jb_ku64(b, "cpu_ms", rep->grader.cpu_ms);
	if (rep->grader.has_peak)
		jb_ku64(b, "peak_memory_kib", rep->grader.peak_memory_kib);
	else
		jb_knull(b, "peak_memory_kib"); /* no cgroup of the grader's to read it from */
	jb_ku64(b, "oom_kills", rep->grader.oom_kills);
	jb_end(b);
}

static void output_json(struct jbuf *b, const struct usher_report *rep)
{
	jb_key(b, "output");
	if (!rep->output.relayed) { /* --max-output 0, --exec, or no grader */
		jb_null(b);
		return;
	}
	jb_begin(b);
	jb_ku64(b, "bytes", rep->output.bytes);
	jb_kbool(b, "truncated", rep->output.truncated);
	jb_ku64(b, "dropped", rep->output.dropped);
	jb_end(b);
}

static void lockdown_json(struct jbuf *b, const struct usher_report *rep)
{
	jb_key(b, "lockdown");
	if (!rep->lockdown.applied) {
		jb_null(b);
		return;
	}
	jb_begin(b);
	jb_ku64(b, "uid", rep->lockdown.uid);
	jb_ku64(b, "gid", rep->lockdown.gid);
	jb_key(b, "caps");
	jb_array(b);
	for (unsigned c = 0; c <= cap_last(); c++)
		if (rep->lockdown.caps & (UINT64_C(1) << c))
			jb_str(b, cap_name(c));
	jb_array_end(b);
	jb_kbool(b, "no_new_privs", rep->lockdown.no_new_privs);
	jb_ki64(b, "landlock_abi", rep->lockdown.landlock_abi);
	jb_kstr(b, "seccomp", rep->lockdown.seccomp ? rep->lockdown.seccomp : "none");
	jb_kstr(b, "network", network_name(rep->lockdown.network));
	jb_kbool(b, "notify", rep->lockdown.notify);
	jb_key(b, "degraded");
	jb_array(b);
	for (unsigned i = 0; i < rep->lockdown.ndegraded; i++) {
		jb_begin(b);
		jb_kstr(b, "what", protection_name(rep->lockdown.degraded[i].what));
		jb_kstr(b, "reason", rep->lockdown.degraded[i].reason);
		jb_end(b);
	}
	jb_array_end(b);
	jb_end(b);
}

int report_json(const struct usher_report *rep, char *buf, size_t len)
{
	struct jbuf b;
	jb_init(&b, buf, len);
	jb_begin(&b);
	jb_ku64(&b, "version", RESULT_VERSION);
	jb_kstr(&b, "status", status_name(rep->status));
	jb_ki64(&b, "exit_code", rep->exit_code);
	grader_json(&b, rep);
	if (rep->wait_ms < 0)
		jb_knull(&b, "wait_ms");
	else
		jb_ku64(&b, "wait_ms", (uint64_t)rep->wait_ms);
	jb_key(&b, "submission");
	if (rep->submission.checked) {
		jb_begin(&b);
		jb_ku64(&b, "files", rep->submission.files);
		jb_ku64(&b, "bytes", rep->submission.bytes);
		jb_end(&b);
	} else {
		jb_null(&b);
	}
	lockdown_json(&b, rep);
	jb_key(&b, "denied");
	jb_array(&b);
	for (unsigned i = 0; i < rep->ndenied; i++) {
		jb_begin(&b);
		jb_kstr(&b, "syscall", rep->denied[i].syscall);
		jb_kstr(&b, "detail", rep->denied[i].detail);
		jb_ku64(&b, "count", rep->denied[i].count);
		jb_end(&b);
	}
	if (rep->denied_more) { /* bounded: what did not fit, in one entry */
		jb_begin(&b);
		jb_kstr(&b, "syscall", "*");
		jb_kstr(&b, "detail", "other refused calls");
		jb_ku64(&b, "count", rep->denied_more);
		jb_end(&b);
	}
	jb_array_end(&b);
	output_json(&b, rep);
	jb_key(&b, "error");
	if (rep->error.set) {
		jb_begin(&b);
		jb_kstr(&b, "step", step_name(rep->error.step));
		jb_ki64(&b, "errno", rep->error.err);
		jb_kstr(&b, "message", rep->error.message);
		jb_end(&b);
	} else {
		jb_null(&b);
	}
	if (rep->sidecar_reason[0])
		jb_kstr(&b, "sidecar_reason", rep->sidecar_reason);
	jb_end(&b);
	return b.overflow ? -ENOBUFS : (int)b.len;
}
