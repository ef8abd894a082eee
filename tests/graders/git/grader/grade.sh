#!/bin/sh
# Grades a Git repository delivered as the submission: enough commits, a feature
# branch merged, commit subjects in the house style, the program right at HEAD.
# Writes /shared/feedback.json (Coursera's format); exits 0 once graded.
set -u
repo=/shared/submission
cd "$repo" || exit 1
passed=0 text=""
check() { # NAME CMD...: a check passes when CMD succeeds
	name=$1
	shift
	if "$@"; then passed=$((passed + 1)); text="$text PASS $name;"; else text="$text FAIL $name;"; fi
}
three_commits() { [ "$(git rev-list --count HEAD)" -ge 3 ]; }
merged_branch() { [ -n "$(git rev-list --merges HEAD)" ] && git rev-parse -q --verify refs/heads/feature/greeting >/dev/null; }
subjects() { git log --format=%s >/tmp/subjects && [ -s /tmp/subjects ] && ! grep -qvE '^[A-Z].{0,49}$' /tmp/subjects; }
hello() { git show HEAD:hello.py >/tmp/hello.py && [ "$(python3 /tmp/hello.py)" = "Hello, world!" ]; }
check "at least three commits" three_commits
check "feature/greeting merged" merged_branch
check "capitalised subjects of at most 50 characters" subjects
check "hello.py prints Hello, world! at HEAD" hello
score=$(awk -v p="$passed" 'BEGIN { printf "%.4f", p / 4 }')
printf '{"fractionalScore": %s, "feedback": "%s"}\n' "$score" "$passed of 4 checks passed.$text" >/shared/feedback.json
echo "grader: score $score:$text"
