/* run_keeper.h - the state of one run's keeper, shared by run_keeper.c (setup),
 * run_keeper_loop.c (the run, the verdict, the cleanup). */
#ifndef USHER_RUN_KEEPER_H
#define USHER_RUN_KEEPER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "notify.h"
#include "run.h"

struct keeper {
	const struct run_env *env;
	const struct run_request *req;
	uid_t uid;         /* the run's identity (its gid is the same number) */
	int reply;         /* to the client; its end closing means the client is gone */
	int in, dest[2];   /* the learner's stdin; where its stdout and stderr go */
	int dir;           /* --dir, -1 */
	int hide[RUN_MAX_HIDE];
	long lent;         /* entries of --dir given to the run (-1: none) */
	int tmp_parent, tmp; /* /tmp, and the run's directory in it */
	char tmp_name[48], tmp_path[64];
	int sigfd, pipe[2], report;
	struct notifier listener;
	struct usher_report rep; /* the refused calls, named by the notifier */
	pid_t pid;           /* the learner's first process */
	bool exited, swept, client_gone;
	int status;          /* its wait status */
	uint64_t started, ended, next_count;
	enum run_status limit; /* the first limit the keeper enforced; RUN_OK: none */
	uint64_t out_bytes;
	bool truncated;
	struct {
		int kind, err;
		char what[96];
	} failure;             /* the child stopped before the exec (kind 1, 2: exec) */
	bool failed;
	uint64_t oom_before;
	struct run_verdict v;
};

void keeper_loop(struct keeper *k);
void keeper_verdict(struct keeper *k);
/* The end of a keeper: the run swept, --dir given back (its result: 0 or -errno), the
 * run's files removed. */
long keeper_cleanup(struct keeper *k);
/* Kill and reap everything of the run, read the rest of its output (once). */
void keeper_verdict_sweep(struct keeper *k);
int keeper_tmp(struct keeper *k);

#endif
