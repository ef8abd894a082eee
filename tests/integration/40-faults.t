#!/usr/bin/env bash
# Fault injection through the seam: build/usher-faults is usher with every sys_* call
# able to fail on demand (tests/faults/gen.py). A traced run of a full handoff (wait,
# check, result, the whole lockdown, supervision) lists every call; then each call is
# made to fail in turn (its first three occurrences and its last), and usher must:
#   - never run the grader unless it is fully locked down (a uid of its own, no capability,
#     no_new_privs, seccomp): a step that failed can never be skipped silently;
#   - exit with a documented status when the grader did not run (65, 75, 125-127);
#   - still write a schema-valid result file, unless the failed call wrote it;
#   - never hang.
# The list of calls comes from the trace, so calls added to the seam are covered.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/result.sh"
uf=$top/build/usher-faults
tmp=$(tap_tmpdir)
[ -x "$uf" ] || { tap_fail "build/usher-faults exists (make build/usher-faults)"; tap_done; exit 1; }

setup() { # a fresh drop, already published
	rm -rf "$tmp/shared"
	mkdir -p "$tmp/shared/submission"
	echo 'print(1)' >"$tmp/shared/submission/main.py"
	printf 'files=1\n' >"$tmp/shared/submission.ready"
}
run() { # extra env... ; stdout -> $tmp/out, stderr -> $tmp/err, status -> $rc
	setup
	env "$@" timeout 20 "$uf" --submission "$tmp/shared/submission" --result "$tmp/shared/result.json" \
		--wait-timeout 5 -- "$probe" whoami >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

run USHER_FAULT_TRACE=1
tap_is "$rc" 0 "the traced run succeeds"
tap_like "$(cat "$tmp/out")" "^uid=[1-9][0-9]* .*capeff=0000000000000000 .*nnp=1 seccomp=2" "... fully locked down"
mapfile -t calls < <(awk '/^fault-trace:/ { last[$2] = $3 } END { for (c in last) print c, last[c] }' "$tmp/err" | sort)
tap_ok "the trace lists the seam's calls (${#calls[@]} distinct)" test "${#calls[@]}" -ge 25

open_bugs=""
ran=0 failed=0 total=0
for entry in "${calls[@]}"; do
	name=${entry% *}
	last=${entry#* }
	nths="1 2 3 $last"
	for nth in $(printf '%s\n' $nths | sort -un); do
		[ "$nth" -le "$last" ] || continue
		total=$((total + 1))
		run "USHER_FAULT=$name:$nth:5" # EIO: a failure no code path expects
		what="$name #$nth"
		if [ "$rc" = 124 ]; then
			open_bugs="$open_bugs\n$what: hung (killed after 20 s)"
		elif grep -q '^uid=' "$tmp/out"; then
			ran=$((ran + 1))
			grep -qE '^uid=[1-9][0-9]* .*capeff=0000000000000000 .*nnp=1 seccomp=2' "$tmp/out" ||
				open_bugs="$open_bugs\n$what: the grader ran NOT locked down: $(cat "$tmp/out")"
		else
			failed=$((failed + 1))
			case $rc in 65 | 75 | 125 | 126 | 127) ;; *) open_bugs="$open_bugs\n$what: exit $rc" ;; esac
			if ! grep -qE 'write result|open the directory of' "$tmp/err"; then
				[ -f "$tmp/shared/result.json" ] || open_bugs="$open_bugs\n$what: no result file"
				[ ! -f "$tmp/shared/result.json" ] || result_check "$tmp/shared/result.json" >/dev/null ||
					open_bugs="$open_bugs\n$what: result not schema-valid"
			fi
		fi
	done
done
tap_diag "$total faults injected: the grader ran (locked down) after $ran, usher stopped after $failed"
tap_is "$(printf '%b' "$open_bugs")" "" "every injected fault fails closed, with a documented status and a result"
tap_ok "most faults stop usher before the grader runs" test "$failed" -gt $((total / 2))

tap_done
