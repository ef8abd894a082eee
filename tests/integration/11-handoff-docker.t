#!/usr/bin/env bash
# The handoff between real containers: a sidecar container running `usher deliver`
# and a grader container running usher as its ENTRYPOINT, started together and sharing
# one volume, as in an ECS task or a Kubernetes pod.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/docker.sh"
. "$here/../lib/result.sh"
docker_setup
vol="usher-test-vol-$$"
docker volume create "$vol" >/dev/null
tap_cleanup "docker volume rm -f $vol"
fixture=$(tap_tmpdir)
mkdir -p "$fixture/sub/lib"
echo 'def solve(): return 42' >"$fixture/sub/lib/solution.py"
echo 'print("hi")' >"$fixture/sub/main.py"

grader='test -f /shared/submission/lib/solution.py || exit 99
grep -q 42 /shared/submission/lib/solution.py || exit 98
echo "{\"fractionalScore\": 1.0, \"feedback\": \"ok\"}" >/shared/feedback.json'

# Both containers start together; the sidecar delivers a second later.
name=$(docker_name grader)
docker run -d --name "$name" --network none --entrypoint /usher/usher -v "$bin:/usher:ro" \
	-v "$vol:/shared" usher-test/busybox --wait-timeout 30 --result /shared/result.json \
	-- /bin/sh -c "$grader" >/dev/null
docker run --rm --network none --entrypoint /bin/sh -v "$bin:/usher:ro" -v "$vol:/shared" \
	-v "$fixture/sub:/fixture:ro" usher-test/busybox -c 'sleep 1; /usher/usher deliver /fixture' >/dev/null 2>&1
tap_is "$?" 0 "the sidecar container delivers with usher deliver"
rc=$(docker wait "$name")
tap_is "$rc" 0 "the grader container starts once the drop is complete and exits 0"
logs=$(docker logs "$name" 2>&1)
tap_like "$logs" "submission ready after [0-9.]+ s: 2 files" "usher logs the handoff"
docker rm -f "$name" >/dev/null
out=$(docker run --rm --network none --entrypoint /bin/sh -v "$vol:/shared" usher-test/busybox \
	-c 'cat /shared/feedback.json; echo; cat /shared/result.json')
tap_like "$out" '"fractionalScore": 1.0' "the grader wrote its feedback.json (a --feedback file)"
res=$(tap_tmpdir)
printf '%s\n' "$out" | tail -n 1 >"$res/result.json"
tap_is "$(result_field "$res/result.json" '[.status, .submission.files, (.wait_ms > 500)] | map(tostring) | join(" ")')" \
	"exited 2 true" "the result records the wait and the submission"
result_valid "$res/result.json" "... schema-valid"

# The sidecar gives up: the grader container ends at once with 75.
docker run --rm --network none --entrypoint /bin/sh -v "$vol:/shared" usher-test/busybox -c 'rm -rf /shared/*' >/dev/null
name=$(docker_name grader)
docker run -d --name "$name" --network none --entrypoint /usher/usher -v "$bin:/usher:ro" \
	-v "$vol:/shared" usher-test/busybox --wait-timeout 30 -- /bin/true >/dev/null
docker run --rm --network none --entrypoint /usher/usher -v "$bin:/usher:ro" -v "$vol:/shared" \
	usher-test/busybox deliver --fail "s3: AccessDenied" >/dev/null 2>&1
tap_is "$(docker wait "$name")" 75 "a failed delivery ends the grader container with 75"
tap_like "$(docker logs "$name" 2>&1)" "AccessDenied" "... and its log says why"
docker rm -f "$name" >/dev/null

tap_done
