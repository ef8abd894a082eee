#!/bin/sh
# Copies the learner's wordfreq.go beside the staff's tests, runs `go test -v`, and
# scores the share of the four tests that passed into /shared/feedback.json.
set -u
TOTAL=4
give() {
	printf '{"fractionalScore": %s, "feedback": "%s"}\n' "$1" "$2" >/shared/feedback.json
	echo "grader: score $1: $2"
	exit 0
}
[ -f /shared/submission/wordfreq.go ] || give 0 "Your submission has no wordfreq.go."
work=$(mktemp -d)
cp /grader/go.mod /grader/wordfreq_test.go /shared/submission/wordfreq.go "$work/"
cd "$work" || exit 1
go test -v -count=1 . >test.log 2>&1
cat test.log
passed=$(grep -c '^--- PASS' test.log)
failed=$(grep '^--- FAIL' test.log | sed 's/^--- FAIL: //; s/ (.*//' | tr '\n' ' ')
[ "$passed" -gt 0 ] || grep -q '^--- FAIL' test.log || give 0 "The tests could not be built: see the log."
give "$(awk -v p="$passed" -v t="$TOTAL" 'BEGIN { printf "%.4f", p / t }')" "$passed of $TOTAL tests passed. ${failed:+Failed: $failed}"
