/* util_log.c - stderr logging. Lines are formatted into one buffer and written with a
 * single write(2), so lines from PID 1 and a child never interleave mid-line.
 *
 * Text lines escape control characters (\xNN): a file name holding a newline must not
 * forge a second "usher: ..." line for whoever reads the log. Valid UTF-8 passes. */
#include "log.h"

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

/* "usher: " + msg with bytes below 0x20 and 0x7f as \xNN; returns the length. */
static int escape_line(char *out, size_t cap, const char *msg)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	for (const char *p = "usher: "; *p; p++)
		out[n++] = *p;
	for (const unsigned char *c = (const unsigned char *)msg; *c && n + 5 < cap; c++) {
		if (*c < 0x20 || *c == 0x7f) {
			out[n++] = '\\';
			out[n++] = 'x';
			out[n++] = hex[*c >> 4];
			out[n++] = hex[*c & 15];
		} else {
			out[n++] = (char)*c;
		}
	}
	return (int)n;
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
		n = escape_line(line, sizeof line - 1, msg);
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
