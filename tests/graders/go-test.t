#!/usr/bin/env bash
# Go's test runner: `go test` builds into a cache (GOCACHE, under the home directory
# unless set), so the grader needs a home it can write.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/docker.sh"
. "$here/../lib/result.sh"
. "$here/lib.sh"
graders_setup
grader_image go-test || { tap_done; exit 1; }
grader_expect go-test good 1.0
grader_expect go-test wrong 0.5
tap_done
