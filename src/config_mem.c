/* config_mem.c - storage for the configuration. Everything the config points to lives
 * until exit; one list of blocks makes config_free() possible for the unit tests
 * (and for leak checkers) without reference counting anything. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

struct block {
	struct block *next;
	max_align_t data[];
};

static struct block *blocks;

void *config_alloc(size_t n)
{
	struct block *b = calloc(1, sizeof *b + n);
	if (!b)
		return NULL;
	b->next = blocks;
	blocks = b;
	return b->data;
}

char *config_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = config_alloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

int strlist_add(struct strlist *l, const char *s)
{
	/* Grow by doubling; the old array stays in the block list until config_free. */
	if ((l->n & (l->n - 1)) == 0 || l->n == 0) {
		size_t cap = l->n ? l->n * 2 : 4;
		const char **v = config_alloc(cap * sizeof *v);
		if (!v)
			return -1;
		if (l->n)
			memcpy(v, l->v, l->n * sizeof *v);
		l->v = v;
	}
	l->v[l->n++] = s;
	return 0;
}

void config_env_name(const char *opt, char *out, size_t outlen)
{
	size_t i = 0;
	const char *prefix = "USHER_";
	for (; *prefix && i + 1 < outlen; prefix++)
		out[i++] = *prefix;
	for (; *opt && i + 1 < outlen; opt++)
		out[i++] = *opt == '-' ? '_' : (char)toupper((unsigned char)*opt);
	out[i] = '\0';
}

void config_free(struct usher_config *cfg)
{
	while (blocks) {
		struct block *b = blocks;
		blocks = b->next;
		free(b);
	}
	memset(cfg, 0, sizeof *cfg);
}
