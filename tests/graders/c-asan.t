#!/usr/bin/env bash
# C with the Check framework under -fsanitize=address: AddressSanitizer catches a read
# past the end, and LeakSanitizer (which ptrace-attaches to the process's own threads
# at exit) catches a leak. A correct submission must exit cleanly from LSan's check.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/docker.sh"
. "$here/../lib/result.sh"
. "$here/lib.sh"
graders_setup
grader_image c-asan || { tap_done; exit 1; }
grader_expect c-asan good 1.0
grader_expect c-asan wrong 0.5
tap_done
