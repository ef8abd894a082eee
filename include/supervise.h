/* supervise.h - internals shared by supervise.c, supervise_sweep.c and supervise_spawn.c. */
#ifndef USHER_SUPERVISE_H
#define USHER_SUPERVISE_H

#include <stdint.h>
#include <sys/types.h>

/* Signal the grader's process group, or the grader alone before it has one. */
void signal_grader(pid_t grader, int sig);
/* Kill and reap everything the grader left behind; returns how many were reaped. */
int supervise_sweep(pid_t grader);

#endif
