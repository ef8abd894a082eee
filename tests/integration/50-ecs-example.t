#!/usr/bin/env bash
# examples/ecs/task-definition.json, run as written: the grader container's entryPoint,
# command, environment, mountPoints and user come from the JSON (jq), the volumes
# become a Docker volume and the usher directory. What cannot run here is replaced:
# the images (by the offline demo grader and busybox) and the fetcher's `aws s3 cp`
# (by `usher deliver` of a fixture). Also: every usher flag in the examples exists.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/docker.sh"
. "$here/../lib/result.sh"
task=$top/examples/ecs/task-definition.json

# Every --flag the examples pass to usher is one usher knows.
help=$("$usher" --help)
flags=$( (jq -r '.containerDefinitions[] | select(.entryPoint == ["/usher/usher"]) | .command[]' "$task"
	grep -v '^ *#' "$top/examples/kubernetes/pod.yaml" | grep -oE -- '--[a-z-]+') | grep -E '^--[a-z]' | sort -u)
unknown=""
for f in $flags; do printf '%s\n' "$help" | grep -q -- "$f" || unknown="$unknown $f"; done
tap_is "$unknown" "" "every usher flag in examples/ is in usher --help"
envs=$(jq -r '.containerDefinitions[].environment[]?.name | select(startswith("USHER_"))' "$task")
unknown=""
for e in $envs; do printf '%s\n' "$help" | grep -q "\[$e\]" || unknown="$unknown $e"; done
tap_is "$unknown" "" "every USHER_ variable in the task definition is an option's twin"
# python3-yaml comes with scripts/bootstrap test: a missing module fails, never skips.
tap_ok "examples/kubernetes/pod.yaml is valid YAML" /usr/bin/python3 -c \
	'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); assert d["kind"] == "Pod"' "$top/examples/kubernetes/pod.yaml"

docker_setup
DOCKER_BUILDKIT=0 docker build -q -t usher-demo/grader "$top/examples/coursera-grader" >/dev/null
vol="usher-test-ecs-$$"
docker volume create "$vol" >/dev/null
tap_cleanup "docker volume rm -f $vol"

# The grader container, from the JSON.
g='.containerDefinitions[] | select(.name == "grader")'
mapfile -t entry < <(jq -r "$g | .entryPoint[]" "$task")
mapfile -t cmd < <(jq -r "$g | .command[]" "$task")
mapfile -t envargs < <(jq -r "$g | .environment[] | \"-e\", \"\(.name)=\(.value)\"" "$task")
user=$(jq -r "$g | .user" "$task")
mounts=()
while IFS=$'\t' read -r src path ro; do
	case $src in
	shared) mounts+=(-v "$vol:$path") ;;
	usher) mounts+=(-v "$bin:$path${ro:+:ro}") ;;
	esac
done < <(jq -r "$g | .mountPoints[] | [.sourceVolume, .containerPath, (if .readOnly then \"ro\" else \"\" end)] | @tsv" "$task")
drops=$(jq -r "$g | .linuxParameters.capabilities.drop | map(\"--cap-drop=\" + .) | join(\" \")" "$task")
name=$(docker_name ecs)
# shellcheck disable=SC2086
docker run -d --name "$name" --network none --user "$user" $drops --entrypoint "${entry[0]}" \
	"${envargs[@]}" "${mounts[@]}" -e AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/credentials/x \
	usher-demo/grader "${cmd[@]}" >/dev/null
tap_is "$?" 0 "the grader container starts with the task definition's entryPoint and command"

# The fetcher, started with it: a fixture instead of S3.
fixture=$(tap_tmpdir)
echo 'echo "hello, world"' >"$fixture/solution.sh"
docker run --rm --network none --entrypoint /bin/sh -v "$bin:/usher:ro" -v "$vol:/shared" \
	-v "$fixture:/tmp/s:ro" usher-test/busybox -c 'sleep 1; /usher/usher deliver --to /shared/submission /tmp/s' >/dev/null 2>&1
tap_is "$?" 0 "the fetcher delivers with usher deliver"
tap_is "$(docker wait "$name")" 0 "the grader container exits 0"
logs=$(docker logs "$name" 2>&1)
tap_ok "usher logs JSON lines (USHER_LOG_FORMAT=json from the task definition)" \
	bash -c 'printf "%s\n" "$1" | grep "^{" | jq -e -s "length > 2 and all(has(\"msg\"))" >/dev/null' _ "$logs"
docker rm -f "$name" >/dev/null
out=$(tap_tmpdir)
docker run --rm --network none --entrypoint /bin/sh -v "$vol:/shared" -v "$out:/out" usher-test/busybox \
	-c 'cp /shared/feedback.json /shared/result.json /out/'
tap_ok "the grader's feedback.json has fractionalScore 1.0" jq -e '.fractionalScore == 1' "$out/feedback.json"
tap_like "$(result_field "$out/result.json" '.status + " " + (.lockdown.uid | tostring)')" "^exited (1[89][0-9]{8}|2[01][0-9]{8})$" \
	"usher's result: exited, the grader ran as a uid of its own"
result_valid "$out/result.json" "... schema-valid"

tap_done
