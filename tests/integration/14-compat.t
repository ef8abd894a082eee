#!/usr/bin/env bash
# Regression tests for the smaller defects of the real-graders issue (15.4), in a
# container where the runtime matters (its ulimits): the personality query, --rlimit
# above the container's hard limit (refused, naming it) and "unlimited" (clamped to
# it), ptrace of the grader's own child (sanitizers, debuggers), and the feedback files
# a grader leaves empty (removed) or writes (kept).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/docker.sh"
. "$here/../lib/result.sh"
docker_setup
tmp=$(tap_tmpdir)
u() { # DOCKER-ARGS... -- USHER-ARGS...
	local args=()
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	docker_run_usher usher-test/busybox -v "$tmp/shared:/shared" "${args[@]}" -- -q --no-wait "$@"
}
mkdir -p "$tmp/shared"

# personality(0xffffffff) only reads the persona (Python, Java and valgrind ask it);
# it used to be refused because it sets every bit the flag rules test.
tap_like "$(u -- -- /usher/probe try personality-query 2>&1)" "personality-query: OK" \
	"personality(0xffffffff), the query, is allowed"
tap_like "$(u -- -- /usher/probe try personality-rie 2>&1)" "personality-rie: EPERM" \
	"... while setting READ_IMPLIES_EXEC is still refused"

# --rlimit above the hard limit the container gives (docker --ulimit): refused, naming it.
out=$(u --ulimit nproc=2000:4000 -- --rlimit nproc=5000 -- /bin/true 2>&1)
tap_is "$?" 125 "--rlimit nproc=5000 over a hard limit of 4000: exit 125"
tap_like "$out" "setrlimit nproc: the container's hard limit is 4000" "... naming the hard limit"
out=$(u --ulimit nproc=2000:4000 -- --rlimit nproc=unlimited -- /bin/sh -c 'ulimit -u; ulimit -Hu' 2>&1 | tr '\n' ' ')
tap_is "$out" "4000 4000 " "--rlimit nproc=unlimited: as high as the container allows (4000)"

# ptrace of the grader's own child (ASan's leak checker, gdb, strace).
tap_like "$(u -- -- /usher/probe ptrace-child 2>&1)" "ptrace-child: OK" "the grader may ptrace its own child"
tap_like "$(u -- -- /usher/probe ptrace-pid1 2>&1)" "ptrace-pid1: EPERM" "... never PID 1"

# Feedback: what usher created and the grader left empty goes; what it wrote stays.
rm -f "$tmp/shared/"*
u -- -- /bin/sh -c 'echo "{\"fractionalScore\": 1}" > /shared/feedback.json' >/dev/null 2>&1
tap_is "$(cd "$tmp/shared" && ls | tr '\n' ' ')" "feedback.json " \
	"an empty htmlFeedback.html and txtFeedback.txt are removed, feedback.json kept"
echo "kept" >"$tmp/shared/txtFeedback.txt"
u -- -- /bin/true >/dev/null 2>&1
tap_is "$(cat "$tmp/shared/txtFeedback.txt" 2>/dev/null)" "kept" "a feedback file that was there before usher is never removed"

tap_done
