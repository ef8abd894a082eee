#!/bin/sh
# Runs the staff's tests on the learner's slugify.js with `node --test` (TAP on a pipe)
# and scores the share passed into /shared/feedback.json. Exits 0 once graded.
set -u
TOTAL=4
give() {
	printf '{"fractionalScore": %s, "feedback": "%s"}\n' "$1" "$2" >/shared/feedback.json
	echo "grader: score $1: $2"
	exit 0
}
[ -f /shared/submission/slugify.js ] || give 0 "Your submission has no slugify.js."
work=$(mktemp -d)
cp /grader/slugify.test.js /shared/submission/slugify.js "$work/"
cd "$work" || exit 1
node --test slugify.test.js >tap.log 2>&1
cat tap.log
passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' tap.log)
failed=$(sed -n "s/^not ok [0-9]* - //p" tap.log | tr '\n' ';' | tr -d '"')
give "$(awk -v p="${passed:-0}" -v t="$TOTAL" 'BEGIN { printf "%.4f", p / t }')" "${passed:-0} of $TOTAL tests passed. $failed"
