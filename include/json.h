/* json.h - a small JSON writer into a caller's buffer: no allocation, so it works
 * in a signal-blocked PID 1 and in a child between fork and exec. */
#ifndef USHER_JSON_H
#define USHER_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 8

struct jbuf {
	char *p;
	size_t len, cap;
	bool overflow;        /* something did not fit: the output is not valid */
	int depth;
	bool after_key;       /* a key was written; the next value takes no comma */
	bool need_comma[JSON_MAX_DEPTH];
};

void jb_init(struct jbuf *b, char *storage, size_t cap);
void jb_begin(struct jbuf *b);          /* { */
void jb_end(struct jbuf *b);            /* } */
void jb_array(struct jbuf *b);          /* [ */
void jb_array_end(struct jbuf *b);      /* ] */
void jb_key(struct jbuf *b, const char *key);      /* "key": (then a value or jb_begin) */
void jb_str(struct jbuf *b, const char *s);        /* a string value; NULL writes null */
void jb_u64(struct jbuf *b, uint64_t v);
void jb_i64(struct jbuf *b, int64_t v);
void jb_bool(struct jbuf *b, bool v);
void jb_null(struct jbuf *b);
void jb_milli(struct jbuf *b, uint64_t thousandths); /* 750 -> 0.750 */
/* key + value shorthands */
void jb_kstr(struct jbuf *b, const char *key, const char *s);
void jb_ku64(struct jbuf *b, const char *key, uint64_t v);
void jb_ki64(struct jbuf *b, const char *key, int64_t v);
void jb_kbool(struct jbuf *b, const char *key, bool v);
void jb_knull(struct jbuf *b, const char *key);
void jb_kmilli(struct jbuf *b, const char *key, uint64_t thousandths);
/* The text so far, NUL-terminated (empty when overflowed). */
const char *jb_text(struct jbuf *b);

#endif
