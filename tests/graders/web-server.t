#!/usr/bin/env bash
# A learner's web server (Node's http module) tested by the grader over HTTP on
# 127.0.0.1: TCP on loopback must work while the network stays closed. Both servers
# call listen(PORT) without a host, as tutorials do: Node binds the wildcard address
# (:: or 0.0.0.0), which only loopback can reach in a container without a network.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/docker.sh"
. "$here/../lib/result.sh"
. "$here/lib.sh"
graders_setup
grader_image web-server || { tap_done; exit 1; }
grader_expect web-server good 1.0
grader_expect web-server wrong 0.5
tap_done
