#!/usr/bin/env bash
# Java with JUnit 4: javac at grading time, a JUnitCore runner that writes the score.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/docker.sh"
. "$here/../lib/result.sh"
. "$here/lib.sh"
graders_setup
grader_image java-junit || { tap_done; exit 1; }
grader_expect java-junit good 1.0
grader_expect java-junit wrong 0.6
tap_done
