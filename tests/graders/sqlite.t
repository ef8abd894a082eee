#!/usr/bin/env bash
# SQL answers run by Python's sqlite3 against a database the grader builds in /tmp.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/docker.sh"
. "$here/../lib/result.sh"
. "$here/lib.sh"
graders_setup
grader_image sqlite || { tap_done; exit 1; }
grader_expect sqlite good 1.0
grader_expect sqlite wrong 0.5
tap_done
