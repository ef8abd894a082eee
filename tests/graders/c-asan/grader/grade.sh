#!/bin/sh
# Builds the learner's list.c with the Check tests under AddressSanitizer, runs them,
# and scores the share of tests that passed: a memory error or a leak fails its test.
# Writes /shared/feedback.json (Coursera's format); exits 0 once graded.
set -u
TOTAL=4
work=$(mktemp -d)
give() {
	printf '{"fractionalScore": %s, "feedback": "%s"}\n' "$1" "$2" >/shared/feedback.json
	echo "grader: score $1: $2"
	exit 0
}
[ -f /shared/submission/list.c ] || give 0 "Your submission has no list.c."
cp /grader/test_list.c /grader/list.h /shared/submission/list.c "$work/"
cd "$work" || exit 1
# shellcheck disable=SC2046 # pkg-config's words
if ! gcc -g -O0 -fsanitize=address -fno-omit-frame-pointer -o test_list test_list.c list.c \
	$(pkg-config --cflags --libs check) >build.log 2>&1; then
	cat build.log
	give 0 "list.c does not compile with the tests."
fi
./test_list >run.log 2>&1
cat run.log
passed=$(grep -c ':P:' run.log)
failed=$(grep -E ':[FE]:' run.log | sed 's/"/'"'"'/g; s/^.*:[FE]:core://' | tr '\n' ';')
give "$(awk -v p="$passed" -v t="$TOTAL" 'BEGIN { printf "%.4f", p / t }')" "$passed of $TOTAL tests passed. ${failed}"
