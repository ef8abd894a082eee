#!/usr/bin/env bash
# Regression tests for the defects of the fail-closed issue (12.7), each against the
# real static binary on the host. Every one of these failed before its fix: a crash
# (no result), a wrap-around (an immediate verdict), a lie (gid 0, mojibake, a forged
# log line), or a rewrite of a submission being graded.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/result.sh"
tmp=$(tap_tmpdir)
lock=(--seccomp none --landlock off --writable "$tmp")

deep() { # DIR LEVELS: a chain of LEVELS nested directories with one file at the end
	local p=$1 i
	for ((i = 0; i < $2; i++)); do p=$p/d; done
	mkdir -p "$p" && echo x >"$p/f"
}

# 1. The check walked recursively (~12 KiB of stack a level): 500 levels crashed PID 1.
deep "$tmp/deep/sub" 600
"$usher" -q "${lock[@]}" --no-wait --max-depth 4096 --submission "$tmp/deep/sub" \
	--result "$tmp/deep/r.json" -- /bin/true
tap_is "$?" 0 "a 600-deep submission with --max-depth 4096 is checked (the recursive walk crashed)"
tap_is "$(result_field "$tmp/deep/r.json" '.submission.files')" 1 "... and its one file counted in the result"
"$usher" -q "${lock[@]}" --no-wait --submission "$tmp/deep/sub" --result "$tmp/deep/r2.json" -- /bin/true
tap_is "$?" 65 "with the default --max-depth (32) it is rejected, with a result"
result_valid "$tmp/deep/r2.json" "... schema-valid"

# 2. usher deliver had no depth limit: 700 levels crashed it (SIGSEGV, no marker).
deep "$tmp/dsrc" 700
"$usher" deliver -q --to "$tmp/dout/sub" "$tmp/dsrc" 2>"$tmp/derr"
tap_is "$?" 125 "deliver of a 700-deep tree: refused (exit 125), not a crash"
tap_like "$(cat "$tmp/derr")" "deeper than --max-depth" "... saying why"
tap_ok "... and no marker published" test ! -e "$tmp/dout/sub.ready"
"$usher" deliver -q --max-depth 800 --to "$tmp/dout2/sub" "$tmp/dsrc"
tap_is "$?" 0 "with --max-depth 800 the same tree is delivered"
tap_is "$(cat "$tmp/dout2/sub.ready" 2>/dev/null | tr '\n' ' ')" "files=1 bytes=2 " "... and its marker counts it"

# 3. Deadlines wrapped around: --wait-timeout 18446744073709551 gave an immediate 75,
#    --timeout the same an immediate 124. Now they mean "practically never".
mkdir -p "$tmp/wrap"
timeout 2 "$usher" -q "${lock[@]}" --submission "$tmp/wrap/sub" --wait-timeout 18446744073709551 -- /bin/true
tap_is "$?" 124 "--wait-timeout 18446744073709551 still waits after 2 s (timeout(1) ended it)"
"$usher" -q "${lock[@]}" --no-wait --submission "$tmp/wrap/none" --timeout 18446744073709551 -- /bin/sh -c 'sleep 0.2; exit 3'
tap_is "$?" 3 "--timeout 18446744073709551 lets the grader finish (exit 3), no immediate 124"

# 4. Valid UTF-8 came back byte by byte as \u00XX ("é" as "Ã©") in the result.
mkdir -p "$tmp/utf/sub" && mkfifo "$tmp/utf/sub/é.fifo"
"$usher" -q "${lock[@]}" --no-wait --submission "$tmp/utf/sub" --result "$tmp/utf/r.json" -- /bin/true
tap_is "$?" 65 "a FIFO named é.fifo is rejected"
tap_like "$(result_field "$tmp/utf/r.json" '.error.message')" "é\\.fifo: FIFO" "... and the result names it é, not Ã©"
tap_ok "... the raw file holds the two UTF-8 bytes" grep -q "$(printf '\xc3\xa9')" "$tmp/utf/r.json"

# 5. A file name with a newline forged a second "usher:" line in the text log.
mkdir -p "$tmp/nl/sub" && mkfifo "$tmp/nl/sub/$(printf 'x\nusher: grader exited 0')"
err=$("$usher" "${lock[@]}" --no-wait --submission "$tmp/nl/sub" -- /bin/true 2>&1)
tap_is "$(printf '%s\n' "$err" | grep -c '^usher: grader exited 0')" 0 "a newline in a file name cannot forge a log line"
tap_like "$err" 'x\\x0ausher: grader exited 0: FIFO' "... it is written as \\x0a"

# 6. A restarted sidecar rewrote a published submission.
mkdir -p "$tmp/re/v1" "$tmp/re/v2" && echo one >"$tmp/re/v1/a" && echo two >"$tmp/re/v2/a"
"$usher" deliver -q --to "$tmp/re/sub" "$tmp/re/v1"
"$usher" deliver -q --to "$tmp/re/sub" "$tmp/re/v2" 2>"$tmp/re/err"
tap_is "$?" 73 "deliver over a published submission: refused, exit 73"
tap_is "$(cat "$tmp/re/sub/a")" one "... and the submission being graded is untouched"
tap_like "$(cat "$tmp/re/err")" "sub.ready exists: the submission was published already" "... saying why"
"$usher" deliver -q --to "$tmp/re/sub" --fail "late failure"
tap_is "$?" 73 "--fail over a published submission: refused too"
tap_ok "... no failed marker appears" test ! -e "$tmp/re/sub.failed"
# Two sidecars racing: exactly one publishes.
mkdir -p "$tmp/race/src" && echo r >"$tmp/race/src/f"
pids=()
for i in 1 2 3 4 5 6; do "$usher" deliver -q --to "$tmp/race/sub" "$tmp/race/src" 2>/dev/null & pids+=($!); done
codes=""
for p in "${pids[@]}"; do wait "$p"; codes="$codes $?"; done
tap_is "$(printf '%s\n' $codes | grep -c '^0$')" 1 "six racing sidecars: exactly one publishes (exit codes:$codes)"
tap_is "$(printf '%s\n' $codes | grep -vc '^0$')" 5 "... the five others are refused (73, or 125 when they lost the race mid-copy)"

tap_done
