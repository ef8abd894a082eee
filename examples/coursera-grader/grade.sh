#!/bin/sh
# A Coursera-style grader: runs the student's solution.sh, compares its output with
# the expected one, and writes /shared/feedback.json (fractionalScore + feedback).
# Coursera's contract: the score is a number in [0, 1]; the feedback is shown to the
# student. The grader's own exit status 0 means "graded" (whatever the score).
sub=/shared/submission
out=/tmp/output.txt
if [ ! -f "$sub/solution.sh" ]; then
	printf '{"fractionalScore": 0.0, "feedback": "No solution.sh in the submission."}\n' >/shared/feedback.json
	exit 0
fi
echo "grader: running the student's solution.sh"
sh "$sub/solution.sh" >"$out" 2>&1
cat "$out" | sed 's/^/  student> /'
if grep -qx 'hello, world' "$out"; then
	score=1.0 msg="Correct: the program prints hello, world."
else
	score=0.0 msg="Expected the line 'hello, world'."
fi
printf '{"fractionalScore": %s, "feedback": "%s"}\n' "$score" "$msg" >/shared/feedback.json
echo "grader: score $score"
