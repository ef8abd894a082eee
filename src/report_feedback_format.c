/* report_feedback_format.c - the learner's file in each platform's format, and the
 * message in it. Pure functions of the configuration and the report: tests/unit/
 * test_feedback.c renders every status in every format, and tests/integration/
 * 22-verdicts-docker.t checks the files against the platforms' schemas (tests/schemas/).
 *
 *   coursera      /shared/feedback.json: {"fractionalScore": 0.0, "feedback": TEXT}
 *                 (Coursera's grader validator: fractionalScore a number in [0, 1],
 *                 feedback required)
 *   gradescope    /autograder/results/results.json: {"score": 0.0, "output": TEXT}
 *                 (Gradescope's autograder specification: a top-level score, output
 *                 shown to the student)
 *   prairielearn  /grade/results/results.json: {"gradable": BOOL, "score": 0.0,
 *                 "message": TEXT}; "gradable": false (and no score) where the fault is
 *                 not the learner's program: PrairieLearn then charges no attempt. A
 *                 rejected submission also lists the reason in format_errors.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "feedback.h"
#include "json.h"
#include "report.h"

static const char *const formats[] = {
	[FEEDBACK_COURSERA] = "coursera",
	[FEEDBACK_GRADESCOPE] = "gradescope",
	[FEEDBACK_PRAIRIELEARN] = "prairielearn",
	[FEEDBACK_NONE] = "none",
};

int feedback_format_parse(const char *s, enum usher_feedback_format *out)
{
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (!strcmp(s, formats[i])) {
			*out = (enum usher_feedback_format)i;
			return 0;
		}
	return -EINVAL;
}

const char *feedback_format_name(enum usher_feedback_format f) { return formats[f]; }

const char *feedback_default_path(enum usher_feedback_format f)
{
	switch (f) {
	case FEEDBACK_COURSERA: return "/shared/feedback.json";
	case FEEDBACK_GRADESCOPE: return "/autograder/results/results.json";
	case FEEDBACK_PRAIRIELEARN: return "/grade/results/results.json";
	case FEEDBACK_NONE: return NULL;
	}
	return NULL;
}

bool feedback_usher_ended(enum usher_status s)
{
	switch (s) {
	case ST_EXITED:
	case ST_SIGNALED:
		return false; /* the grader's own end: its file stands if it wrote one */
	case ST_TIMEOUT:
	case ST_CPU_TIME_LIMIT:
	case ST_MEMORY_LIMIT:
	case ST_FILE_SIZE_LIMIT:
	case ST_WAIT_TIMEOUT:
	case ST_SIDECAR_FAILED:
	case ST_REJECTED:
	case ST_SETUP_FAILED:
	case ST_EXEC_FAILED:
		return true;
	}
	return true;
}

bool feedback_gradable(enum usher_status s)
{
	switch (s) {
	case ST_TIMEOUT:
	case ST_CPU_TIME_LIMIT:
	case ST_MEMORY_LIMIT:
	case ST_FILE_SIZE_LIMIT:
		return true; /* the program went over a limit: that is a grade */
	case ST_EXITED:         /* the grader wrote no grade: the grader's fault */
	case ST_SIGNALED:       /* the grader was killed, or the run stopped */
	case ST_WAIT_TIMEOUT:   /* the submission never arrived */
	case ST_SIDECAR_FAILED:
	case ST_REJECTED:       /* not gradable as delivered; the attempt is not charged */
	case ST_SETUP_FAILED:
	case ST_EXEC_FAILED:
		return false;
	}
	return false;
}

/* "512 MiB", "1.5 GiB", "100 KiB", "300 bytes". */
static void size_text(char *out, size_t len, uint64_t b)
{
	static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
	unsigned u = 0;
	double v = (double)b;
	while (v >= 1024 && u + 1 < sizeof units / sizeof units[0])
		v /= 1024, u++;
	if (u == 0)
		snprintf(out, len, "%llu bytes", (unsigned long long)b);
	else if (v == (double)(uint64_t)v)
		snprintf(out, len, "%llu %s", (unsigned long long)v, units[u]);
	else
		snprintf(out, len, "%.1f %s", v, units[u]);
}

/* "60 seconds", "1 second", "0.5 seconds". */
static void secs_text(char *out, size_t len, uint64_t ms)
{
	if (ms % 1000)
		snprintf(out, len, "%.3g seconds", (double)ms / 1000);
	else
		snprintf(out, len, "%llu second%s", (unsigned long long)(ms / 1000), ms == 1000 ? "" : "s");
}

void feedback_message(const struct usher_config *cfg, const struct usher_report *rep, char *out, size_t len)
{
	char v[64];
	if (cfg->feedback_message[rep->status]) {
		snprintf(out, len, "%s", cfg->feedback_message[rep->status]);
		return;
	}
	switch (rep->status) {
	case ST_EXITED:
		snprintf(out, len, "The grader finished (exit status %d) without writing a grade. This is a problem "
			 "with the grader, not with your submission: please tell the course staff.",
			 rep->grader.exit_code);
		return;
	case ST_SIGNALED:
		if (!rep->grader.ran) {
			snprintf(out, len, "Grading was stopped before it began. Your submission was not graded: please "
				 "submit it again.");
			return;
		}
		snprintf(out, len, "The grader was stopped by signal %d before it wrote a grade. Your submission "
			 "was not graded: please submit it again, and tell the course staff if this repeats.",
			 rep->grader.signal);
		return;
	case ST_TIMEOUT:
		secs_text(v, sizeof v, cfg->timeout_ms);
		snprintf(out, len, "Your program did not finish within the time limit of %s.", v);
		return;
	case ST_CPU_TIME_LIMIT:
		if (cfg->cpu_time_ms || (cfg->rlimits[RLIMIT_CPU].set && cfg->rlimits[RLIMIT_CPU].soft != RLIM_INFINITY)) {
			secs_text(v, sizeof v, cfg->cpu_time_ms ? cfg->cpu_time_ms : (uint64_t)cfg->rlimits[RLIMIT_CPU].soft * 1000);
			snprintf(out, len, "Your program used more than %s of CPU time.", v);
		} else {
			snprintf(out, len, "Your program used more CPU time than it is allowed.");
		}
		return;
	case ST_MEMORY_LIMIT:
		if (rep->grader.memory_limit) {
			size_text(v, sizeof v, rep->grader.memory_limit);
			snprintf(out, len, "Your program used more than %s of memory.", v);
		} else {
			snprintf(out, len, "Your program used more memory than it is allowed.");
		}
		return;
	case ST_FILE_SIZE_LIMIT:
		if (cfg->rlimits[RLIMIT_FSIZE].set && cfg->rlimits[RLIMIT_FSIZE].soft != RLIM_INFINITY) {
			size_text(v, sizeof v, (uint64_t)cfg->rlimits[RLIMIT_FSIZE].soft);
			snprintf(out, len, "Your program tried to write a file larger than %s.", v);
		} else {
			snprintf(out, len, "Your program tried to write a file larger than it is allowed.");
		}
		return;
	case ST_WAIT_TIMEOUT:
		secs_text(v, sizeof v, cfg->wait_timeout_ms);
		snprintf(out, len, "Your submission did not reach the grader within %s, so it was not graded. "
			 "Please submit it again.", v);
		return;
	case ST_SIDECAR_FAILED:
		snprintf(out, len, "Your submission could not be delivered to the grader, so it was not graded. "
			 "Please submit it again.");
		return;
	case ST_REJECTED:
		snprintf(out, len, "Your submission was not accepted: %s.",
			 rep->error.set ? rep->error.message : "it breaks the submission rules");
		return;
	case ST_SETUP_FAILED:
		snprintf(out, len, "The grader could not be started because of a problem on the grading platform, "
			 "not with your submission. Please submit it again later.");
		return;
	case ST_EXEC_FAILED:
		snprintf(out, len, "The grader's program could not be started (%s). This is a problem with the "
			 "grader, not with your submission: please tell the course staff.",
			 rep->error.err ? strerror(rep->error.err) : "exec failed");
		return;
	}
}

int feedback_render(const struct usher_config *cfg, const struct usher_report *rep, char *buf, size_t len)
{
	char msg[1024];
	struct jbuf b;
	bool gradable = feedback_gradable(rep->status);
	feedback_message(cfg, rep, msg, sizeof msg);
	jb_init(&b, buf, len);
	jb_begin(&b);
	switch (cfg->feedback_format) {
	case FEEDBACK_COURSERA:
		jb_kmilli(&b, "fractionalScore", 0);
		jb_kstr(&b, "feedback", msg);
		break;
	case FEEDBACK_GRADESCOPE:
		jb_kmilli(&b, "score", 0);
		jb_kstr(&b, "output", msg);
		break;
	case FEEDBACK_PRAIRIELEARN:
		jb_kbool(&b, "gradable", gradable);
		if (gradable)
			jb_kmilli(&b, "score", 0);
		jb_kstr(&b, "message", msg);
		if (rep->status == ST_REJECTED) {
			jb_key(&b, "format_errors");
			jb_array(&b);
			jb_str(&b, msg);
			jb_array_end(&b);
		}
		break;
	case FEEDBACK_NONE:
		return -EINVAL;
	}
	jb_end(&b);
	if (b.overflow || b.len + 1 >= len)
		return -ENOBUFS;
	buf[b.len] = '\n';
	return (int)b.len + 1;
}
