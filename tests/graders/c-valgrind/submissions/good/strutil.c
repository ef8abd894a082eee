#include <stdlib.h>
#include <string.h>

#include "strutil.h"

char *reverse_words(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(n + 1), *o = out;
	size_t end = n;
	while (end > 0) {
		size_t start = end;
		while (start > 0 && s[start - 1] != ' ')
			start--;
		memcpy(o, s + start, end - start);
		o += end - start;
		if (start > 0)
			*o++ = ' ';
		end = start > 0 ? start - 1 : 0;
	}
	*o = '\0';
	return out;
}

char *squeeze_spaces(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;
	for (; *s; s++)
		if (*s != ' ' || (o > out && o[-1] != ' '))
			*o++ = *s;
	if (o > out && o[-1] == ' ')
		o--;
	*o = '\0';
	return out;
}
