/* fuzz_policy.c - the --seccomp FILE parser over arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy p;
	char why[256];
	if (policy_parse((const char *)data, size, &p, why, sizeof why) == 0) {
		for (size_t i = 0; i < p.n; i++)
			if (p.rules[i].ncmp > POL_MAX_CMP || p.rules[i].cmp[0].arg > 5)
				abort();
		policy_free(&p);
	}
	return 0;
}
