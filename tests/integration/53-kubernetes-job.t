#!/usr/bin/env bash
# examples/kubernetes/job.yaml, as written: tests/platforms/taskrun's Kubernetes front
# end runs its pod on Docker with the kubelet's semantics and the Job controller's
# verdict (docs/deploy.md): init containers in order, the fetcher as a native sidecar
# stopped after the grader, emptyDir 0777, securityContext as Docker flags.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/docker.sh"
. "$here/../lib/result.sh"
. "$top/tests/platforms/lib.sh"
job=$top/examples/kubernetes/job.yaml
key=course-42/assignment-3/learner-123
platforms_setup

spec=$job
run() {
	local t0=$SECONDS name=$1
	shift
	out=$(tap_tmpdir)
	taskrun k8s "$spec" --out "$out" "$@" >"$out.log" 2>&1
	tap_is "$?" 0 "$name: the pod runs ($((SECONDS - t0)) s)" || tap_diag "$(tail -n 5 "$out.log")"
}

sub=$(tap_tmpdir)
cp "$top/examples/coursera-grader/submissions/good/solution.sh" "$sub/"
zip_of "$sub" "$sub.zip"
run "correct submission" --put "grader-submissions/$key.zip=$sub.zip"
tap_is "$(report "$out" '.job.condition + " " + .job.reason')" "Complete Completed" "correct submission: the Job completes"
tap_is "$(report "$out" '[.containers[] | .exit_code | tostring] | join(" ")')" "0 0 0" \
	"exit codes of usher-install, the fetcher (after SIGTERM) and the grader"
tap_ok "init containers in order; the sidecar starts before the grader and stops after it" test "$(report "$out" '
	(.containers.fetcher.started >= .containers["usher-install"].finished) and
	(.containers.grader.started >= .containers.fetcher.started) and
	(.containers.fetcher.stop_requested >= .containers.grader.finished)')" = true
tap_ok "the sidecar answers SIGTERM at once (uploads, exits; well within the 30 s grace)" \
	test "$(report "$out" '.containers.fetcher.finished - .containers.fetcher.stop_requested < 15')" = true
tap_ok "the fetcher ran as uid 1000 on the emptyDir (0777, as the kubelet makes it)" \
	test "$(report "$out" '.containers.fetcher.docker_run | index("1000:1000") != null')" = true
tap_ok "the grader: drop ALL, add only usher's, no-new-privileges, read-only root" test "$(report "$out" '
	.containers.grader.docker_run as $a | ($a | index("--cap-drop=ALL") != null) and
	($a | index("--security-opt") != null) and ($a | index("--read-only") != null) and
	([$a[] | select(startswith("--cap-add="))] | length == 7)')" = true
res=$out/s3/grader-results/$key/result.json
tap_is "$(result_field "$res" .status)" exited "result.json uploaded by the sidecar, status exited"
result_valid "$res" "... schema-valid"
tap_ok "feedback.json uploaded, fractionalScore 1" jq -e '.fractionalScore == 1' "$out/s3/grader-results/$key/feedback.json"

zip_with_symlink "$sub.evil.zip" /etc/shadow
run "rejected submission" --put "grader-submissions/$key.zip=$sub.evil.zip"
tap_is "$(report "$out" '.job.condition + " " + .job.reason')" "Failed PodFailurePolicy" \
	"rejected submission: usher's 65 fails the Job through podFailurePolicy"
tap_is "$(report "$out" .containers.grader.exit_code)" 65 "... the grader container exited 65"
tap_is "$(result_field "$out/s3/grader-results/$key/result.json" .status)" rejected "... and result.json says rejected"

# Control: the deadline. A grader that never ends, activeDeadlineSeconds 5.
spec=$(tap_tmpdir)/deadline.yaml
/usr/bin/python3 - "$job" "$spec" <<'PY'
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
d["spec"]["activeDeadlineSeconds"] = 5
g = d["spec"]["template"]["spec"]["containers"][0]
g["args"] = g["args"][:g["args"].index("--") + 1] + ["/bin/sleep", "600"]
yaml.safe_dump(d, open(sys.argv[2], "w"))
PY
run "a grader past activeDeadlineSeconds" --put "grader-submissions/$key.zip=$sub.zip"
tap_is "$(report "$out" '.job.condition + " " + .job.reason')" "Failed DeadlineExceeded" "the deadline fails the Job"
tap_is "$(report "$out" .containers.grader.exit_code)" 143 "... usher got SIGTERM and reports the grader killed by it (128+15)"
tap_is "$(result_field "$out/s3/grader-results/$key/result.json" .status)" signaled "... and its result still reaches S3"

tap_done
