/* test_relay.c - the output relay (supervise_output.c) on real pipes: what is under the
 * cap passes unchanged; over it, the head, one line per stream saying how many bytes
 * were dropped, and the tails, the figures of the result; and an output nobody reads
 * never blocks PID 1. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "output.h"
#include "sys_fake.h"
#include "usher.h"

struct pair {
	int in[2];  /* the grader's pipe: the test writes in[1] */
	int out[2]; /* usher's output: the test reads out[0] */
	char *got;
	size_t len, cap;
};

static void open_pair(struct pair *p, struct relay *r, int i)
{
	assert_int_equal(pipe2(p->in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(p->out, O_CLOEXEC), 0);
	fcntl(p->in[0], F_SETFL, O_NONBLOCK);
	fcntl(p->in[1], F_SETFL, O_NONBLOCK);
	fcntl(p->out[0], F_SETFL, O_NONBLOCK);
	fcntl(p->out[1], F_SETFL, O_NONBLOCK); /* PID 1's own description is non-blocking */
	p->got = NULL;
	p->len = p->cap = 0;
	relay_attach(r, i, p->in[0], p->out[1], false);
}

static void drain(struct pair *p)
{
	for (;;) {
		if (p->cap - p->len < 65536) {
			p->cap = p->cap ? p->cap * 2 : 1 << 20;
			p->got = realloc(p->got, p->cap);
			assert_non_null(p->got);
		}
		ssize_t n = read(p->out[0], p->got + p->len, p->cap - p->len);
		if (n <= 0)
			return;
		p->len += (size_t)n;
	}
}

/* One turn of the supervise loop for the relay alone. */
static void turn(struct relay *r)
{
	struct pollfd pf[RELAY_POLLFDS];
	size_t n = relay_pollfds(r, pf);
	if (n && poll(pf, n, 10) > 0)
		relay_events(r, pf);
}

/* Write all of data into p's pipe while the relay runs and the test reads. */
static void feed(struct relay *r, struct pair *p, struct pair *q, const char *data, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t w = write(p->in[1], data + off, len - off);
		if (w > 0)
			off += (size_t)w;
		turn(r);
		drain(p);
		drain(q);
	}
}

static char *lines(size_t len, char c0)
{
	char *d = malloc(len);
	for (size_t i = 0; i < len; i++)
		d[i] = i % 64 == 63 ? '\n' : (char)(c0 + (i / 64) % 20); /* 64-byte lines, as probe flood */
	return d;
}

static void finish(struct relay *r, struct pair *a, struct pair *b, struct usher_report *rep)
{
	close(a->in[1]);
	close(b->in[1]);
	relay_finish(r, rep); /* closes its read ends and PID 1's outputs (out[1]) */
	drain(a);
	drain(b);
	close(a->out[0]);
	close(b->out[0]);
}

static void under_cap(void **state)
{
	(void)state;
	struct relay r;
	struct pair o, e;
	struct usher_report rep = {0};
	relay_init(&r, 1 << 20);
	open_pair(&o, &r, 0);
	open_pair(&e, &r, 1);
	char *d = lines(300000, 'a');
	feed(&r, &o, &e, d, 300000);
	feed(&r, &e, &o, "err\n", 4);
	finish(&r, &o, &e, &rep);
	assert_int_equal(o.len, 300000);
	assert_memory_equal(o.got, d, 300000);
	assert_int_equal(e.len, 4);
	assert_true(rep.output.relayed);
	assert_int_equal(rep.output.bytes, 300004);
	assert_int_equal(rep.output.dropped, 0);
	assert_false(rep.output.truncated);
	free(d);
	free(o.got);
	free(e.got);
}

static void over_cap(void **state)
{
	(void)state;
	struct relay r;
	struct pair o, e;
	struct usher_report rep = {0};
	const size_t cap = 65536, total = 1 << 20;
	relay_init(&r, cap);
	open_pair(&o, &r, 0);
	open_pair(&e, &r, 1);
	char *d = lines(total, 'a');
	feed(&r, &o, &e, d, total);
	finish(&r, &o, &e, &rep);
	/* The head: the first cap/2 bytes, unchanged. */
	assert_true(o.len > cap / 2);
	assert_memory_equal(o.got, d, cap / 2);
	/* Then one line, on a line of its own, with the count. */
	char *mark = memmem(o.got, o.len, "[usher: ", 8);
	assert_non_null(mark);
	assert_int_equal(mark - o.got, cap / 2); /* the head ended a line: no extra newline */
	char *eol = memchr(mark, '\n', o.len - (size_t)(mark - o.got));
	assert_non_null(eol);
	unsigned long long lost = strtoull(mark + 8, NULL, 10);
	/* Then the tail: the end of the input, starting on a line. */
	size_t tail = o.len - (size_t)(eol + 1 - o.got);
	assert_true(tail > 0 && tail <= cap / 2);
	assert_memory_equal(eol + 1, d + total - tail, tail);
	assert_int_equal(d[total - tail - 1], '\n');
	assert_int_equal(lost, total - cap / 2 - tail);
	assert_int_equal(rep.output.bytes, total);
	assert_int_equal(rep.output.dropped, lost);
	assert_true(rep.output.truncated);
	assert_int_equal(e.len, 0);
	free(d);
	free(o.got);
	free(e.got);
}

/* Both streams over the cap: the tails share the tail budget. */
static void both_streams(void **state)
{
	(void)state;
	struct relay r;
	struct pair o, e;
	struct usher_report rep = {0};
	const size_t cap = 65536;
	relay_init(&r, cap);
	open_pair(&o, &r, 0);
	open_pair(&e, &r, 1);
	char *a = lines(200000, 'a'), *b = lines(200000, 'A');
	feed(&r, &o, &e, a, 200000);
	feed(&r, &e, &o, b, 200000);
	finish(&r, &o, &e, &rep);
	assert_non_null(memmem(o.got, o.len, "bytes of stdout dropped", 23));
	assert_non_null(memmem(e.got, e.len, "bytes of stderr dropped", 23));
	/* All that was written: head + tails within the cap, plus one line per stream. */
	assert_true(o.len + e.len <= cap + 2 * 200);
	assert_int_equal(rep.output.bytes, 400000);
	uint64_t kept = 400000 - rep.output.dropped;
	assert_true(kept <= cap);
	assert_true(o.len + e.len >= kept && o.len + e.len <= kept + 2 * 200);
	free(a);
	free(b);
	free(o.got);
	free(e.got);
}

/* Nobody reads usher's stdout: the relay stops reading (the grader would wait on its
 * pipe) but never blocks; at the end it gives up after RELAY_FLUSH_MS and counts. */
static void output_never_drains(void **state)
{
	(void)state;
	struct relay r;
	struct pair o, e;
	struct usher_report rep = {0};
	relay_init(&r, 8 << 20);
	open_pair(&o, &r, 0);
	open_pair(&e, &r, 1);
	char *d = lines(1 << 20, 'a');
	size_t off = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 20; i++) { /* no drain(): the output pipe fills up */
		ssize_t w = write(o.in[1], d + off, (1 << 20) - off);
		if (w > 0)
			off += (size_t)w;
		turn(&r);
	}
	assert_true(r.s[0].wait_out);
	close(o.in[1]);
	close(e.in[1]);
	relay_finish(&r, &rep);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(secs < 1 + (double)RELAY_FLUSH_MS / 1000);
	assert_true(rep.output.dropped > 0);
	assert_int_equal(rep.output.bytes, off); /* read to the end, though not written */
	close(o.out[0]);
	close(e.out[0]);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(under_cap),
		cmocka_unit_test(over_cap),
		cmocka_unit_test(both_streams),
		cmocka_unit_test(output_never_drains),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
