#!/usr/bin/env bash
# Verdicts with the real binary on the host (issue 16): every status usher decides
# itself, with its exit code, its result figures and the learner's file in each
# platform's format (checked against the platform's schema, tests/schemas/); the output
# cap; a log nobody reads; the empty feedback files; the unreachable feedback directory.
# The same verdicts in real containers, with real causes: 23-verdicts-docker.t.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/result.sh"
opts=(-q --seccomp none --landlock off)

# verdict [--pre CMD] NAME STATUS CODE USHER-ARGS... -- PROGRAM...: in each format, a
# run that must end with STATUS and CODE, and usher's own learner file, valid for its
# platform. @D@ is the run's own directory (CMD prepares it).
verdict() {
	local name status code fmt d rc args=() pre=:
	[ "$1" != --pre ] || { pre=$2; shift 2; }
	name=$1 status=$2 code=$3
	shift 3
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	for fmt in coursera gradescope prairielearn; do
		d=$(tap_tmpdir)
		chmod 777 "$d"
		eval "${pre//@D@/$d}"
		"$usher" "${opts[@]}" --submission "$d/sub" --feedback-format "$fmt" --feedback "$d/fb.json" \
			--result "$d/r.json" "${args[@]//@D@/$d}" -- "${@//@D@/$d}" >/dev/null 2>"$d/err"
		rc=$?
		if [ "$rc/$(result_field "$d/r.json" .status)" != "$code/$status" ]; then
			tap_fail "$name ($fmt): exit $code, status $status" "got $rc/$(result_field "$d/r.json" .status)
$(tail -n 5 "$d/err")"
			continue
		fi
		tap_pass "$name ($fmt): exit $code, status $status"
		feedback_valid "$d/fb.json" "$fmt" "... usher's $fmt file is valid for the platform"
		last=$d
	done
	result_valid "$last/r.json" "... the result is schema-valid"
}

verdict "no submission in time" wait_timeout 75 --wait-timeout 0.2 -- /bin/true
verdict --pre 'echo s3 download failed >@D@/sub.failed' "the sidecar failed" sidecar_failed 75 -- /bin/true
d=$(tap_tmpdir); mkdir "$d/sub" && mkfifo "$d/sub/pipe"
verdict "a rejected submission" rejected 65 --no-wait --submission "$d/sub" -- /bin/true
verdict "a grader that cannot start" exec_failed 127 --no-wait -- /nonexistent/grader
verdict "a lockdown that cannot be applied" setup_failed 125 --no-wait --rlimit "nofile=$(($(ulimit -Hn) + 1))" -- /bin/true
verdict "--timeout" timeout 124 --no-wait --timeout 0.5 --kill-after 0.2 -- "$probe" sleep 5
verdict "--cpu-time" cpu_time_limit 152 --no-wait --cpu-time 0.3 --timeout 20 -- "$probe" spin 10
verdict "SIGXFSZ" file_size_limit 153 --no-wait --rlimit fsize=64K -- "$probe" bigfile @D@/big 1M
verdict "a grader that writes no grade" exited 3 --no-wait -- /bin/sh -c 'exit 3'
d=$(tap_tmpdir); chmod 777 "$d"; echo "s3 download failed" >"$d/sub.failed"
"$usher" "${opts[@]}" --submission "$d/sub" --feedback "$d/fb.json" --result "$d/r.json" -- /bin/true 2>/dev/null
tap_is "$?/$(result_field "$d/r.json" .status)/$(jq -r .feedback "$d/fb.json")" \
	"75/sidecar_failed/Your submission could not be delivered to the grader, so it was not graded. Please submit it again." \
	"the sidecar's failed marker: 75, sidecar_failed, the learner is told"

# The messages name the limit; the learner's text can be replaced per status.
d=$(tap_tmpdir); chmod 777 "$d"
"$usher" "${opts[@]}" --no-wait --cpu-time 0.3 --feedback "$d/fb.json" -- "$probe" spin 10 2>/dev/null
tap_is "$(jq -r .feedback "$d/fb.json")" "Your program used more than 0.3 seconds of CPU time." \
	"the CPU time message names the limit"
"$usher" "${opts[@]}" --no-wait --timeout 0.3 --kill-after 0.1 --feedback "$d/fb.json" \
	--feedback-message 'timeout=Too slow\, try a faster algorithm' -- "$probe" sleep 5 2>/dev/null
tap_is "$(jq -r .feedback "$d/fb.json")" "Too slow, try a faster algorithm" "--feedback-message replaces a status's message"

# CPU time counts the whole tree, not the grader alone: three processes spin.
d=$(tap_tmpdir); chmod 777 "$d"
"$usher" "${opts[@]}" --no-wait --cpu-time 0.6 --timeout 20 --result "$d/r.json" -- "$probe" spin 10 3 2>/dev/null
tap_is "$?/$(result_field "$d/r.json" .status)" "152/cpu_time_limit" "--cpu-time counts the children too (3 spinning processes)"
tap_ok "... cpu_ms ($(result_field "$d/r.json" .grader.cpu_ms)) >= 600" test "$(result_field "$d/r.json" .grader.cpu_ms)" -ge 600
# ...and a grader that sleeps is timed out, not CPU-limited: the two are told apart.
"$usher" "${opts[@]}" --no-wait --cpu-time 0.3 --timeout 0.5 --result "$d/r.json" -- "$probe" sleep 5 2>/dev/null
tap_is "$?/$(result_field "$d/r.json" .status)" "124/timeout" "a sleeping grader hits --timeout, not --cpu-time"

# Memory: a grader's own cgroup where one can be delegated (a host run as root).
d=$(tap_tmpdir); chmod 777 "$d"
"$usher" --seccomp none --landlock off --no-wait --memory 32M --result "$d/r.json" --feedback "$d/fb.json" -- \
	"$probe" memfd 64 5 2>"$d/err"
rc=$?
if grep -q "enforces it in the grader's own cgroup" "$d/err"; then
	tap_is "$rc/$(result_field "$d/r.json" .status)" "137/memory_limit" "--memory 32M in a delegated cgroup: the OOM killer's kill is memory_limit"
	tap_ok "... counted (oom_kills $(result_field "$d/r.json" .grader.oom_kills)), peak $(result_field "$d/r.json" .grader.peak_memory_kib) KiB >= 30000" \
		test "$(result_field "$d/r.json" .grader.oom_kills)" -ge 1 -a "$(result_field "$d/r.json" .grader.peak_memory_kib)" -ge 30000
	tap_is "$(jq -r .feedback "$d/fb.json")" "Your program used more than 32 MiB of memory." "... and the learner reads the limit"
else
	tap_skip "no writable memory cgroup here: $(head -c 200 "$d/err")" "--memory in a delegated cgroup"
fi

# Output: under the cap every byte passes; over it, head + one line + tail.
d=$(tap_tmpdir)
"$probe" flood 300K >"$d/direct" 2>/dev/null
"$usher" "${opts[@]}" --no-wait --result "$d/r.json" -- "$probe" flood 300K >"$d/out" 2>/dev/null
tap_ok "under --max-output (1M) the grader's output is unchanged" cmp "$d/direct" "$d/out"
tap_is "$(result_field "$d/r.json" '.output | "\(.bytes) \(.truncated)"')" "307232 false" "... output.bytes counts stdout and stderr"
"$usher" "${opts[@]}" --no-wait --max-output 64K --result "$d/r.json" -- "$probe" flood 50M >"$d/out" 2>"$d/err"
tap_ok "over --max-output 64K: $(stat -c %s "$d/out") bytes reach stdout" test "$(stat -c %s "$d/out")" -le $((65536 + 200))
tap_is "$(head -c 32768 "$d/out" | cmp - <(head -c 32768 "$d/direct") && echo same)" same "... the head is the output's first bytes"
tap_like "$(grep '^\[usher' "$d/out")" '^\[usher: [0-9]+ bytes of stdout dropped here: the grader.s output went over --max-output 65536\]$' \
	"... the middle is one line saying how many bytes were dropped"
tap_is "$(result_field "$d/r.json" '.output | "\(.bytes) \(.truncated)"')" "52428834 true" "... the result counts every byte and says truncated"
tap_like "$(cat "$d/err")" "probe: flood: OK" "... the grader was not stopped by the cap (its last line is in the tail)"
"$usher" "${opts[@]}" --no-wait --max-output 0 --result "$d/r.json" -- "$probe" flood 300K >"$d/out" 2>/dev/null
tap_is "$(cmp "$d/direct" "$d/out" && result_field "$d/r.json" .output)" null "--max-output 0: no relay, output null"

# A log nobody reads: PID 1 does not block, the deadline holds, what was lost is counted.
d=$(tap_tmpdir)
mkfifo "$d/log"
sleep 30 <"$d/log" &
reader=$!
start=$(date +%s)
# (--max-output 1G: all of it is head, which must reach the log; past the head the relay
# reads everything into its tail ring and the grader never waits.)
"$usher" "${opts[@]}" --no-wait --max-output 1G --timeout 1 --kill-after 0.2 --result "$d/r.json" -- \
	"$probe" flood 100M >"$d/log" 2>/dev/null
rc=$?
took=$(($(date +%s) - start))
kill "$reader" 2>/dev/null
tap_is "$rc/$(result_field "$d/r.json" .status)" "124/timeout" "stdout that nobody reads: the grader waits, usher's deadline holds"
tap_ok "... usher ends within the deadline and its flush (${took} s)" test "$took" -le 5
tap_ok "... and counts what the log did not take (dropped $(result_field "$d/r.json" .output.dropped))" \
	test "$(result_field "$d/r.json" .output.dropped)" -gt 0

# Feedback files usher created and the grader left empty are removed; a written one stays.
d=$(tap_tmpdir); chmod 777 "$d"
"$usher" "${opts[@]}" --no-wait --feedback "$d/feedback.json,$d/html.html,$d/txt.txt" -- \
	/bin/sh -c "echo '{\"fractionalScore\": 1, \"feedback\": \"ok\"}' >$d/feedback.json; echo hi >$d/txt.txt" 2>/dev/null
tap_is "$(cd "$d" && ls)" "feedback.json
txt.txt" "empty feedback files usher created are removed; written ones stay"
tap_is "$(jq -r .feedback "$d/feedback.json")" ok "... and the grader's own grade is not touched"
# A feedback directory the grader cannot enter is said at start.
d=$(tap_tmpdir); mkdir -m 0700 "$d/shared"
"$usher" --seccomp none --landlock off --no-wait --feedback "$d/shared/feedback.json" -- /bin/true 2>"$d/err"
tap_like "$(cat "$d/err")" "feedback $d/shared/feedback.json: the grader \(uid [0-9]+, gid [0-9]+\) cannot reach it: $d/shared is mode 0700" \
	"a feedback directory the grader cannot reach is a warning at start"

tap_done
