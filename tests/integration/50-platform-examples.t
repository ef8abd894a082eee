#!/usr/bin/env bash
# The deployment examples, checked without running them (52 and 53 run them):
# every usher flag and USHER_ variable they use exists; every ECS task definition
# validates against the ECS API model (botocore's RegisterTaskDefinition shape) and
# the Kubernetes Job against the Kubernetes OpenAPI schema (kubernetes-models), each
# with a broken copy as control; the runner's pure rules; `usher install`.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
platforms=$top/tests/platforms
task=$top/examples/ecs/task-definition.json
job=$top/examples/kubernetes/job.yaml

# --- flags and variables ------------------------------------------------------------
help=$("$usher" --help)
flags=$( (jq -r '.containerDefinitions[] | select(.entryPoint == ["/usher/usher"]) | .command[]' "$task"
	/usr/bin/python3 -c 'import sys, yaml
for c in yaml.safe_load(open(sys.argv[1]))["spec"]["template"]["spec"]["containers"]:
    print("\n".join(c.get("args", [])))' "$job") | grep -E '^--[a-z]' | sort -u)
tap_like "$flags" "--result" "the usher flags of the examples are found"
unknown=""
for f in $flags; do printf '%s\n' "$help" | grep -q -- "$f" || unknown="$unknown $f"; done
tap_is "$unknown" "" "every usher flag in examples/ is in usher --help"
envs=$(jq -r '.containerDefinitions[].environment[]?.name | select(startswith("USHER_"))' "$task")
unknown=""
for e in $envs; do printf '%s\n' "$help" | grep -q "\[$e\]" || unknown="$unknown $e"; done
tap_is "$unknown" "" "every USHER_ variable in the task definition is an option's twin"

# --- the ECS API model -----------------------------------------------------------------
for t in "$top"/examples/ecs/*task-definition*.json "$platforms"/fixtures/ecs-*.json; do
	tap_ok "valid RegisterTaskDefinition input: ${t#"$top"/}" "$platforms/validate-ecs" "$t"
done
bad=$(tap_tmpdir)/bad.json
jq '.containerDefinitions[0].essential = "no" | .containerDefinitions[1].entrypoint = ["/x"]' "$task" >"$bad"
out=$("$platforms/validate-ecs" "$bad" 2>&1)
tap_is "$?" 1 "control: a mistyped and a misspelt field fail the ECS validation"
tap_like "$out" "essential.*Unknown parameter.*entrypoint" "... naming both"
tap_ok "the task role policy is an IAM policy of one GetObject and the PutObjects" jq -e '
	.Version == "2012-10-17" and ([.Statement[].Action] | sort == ["s3:GetObject", "s3:PutObject"])' \
	"$top/examples/ecs/task-role-policy.json"

# --- the Kubernetes OpenAPI schema -------------------------------------------------------
if [ -d "$platforms/node_modules/kubernetes-models" ]; then
	k8s_validate() { /usr/bin/python3 -c 'import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))' "$1" |
		node "$platforms/validate-k8s.js"; }
	tap_ok "examples/kubernetes/job.yaml is a valid batch/v1 Job" k8s_validate "$job"
	/usr/bin/python3 - "$job" "$bad.yaml" <<'PY'
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
d["spec"]["backoffLimit"] = "none"
d["spec"]["template"]["spec"]["containers"][0]["securityContext"]["capabilities"]["add"] = "SETUID"
yaml.safe_dump(d, open(sys.argv[2], "w"))
PY
	out=$(k8s_validate "$bad.yaml" 2>&1)
	tap_is "$?" 1 "control: a Job with mistyped fields fails the Kubernetes validation"
	tap_like "$out" "backoffLimit must be integer.*capabilities/add must be array" "... naming both"
else
	tap_fail "kubernetes-models is installed in tests/platforms" "run: scripts/bootstrap test"
fi

# --- the runner's rules, without Docker ----------------------------------------------------
tap_ok "the runner's semantics (tests/platforms/test_semantics.py)" /usr/bin/python3 "$platforms/test_semantics.py"

# --- usher install --------------------------------------------------------------------------
d=$(tap_tmpdir)
out=$("$usher" install --to "$d" 2>&1)
tap_is "$?" 0 "usher install --to DIR exits 0"
tap_ok "... DIR/usher is the running binary, byte for byte" cmp "$usher" "$d/usher"
tap_is "$(stat -c %a "$d/usher")" 755 "... mode 0755"
tap_is "$(ls -A "$d")" usher "... and no temp file is left"
tap_ok "... the copy runs" "$d/usher" --version
(umask 077 && "$usher" install --to "$d" >/dev/null 2>&1)
tap_is "$(stat -c %a "$d/usher")" 755 "... 0755 whatever the umask, and over an existing copy"
out=$("$usher" install --to "$d/missing" 2>&1)
tap_is "$?" 125 "install into a missing directory: 125"
tap_like "$out" "usher: open $d/missing: No such file or directory" "... naming the operation, the path and the errno"
out=$("$usher" install 2>&1)
tap_is "$?" 125 "install without --to: 125"
tap_like "$out" "missing --to DIR" "... saying so"
tap_done
