/* fuzz_user.c - user_resolve over a spec, an /etc/passwd and an /etc/group made from
 * the input (three NUL-separated parts). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 3), why[256];
	uid_t uid;
	gid_t gid;
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = buf[size + 2] = '\0';
	const char *spec = buf, *passwd = spec + strlen(spec) + 1;
	const char *group = passwd + strlen(passwd) + 1;
	if (user_resolve(spec, passwd, group, &uid, &gid, why, sizeof why) == 0 &&
	    (uid == (uid_t)-1 || gid == (gid_t)-1))
		abort(); /* -1 would mean "unchanged" to setresuid */
	free(buf);
	return 0;
}
