#!/usr/bin/env bash
# Python with pytest, Coursera-style: the grader runs hidden tests (one uses tmp_path)
# against the learner's module and writes /shared/feedback.json.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/docker.sh"
. "$here/../lib/result.sh"
. "$here/lib.sh"
graders_setup
grader_image pytest || { tap_done; exit 1; }
grader_expect pytest good 1.0
result_valid "$g_shared/result.json" "pytest/good: the result is schema-valid"
# The grader wrote only feedback.json: an empty htmlFeedback.html or txtFeedback.txt left
# behind (usher creates them for the grader) would be shown to the learner instead.
left=$(find "$g_shared" -maxdepth 1 -type f -empty -printf '%f ')
tap_is "${left% }" "" "pytest/good: no empty feedback file is left beside feedback.json"
grader_expect pytest wrong 0.5
tap_done
