#!/usr/bin/env bash
# JavaScript with Node's built-in test runner (node --test), scored from its TAP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/docker.sh"
. "$here/../lib/result.sh"
. "$here/lib.sh"
graders_setup
grader_image node-test || { tap_done; exit 1; }
grader_expect node-test good 1.0
grader_expect node-test wrong 0.5
tap_done
