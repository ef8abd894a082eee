/* util_json.c - see include/json.h. Strings are escaped per RFC 8259. Valid UTF-8 is
 * passed through as it is ("é" stays "é"); a byte that does not start or continue a
 * valid sequence (a path that is not UTF-8) becomes U+FFFD, so the output is always
 * valid JSON and never claims a character that was not there. */
#include "json.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void jb_init(struct jbuf *b, char *storage, size_t cap)
{
	memset(b, 0, sizeof *b);
	b->p = storage;
	b->cap = cap;
	if (cap)
		storage[0] = '\0';
}

static void put(struct jbuf *b, const char *s, size_t n)
{
	if (b->overflow || b->len + n + 1 > b->cap) {
		b->overflow = true;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void puts_(struct jbuf *b, const char *s) { put(b, s, strlen(s)); }

/* Before any value or key at the current depth: a comma unless it is the first. */
static void sep(struct jbuf *b)
{
	if (b->need_comma[b->depth])
		put(b, ",", 1);
	b->need_comma[b->depth] = true;
}

static void open_(struct jbuf *b, const char *c)
{
	puts_(b, c);
	if (b->depth + 1 >= JSON_MAX_DEPTH) {
		b->overflow = true;
		return;
	}
	b->depth++;
	b->need_comma[b->depth] = false;
}

static void close_(struct jbuf *b, const char *c)
{
	if (b->depth > 0)
		b->depth--;
	puts_(b, c);
}

/* A value after a key does not take a comma: jb_key already wrote it. */
static void value_sep(struct jbuf *b)
{
	if (b->after_key)
		b->after_key = false;
	else
		sep(b);
}

void jb_begin(struct jbuf *b) { value_sep(b); open_(b, "{"); }
void jb_end(struct jbuf *b) { close_(b, "}"); }
void jb_array(struct jbuf *b) { value_sep(b); open_(b, "["); }
void jb_array_end(struct jbuf *b) { close_(b, "]"); }

/* Length of the valid UTF-8 sequence at c (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *c)
{
	if (*c >= 0xc2 && *c <= 0xdf)
		return (c[1] & 0xc0) == 0x80 ? 2 : 0;
	if (*c >= 0xe0 && *c <= 0xef) {
		unsigned lo = *c == 0xe0 ? 0xa0 : 0x80, hi = *c == 0xed ? 0x9f : 0xbf;
		return c[1] >= lo && c[1] <= hi && (c[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (*c >= 0xf0 && *c <= 0xf4) {
		unsigned lo = *c == 0xf0 ? 0x90 : 0x80, hi = *c == 0xf4 ? 0x8f : 0xbf;
		return c[1] >= lo && c[1] <= hi && (c[2] & 0xc0) == 0x80 && (c[3] & 0xc0) == 0x80 ? 4 : 0;
	}
	return 0;
}

static void quoted(struct jbuf *b, const char *s)
{
	put(b, "\"", 1);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		switch (*c) {
		case '"': puts_(b, "\\\""); break;
		case '\\': puts_(b, "\\\\"); break;
		case '\n': puts_(b, "\\n"); break;
		case '\r': puts_(b, "\\r"); break;
		case '\t': puts_(b, "\\t"); break;
		default:
			if (*c < 0x20 || *c == 0x7f) {
				char esc[8];
				snprintf(esc, sizeof esc, "\\u%04x", *c);
				puts_(b, esc);
			} else if (*c < 0x80) {
				put(b, (const char *)c, 1);
			} else {
				size_t n = utf8_len(c);
				if (n) {
					put(b, (const char *)c, n);
					c += n - 1;
				} else {
					puts_(b, "\\ufffd");
				}
			}
		}
	}
	put(b, "\"", 1);
}

void jb_key(struct jbuf *b, const char *key)
{
	sep(b);
	quoted(b, key);
	put(b, ":", 1);
	b->after_key = true;
}

void jb_str(struct jbuf *b, const char *s)
{
	value_sep(b);
	if (s)
		quoted(b, s);
	else
		puts_(b, "null");
}

void jb_u64(struct jbuf *b, uint64_t v)
{
	char n[24];
	value_sep(b);
	snprintf(n, sizeof n, "%" PRIu64, v);
	puts_(b, n);
}

void jb_i64(struct jbuf *b, int64_t v)
{
	char n[24];
	value_sep(b);
	snprintf(n, sizeof n, "%" PRId64, v);
	puts_(b, n);
}

void jb_bool(struct jbuf *b, bool v) { value_sep(b); puts_(b, v ? "true" : "false"); }
void jb_null(struct jbuf *b) { value_sep(b); puts_(b, "null"); }
void jb_kstr(struct jbuf *b, const char *key, const char *s) { jb_key(b, key); jb_str(b, s); }
/* thousandths / 1000 with three decimals ("0.000", "0.750"): a score, which platforms
 * read as a real number, never an integer. */
void jb_milli(struct jbuf *b, uint64_t thousandths)
{
	char n[32];
	value_sep(b);
	snprintf(n, sizeof n, "%" PRIu64 ".%03u", thousandths / 1000, (unsigned)(thousandths % 1000));
	puts_(b, n);
}

void jb_ku64(struct jbuf *b, const char *key, uint64_t v) { jb_key(b, key); jb_u64(b, v); }
void jb_kmilli(struct jbuf *b, const char *key, uint64_t thousandths) { jb_key(b, key); jb_milli(b, thousandths); }
void jb_ki64(struct jbuf *b, const char *key, int64_t v) { jb_key(b, key); jb_i64(b, v); }
void jb_kbool(struct jbuf *b, const char *key, bool v) { jb_key(b, key); jb_bool(b, v); }
void jb_knull(struct jbuf *b, const char *key) { jb_key(b, key); jb_null(b); }

const char *jb_text(struct jbuf *b)
{
	if (b->overflow) {
		if (b->cap)
			b->p[0] = '\0';
		return b->p;
	}
	return b->p;
}
