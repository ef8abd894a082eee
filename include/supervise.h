/* supervise.h - internals shared by supervise.c, supervise_sweep.c and supervise_spawn.c. */
#ifndef USHER_SUPERVISE_H
#define USHER_SUPERVISE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Signal the grader's process group, or the grader alone before it has one. */
void signal_grader(pid_t grader, int sig);
/* What the sweep kills: the grader's group, usher's children, and when by_uid, every
 * process of the grader's uid (a uid of its own: never usher's). */
struct sweep {
	pid_t grader;
	bool by_uid;
	uid_t uid;
	uint64_t deadline_ms; /* give up (and count what is left) after this long */
	/* usher run's identities [run_uid, run_uid + RUN_UIDS) are the grader's runs' */
	bool runs;
	uid_t run_uid;
};
/* Kill and reap everything the grader left behind; returns how many were reaped and
 * sets *left to how many could not be killed before the deadline. */
int supervise_sweep(const struct sweep *sw, unsigned *left);

#endif
