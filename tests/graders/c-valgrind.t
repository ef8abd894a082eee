#!/usr/bin/env bash
# C built with make, each case run under valgrind (memcheck, --leak-check=full):
# a leak or a wrong output fails its case.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/docker.sh"
. "$here/../lib/result.sh"
. "$here/lib.sh"
graders_setup
grader_image c-valgrind || { tap_done; exit 1; }
grader_expect c-valgrind good 1.0
grader_expect c-valgrind wrong 0.25
tap_done
