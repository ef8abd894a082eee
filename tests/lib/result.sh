# tests/lib/result.sh - check result files against docs/result.schema.json.
#   result_valid FILE DESC    ok when FILE exists and validates against the schema
#   result_check FILE         the same, silently (exit status only)
#   result_field FILE JQ      prints a field (jq syntax)
#   feedback_valid FILE FORMAT DESC   ok when FILE validates against the platform's
#                             schema (tests/schemas/: coursera, gradescope, prairielearn)
_result_schema=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/docs/result.schema.json

# Silent: 0 when FILE validates; the reason on stdout otherwise.
result_check() {
	# Debian's python3 has python3-jsonschema; a pyenv python3 on PATH may not.
	/usr/bin/python3 - "$_result_schema" "$1" 2>&1 <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator(schema).validate(json.load(open(sys.argv[2])))
PY
}

result_valid() {
	local out
	if out=$(result_check "$1"); then
		tap_pass "$2"
	else
		tap_fail "$2" "$(printf '%s\n' "$out" | tail -n 5)"
	fi
}

result_field() { jq -r "$2" "$1" 2>/dev/null; }

_schemas=$(cd "$(dirname "${BASH_SOURCE[0]}")/../schemas" && pwd)
declare -A _feedback_schema=([coursera]=coursera-feedback [gradescope]=gradescope-results
	[prairielearn]=prairielearn-results)

feedback_valid() {
	local out
	if out=$(/usr/bin/python3 - "$_schemas/${_feedback_schema[$2]}.schema.json" "$1" 2>&1 <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator(schema).validate(json.load(open(sys.argv[2])))
PY
	); then
		tap_pass "$3"
	else
		tap_fail "$3" "$(printf '%s\n' "$out" | tail -n 5)"
	fi
}
