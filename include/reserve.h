/* reserve.h - room on disk for the files usher writes at the end (report_reserve.c). */
#ifndef USHER_RESERVE_H
#define USHER_RESERVE_H

#include <stddef.h>
#include <sys/types.h>

struct reserved {
	int dirfd;     /* borrowed: the directory's fd, kept open by its owner */
	int fd;        /* the temp file, -1 when there is none */
	size_t size;   /* bytes reserved */
	char tmp[300]; /* its name in dirfd */
};

/* The room the result and the learner's file get: the result's buffer is 16 KiB
 * (report.c), and no platform file usher writes comes near it. */
#define RESERVE_BYTES 16384

/* Create the temp file for NAME in dirfd and reserve size bytes for it. */
int reserve(struct reserved *r, int dirfd, const char *name, size_t size);
/* Write data into the reserved room and rename it over NAME: 0, or -errno (then the
 * temp file is gone and the caller may fall back to file_publish). */
int reserved_publish(struct reserved *r, const char *name, const void *data, size_t len, mode_t mode);
/* Give the room back unused. */
void reserved_drop(struct reserved *r);

#endif
