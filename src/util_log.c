/* util_log.c - stderr logging. Lines are formatted into one buffer and written with a
 * single write(2), so lines from PID 1 and a child never interleave mid-line.
 *
 * Text lines escape control characters (\xNN): a file name holding a newline must not
 * forge a second "usher: ..." line for whoever reads the log. Valid UTF-8 passes. */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "json.h"

static enum usher_log_format log_format = LOG_TEXT;
static int log_level; /* -1 quiet, 0 normal, 1 verbose */
static int log_fd = STDERR_FILENO;
static bool log_sock;            /* stderr is a socket: send(MSG_DONTWAIT) */
static unsigned long log_dropped; /* lines that would have blocked */

/* PID 1 must never block on its log: not on a terminal whose output is stopped, not on
 * a pipe nobody reads, not on a log driver that has fallen behind; the deadline and the
 * sweep wait behind a blocked write(2). O_NONBLOCK on fd 2 itself would change the
 * grader's stderr too (the open file description is shared), so usher writes through a
 * description of its own: /proc/self/fd/2 reopened O_NONBLOCK (pipes, FIFOs, ttys), or
 * send(MSG_DONTWAIT) on a socket. A line that cannot be written at once is dropped and
 * counted; the count is said with the next line that gets through. */
int log_private(void)
{
	struct stat st;
	if (fstat(STDERR_FILENO, &st) < 0)
		return -errno;
	if (S_ISSOCK(st.st_mode)) {
		log_sock = true;
		return 0;
	}
	if (S_ISREG(st.st_mode))
		return 0; /* a file: writes do not wait for a reader */
	int fd = open("/proc/self/fd/2", O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	log_fd = fd;
	return 0;
}

/* Make an fd usher owns alone (the output relay's, once the grader has pipes of its
 * own) non-blocking, and log through it. */
void log_use_fd(int fd)
{
	log_fd = fd;
	log_sock = false;
}

void log_use_stderr(void)
{
	log_fd = STDERR_FILENO;
	log_sock = false;
}

static void put_line(const char *line, size_t n)
{
	ssize_t w = log_sock ? send(log_fd, line, n, MSG_DONTWAIT | MSG_NOSIGNAL) : write(log_fd, line, n);
	if (w < 0 && errno == EAGAIN) /* EWOULDBLOCK is EAGAIN on Linux */
		log_dropped++;
	/* Any other failure has nowhere to be reported; the exit status still tells. */
}

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
	if (log_dropped) {
		char note[96];
		unsigned long dropped = log_dropped;
		int m = snprintf(note, sizeof note, "usher: (%lu log line%s dropped: stderr was not ready)\n",
				 dropped, dropped == 1 ? "" : "s");
		log_dropped = 0;
		put_line(note, (size_t)m);
		if (log_dropped) { /* still not ready: this line goes too */
			log_dropped += dropped;
			return;
		}
	}
	put_line(line, (size_t)n);
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
