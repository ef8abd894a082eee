/* fuzz_parse.c - the strict number, size, seconds, boolean, capability and rlimit
 * parsers over arbitrary bytes (NUL-terminated copies). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	uint64_t v;
	bool b;
	unsigned cap;
	int res;
	rlim_t soft, hard;
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (parse_u64(s, &v) == 0 && v > UINT64_MAX / 2 && parse_u64(s, &v) != 0)
		abort(); /* deterministic */
	(void)parse_size(s, &v);
	(void)parse_seconds_ms(s, &v);
	(void)parse_bool(s, &b);
	if (cap_from_name(s, &cap) == 0 && !cap_name(cap))
		abort();
	(void)rlimit_from_name(s, &res);
	if (parse_rlimit(s, &res, &soft, &hard) == 0 && soft > hard)
		abort(); /* the parser promises soft <= hard */
	free(s);
	return 0;
}
