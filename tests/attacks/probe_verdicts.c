/* probe_verdicts.c - the probe's programs that hit a limit for real (issue 16), each
 * printing one line when it gets as far as the end:
 *
 *   memfd MIB [SECS]       charge the memory cgroup through unmapped memfds (in no
 *                          process's RSS), 1 MiB at a time, then hold them SECS (60)
 *   alloc MIB [SECS]       the same with anonymous memory (malloc + touch)
 *   spin SECS [PROCS]      burn CPU for SECS of wall time in PROCS processes (1)
 *   flood BYTES [CHUNK]    write BYTES (K/M/G suffixes) of text lines to stdout
 *   fill PATH              write PATH until the disk is full; prints the bytes and errno
 *   bigfile PATH BYTES     write BYTES to PATH (RLIMIT_FSIZE answers with SIGXFSZ)
 */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static unsigned long long size_arg(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	switch (*end) {
	case 'G': case 'g': v <<= 10; /* fall through */
	case 'M': case 'm': v <<= 10; /* fall through */
	case 'K': case 'k': v <<= 10; break;
	default: break;
	}
	return v;
}

static void hold(int secs)
{
	for (int i = 0; i < secs * 10; i++)
		usleep(100000);
}

static int memfd(int mib, int secs)
{
	static char chunk[1 << 20];
	memset(chunk, 'x', sizeof chunk);
	for (int i = 0; i < mib; i++) {
		int fd = memfd_create("probe", 0);
		/* Written, never mapped: shmem pages charged to the cgroup, in nobody's RSS. */
		if (fd < 0 || write(fd, chunk, sizeof chunk) != (ssize_t)sizeof chunk)
			return printf("probe: memfd: FAILED at %d MiB (%s)\n", i, strerror(errno)), 1;
	}
	printf("probe: memfd: OK (%d MiB)\n", mib);
	hold(secs);
	return 0;
}

static int alloc(int mib, int secs)
{
	for (int i = 0; i < mib; i++) {
		char *p = malloc(1 << 20);
		if (!p)
			return printf("probe: alloc: FAILED at %d MiB\n", i), 1;
		memset(p, 'x', 1 << 20);
	}
	printf("probe: alloc: OK (%d MiB)\n", mib);
	hold(secs);
	return 0;
}

static void burn(int secs)
{
	volatile unsigned long x = 0;
	time_t end = time(NULL) + secs;
	while (time(NULL) < end)
		for (int i = 0; i < 1000000; i++)
			x += (unsigned long)i;
}

static int spin(int secs, int procs)
{
	for (int i = 1; i < procs; i++)
		if (fork() == 0) {
			burn(secs);
			_exit(0);
		}
	burn(secs);
	while (wait(NULL) > 0)
		;
	printf("probe: spin: OK (%d s in %d processes)\n", secs, procs);
	return 0;
}

static int flood(unsigned long long bytes, size_t chunk)
{
	char *buf = malloc(chunk);
	if (!buf)
		return 1;
	for (size_t i = 0; i < chunk; i++) /* 64-byte lines: the relay's marker lands on one */
		buf[i] = (i % 64 == 63) ? '\n' : (char)('a' + (i / 64) % 26);
	for (unsigned long long done = 0; done < bytes;) {
		size_t n = bytes - done < chunk ? (size_t)(bytes - done) : chunk;
		ssize_t w = write(1, buf, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "probe: flood: FAILED after %llu bytes (%s)\n", done, strerror(errno));
			return 1;
		}
		done += (unsigned long long)w;
	}
	free(buf);
	fprintf(stderr, "probe: flood: OK (%llu bytes)\n", bytes);
	return 0;
}

static int fill(const char *path)
{
	static char chunk[65536];
	unsigned long long done = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return printf("probe: fill %s: FAILED (%s)\n", path, strerror(errno)), 1;
	memset(chunk, 'f', sizeof chunk);
	for (;;) {
		ssize_t w = write(fd, chunk, sizeof chunk);
		if (w <= 0)
			break;
		done += (unsigned long long)w;
	}
	printf("probe: fill %s: %llu bytes, then %s\n", path, done, strerror(errno));
	close(fd);
	return 0;
}

static int bigfile(const char *path, unsigned long long bytes)
{
	static char chunk[65536];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return printf("probe: bigfile %s: FAILED (%s)\n", path, strerror(errno)), 1;
	for (unsigned long long done = 0; done < bytes;) {
		ssize_t w = write(fd, chunk, bytes - done < sizeof chunk ? (size_t)(bytes - done) : sizeof chunk);
		if (w <= 0)
			return printf("probe: bigfile: FAILED after %llu bytes (%s)\n", done, strerror(errno)), 1;
		done += (unsigned long long)w;
	}
	printf("probe: bigfile: OK (%llu bytes)\n", bytes);
	return 0;
}

int verdict_program(int argc, char **argv)
{
	const char *cmd = argv[0], *a1 = argc > 1 ? argv[1] : "0", *a2 = argc > 2 ? argv[2] : NULL;
	if (!strcmp(cmd, "memfd"))
		return memfd(atoi(a1), a2 ? atoi(a2) : 60);
	if (!strcmp(cmd, "alloc"))
		return alloc(atoi(a1), a2 ? atoi(a2) : 60);
	if (!strcmp(cmd, "spin"))
		return spin(atoi(a1), a2 ? atoi(a2) : 1);
	if (!strcmp(cmd, "flood"))
		return flood(size_arg(a1), a2 ? (size_t)size_arg(a2) : 65536);
	if (!strcmp(cmd, "fill"))
		return fill(a1);
	if (!strcmp(cmd, "bigfile"))
		return bigfile(a1, size_arg(a2 ? a2 : "0"));
	return -1;
}
