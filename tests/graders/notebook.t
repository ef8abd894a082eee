#!/usr/bin/env bash
# A Jupyter notebook executed by nbclient with hidden test cells appended: the kernel
# (ipykernel) and the client talk ZMQ over TCP on 127.0.0.1, and Jupyter keeps its
# connection file under the home directory.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/docker.sh"
. "$here/../lib/result.sh"
. "$here/lib.sh"
graders_setup
grader_image notebook || { tap_done; exit 1; }
grader_expect notebook good 1.0
grader_expect notebook wrong 0.75
tap_done
