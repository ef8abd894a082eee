#!/usr/bin/env bash
# Verdicts with real causes, usher as PID 1 of real containers (issue 16): a grader that
# charges the cgroup past `docker run --memory` through unmapped memfds, one that
# allocates past usher's own --memory, one that spins, one that writes gigabytes to
# stdout, one that writes a file past its size limit, one that fills a small tmpfs. Each
# gives the right status, exit code and figures, and the learner's file in each
# platform's format, valid for the platform (tests/schemas/).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/docker.sh"
. "$here/../lib/result.sh"
docker_setup
run() { docker run --rm --network none --entrypoint /usher/usher -v "$bin:/usher:ro" "$@"; }
# Where each platform reads its file, in the container.
declare -A at=([coursera]=/shared [gradescope]=/autograder/results [prairielearn]=/grade/results)
declare -A file=([coursera]=feedback.json [gradescope]=results.json [prairielearn]=results.json)

# verdict DESC STATUS CODE DOCKER-ARGS... -- USHER-ARGS... -- PROGRAM...: one run per
# format, the platform's directory a host directory; sets $last to the last run's.
verdict() {
	local desc=$1 status=$2 code=$3 fmt d rc dargs=() uargs=()
	shift 3
	while [ "$1" != -- ]; do dargs+=("$1"); shift; done
	shift
	while [ "$1" != -- ]; do uargs+=("$1"); shift; done
	shift
	for fmt in coursera gradescope prairielearn; do
		d=$(tap_tmpdir)
		chmod 777 "$d"
		run "${dargs[@]}" -v "$d:${at[$fmt]}" usher-test/busybox --no-wait --feedback-format "$fmt" \
			--result "${at[$fmt]}/result.json" "${uargs[@]}" -- "$@" >"$d/.out" 2>"$d/.err"
		rc=$?
		last=$d
		if [ "$rc/$(result_field "$d/result.json" .status)" != "$code/$status" ]; then
			tap_fail "$desc ($fmt): exit $code, status $status" \
				"got $rc/$(result_field "$d/result.json" .status); $(tail -n 5 "$d/.err")"
			continue
		fi
		tap_pass "$desc ($fmt): exit $code, status $status"
		feedback_valid "$d/${file[$fmt]}" "$fmt" "... the learner's $fmt file is valid for the platform"
	done
	result_valid "$last/result.json" "... the result is schema-valid"
}

# Memory: the kernel's OOM killer, inside `docker run --memory 64m`, on a grader whose
# memory is in no process's RSS (memfds): PID 1 survives it and reads the kill.
verdict "memfds past docker run --memory 64m" memory_limit 137 --memory 64m -- -- /usher/probe memfd 100 30
tap_ok "... the cgroup counted the kill (oom_kills $(result_field "$last/result.json" .grader.oom_kills))" \
	test "$(result_field "$last/result.json" .grader.oom_kills)" -ge 1
tap_ok "... peak_memory_kib $(result_field "$last/result.json" .grader.peak_memory_kib) is the limit's (>= 60000)" \
	test "$(result_field "$last/result.json" .grader.peak_memory_kib)" -ge 60000
tap_is "$(jq -r .message "$last/results.json")" "Your program used more than 64 MiB of memory." \
	"... the learner reads the limit"
tap_is "$(jq -r .gradable "$last/results.json")" true "... and PrairieLearn counts it as a grade (gradable)"
# Control: the same grader under the limit exits 0.
run --memory 64m usher-test/busybox -q --no-wait -- /usher/probe memfd 20 0 >/dev/null 2>&1
tap_is "$?" 0 "control: 20 MiB of memfds under --memory 64m exit 0"

# usher's own --memory, below the container's (a read-only cgroup: the guard).
d=$(tap_tmpdir); chmod 777 "$d"
run --memory 256m -v "$d:/shared" usher-test/busybox --no-wait --memory 32m --result /shared/r.json -- \
	/usher/probe alloc 100 30 >/dev/null 2>"$d/err"
tap_is "$?/$(result_field "$d/r.json" .status)" "137/memory_limit" "anonymous memory past usher's --memory 32m in a 256m container"
tap_like "$(cat "$d/err")" "enforced by usher's guard .*Read-only file system" "... enforced by the guard (Docker's cgroup is read-only)"
tap_is "$(result_field "$d/r.json" .grader.oom_kills)" 0 "... before the kernel: no OOM kill"
tap_is "$(jq -r .feedback "$d/feedback.json")" "Your program used more than 32 MiB of memory." "... and the learner reads usher's limit"

# CPU time: two processes spin; --cpu-time counts both, and ends it long before --timeout.
verdict "two spinning processes past --cpu-time 1" cpu_time_limit 152 -- --cpu-time 1 --timeout 30 -- /usher/probe spin 20 2
tap_ok "... cpu_ms $(result_field "$last/result.json" .grader.cpu_ms) >= 1000" \
	test "$(result_field "$last/result.json" .grader.cpu_ms)" -ge 1000
tap_ok "... wall_ms $(result_field "$last/result.json" .grader.wall_ms) < 10000: not the timeout" \
	test "$(result_field "$last/result.json" .grader.wall_ms)" -lt 10000
# Control: a grader that sleeps under --cpu-time is timed out instead.
d=$(tap_tmpdir); chmod 777 "$d"
run -v "$d:/shared" usher-test/busybox -q --no-wait --cpu-time 1 --timeout 1 --kill-after 0.2 --result /shared/r.json -- \
	/usher/probe sleep 10 >/dev/null 2>&1
tap_is "$?/$(result_field "$d/r.json" .status)" "124/timeout" "control: a sleeping grader under --cpu-time gets timeout, not cpu_time_limit"

# Output: 2 GiB to stdout; the log gets 1 MiB and one line, the grader is not slowed.
d=$(tap_tmpdir); chmod 777 "$d"
start=$(date +%s%N)
run -v "$d:/shared" usher-test/busybox -q --no-wait --result /shared/r.json -- /usher/probe flood 2G \
	2>"$d/err" | wc -c >"$d/count"
ms=$((($(date +%s%N) - start) / 1000000))
tap_is "$(result_field "$d/r.json" '"\(.status) \(.output.bytes) \(.output.truncated)"')" "exited 2147483684 true" \
	"2 GiB to stdout: the grader exits 0, the result counts every byte and says truncated"
tap_ok "... the container log got $(cat "$d/count") bytes: the default --max-output 1M and one line" \
	test "$(cat "$d/count")" -le $((1048576 + 200))
tap_like "$(cat "$d/err")" "probe: flood: OK" "... the grader finished (its last line is in stderr's tail)"
tap_diag "2 GiB through the relay in a container: ${ms} ms"
tap_ok "... in ${ms} ms (< 20 s)" test "$ms" -lt 20000

# File size: RLIMIT_FSIZE's SIGXFSZ.
verdict "a file past --rlimit fsize=1M" file_size_limit 153 -- --rlimit fsize=1M -- /usher/probe bigfile /tmp/big 2M
tap_is "$(jq -r .message "$last/results.json")" \
	"Your program tried to write a file larger than 1 MiB." "... the learner reads the limit"

# A full disk: the grader fills the 1 MiB tmpfs that holds the result and the feedback,
# and exits without a grade; usher still writes both (their room was taken before the
# grader started). A shell runs usher and then looks, in the same container: a tmpfs
# lives as long as its container.
check=$(docker run --rm --network none --entrypoint /bin/sh -v "$bin:/usher:ro" --tmpfs /shared:size=1m,mode=1777 \
	usher-test/busybox -c '/usher/usher -q --no-wait --result /shared/result.json -- \
		/bin/sh -c "/usher/probe fill /shared/htmlFeedback.html; df -k /shared | tail -n 1; exit 0" 2>&1
	echo "rc=$?"; cat /shared/result.json; echo; cat /shared/feedback.json; echo')
tap_like "$check" 'rc=0' "a grader that fills its 1 MiB /shared exits 0"
tap_like "$check" 'probe: fill /shared/htmlFeedback.html: [0-9]+ bytes, then No space left on device' \
	"control: the grader's writes end in ENOSPC"
tap_like "$check" 'tmpfs +1024 +1024 +0 +100% /shared' "control: when the grader ends, the disk has no room left"
tap_like "$check" '"status":"exited"' "... yet the result is written"
tap_like "$check" '"fractionalScore":0.000,"feedback":"The grader finished \(exit status 0\) without writing a grade' \
	"... and so is the learner's file (room for both was taken before the grader started)"
d=$(tap_tmpdir)
printf '%s\n' "$check" | grep '^{"version"' >"$d/r.json"
result_valid "$d/r.json" "... the result is schema-valid"

tap_done
