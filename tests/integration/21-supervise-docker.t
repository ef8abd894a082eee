#!/usr/bin/env bash
# Supervision with usher as PID 1 of a real container: exit statuses, docker stop,
# orphans reaped (no zombie while it runs), leftovers killed, and a result file the
# grader cannot forge.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/docker.sh"
. "$here/../lib/result.sh"
docker_setup
shared=$(tap_tmpdir)
chmod 777 "$shared"
run() { docker run --rm --network none --entrypoint /usher/usher -v "$bin:/usher:ro" -v "$shared:/shared" "$@"; }
# Readiness, never a guessed sleep: the probe prints "ready" once its handler is in place.
ready() { # NAME: 0 once the container's output says ready, 1 after 20 s
	local i
	for i in $(seq 400); do
		docker logs "$1" 2>&1 | grep -q '^ready$' && return 0
		sleep 0.05
	done
	return 1
}

bad=""
for n in 0 1 42 123 200 255; do
	run usher-test/busybox -q --no-wait -- /usher/probe exit "$n" 2>/dev/null
	rc=$?
	[ "$rc" = "$n" ] || bad="$bad $n->$rc"
done
tap_is "$bad" "" "as PID 1: exit statuses 0 1 42 123 200 255 come back"
run usher-test/busybox -q --no-wait -- /usher/probe kill-self SEGV 2>/dev/null
tap_is "$?" 139 "as PID 1: a grader killed by SIGSEGV gives 139"

# docker stop: TERM to PID 1, forwarded; a grader that traps it exits with its status.
name=$(docker_name stop)
docker run -d --name "$name" --network none --entrypoint /usher/usher -v "$bin:/usher:ro" usher-test/busybox \
	-q --no-wait -- /usher/probe trap TERM 3 60 >/dev/null
ready "$name" || tap_fail "docker stop: the grader traps TERM (it says ready)"
docker stop -t 20 "$name" >/dev/null
tap_is "$(docker wait "$name" 2>/dev/null || docker inspect -f '{{.State.ExitCode}}' "$name")" 3 \
	"docker stop: a grader that traps TERM exits with its own status"
docker rm -f "$name" >/dev/null 2>&1
# One that ignores TERM is killed after --kill-after, well before docker's own SIGKILL.
name=$(docker_name stop)
docker run -d --name "$name" --network none --entrypoint /usher/usher -v "$bin:/usher:ro" usher-test/busybox \
	-q --no-wait --kill-after 1 -- /usher/probe ignore TERM 0 60 >/dev/null
ready "$name" || tap_fail "docker stop: the grader ignores TERM (it says ready)"
start=$(date +%s)
docker stop -t 30 "$name" >/dev/null
took=$(($(date +%s) - start))
tap_is "$(docker inspect -f '{{.State.ExitCode}}' "$name")" 137 "docker stop: a grader that ignores TERM is SIGKILLed (137)"
tap_ok "... after --kill-after (1 s), not docker's 30 s (took $took s)" test "$took" -lt 10
docker rm -f "$name" >/dev/null 2>&1

# 1,000 orphans re-parented to PID 1: none stays a zombie while the grader runs. Each
# grandchild lives 20 ms; the grader polls (50 ms, up to 10 s) until none is alive or
# dead-but-unreaped, and reports the zombies it last saw: usher not reaping leaves them.
out=$(run usher-test/busybox -q --no-wait -- /bin/sh -c '/usher/probe spawn-orphans 1000
	end=$(($(date +%s) + 10))
	while :; do
		z=0; left=0
		for s in /proc/[0-9]*/stat; do
			read -r l <"$s" 2>/dev/null || continue
			case "${l##*) }" in Z*) z=$((z+1));; esac
			case "$l" in *"(probe)"*) left=$((left+1));; esac
		done
		[ "$z" = 0 ] && [ "$left" = 0 ] && break
		[ "$(date +%s)" -lt "$end" ] || break
		sleep 0.05
	done
	echo "zombies=$z"' 2>/dev/null)
tap_is "$out" "zombies=0" "as PID 1: 1,000 orphans are all reaped, no zombie left"

# A daemonised grandchild does not keep the container alive.
start=$(date +%s)
run usher-test/busybox -q --no-wait -- /usher/probe daemon 60 2>/dev/null
rc=$?
tap_is "$rc" 0 "as PID 1: a grader that leaves a daemon exits 0"
tap_ok "... and the daemon is killed, the container ends at once" test $(($(date +%s) - start)) -lt 15

# --timeout as PID 1 on a grader that ignores TERM and forks.
run usher-test/busybox -q --no-wait --timeout 1 --kill-after 0.5 --result /shared/t.json -- /bin/sh -c \
	"trap '' TERM; /usher/probe daemon 60; /usher/probe ignore TERM 0 60" 2>/dev/null
tap_is "$?" 124 "as PID 1: --timeout gives 124"
tap_is "$(result_field "$shared/t.json" .status)" timeout "... the result says timeout"
result_valid "$shared/t.json" "... schema-valid"

# The grader tries to forge the result (it is outside --writable) and to pre-create it.
run usher-test/busybox -q --no-wait --result /shared/result.json -- /bin/sh -c \
	'echo "{\"status\":\"exited\",\"exit_code\":0}" >/shared/result.json; ln -s /etc/passwd /shared/result.json.x; exit 9' 2>/dev/null
tap_is "$?" 9 "a grader that tries to forge the result exits 9"
tap_is "$(result_field "$shared/result.json" '.status + " " + (.exit_code | tostring)')" "exited 9" \
	"... and the result is usher's, not the grader's"
result_valid "$shared/result.json" "... schema-valid"

tap_done
