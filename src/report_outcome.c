/* report_outcome.c - what happened -> the result's status -> usher's exit status
 * (SPEC.md "Exit status"). main() calls these and nothing else decides either; they
 * are pure, so tests/unit/test_outcome.c covers every row of the table. */
#include <errno.h>
#include <signal.h>

#include "report.h"

enum usher_status outcome_after_wait(int rc, const struct usher_report *rep)
{
	switch (-rc) {
	case OUTCOME_WAIT_TIMEOUT: return ST_WAIT_TIMEOUT;
	case OUTCOME_SIDECAR_FAILED: return ST_SIDECAR_FAILED;
	case OUTCOME_REJECTED: return ST_REJECTED; /* a marker that is not a file, a bad manifest */
	case OUTCOME_SIGNALED: return rep->signal ? ST_SIGNALED : ST_SETUP_FAILED;
	default: return ST_SETUP_FAILED;
	}
}

enum usher_status outcome_after_check(int rc)
{
	return rc == -OUTCOME_REJECTED ? ST_REJECTED : ST_SETUP_FAILED;
}

enum usher_status outcome_after_start(const struct usher_report *rep)
{
	return rep->error.set && rep->error.step == STEP_EXEC ? ST_EXEC_FAILED : ST_SETUP_FAILED;
}

/* The first limit usher enforced is the cause, whatever signal then ended the grader.
 * Otherwise the kernel's own limits, told by the signal that killed the grader itself
 * (a learner's process the grader ran may die of them too: the grader then decides):
 * SIGKILL while the cgroup counted an OOM kill is the OOM killer (nothing else in the
 * container sends SIGKILL to the grader but usher, whose own kills are limits above);
 * SIGXCPU and SIGXFSZ are RLIMIT_CPU's and RLIMIT_FSIZE's. */
enum usher_status outcome_after_grader(const struct usher_report *rep)
{
	switch (rep->grader.limit) {
	case LIMIT_TIMEOUT: return ST_TIMEOUT;
	case LIMIT_CPU_TIME: return ST_CPU_TIME_LIMIT;
	case LIMIT_MEMORY: return ST_MEMORY_LIMIT;
	case LIMIT_NONE: break;
	}
	if (rep->grader.timed_out)
		return ST_TIMEOUT;
	switch (rep->grader.signal) {
	case 0: return ST_EXITED;
	case SIGKILL: return rep->grader.oom_kills ? ST_MEMORY_LIMIT : ST_SIGNALED;
	case SIGXCPU: return ST_CPU_TIME_LIMIT;
	case SIGXFSZ: return ST_FILE_SIZE_LIMIT;
	default: return ST_SIGNALED;
	}
}

int outcome_exit_code(const struct usher_report *rep)
{
	switch (rep->status) {
	case ST_EXITED:
		return rep->grader.exit_code;
	case ST_SIGNALED: /* the grader was killed, or usher was stopped before it ran */
		return 128 + (rep->grader.signal ? rep->grader.signal : rep->signal);
	case ST_TIMEOUT:
		return EXIT_USHER_TIMEOUT;
	case ST_WAIT_TIMEOUT:
	case ST_SIDECAR_FAILED:
		return EXIT_USHER_NOT_READY;
	case ST_REJECTED:
		return EXIT_USHER_REJECTED;
	case ST_SETUP_FAILED:
		return EXIT_USHER_FAILED;
	case ST_EXEC_FAILED: /* as shells do: not found 127, found but not runnable 126 */
		return (rep->error.err == ENOENT || rep->error.err == ENOTDIR) ? EXIT_USHER_NOTFOUND
									       : EXIT_USHER_NOEXEC;
	case ST_MEMORY_LIMIT:
		return EXIT_USHER_MEMORY;
	case ST_CPU_TIME_LIMIT:
		return EXIT_USHER_CPU_TIME;
	case ST_FILE_SIZE_LIMIT:
		return EXIT_USHER_FILE_SIZE;
	}
	return EXIT_USHER_FAILED;
}
