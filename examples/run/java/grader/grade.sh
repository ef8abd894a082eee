#!/bin/bash
# A Coursera grader for a Java exercise that never runs the learner's code itself.
#
# The exercise: Main.java reads whitespace-separated integers from stdin (any number of
# lines, possibly none) and prints their sum. The hidden tests are /grader/tests/N.in
# with the expected N.out.
#
# The grader runs under usher (the container's PID 1) as a uid of its own. Both javac
# and the learner's program run under `usher run`, as a second, throwaway identity that
# cannot touch the grader, its files or the hidden tests. javac too: annotation
# processors run the learner's code at compile time. Each run writes a verdict (--meta)
# into a directory only the grader can write; the feedback says why each test failed,
# and a run that tried what the sandbox refuses (meta "denied") or could not be run
# scores 0 at once.
#
# The grader is a shell script, not Java: usher hands the grader its channel as an
# inherited fd (USHER_RUN_FD), and Java's ProcessBuilder closes every fd but 0-2 in the
# processes it starts, so a grader written in Java could not reach `usher run`.
#
# Writes Coursera's /shared/feedback.json; exits 0 once graded, whatever the score.
set -u
usher=/usher/usher
tests=/grader/tests
feedback=/shared/feedback.json
source=/shared/submission/Main.java
# Per test; everything else keeps usher run's defaults (256 processes, 256 open files,
# 64M per file). A JVM needs more CPU time to start than a C program (its JIT and GC
# threads count too); --memory bounds the resident memory of the whole run, -Xmx only
# the heap. javac gets more below.
limits=(--cpu-time 4 --wall-time 20 --memory 1G --max-output 1M)
jvm=(-Xmx256m -XX:+UseSerialGC)

give() {
	jq -n --argjson s "$1" --arg f "$2" '{fractionalScore: $s, feedback: $f}' >"$feedback"
	printf 'grader: score %s\n%s\n' "$1" "$2"
	exit 0
}

# run META [OPTION]... -- PROGRAM...: one `usher run` (the channel, USHER_RUN_FD, is an
# fd bash passes on by itself); a run that left no verdict is an internal error.
run() {
	local meta=$1 rc
	shift
	"$usher" run --meta "$meta" "$@" # the tests: hidden by USHER_HIDE (Dockerfile)
	rc=$?
	[ -s "$meta" ] || jq -n --arg m "usher run exited $rc without a verdict" \
		'{status: "internal_error", message: $m}' >"$meta"
	echo "grader: $(jq -c . "$meta")"
}

# The sandbox's own verdicts end the grading with 0: a refused call means the program
# tried to escape; an internal error means it could not be judged. Refused calls named
# after META are forgiven: javac's JVM probes the network stack when it starts (a
# socket(2) that usher refuses, as the learner gets no network), whatever it compiles.
sandbox_check() { # WHAT META [SYSCALL...]
	local denied
	denied=$(jq -r '$ARGS.positional as $ok | (.denied // []) | map(select(.syscall | IN($ok[]) | not))
		| map("\(.syscall) x\(.count)") | join(", ")' "$2" --args "${@:3}")
	[ -z "$denied" ] ||
		give 0 "$1: sandbox violation: your program tried what the sandbox forbids ($denied). Grading stopped: the score is 0."
	[ "$(jq -r .status "$2")" != internal_error ] ||
		give 0 "$1: sandbox error: your program could not be run ($(jq -r '.message // ""' "$2")). Grading stopped: the score is 0. If you think this is our mistake, contact the course staff."
}

words() { tr -s '[:space:]' '\n' <"$1" | sed '/^$/d'; }

# One test's verdict, in the learner's words.
judge() { # META OUT ERR EXPECTED
	local why
	case $(jq -r .status "$1") in
	ok) if cmp -s <(words "$2") <(words "$4"); then echo passed; else echo "wrong answer"; fi ;;
	cpu_time_limit) echo "time limit exceeded (CPU time)" ;;
	wall_time_limit) echo "time limit exceeded (wall-clock time)" ;;
	memory_limit) echo "memory limit exceeded" ;;
	output_limit) echo "output limit exceeded (your program printed too much)" ;;
	file_size_limit) echo "file size limit exceeded" ;;
	signaled) echo "crashed (killed by SIG$(kill -l "$(jq -r '.signal // 0' "$1")" 2>/dev/null || echo '?'))" ;;
	runtime_error)
		why=$(tail -c 2000 "$3" 2>/dev/null | tail -n 3 | tr '\n' '|' | sed 's/|$//; s/|/ | /g')
		echo "crashed (exit code $(jq -r .exit_code "$1"))${why:+: $why}" ;;
	*) echo "sandbox error: $(jq -r '.message // .status' "$1")" ;;
	esac
}

# The staff's log (the container's output) gets what the program said on stderr.
log_stderr() { [ ! -s "$1" ] || head -c 8000 "$1" | sed 's/^/  learner> /'; }

[ -f "$source" ] || give 0 "Your submission has no Main.java."
# Two directories of the grader's own, straight under /tmp: the learner's (usher run
# lends it to each run and gives it back) and the grader's, for outputs and verdicts.
build=$(mktemp -d /tmp/learner-XXXXXX)
private=$(mktemp -d /tmp/grader-XXXXXX)
cp "$source" "$build/"

run "$private/cc.meta" --dir "$build" --cpu-time 30 --wall-time 60 --memory 2G \
	--stdout "$private/cc.out" --stderr "$private/cc.err" -- javac "${jvm[@]/#/-J}" -d . Main.java
log_stderr "$private/cc.err"
sandbox_check "Compiling" "$private/cc.meta" socket
if [ "$(jq -r .status "$private/cc.meta")" != ok ] || [ ! -f "$build/Main.class" ]; then
	give 0 "Main.java does not compile:
$(head -n 20 "$private/cc.err")"
fi

passed=0 total=0 lines=""
for input in "$tests"/*.in; do
	name=$(basename "$input" .in)
	total=$((total + 1))
	meta=$private/$name.meta
	run "$meta" "${limits[@]}" --dir "$build" --stdin "$input" \
		--stdout "$private/$name.out" --stderr "$private/$name.err" -- java "${jvm[@]}" -cp . Main
	log_stderr "$private/$name.err"
	sandbox_check "Test $name" "$meta"
	verdict=$(judge "$meta" "$private/$name.out" "$private/$name.err" "$tests/$name.out")
	[ "$verdict" != passed ] || passed=$((passed + 1))
	lines="$lines
Test $name: $verdict"
done
[ "$total" -gt 0 ] || give 0 "No tests were found. Please contact the course staff."
give "$(awk -v p="$passed" -v t="$total" 'BEGIN { printf "%.4f", p / t }')" "$passed of $total tests passed.$lines"
