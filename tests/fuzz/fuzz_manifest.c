/* fuzz_manifest.c - the ready marker's manifest parser over arbitrary bytes. */
#include <stdint.h>
#include <string.h>

#include "handoff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct usher_report rep;
	char why[256];
	memset(&rep, 0, sizeof rep);
	(void)manifest_parse((const char *)data, size, &rep, why, sizeof why);
	return 0;
}
