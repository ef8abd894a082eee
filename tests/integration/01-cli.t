#!/usr/bin/env bash
# The command-line contract against the real static binary: help, version, dry-run,
# one clear line and 125 for every bad usage. (The docs: 03-docs.t.)
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"

# the artefact itself, even when $USHER is a wrapper (make valgrind)
tap_is "$(file -b "$top/build/usher" | grep -o 'statically linked')" "statically linked" "build/usher is statically linked"
tap_like "$(ldd "$top/build/usher" 2>&1)" "not a dynamic executable|statically linked" "ldd finds no dynamic dependencies"

out=$("$usher" --help); rc=$?
tap_is "$rc" 0 "--help exits 0"
tap_like "$out" "^usage: usher \[OPTION\]\.\.\. -- PROGRAM" "--help starts with the usage line"
# Which options --help lists, with which twins, and what README.md and usher(1) say
# about each: tests/integration/03-docs.t, against the option table itself.

tap_like "$("$usher" --version)" '^usher [0-9]+\.[0-9]+\.[0-9]+$' "--version prints the version"

json=$(USHER_TIMEOUT=7 "$usher" --dry-run --wait-timeout 3 -- prog arg); rc=$?
tap_is "$rc" 0 "--dry-run exits 0"
tap_is "$(printf '%s' "$json" | jq -r '.wait_timeout_ms, .timeout_ms, .argv[1]' | tr '\n' ' ')" "3000 7000 arg " \
	"--dry-run shows flags, variables and argv"
tap_is "$(AWS_SECRET_ACCESS_KEY=x AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/c USHER_QUIET=1 AWS_REGION=r \
	AWS_SECURITY_TOKEN=t AWS_WEB_IDENTITY_TOKEN_FILE=/t AWS_ROLE_ARN=a AWS_BEARER_TOKEN_BEDROCK=b partId=p \
	"$usher" --dry-run -- p | jq -r '.grader_env | map(select(test("^(AWS_|USHER_|partId$)"))) | join(",")')" "partId" \
	"--dry-run: no AWS_ or USHER_ variable reaches the grader; Coursera's partId does"

# Each bad usage: exit 125, exactly one line on stderr, naming the option and the value.
bad() {
	local want=$1; shift
	local err rc
	err=$("$usher" "$@" 2>&1 >/dev/null); rc=$?
	if [ "$rc" = 125 ] && [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] && printf '%s' "$err" | grep -q -- "$want" &&
		printf '%s' "$err" | grep -q -- "--help"; then
		tap_pass "usage error: $* -> 125, one line naming '$want'"
	else
		tap_fail "usage error: $* -> 125, one line naming '$want'" "rc=$rc stderr=$err"
	fi
}
bad "--bogus" --bogus -- p
bad "10x" --wait-timeout 10x -- p
bad "-1" --max-files -1 -- p
bad "1T" --max-bytes 1T -- p
bad "NET_BIND" --keep-cap NET_BIND -- p
bad "bogus=1" --rlimit bogus=1 -- p
bad "maybe" --landlock maybe -- p
bad "missing -- PROGRAM" --no-wait
bad "unexpected argument" /bin/true
bad "needs a value" --timeout
err=$(USHER_MAX_BYTES=12Q "$usher" -- p 2>&1); rc=$?
tap_is "$rc" 125 "a bad USHER_ variable exits 125"
tap_like "$err" "USHER_MAX_BYTES '12Q'" "... and names the variable and its value"

# The result file is written even for a usage error once --result is known.
tmp=$(tap_tmpdir)
"$usher" --result "$tmp/r.json" --max-files x -- p 2>/dev/null
tap_is "$(jq -r '.status, .exit_code, .error.step' "$tmp/r.json" 2>/dev/null | tr '\n' ' ')" "setup_failed 125 config " \
	"a usage error after --result still writes the result"

tap_done
