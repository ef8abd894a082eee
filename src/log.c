/* log.c - stderr logging and report_fail(). Lines are formatted into one buffer and written
 * with a single write(2), so lines from PID 1 and a child never interleave mid-line. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "json.h"

static enum usher_log_format log_format = LOG_TEXT;
static int log_level; /* -1 quiet, 0 normal, 1 verbose */

void log_setup(enum usher_log_format format, int verbosity)
{
	log_format = format;
	log_level = verbosity;
}

static void emit(const char *level, const char *fmt, va_list ap)
{
	char msg[1024], line[2048];
	int n = vsnprintf(msg, sizeof msg, fmt, ap);
	if (n < 0)
		return;
	if (log_format == LOG_JSON) {
		struct timespec ts;
		struct jbuf b;
		clock_gettime(CLOCK_REALTIME, &ts);
		jb_init(&b, line, sizeof line - 1);
		jb_begin(&b);
		jb_ku64(&b, "time_ms", (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
		jb_kstr(&b, "level", level);
		jb_kstr(&b, "msg", msg);
		jb_end(&b);
		n = (int)b.len;
		if (b.overflow)
			return;
	} else {
		n = snprintf(line, sizeof line - 1, "usher: %s", msg);
		if (n < 0)
			return;
		if ((size_t)n > sizeof line - 2)
			n = (int)sizeof line - 2;
	}
	line[n++] = '\n';
	/* A failed log write has nowhere to be reported; the exit status still tells. */
	ssize_t w = write(STDERR_FILENO, line, (size_t)n);
	(void)w;
}

#define LOGFN(name, level, min)                                                        \
	void name(const char *fmt, ...)                                                \
	{                                                                              \
		va_list ap;                                                            \
		if (log_level < (min))                                                 \
			return;                                                        \
		va_start(ap, fmt);                                                     \
		emit(level, fmt, ap);                                                  \
		va_end(ap);                                                            \
	}

LOGFN(log_info, "info", 0)
LOGFN(log_verbose, "debug", 1)
LOGFN(log_warn, "warn", 0)
LOGFN(log_error, "error", -1)

int report_fail(struct usher_report *rep, const char *step, int err, const char *fmt, ...)
{
	char msg[400]; /* leaves room in error.message for ": " and strerror */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (err)
		log_error("%s: %s", msg, strerror(err));
	else
		log_error("%s", msg);
	/* The first failure is the cause; later ones are consequences. */
	if (!rep->error.set) {
		rep->error.set = true;
		snprintf(rep->error.step, sizeof rep->error.step, "%s", step);
		rep->error.err = err;
		/* A message cut short at 511 bytes is still the right message. */
		int n = err ? snprintf(rep->error.message, sizeof rep->error.message, "%s: %s",
				       msg, strerror(err))
			    : snprintf(rep->error.message, sizeof rep->error.message, "%s", msg);
		(void)n;
	}
	return -(err ? err : EINVAL);
}
