/* log.h - one line per event on stderr, "usher: ..." or one JSON object per line. */
#ifndef USHER_LOG_H
#define USHER_LOG_H

#include "usher.h"

void log_setup(enum usher_log_format format, int verbosity);
/* PID 1: log through a non-blocking description of stderr of its own (util_log.c). */
int log_private(void);
void log_use_fd(int fd);
/* The grader's process before exec: plain stderr again. */
void log_use_stderr(void);
/* Normal progress: one line per stage. Hidden by -q. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Details: shown with -v. */
void log_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Something usher could not do but went on without (a skipped step). Hidden by -q. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Failures: always shown, even with -q. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
