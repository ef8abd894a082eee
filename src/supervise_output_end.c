/* supervise_output_end.c - the output relay's end (see supervise_output.c): once no
 * grader process is left, the rest of the pipes, then for each stream that lost bytes
 * one line saying how many, and its tail; whatever the log has not taken after
 * RELAY_FLUSH_MS is dropped and counted, and the figures go into the result. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "output.h"
#include "sys.h"
#include "util.h"

/* The end of one stream: the marker line, if it lost bytes, then the last `keep` bytes
 * of its ring, queued in buf. */
static void queue_tail(struct relay *r, struct relay_stream *s, size_t keep)
{
	char line[256];
	uint64_t lost = s->in_ring - keep;
	int m = 0;
	s->tail_done = true;
	/* keep <= ring_cap: the oldest kept byte is keep bytes behind the next write. */
	size_t start = keep ? (s->ring_pos + s->ring_cap - keep) % s->ring_cap : 0;
	/* After a cut, the tail starts on a line of its own: up to the first newline of its
	 * first 4 KiB goes with the middle. */
	for (size_t i = 0; lost && i < keep && i < 4096; i++)
		if (s->ring[(start + i) % s->ring_cap] == '\n') {
			start = (start + i + 1) % s->ring_cap;
			keep -= i + 1;
			lost += i + 1;
			break;
		}
	if (lost)
		m = snprintf(line, sizeof line, "%s[usher: %llu bytes of %s dropped here: the grader's output "
			     "went over --max-output %llu]\n", s->last_nl ? "" : "\n",
			     (unsigned long long)lost, s->name, (unsigned long long)r->cap);
	r->dropped += lost;
	if (!m && !keep)
		return;
	if (!relay_ensure(&s->buf, &s->cap, s->len + (size_t)m + keep)) {
		r->dropped += keep;
		return;
	}
	memcpy(s->buf + s->len, line, (size_t)m);
	s->len += (size_t)m;
	for (size_t i = 0; i < keep; i++)
		s->buf[s->len++] = s->ring[(start + i) % s->ring_cap];
	free(s->ring);
	s->ring = NULL;
}

/* Both streams are at end of file: share the tail budget (each at least half of it when
 * it needs that much, the other the rest) and queue both tails. */
static void queue_tails(struct relay *r)
{
	size_t have[2], keep[2], t = (size_t)r->tail;
	for (int i = 0; i < 2; i++)
		have[i] = (size_t)(r->s[i].in_ring < r->s[i].ring_cap ? r->s[i].in_ring : r->s[i].ring_cap);
	keep[0] = have[0], keep[1] = have[1];
	if (keep[0] + keep[1] > t) {
		if (keep[0] <= t / 2)
			keep[1] = t - keep[0];
		else if (keep[1] <= t / 2)
			keep[0] = t - keep[1];
		else
			keep[0] = t / 2, keep[1] = t - t / 2;
	}
	for (int i = 0; i < 2; i++)
		queue_tail(r, &r->s[i], keep[i]);
}

void relay_finish(struct relay *r, struct usher_report *rep)
{
	if (!r || r->finished)
		return;
	relay_close_grader_ends(r);
	uint64_t deadline = sat_add(now_ms(), RELAY_FLUSH_MS);
	for (;;) {
		/* Every writer is gone: what the pipes hold is read now (non-blocking), without
		 * waiting for poll to say so; poll only waits for a full log to take more. */
		for (int i = 0; i < 2; i++)
			if (r->s[i].rfd >= 0 && !r->s[i].wait_out)
				relay_pump(r, &r->s[i]);
		bool open = r->s[0].rfd >= 0 || r->s[1].rfd >= 0;
		if (!open && !r->s[0].tail_done)
			queue_tails(r);
		for (int i = 0; !open && i < 2; i++)
			relay_flush(r, &r->s[i]);
		if (!open && !r->s[0].wait_out && !r->s[1].wait_out)
			break;
		int ms = ms_until(deadline, 1000);
		if (ms <= 0)
			break;
		struct pollfd p[RELAY_POLLFDS];
		size_t n = relay_pollfds(r, p);
		int rc = n ? sys_poll(p, n, ms) : 0;
		if (rc < 0) { /* try again in a moment, until the deadline */
			struct timespec ts = {0, 10 * 1000000L};
			nanosleep(&ts, NULL);
			continue;
		}
		for (int i = 0; rc > 0 && i < 2; i++) {
			struct relay_stream *s = &r->s[i];
			if (s->pidx < 0 || !p[s->pidx].revents)
				continue;
			if (s->rfd >= 0)
				relay_pump(r, s);
			else
				relay_flush(r, s);
		}
	}
	uint64_t lost = 0;
	for (int i = 0; i < 2; i++) {
		struct relay_stream *s = &r->s[i];
		if (s->rfd >= 0) { /* what the grader wrote and the log never took: counted, lost */
			char scratch[65536];
			ssize_t n;
			for (int k = 0; k < 1024 && (n = sys_read(s->rfd, scratch, sizeof scratch)) > 0; k++)
				r->bytes += (uint64_t)n, lost += (uint64_t)n;
			sys_close(s->rfd);
			s->rfd = -1;
		}
		lost += s->len - s->off + (s->tail_done ? 0 : s->in_ring);
		free(s->buf);
		free(s->ring);
		s->buf = s->ring = NULL;
		if (s->wfd >= 0)
			sys_close(s->wfd);
		s->wfd = -1;
	}
	if (lost)
		log_warn("output: %llu bytes of the grader's output could not be written within %d ms: the log "
			 "did not take them", (unsigned long long)lost, RELAY_FLUSH_MS);
	r->dropped += lost;
	r->finished = true;
	rep->output.relayed = true;
	rep->output.bytes = r->bytes;
	rep->output.dropped = r->dropped;
	rep->output.truncated = r->dropped > 0;
}
