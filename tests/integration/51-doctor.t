#!/usr/bin/env bash
# usher doctor inside containers: 0 when the default policy can be enforced, 1 with the
# reasons when it cannot (no capabilities, a non-root user), and a JSON form.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/docker.sh"
docker_setup
doc() { docker run --rm --network none --entrypoint /usher/usher -v "$bin:/usher:ro" -v /shared "$@"; }

out=$(doc usher-test/busybox doctor 2>&1)
tap_is "$?" 0 "doctor in a default container: 0"
tap_like "$out" "ok +pid1 +usher is PID 1" "... reports PID 1"
tap_like "$out" "ok +landlock +ABI [0-9]" "... and the Landlock ABI"
tap_like "$out" "ok +openat2 " "... and openat2 (Docker's default profile allows it)"
tap_like "$out" "inotify +/ \\(overlay\\): events delivered|inotify .*events delivered" "... and inotify on the submission's filesystem"
out=$(doc --cap-drop ALL usher-test/busybox doctor 2>&1)
tap_is "$?" 1 "doctor with --cap-drop ALL: 1"
tap_like "$out" "fail +capabilities .*missing: SETUID SETGID SETPCAP" "... naming the missing capabilities"
out=$(doc --user 1000 usher-test/busybox doctor 2>&1)
tap_is "$?" 1 "doctor as a non-root user: 1"
tap_like "$out" "fail +user +uid 1000" "... saying so"
tap_ok "doctor --json is one JSON object" bash -c 'docker run --rm --network none --entrypoint /usher/usher -v "$1:/usher:ro" usher-test/busybox doctor --json | jq -e ".fully_enforceable == true and .landlock.level == \"ok\""' _ "$bin"
tap_done
