#!/usr/bin/env bash
# Shell: the learner's script runs under timeout(1) on each case, compared by diff(1);
# the wrong one spins forever on an empty input and must cost only that case.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/docker.sh"
. "$here/../lib/result.sh"
. "$here/lib.sh"
graders_setup
grader_image shell-diff || { tap_done; exit 1; }
grader_expect shell-diff good 1.0
grader_expect shell-diff wrong 0.5
tap_done
