/* feedback.h - the learner's file (--feedback-format): what usher writes when it ended
 * the run itself or the grader wrote none (report_feedback.c), in the platform's format,
 * with a message that names the limit (report_feedback_format.c). */
#ifndef USHER_FEEDBACK_H
#define USHER_FEEDBACK_H

#include <stdbool.h>
#include <stddef.h>

#include "reserve.h"
#include "usher.h"

struct usher_plan;

/* What plan time prepared (report_feedback.c). */
struct feedback_plan {
	int dirfd;               /* the platform file's directory; -1: usher writes none */
	const char *name;        /* the platform file's name in it */
	const char *path;        /* the whole path, for the log */
	struct reserved space;   /* room for the platform file */
};

/* Parsing and naming: "coursera", "gradescope", "prairielearn", "none". */
int feedback_format_parse(const char *s, enum usher_feedback_format *out);
const char *feedback_format_name(enum usher_feedback_format f);
/* Where each platform reads the file (the first --feedback path by default). */
const char *feedback_default_path(enum usher_feedback_format f);

/* usher ended the run (a limit, no submission, a grader that could not start): its file
 * replaces whatever the grader left, which may be half written. */
bool feedback_usher_ended(enum usher_status s);
/* The learner's program is what the verdict is about (a limit it hit), as opposed to
 * the platform's or the grader's failure: PrairieLearn's "gradable". */
bool feedback_gradable(enum usher_status s);
/* The message for the learner: --feedback-message STATUS=TEXT, or the default, which
 * names the limit ("Your program used more than 512 MiB of memory."). */
void feedback_message(const struct usher_config *cfg, const struct usher_report *rep, char *out, size_t len);
/* The whole file in cfg->feedback_format; its length or -ENOBUFS. Score 0: usher
 * never grades, it says why there is no grade. */
int feedback_render(const struct usher_config *cfg, const struct usher_report *rep, char *buf, size_t len);

/* report_feedback.c: feedback_prepare() and feedback_cleanup() are declared in
 * lockdown.h; feedback_prepare() also opens the platform file's directory (created for
 * Gradescope's and PrairieLearn's results/) and reserves room for it. */
/* report_feedback.c, at the end, once every grader process is gone: the platform
 * file when usher ended the run or the grader left it empty (then feedback_cleanup()
 * removes the empty files usher created). */
void feedback_finish(const struct usher_config *cfg, struct usher_plan *plan, const struct usher_report *rep);

#endif
