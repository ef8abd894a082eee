#!/bin/bash
# Runs the learner's topwords.sh on each cases/NAME.in with a 5 s deadline and compares
# its output with cases/NAME.out. Writes /shared/feedback.json (Coursera's format);
# exits 0 once graded.
set -u
script=/shared/submission/topwords.sh
give() {
	printf '{"fractionalScore": %s, "feedback": "%s"}\n' "$1" "$2" >/shared/feedback.json
	echo "grader: score $1: $2"
	exit 0
}
[ -f "$script" ] || give 0 "Your submission has no topwords.sh."
passed=0 total=0 text=""
for input in cases/*.in; do
	name=$(basename "$input" .in)
	total=$((total + 1))
	timeout 5 bash "$script" <"$input" >"/tmp/$name.got" 2>"/tmp/$name.err"
	rc=$?
	if [ "$rc" = 124 ]; then
		text="$text FAIL $name (no answer within 5 s);"
	elif diff -u "cases/$name.out" "/tmp/$name.got"; then
		passed=$((passed + 1))
		text="$text PASS $name;"
	else
		text="$text FAIL $name (output differs, exit $rc);"
	fi
done
give "$(awk -v p="$passed" -v t="$total" 'BEGIN { printf "%.4f", p / t }')" "$passed of $total cases passed.$text"
