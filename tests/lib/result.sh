# tests/lib/result.sh - check result files against docs/result.schema.json.
#   result_valid FILE DESC    ok when FILE exists and validates against the schema
#   result_field FILE JQ      prints a field (jq syntax)
_result_schema=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/docs/result.schema.json

result_valid() {
	local out
	# Debian's python3 has python3-jsonschema; a pyenv python3 on PATH may not.
	if out=$(/usr/bin/python3 - "$_result_schema" "$1" 2>&1 <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator(schema).validate(json.load(open(sys.argv[2])))
PY
	); then
		tap_pass "$2"
	else
		tap_fail "$2" "$(printf '%s\n' "$out" | tail -n 5)"
	fi
}

result_field() { jq -r "$2" "$1" 2>/dev/null; }
