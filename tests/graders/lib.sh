# tests/graders/lib.sh - grades one submission the way a platform does, and judges it.
# Sourced by tests/graders/*.t, after tests/lib/tap.sh, docker.sh and result.sh.
#
#   graders_setup                  an engine (or skip), the base images, $bin (usher)
#   grader_image NAME              usher-graders/NAME from tests/graders/NAME/Dockerfile
#   grader_run NAME SUBMISSION [--no-wait]
#                                  grades the directory SUBMISSION with the image of NAME:
#                                  usher is the ENTRYPOINT, the image's own ENTRYPOINT and
#                                  CMD come after `--`, and a sidecar container delivers
#                                  the submission with `usher deliver` while usher waits
#                                  (--no-wait: delivered first, as an init container
#                                  would). Sets $g_rc, $g_shared (the /shared volume),
#                                  $g_logs, $g_ms.
#   grader_expect NAME SUB SCORE [--no-wait]
#                                  grader_run on tests/graders/NAME/submissions/SUB (or a
#                                  directory), then: the container exits 0, the result says
#                                  `exited` with the grader's exit 0 as an unprivileged
#                                  uid under the whole default lockdown (nothing in
#                                  lockdown.degraded), and the grader's /shared/feedback.json has
#                                  fractionalScore SCORE. On a failure the diagnostics hold
#                                  the grader's log and feedback: the evidence to start from.
#
# Usher runs with its defaults: no lockdown option is added. Only --timeout (a deadline
# any deployment sets, docs/deploy.md) and --result are passed. To find which layer
# breaks a grader, rerun with extra options, one layer at a time:
#   GRADERS_USHER_FLAGS='--seccomp none' prove -v tests/graders/c-asan.t
# GRADERS_LOG=N shows the last N lines of the grader's log after every grading, passed
# or not (25 after a failure otherwise).
GRADERS_TIMEOUT=${GRADERS_TIMEOUT:-300}
graders_dir=$top/tests/graders

graders_setup() {
	docker_setup
	. "$graders_dir/images.sh"
	local out
	out=$(graders_base_images 2>&1) || { tap_fail "the suite's base images build" "$out"; tap_done; exit 1; }
}

# The grader's own image: a layer of its files on a base image (FROM a local image:
# the classic builder never pulls what the engine already has).
grader_image() {
	local out
	out=$(DOCKER_BUILDKIT=0 docker build -q -t "usher-graders/$1" "$graders_dir/$1" 2>&1) ||
		{ tap_fail "$1: the grader's image builds" "$out"; return 1; }
}

# The image's ENTRYPOINT and CMD, one word a line: what goes after `--`, as an operator
# who puts usher in front of an existing grader image would write it.
_grader_argv() {
	docker image inspect -f '{{json .Config.Entrypoint}} {{json .Config.Cmd}}' "$1" |
		jq -rs 'map(. // []) | add | .[]'
}

# The sidecar: busybox and `usher deliver`, on the same /shared.
_grader_deliver() {
	docker run --rm --network none --entrypoint /usher/usher -v "$bin:/usher:ro" \
		-v "$g_shared:/shared" -v "$1:/fixture:ro" usher-test/busybox deliver /fixture >/dev/null 2>&1
}

grader_run() {
	local name=$1 sub=$2 mode=${3:-wait} image="usher-graders/$1" cname t0 argv=() flags=()
	mapfile -t argv < <(_grader_argv "$image")
	# shellcheck disable=SC2206 # word-split on purpose: extra usher options, by hand
	flags=(${GRADERS_USHER_FLAGS:-})
	g_shared=$(tap_tmpdir)
	cname=$(docker_name "$name")
	t0=$(date +%s%N)
	[ "$mode" = wait ] || { _grader_deliver "$sub" || tap_diag "$name: the sidecar failed to deliver"; flags+=(--no-wait); }
	docker run -d --name "$cname" --network none --entrypoint /usher/usher -v "$bin:/usher:ro" \
		-v "$g_shared:/shared" "$image" --wait-timeout 120 --timeout "$GRADERS_TIMEOUT" \
		--result /shared/result.json "${flags[@]}" -- "${argv[@]}" >/dev/null
	# The sidecar starts with the grader, as in an ECS task: usher is waiting by then.
	[ "$mode" != wait ] || _grader_deliver "$sub" || tap_diag "$name: the sidecar failed to deliver"
	g_rc=$(timeout $((GRADERS_TIMEOUT + 180)) docker wait "$cname") || g_rc="no exit (docker wait timed out)"
	g_ms=$((($(date +%s%N) - t0) / 1000000))
	g_logs=$(docker logs "$cname" 2>&1)
	docker rm -f "$cname" >/dev/null 2>&1
}

_grader_evidence() {
	tap_diag "--- grader log (last ${GRADERS_LOG:-25} lines):" "$(printf '%s\n' "$g_logs" | tail -n "${GRADERS_LOG:-25}")"
	[ ! -s "$g_shared/feedback.json" ] || tap_diag "--- feedback.json: $(head -c 600 "$g_shared/feedback.json")"
}

grader_expect() {
	local name=$1 sub=$2 want=$3 mode=${4:-wait} dir what bad=0
	# A wrong submission expected to score 0 could not tell a grader that cannot run
	# from a wrong answer: every expected mark must be above 0.
	jq -en --argjson w "$want" '$w > 0 and $w <= 1' >/dev/null ||
		{ tap_fail "$name/$sub: the expected mark $want is in (0, 1]"; return 1; }
	dir=$sub
	[ -d "$dir" ] || dir=$graders_dir/$name/submissions/$sub
	what="$name/$(basename "$sub")"
	grader_run "$name" "$dir" "$mode"
	local how="the sidecar delivers while usher waits"
	[ "$mode" = wait ] || how="delivered before usher starts, --no-wait"
	tap_diag "$what: graded in $g_ms ms ($how)"
	[ "$g_rc" = 0 ] || bad=1
	tap_is "$g_rc" 0 "$what: the container exits 0 (the grader's status, through usher)"
	local res=$g_shared/result.json got
	got=$(result_field "$res" '[.status, .grader.exit_code, (.lockdown.uid > 0)] | map(tostring) | join(" ")')
	[ "$got" = "exited 0 true" ] || bad=1
	tap_is "$got" "exited 0 true" "$what: result: exited, grader exit 0, an unprivileged uid"
	# A grade under a lockdown that was not applied proves nothing about the defaults.
	if [ -n "${GRADERS_USHER_FLAGS:-}" ]; then
		tap_skip "GRADERS_USHER_FLAGS changes the lockdown" "$what: the whole default lockdown applied"
	else
		got=$(result_field "$res" '.lockdown | [.seccomp, .landlock_abi > 0, .no_new_privs, (.degraded // [] | length)] | map(tostring) | join(" ")')
		[ "$got" = "default true true 0" ] || bad=1
		tap_is "$got" "default true true 0" "$what: the whole default lockdown applied (seccomp, Landlock, no_new_privs, nothing degraded)"
	fi
	# The mark is what the learner sees: a grader that ran fine but scored wrong is
	# the silent failure this suite exists for.
	got=$(jq -r '.fractionalScore' "$g_shared/feedback.json" 2>/dev/null)
	if jq -en --argjson g "${got:-null}" --argjson w "$want" '$g != null and (($g - $w) | fabs) < 0.001' >/dev/null 2>&1; then
		tap_pass "$what: fractionalScore $want"
	else
		bad=1
		tap_fail "$what: fractionalScore $want" "got: '${got:-no feedback.json}'"
	fi
	if [ "$bad" != 0 ] || [ -n "${GRADERS_LOG:-}" ]; then _grader_evidence; fi
	return "$bad"
}
