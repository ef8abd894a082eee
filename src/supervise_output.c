/* supervise_output.c - the output relay (--max-output, SPEC "Additions of this round").
 *
 * The container's log (docker logs, CloudWatch, which bills by the byte) is whatever
 * PID 1's stdout and stderr receive. With a cap, the grader's fds 1 and 2 are the write
 * ends of two pipes (given to it before lockdown step 1), and PID 1 copies them out:
 *
 *   head    the first cap - tail bytes, of both streams in the order they come, pass
 *           at once: splice(2) moves them pipe to pipe (or file) without a copy through
 *           user space, so a grader under the cap is not slowed (bench/run measures it);
 *   tail    after that, each stream keeps its last bytes in a ring (tail = cap/2, at
 *           most 1 MiB per stream, allocated only when needed); the rest is dropped;
 *   end     once every grader process is gone, each stream that lost bytes gets one line
 *           "[usher: N bytes of stdout dropped here ...]" and then its tail; the tails of
 *           both streams share the tail budget (supervise_output_end.c).
 *
 * The cap does not end the run: a grader that prints too much still gets its grade
 * (its log is what is cut), and --timeout bounds a flood that never ends.
 *
 * PID 1 never blocks on its output. It writes through descriptions of its own, opened
 * O_NONBLOCK from /proc/self/fd (O_NONBLOCK on fd 1 itself would change the description
 * the runtime shares), send(MSG_DONTWAIT) on a socket, a plain write on a file. When the
 * log does not take more (a pipe nobody reads, a stopped terminal), PID 1 stops reading
 * that stream and polls for POLLOUT: the grader then waits on its full pipe, as it would
 * have without usher, while signals, the deadline and the limits go on. After the
 * grader, what the log still has not taken after RELAY_FLUSH_MS is dropped and counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "output.h"
#include "plan.h"
#include "stages.h"
#include "sys.h"
#include "util.h"

#define CHUNK (UINT64_C(1) << 20) /* per splice or read: a pipe's worth */
#define BUDGET (UINT64_C(4) << 20) /* per wakeup and stream: signals are not kept waiting */
#define PIPE_SIZE (1 << 20)
/* The head's last bytes go through user space, so the marker line knows whether the
 * head ended a line. */
#define SEEN 65536

static struct relay the_relay;

void relay_init(struct relay *r, uint64_t cap)
{
	memset(r, 0, sizeof *r);
	r->cap = cap;
	r->tail = cap / 2 > RELAY_TAIL_MAX ? RELAY_TAIL_MAX : cap / 2;
	r->head_left = cap - r->tail;
	for (int i = 0; i < 2; i++)
		r->s[i] = (struct relay_stream){.name = i ? "stderr" : "stdout", .rfd = -1, .gfd = -1,
						.wfd = -1, .last_nl = true, .pidx = -1};
}

void relay_attach(struct relay *r, int i, int rfd, int wfd, bool sock)
{
	r->s[i].rfd = rfd;
	r->s[i].wfd = wfd;
	r->s[i].sock = sock;
}

/* PID 1's own way to write fd: see the comment at the top. */
static int private_fd(struct relay_stream *s, int fd)
{
	struct stat st;
	char path[32];
	int rc = sys_fstat(fd, &st);
	if (rc == -EBADF)
		return 0; /* closed: the output goes nowhere, and is counted as dropped */
	if (rc < 0)
		return rc;
	if (S_ISSOCK(st.st_mode) || S_ISREG(st.st_mode)) {
		s->sock = S_ISSOCK(st.st_mode);
		s->wfd = sys_fcntl(fd, F_DUPFD_CLOEXEC, 3);
		return s->wfd < 0 ? s->wfd : 0;
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	s->wfd = sys_openat(AT_FDCWD, path, O_WRONLY | O_NONBLOCK | O_NOCTTY, 0);
	if (s->wfd >= 0) {
		/* A log pipe as big as the grader's: splice then moves a megabyte a wakeup,
		 * not 64 KiB (bench/run, section 8). A pipe that stays small works the same. */
		if (S_ISFIFO(st.st_mode))
			(void)sys_fcntl(s->wfd, F_SETPIPE_SZ, PIPE_SIZE);
		return 0;
	}
	/* No /proc: the shared description, written only when poll says it has room. */
	s->careful = true;
	s->no_splice = true;
	s->wfd = sys_fcntl(fd, F_DUPFD_CLOEXEC, 3);
	return s->wfd < 0 ? s->wfd : 0;
}

int relay_prepare(const struct usher_config *cfg, struct usher_plan *plan, struct usher_report *rep)
{
	struct relay *r = &the_relay;
	if (!cfg->max_output || cfg->exec_mode)
		return 0;
	relay_init(r, cfg->max_output);
	plan->relay = r;
	for (int i = 0; i < 2; i++) {
		struct relay_stream *s = &r->s[i];
		int fds[2], rc;
		if ((rc = sys_pipe2(fds, O_CLOEXEC)) < 0)
			return report_fail(rep, STEP_OUTPUT, -rc, "pipe2 for the grader's %s", s->name);
		s->rfd = fds[0];
		s->gfd = fds[1];
		/* Non-blocking on PID 1's end only: the grader's end blocks as fds do. */
		if ((rc = sys_fcntl(s->rfd, F_SETFL, O_NONBLOCK)) < 0)
			return report_fail(rep, STEP_OUTPUT, -rc, "fcntl O_NONBLOCK on the %s pipe", s->name);
		(void)sys_fcntl(s->rfd, F_SETPIPE_SZ, PIPE_SIZE); /* fewer wakeups; 64 KiB works too */
		if ((rc = private_fd(s, i + 1)) < 0)
			return report_fail(rep, STEP_OUTPUT, -rc, "reopen fd %d non-blocking for PID 1", i + 1);
	}
	log_verbose("output: the grader's stdout and stderr go through PID 1, capped at %llu bytes "
		    "(head %llu, tails %llu)", (unsigned long long)r->cap,
		    (unsigned long long)r->head_left, (unsigned long long)r->tail);
	return 0;
}

int relay_child(const struct relay *r, struct usher_report *rep)
{
	for (int i = 0; r && i < 2; i++) {
		int rc = sys_dup2(r->s[i].gfd, i + 1); /* dup2 clears close-on-exec on the copy */
		if (rc < 0)
			return report_fail(rep, STEP_OUTPUT, -rc, "dup2 the %s pipe onto fd %d", r->s[i].name, i + 1);
	}
	return 0;
}

void relay_close_grader_ends(struct relay *r)
{
	for (int i = 0; i < 2; i++)
		if (r->s[i].gfd >= 0) {
			sys_close(r->s[i].gfd);
			r->s[i].gfd = -1;
		}
}

void relay_start(struct relay *r)
{
	if (!r)
		return;
	relay_close_grader_ends(r); /* else PID 1 would hold them open and never see end of file */
	r->started = true;
}

/* Write what can be written now: >= 0 bytes, -EAGAIN (full), or another -errno. */
static ssize_t out(struct relay_stream *s, const char *p, size_t n)
{
	if (s->careful) {
		struct pollfd pf = {.fd = s->wfd, .events = POLLOUT};
		if (sys_poll(&pf, 1, 0) <= 0 || !(pf.revents & POLLOUT))
			return -EAGAIN;
		if (n > 4096) /* PIPE_BUF: what POLLOUT promises fits */
			n = 4096;
	}
	ssize_t w = s->sock ? sys_send(s->wfd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL) : sys_write(s->wfd, p, n);
	if (w > 0)
		s->last_nl = p[w - 1] == '\n';
	return w;
}

/* Flush buf. false: the output is full (wait_out is set). */
bool relay_flush(struct relay *r, struct relay_stream *s)
{
	while (s->off < s->len) {
		if (s->wfd < 0) { /* nowhere to write */
			r->dropped += s->len - s->off;
			break;
		}
		ssize_t w = out(s, s->buf + s->off, s->len - s->off);
		if (w == -EINTR)
			continue;
		if (w == -EAGAIN) {
			s->wait_out = true;
			return false;
		}
		if (w <= 0) { /* the log is gone (EPIPE) or broken: count the rest */
			log_verbose("output: write %s: %s: the rest is dropped", s->name, strerror(w < 0 ? (int)-w : EIO));
			s->wfd = -1;
			continue;
		}
		s->off += (size_t)w;
	}
	s->off = s->len = 0;
	s->wait_out = false;
	return true;
}

bool relay_ensure(char **p, size_t *cap, size_t want)
{
	if (*cap >= want)
		return true;
	char *n = realloc(*p, want);
	if (!n)
		return false;
	*p = n;
	*cap = want;
	return true;
}

/* After the head: into the ring. Returns bytes read, 0 at end of file, or -errno. */
static ssize_t to_ring(struct relay *r, struct relay_stream *s)
{
	if (!s->ring && r->tail && (s->ring = malloc(r->tail)))
		s->ring_cap = r->tail;
	if (!s->ring) { /* no memory for a tail: read and drop */
		char scratch[4096];
		ssize_t n = sys_read(s->rfd, scratch, sizeof scratch);
		if (n > 0)
			r->dropped += (uint64_t)n;
		return n;
	}
	ssize_t n = sys_read(s->rfd, s->ring + s->ring_pos, s->ring_cap - s->ring_pos);
	if (n > 0) {
		s->ring_pos = (s->ring_pos + (size_t)n) % s->ring_cap;
		s->in_ring += (uint64_t)n;
	}
	return n;
}

/* Move what the grader wrote on s, within BUDGET. */
void relay_pump(struct relay *r, struct relay_stream *s)
{
	uint64_t moved = 0;
	while (s->rfd >= 0 && moved < BUDGET && relay_flush(r, s)) {
		ssize_t n;
		if (!r->head_left) {
			n = to_ring(r, s);
		} else if (s->wfd >= 0 && !s->no_splice && r->head_left > SEEN) {
			uint64_t want = r->head_left - SEEN;
			n = sys_splice(s->rfd, s->wfd, want < CHUNK ? want : CHUNK, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
			if (n > 0) {
				r->head_left -= (uint64_t)n;
				s->last_nl = false; /* not seen: the marker line starts on a new one */
			} else if (n == -EAGAIN) {
				/* Either the grader's pipe is empty or the output is full. */
				struct pollfd pf = {.fd = s->wfd, .events = POLLOUT};
				s->wait_out = sys_poll(&pf, 1, 0) == 0;
				return;
			} else if (n < 0 && n != -EINTR) {
				/* EINVAL: this output cannot take splice (a terminal); anything else
				 * is the output's failure, and the next write will tell. */
				s->no_splice = true;
				continue;
			}
		} else {
			size_t want = r->head_left < CHUNK ? (size_t)r->head_left : (size_t)CHUNK;
			if (!relay_ensure(&s->buf, &s->cap, want < 65536 ? 65536 : want))
				want = 0;
			n = want ? sys_read(s->rfd, s->buf, want < s->cap ? want : s->cap) : -ENOMEM;
			if (n > 0) {
				r->head_left -= (uint64_t)n;
				s->len = (size_t)n;
			}
		}
		if (n > 0) {
			r->bytes += (uint64_t)n;
			moved += (uint64_t)n;
		} else if (n == 0 || (n != -EINTR && n != -EAGAIN)) {
			sys_close(s->rfd); /* end of file: every writer is gone (or the pipe broke) */
			s->rfd = -1;
		} else if (n == -EAGAIN) {
			return;
		}
	}
}

size_t relay_pollfds(struct relay *r, struct pollfd *p)
{
	size_t n = 0;
	for (int i = 0; r && i < 2; i++) {
		struct relay_stream *s = &r->s[i];
		s->pidx = -1;
		if (s->wait_out && s->wfd >= 0)
			p[n] = (struct pollfd){.fd = s->wfd, .events = POLLOUT};
		else if (s->rfd >= 0)
			p[n] = (struct pollfd){.fd = s->rfd, .events = POLLIN};
		else
			continue;
		s->pidx = (int)n++;
	}
	return n;
}

void relay_events(struct relay *r, const struct pollfd *p)
{
	for (int i = 0; r && i < 2; i++) {
		struct relay_stream *s = &r->s[i];
		if (s->pidx >= 0 && p[s->pidx].revents)
			relay_pump(r, s);
	}
}
