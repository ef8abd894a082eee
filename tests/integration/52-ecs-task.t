#!/usr/bin/env bash
# examples/ecs/task-definition.json, the whole task, as written: tests/platforms/taskrun
# runs it on Docker with ECS semantics (docs/deploy.md), only the image names and the
# S3 endpoint substituted, an S3 API server on the loopback of the task's network
# namespace. A run passes only when the submission object goes in, result.json and
# feedback.json come out, and every container's exit code is the documented one.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/docker.sh"
. "$here/../lib/result.sh"
. "$top/tests/platforms/lib.sh"
task=$top/examples/ecs/task-definition.json
key=course-42/assignment-3/learner-123
platforms_setup

# --- the runner's ECS semantics, each with its control ---------------------------------
out=$(tap_tmpdir)
taskrun ecs "$platforms/fixtures/ecs-semantics.json" --out "$out" >"$out.log" 2>&1
tap_is "$?" 0 "the semantics fixture runs"
codes=$(report "$out" '[.containers[] | .exit_code | tostring] | join(" ")')
tap_is "$codes" "3 null 0 0 137 0" "exit codes: SUCCESS unmet leaves a container unstarted, readOnly mount, no VOLUME no copy, SIGKILL after stopTimeout"
tap_like "$(report "$out" '.containers["after-success"].reason')" "^DependencyConditionNotMet: first SUCCESS" "... and says which condition"
tap_ok "COMPLETE waits for the exit, HEALTHY for the health check" test "$(report "$out" '
	(.containers["after-complete"].started >= .containers.first.finished) and
	(.containers.last.started >= .containers["after-complete"].finished) and
	(.containers.last.started > .containers.healthy.started)')" = true
tap_ok "the essential container's exit stops the task; SIGKILL 2 s (stopTimeout) after SIGTERM" test "$(report "$out" '
	(.stopped_reason | test("Essential container in task exited \\(last\\)")) and
	(.containers.healthy.finished - .containers.healthy.stop_requested >= 1.9) and
	(.containers.healthy.finished - .containers.healthy.stop_requested < 10)')" = true
jq '.containerDefinitions[0].privileged = true' "$platforms/fixtures/ecs-semantics.json" >"$out/bad.json"
taskrun ecs "$out/bad.json" --out "$out/bad" >/dev/null 2>&1
tap_is "$?" 2 "control: a field the runner does not reproduce is refused, not ignored"

# run NAME [TASKRUN-ARGS...]: the example task (or $spec), into $out; prints the time
spec=$task
run() {
	local t0=$SECONDS
	out=$(tap_tmpdir)
	local name=$1
	shift
	taskrun ecs "$spec" --out "$out" --policy "$top/examples/ecs/task-role-policy.json" "$@" >"$out.log" 2>&1
	tap_is "$?" 0 "$name: the task runs ($((SECONDS - t0)) s)" || tap_diag "$(tail -n 5 "$out.log")"
}
# check NAME "CARRIER FETCHER GRADER REPORTER" STATUS: exit codes, objects, result
check() {
	tap_is "$(report "$out" '[.containers[] | .exit_code | tostring] | join(" ")')" "$2" \
		"$1: exit codes of carrier, fetcher, grader, reporter"
	tap_like "$(report "$out" .stopped_reason)" "^Essential container in task exited \(reporter\)" "$1: the reporter's exit stops the task"
	local res=$out/s3/grader-results/$key/result.json
	tap_is "$(result_field "$res" .status)" "$3" "$1: result.json uploaded, status $3"
	result_valid "$res" "$1: ... schema-valid"
	tap_is "$(report "$out" '.iam_denied | length')" 0 "$1: every S3 request of the task is allowed by the task role's policy"
	tap_ok "$1: the order: carrier, then fetcher and grader, then the reporter" test "$(report "$out" '
		(.containers["submission-fetcher"].started >= .containers["usher-carrier"].finished) and
		(.containers.grader.started >= .containers["usher-carrier"].finished) and
		(.containers.reporter.started >= .containers.grader.finished)')" = true
}

sub=$(tap_tmpdir)
# The correct answer, plus the environment it sees (printed to the grader's log).
printf 'echo "hello, world"\nenv | sed "s/^/env: /"\n' >"$sub/solution.sh"
zip_of "$sub" "$out.good.zip"
good=$out.good.zip

run "correct submission" --put "grader-submissions/$key.zip=$good"
check "correct submission" "0 0 0 0" exited
tap_ok "correct submission: feedback.json uploaded, fractionalScore 1" \
	jq -e '.fractionalScore == 1' "$out/s3/grader-results/$key/feedback.json"
tap_is "$(report "$out" '.containers["usher-carrier"].argv | join(" ")')" "/usher/usher install --to /target" \
	"the carrier's command is appended to the image's ENTRYPOINT"
tap_is "$(report "$out" '[.s3_requests[] | select(.path | startswith("/")) | .method] | join(" ")')" "HEAD GET PUT PUT" \
	"the task's S3 requests: the submission in, result and feedback out"
tap_ok "the grader container had the task role's credentials variable" \
	test "$(report "$out" '.containers.grader.docker_run | any(startswith("AWS_CONTAINER_CREDENTIALS_FULL_URI="))')" = true
tap_like "$(grep -c 'student> env: ' "$out/logs/grader.log")" "^[1-9]" "the student's program printed its environment"
tap_is "$(grep -E 'student> env: (AWS_CONTAINER|AWS_ACCESS|ECS_CONTAINER|USHER_)' "$out/logs/grader.log" |
	grep -cv 'student> env: USHER_RUN_FD=')" 0 \
	"... with no credentials, metadata or USHER_ variable but usher run's channel (usher scrubbed them)"

spec=$(tap_tmpdir)/init.json
jq '(.containerDefinitions[] | select(.name == "grader") | .linuxParameters.initProcessEnabled) = true' "$task" >"$spec"
run "initProcessEnabled (usher under docker --init)" --put "grader-submissions/$key.zip=$good"
check "initProcessEnabled" "0 0 0 0" exited
tap_ok "initProcessEnabled: the grader container ran with --init" \
	test "$(report "$out" '.containers.grader.docker_run | index("--init") != null')" = true
tap_ok "initProcessEnabled: feedback.json has fractionalScore 1" \
	jq -e '.fractionalScore == 1' "$out/s3/grader-results/$key/feedback.json"
spec=$task

run "no submission object"
check "no submission object" "0 1 75 0" sidecar_failed
tap_like "$(result_field "$out/s3/grader-results/$key/result.json" .error.message)" "cannot download" \
	"no submission object: the fetcher's reason reaches the result"

zip_with_symlink "$out.evil.zip" /etc/shadow
run "submission with a symlink out of it" --put "grader-submissions/$key.zip=$out.evil.zip"
check "rejected submission" "0 0 65 0" rejected

tap_done
