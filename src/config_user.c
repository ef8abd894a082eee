/* config_user.c - "--user UID[:GID]" or "NAME[:GROUP]" against the container's own
 * /etc/passwd and /etc/group. usher is static and never calls getpwnam(): the image's
 * NSS configuration and libc are untrusted, and may not exist. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "parse.h"
#include "util.h"

/* Find the line whose field 0 (by name) or field 2 (by number) matches, and return
 * its fields 2 and 3 (passwd: uid, gid; group: gid). Lines are "a:b:c:d:...". */
static int lookup(const char *text, const char *name, long by_id, uint64_t *id, uint64_t *gid)
{
	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *f[4] = {0};
		size_t flen[4] = {0};
		int nf = 0;
		const char *p = line;
		while (nf < 4) {
			const char *colon = memchr(p, ':', len - (size_t)(p - line));
			f[nf] = p;
			flen[nf] = colon ? (size_t)(colon - p) : len - (size_t)(p - line);
			nf++;
			if (!colon)
				break;
			p = colon + 1;
		}
		if (nf >= 3) {
			char num[24];
			uint64_t v, g = UINT64_MAX; /* no gid field: none, never 0 */
			bool ok = flen[2] < sizeof num;
			if (ok) {
				memcpy(num, f[2], flen[2]);
				num[flen[2]] = '\0';
				ok = parse_u64(num, &v) == 0;
			}
			if (ok && nf == 4 && flen[3] < sizeof num) {
				memcpy(num, f[3], flen[3]);
				num[flen[3]] = '\0';
				if (parse_u64(num, &g) < 0)
					g = UINT64_MAX;
			}
			bool match = by_id >= 0 ? (ok && v == (uint64_t)by_id)
						: (name && flen[0] == strlen(name) && !strncmp(f[0], name, flen[0]));
			if (match && ok) {
				*id = v;
				if (gid)
					*gid = g;
				return 0;
			}
		}
		line = end ? end + 1 : NULL;
	}
	return -ENOENT;
}

static int one_id(const char *s, size_t len, const char *file, const char *filename,
		  uint64_t *id, uint64_t *gid, char *why, size_t whylen)
{
	char buf[256];
	uint64_t v;
	if (len == 0 || len >= sizeof buf)
		return WHY("empty or too long");
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (parse_u64(buf, &v) == 0) {
		if (v >= UINT32_MAX) /* (uid_t)-1 means "unchanged" to setresuid */
			return WHY("id out of range");
		*id = v;
		if (gid && (!file || lookup(file, NULL, (long)v, &v, gid) < 0))
			*gid = UINT64_MAX; /* no entry: the caller decides */
		return 0;
	}
	if (!file)
		return WHY("no %s in the container to resolve '%s'", filename, buf);
	if (lookup(file, buf, -1, id, gid) < 0)
		return WHY("no '%s' in %s", buf, filename);
	if (*id >= UINT32_MAX)
		return WHY("id of '%s' out of range", buf);
	return 0;
}

int user_resolve(const char *spec, const char *passwd, const char *group, uid_t *uid,
		 gid_t *gid, char *why, size_t whylen)
{
	uint64_t u, g, pg = UINT64_MAX;
	const char *colon = strchr(spec, ':');
	size_t ulen = colon ? (size_t)(colon - spec) : strlen(spec);
	int rc = one_id(spec, ulen, passwd, "/etc/passwd", &u, &pg, why, whylen);
	if (rc < 0)
		return rc;
	if (colon) {
		rc = one_id(colon + 1, strlen(colon + 1), group, "/etc/group", &g, NULL, why, whylen);
		if (rc < 0)
			return rc;
	} else {
		/* No group: the user's primary group, or the same number as the uid (never
		 * gid 0, which is what Docker would pick for an unknown uid). Root's group
		 * from the image's passwd is refused unless asked for by name or number:
		 * files of group root are often group-writable in images. */
		g = pg < UINT32_MAX ? pg : u;
		if (g == 0 && u != 0)
			return WHY("its /etc/passwd entry gives gid 0 (root's group): name the group "
				   "(--user %.*s:0) if that is what you mean", (int)ulen, spec);
	}
	*uid = (uid_t)u;
	*gid = (gid_t)g;
	return 0;
}
