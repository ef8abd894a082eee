/* output.h - the output relay (supervise_output.c): with --max-output, the grader
 * writes into two pipes and PID 1 copies them to its own stdout and stderr, keeping the
 * head and the tail and dropping the middle once the total goes over the cap. */
#ifndef USHER_OUTPUT_H
#define USHER_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "usher.h"

struct pollfd;
struct usher_plan;

struct relay_stream {
	const char *name; /* "stdout", "stderr" */
	int rfd;          /* PID 1's read end of the grader's pipe; -1 after end of file */
	int gfd;          /* the grader's write end (its fd 1 or 2); PID 1 closes its copy */
	int wfd;          /* PID 1's own non-blocking description of its fd 1 or 2; -1: nowhere */
	bool sock;        /* wfd is a socket: send(MSG_DONTWAIT) */
	bool careful;     /* wfd is shared and blocking: poll first, write at most PIPE_BUF */
	bool no_splice;   /* the kernel refused splice to wfd (a terminal): read and write */
	bool wait_out;    /* wfd is full: wait for POLLOUT, read nothing meanwhile */
	bool last_nl;     /* the last byte written ended a line (or is not known to) */
	int pidx;         /* its entry in the last relay_pollfds(), -1 */
	char *buf;        /* read and not yet written: buf[off, len) */
	size_t cap, off, len;
	char *ring;       /* once the head is spent: the last bytes, ring_pos is the next write */
	size_t ring_cap, ring_pos;
	uint64_t in_ring; /* bytes that went into the ring */
	bool tail_done;   /* the tail (and the marker line) are queued in buf */
};

struct relay {
	struct relay_stream s[2];
	uint64_t cap;       /* --max-output */
	uint64_t head_left; /* of the head, shared by both streams in the order bytes come */
	uint64_t tail;      /* bytes of tails kept, both streams together */
	uint64_t bytes;     /* everything the grader wrote */
	uint64_t dropped;   /* not written: the middle, or what the log never took */
	bool started, finished;
};

#define RELAY_POLLFDS 2
#define RELAY_TAIL_MAX (UINT64_C(1) << 20) /* PID 1's memory: at most 1 MiB per stream */
#define RELAY_FLUSH_MS 2000 /* the last output's wait for a slow log, after the grader */

/* Plan time: the pipes, PID 1's descriptions of fds 1 and 2, the budgets. Nothing
 * with --max-output 0 or --exec. */
int relay_prepare(const struct usher_config *cfg, struct usher_plan *plan, struct usher_report *rep);
/* The same on given fds (tests): cap, then per stream the read end and the output. */
void relay_init(struct relay *r, uint64_t cap);
void relay_attach(struct relay *r, int i, int rfd, int wfd, bool sock);
/* In the grader's process, before lockdown step 1: its fds 1 and 2 become the pipes. */
int relay_child(const struct relay *r, struct usher_report *rep);
/* PID 1 at the grader's exec: closes its copies of the grader's ends. */
void relay_start(struct relay *r);
/* For the supervise loop: what to poll (at most RELAY_POLLFDS entries), then what
 * poll said. Never blocks. */
size_t relay_pollfds(struct relay *r, struct pollfd *p);
void relay_events(struct relay *r, const struct pollfd *p);
/* Once no grader process is left: the rest, the marker line and the tails, for at
 * most RELAY_FLUSH_MS; the figures into rep->output. Idempotent; no-op for NULL. */
void relay_finish(struct relay *r, struct usher_report *rep);

/* Shared by supervise_output.c and supervise_output_end.c only. */
void relay_close_grader_ends(struct relay *r);
bool relay_flush(struct relay *r, struct relay_stream *s); /* false: the output is full */
bool relay_ensure(char **p, size_t *cap, size_t want);
void relay_pump(struct relay *r, struct relay_stream *s);

#endif
