/* handoff_manifest.c - the ready marker's optional content (SPEC.md "Handoff protocol" 2).
 * A pure function over the marker's bytes: it is fuzzed. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "handoff.h"
#include "parse.h"
#include "util.h"

int manifest_parse(const char *text, size_t len, struct usher_report *rep, char *why, size_t whylen)
{
	int lineno = 0;
	for (size_t pos = 0; pos < len;) {
		char line[128];
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - text - pos) : len - pos;
		lineno++;
		if (l >= sizeof line)
			return WHY("line %d is longer than %zu bytes", lineno, sizeof line - 1);
		memcpy(line, text + pos, l);
		line[l] = '\0';
		pos += l + 1;
		if (l && line[l - 1] == '\r')
			line[--l] = '\0';
		if (memchr(line, '\0', l))
			return WHY("line %d holds a NUL byte", lineno);
		if (!l || line[0] == '#')
			continue;
		char *eq = strchr(line, '=');
		if (!eq)
			return WHY("line %d is not key=value", lineno);
		*eq = '\0';
		bool *has;
		uint64_t *val;
		if (!strcmp(line, "files"))
			has = &rep->manifest.has_files, val = &rep->manifest.files;
		else if (!strcmp(line, "bytes"))
			has = &rep->manifest.has_bytes, val = &rep->manifest.bytes;
		else
			continue;
		if (*has)
			return WHY("line %d: %s given twice", lineno, line);
		if (parse_u64(eq + 1, val) < 0)
			return WHY("line %d: %s='%s' is not a whole number", lineno, line, eq + 1);
		*has = true;
	}
	return 0;
}
