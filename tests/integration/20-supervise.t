#!/usr/bin/env bash
# Supervision with the real binary on the host (usher as a child subreaper): exit
# statuses, signals, forwarding, the deadline, leftovers, exec failures, result files.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/result.sh"
tmp=$(tap_tmpdir)
# On the host the grader runs with usher's defaults minus what needs a container.
opts=(-q --no-wait --seccomp none --landlock off)
run() { "$usher" "${opts[@]}" "$@"; }
# Background runs call "$usher" directly: `run ... &` would make $! a bash subshell.

# Every exit status 0-255 comes back unchanged.
bad=""
for n in $(seq 0 255); do
	run -- "$probe" exit "$n" 2>/dev/null
	rc=$?
	[ "$rc" = "$n" ] || bad="$bad $n->$rc"
done
tap_is "$bad" "" "every exit status 0-255 is propagated"

# A grader killed by a catchable signal: 128+N.
for sig in HUP INT QUIT ILL ABRT FPE USR1 SEGV USR2 PIPE ALRM TERM XCPU SYS; do
	n=$(kill -l "$sig")
	run -- "$probe" kill-self "$sig" 2>/dev/null
	rc=$?
	[ "$rc" = $((128 + n)) ] || bad="$bad $sig->$rc"
done
tap_is "$bad" "" "a grader killed by signal N gives 128+N (14 signals)"

# Forwarded signals reach the grader; fault signals are not forwarded.
forwarding() {
	local out=$tmp/signals.out pid sig
	"$usher" "${opts[@]}" -- "$probe" signals 5 >"$out" 2>/dev/null &
	pid=$!
	for _ in $(seq 50); do grep -q ready "$out" 2>/dev/null && break; sleep 0.1; done
	for sig in HUP INT QUIT USR1 USR2 WINCH CONT SEGV BUS TERM; do kill -s "$sig" "$pid"; sleep 0.1; done
	wait "$pid"
	tap_is "$(grep '^signal' "$out" | cut -d' ' -f2 | tr '\n' ' ')" "HUP INT QUIT USR1 USR2 WINCH CONT TERM " \
		"HUP INT QUIT USR1 USR2 WINCH CONT TERM are forwarded, SEGV and BUS are not"
}
valgrind_limit "a SIGBUS from kill(1) is fatal to valgrind itself" \
	"HUP INT QUIT USR1 USR2 WINCH CONT TERM are forwarded, SEGV and BUS are not" || forwarding

# docker stop: TERM to usher; a grader that traps it exits with its own status...
"$usher" "${opts[@]}" --kill-after 5 -- "$probe" trap TERM 3 30 >"$tmp/trap.out" 2>/dev/null &
pid=$!
for _ in $(seq 50); do grep -q ready "$tmp/trap.out" 2>/dev/null && break; sleep 0.1; done
kill -TERM "$pid"
wait "$pid"
tap_is "$?" 3 "a grader that traps TERM exits with its own status"
# ...and one that ignores it is killed after --kill-after.
"$usher" "${opts[@]}" --kill-after 0.3 -- "$probe" ignore TERM 0 30 >"$tmp/ign.out" 2>/dev/null &
pid=$!
for _ in $(seq 50); do grep -q ready "$tmp/ign.out" 2>/dev/null && break; sleep 0.1; done
start=$(date +%s%N)
kill -TERM "$pid"
wait "$pid"
rc=$?
took=$((($(date +%s%N) - start) / 1000000))
tap_is "$rc" 137 "a grader that ignores TERM is SIGKILLed (137)"
tap_ok "... after --kill-after, not before (took ${took} ms)" test "$took" -ge 250 -a "$took" -lt 5000

# Orphans: reaped; a storm of 1,000 leaves no zombie and nothing behind.
run --result "$tmp/orphans.json" -- "$probe" spawn-orphans 1000 2>/dev/null
tap_is "$?" 0 "a grader that leaves 1,000 orphans exits 0"
tap_is "$(pgrep -f "$probe spawn-orphans" | wc -l)" 0 "... no process of the storm is left"
result_valid "$tmp/orphans.json" "... its result is schema-valid"

# A daemonised grandchild that outlives the grader is killed.
"$usher" --no-wait --seccomp none --landlock off -- "$probe" daemon 60 2>"$tmp/daemon.err"
tap_is "$?" 0 "a grader that daemonises a grandchild exits 0"
tap_is "$(pgrep -f "$probe daemon" | wc -l)" 0 "... and the daemon was killed with it"
tap_like "$(cat "$tmp/daemon.err")" "killed 1 process the grader left behind" "... and the log says so"

# --timeout on a grader that ignores TERM and forks: 124, nothing left.
start=$(date +%s%N)
"$usher" -q --no-wait --seccomp none --landlock off --timeout 0.5 --kill-after 0.3 \
	--result "$tmp/timeout.json" -- /bin/sh -c "trap '' TERM; $probe daemon 60; $probe ignore TERM 0 60" 2>/dev/null
rc=$?
took=$((($(date +%s%N) - start) / 1000000))
tap_is "$rc" 124 "--timeout: exit 124"
tap_ok "... at the deadline plus the grace (took ${took} ms)" test "$took" -ge 700 -a "$took" -lt 6000
tap_is "$(pgrep -f "$probe (daemon|ignore)" | wc -l)" 0 "... nothing is left behind"
tap_is "$(result_field "$tmp/timeout.json" '.status')" timeout "... the result says timeout"
result_valid "$tmp/timeout.json" "... and is schema-valid"

# Exec failures: 127 not found, 126 not executable, with a message that says why.
err=$(run --result "$tmp/e127.json" -- /nonexistent/grader 2>&1)
tap_is "$?" 127 "a missing program: 127"
tap_is "$(result_field "$tmp/e127.json" '.status + " " + .error.step')" "exec_failed exec" "... result: exec_failed at step exec"
result_valid "$tmp/e127.json" "... schema-valid"
run --result "$tmp/e126.json" -- /tmp 2>/dev/null
tap_is "$?" 126 "a directory: 126"
result_valid "$tmp/e126.json" "... schema-valid"
printf '#!/bin/sh\r\necho hi\r\n' >"$tmp/crlf.sh"
chmod 755 "$tmp/crlf.sh"
noexecve="an execve that fails past its own checks kills valgrind"
if ! valgrind_limit "$noexecve" "a script with a CRLF shebang: 126" "... and the message says why"; then
	err=$(run -- "$tmp/crlf.sh" 2>&1)
	tap_is "$?" 126 "a script with a CRLF shebang: 126"
	tap_like "$err" "CRLF line endings in the shebang" "... and the message says why"
fi
printf 'echo no shebang\n' >"$tmp/noexec.sh"
chmod 644 "$tmp/noexec.sh"
run -- "$tmp/noexec.sh" 2>/dev/null
tap_is "$?" 126 "a file without x permission: 126"
valgrind_limit "$noexecve" "PATH lookup: found but not executable beats not found: 126" ||
	tap_is "$(PATH=/nonexistent:$tmp run -- noexec.sh 2>/dev/null; echo $?)" 126 "PATH lookup: found but not executable beats not found: 126"

# The results of an exit and a signal.
run --result "$tmp/exit.json" -- "$probe" exit 42 2>/dev/null
tap_is "$(result_field "$tmp/exit.json" '[.status, .exit_code, .grader.exit_code] | join(" ")')" "exited 42 42" "result of an exit"
result_valid "$tmp/exit.json" "... schema-valid"
run --result "$tmp/sig.json" -- "$probe" kill-self USR1 2>/dev/null
tap_is "$(result_field "$tmp/sig.json" '[.status, .exit_code, .grader.signal] | join(" ")')" "signaled 138 10" "result of a signal"
result_valid "$tmp/sig.json" "... schema-valid"

# The JSON log: one object per line, the same events.
"$usher" --log-format json --no-wait --seccomp none --landlock off -- "$probe" exit 0 2>"$tmp/log.json"
tap_ok "--log-format json: every line is a JSON object with time_ms, level, msg" \
	jq -e -s 'length > 0 and all(has("time_ms") and has("level") and has("msg"))' "$tmp/log.json"

tap_done
