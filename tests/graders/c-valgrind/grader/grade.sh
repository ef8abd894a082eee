#!/bin/sh
# make, then each case under valgrind (memcheck): a case passes when its output is the
# expected one and valgrind reports no error and no definite leak. Writes
# /shared/feedback.json (Coursera's format); exits 0 once graded.
set -u
give() {
	printf '{"fractionalScore": %s, "feedback": "%s"}\n' "$1" "$2" >/shared/feedback.json
	echo "grader: score $1: $2"
	exit 0
}
[ -f /shared/submission/strutil.c ] || give 0 "Your submission has no strutil.c."
work=$(mktemp -d)
cp /grader/Makefile /grader/driver.c /grader/strutil.h /shared/submission/strutil.c "$work/"
make -s -C "$work" >"$work/make.log" 2>&1 || { cat "$work/make.log"; give 0 "strutil.c does not build."; }
passed=0 total=0 text=""
while read -r case want; do
	total=$((total + 1))
	got=$(valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=3 \
		--log-file="$work/vg-$case.log" "$work/driver" "$case")
	rc=$?
	cat "$work/vg-$case.log"
	if [ "$rc" = 3 ]; then
		text="$text FAIL $case (memory error or leak);"
	elif [ "$rc" != 0 ] || [ "$got" != "$want" ]; then
		text="$text FAIL $case (printed $got);"
	else
		passed=$((passed + 1))
		text="$text PASS $case;"
	fi
done <<-'CASES'
	reverse [three two one]
	squeeze [a b c]
	squeeze-none [abc]
	reverse-long [dog lazy the over jumps fox brown quick the]
CASES
give "$(awk -v p="$passed" -v t="$total" 'BEGIN { printf "%.4f", p / t }')" "$passed of $total cases passed.$text"
