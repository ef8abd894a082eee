/* util_time.c - the monotonic clock in milliseconds, and deadlines that saturate. */
#include <time.h>

#include "util.h"

uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int ms_until(uint64_t deadline, int cap)
{
	uint64_t t = now_ms();
	if (deadline <= t)
		return 0;
	return deadline - t > (uint64_t)cap ? cap : (int)(deadline - t);
}
