#!/usr/bin/env bash
# numpy, with each test case run in a multiprocessing pool worker (fork, pipes,
# POSIX semaphores in /dev/shm) under a per-case deadline.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/docker.sh"
. "$here/../lib/result.sh"
. "$here/lib.sh"
graders_setup
grader_image numpy-mp || { tap_done; exit 1; }
grader_expect numpy-mp good 1.0
grader_expect numpy-mp wrong 0.75
tap_done
