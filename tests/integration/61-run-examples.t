#!/usr/bin/env bash
# The `usher run` examples (examples/run/{python,c,java}) graded the way a platform
# grades: usher as the ENTRYPOINT with its defaults, the submission delivered by a
# sidecar running `usher deliver`, the grader calling `usher run` for each compile and
# test. Each grader gets a correct submission (full marks), a wrong one (1 of 4: a wrong
# answer, then one test per limit or crash) and a hostile one, which prints the right
# answer after trying every attack a learner's program can try on its grader: each must
# be refused with the errno of the layer that answers, the grade must be 0 for the
# attempt, and /shared/feedback.json must still hold the grader's verdict seconds after
# (a daemon of the learner's waits to overwrite it). All of it twice: on this kernel,
# and on an emulated 5.10 (tests/kernels: no Landlock, so uids and file modes alone).
# Controls: the same hostile program run by a grader directly, not under `usher run`,
# rewrites the feedback and reads the grader's environment and the hidden tests.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/docker.sh"
. "$here/../lib/result.sh"
# shellcheck source=../graders/lib.sh
. "$top/tests/graders/lib.sh"
graders_setup # an engine (or skip), the busybox sidecar, the base images, $bin
examples=$top/examples/run
langs="python c java"
for l in $langs; do
	out=$(DOCKER_BUILDKIT=0 docker build -q -t "usher-examples/run-$l" "$examples/$l" 2>&1) ||
		{ tap_fail "examples/run/$l: the image builds" "$out"; tap_done; exit 1; }
done

# --- What each run must show ---------------------------------------------------------
# The feedback's line per test, in order.
declare -A cases=(
	[correct]="passed|passed|passed|passed"
	[wrong:python]="passed|wrong answer|time limit exceeded (CPU time)|memory limit exceeded"
	[wrong:c]="passed|wrong answer|crashed (killed by SIGSEGV)|output limit exceeded*"
	[wrong:java]="passed|wrong answer|crashed (exit code 1)*NullPointerException*|time limit exceeded (CPU time)"
)
declare -A score=([correct]=1 [wrong]=0.25 [hostile]=0)
# The hostile's attacks and the errno that must refuse each. Files: the learner's own
# uid and Landlock (with it) or file modes (without); /proc/PID/environ and mem:
# ptrace access mode (another uid; PID 1 is not dumpable); signals and ptrace: another
# uid; the network: usher's seccomp filter (the learner has none by default); the
# fork bomb: --processes (RLIMIT_NPROC of the run's own uid). kill(-1) reports success
# when it finds processes it may not signal: its line says whether the grader lived.
attacks="read-hidden=EACCES list-hidden=EACCES grader-environ=EACCES grader-mem=EACCES
init-environ=EACCES feedback-rewrite=EACCES shared-create=EACCES kill-grader=EPERM
kill-parent=EPERM ptrace-attach=EPERM ptrace-seize=EPERM kill-all=none
net-loopback=EPERM net-remote=EPERM fork-bomb=EAGAIN"
# /tmp: Landlock keeps the learner to --dir and its own temporary directory; without
# it /tmp is world-writable and --fsize (64M) is what stops one file.
declare -A fill=([current]=EACCES [5.10]=EFBIG)
# Java has no ptrace (its line says "not tried").
no_attack=" java:ptrace-attach java:ptrace-seize "
forged='"forged by the learner"'

# --- One grading -----------------------------------------------------------------------
# grade DIR LANG SUB KERNEL [ARGV...]: grades examples/run/LANG/submissions/SUB with the
# image's ENTRYPOINT (or ARGV) after `--`; the sidecar delivers while usher waits.
# Leaves DIR/rc, DIR/log, DIR/ms and DIR/shared (the /shared volume).
grade() {
	local d=$1 lang=$2 sub=$3 kernel=$4 cname sec=() argv=() t0
	shift 4
	mkdir -p "$d/shared"
	g_shared=$d/shared # where _grader_deliver delivers (tests/graders/lib.sh)
	[ "$kernel" = current ] || sec=(--security-opt "seccomp=$top/tests/kernels/kernel-$kernel.json")
	if [ $# -gt 0 ]; then argv=("$@"); else mapfile -t argv < <(_grader_argv "usher-examples/run-$lang"); fi
	cname=$(docker_name "run-$lang")
	t0=$(date +%s%N)
	docker run -d --name "$cname" --network none "${sec[@]}" ${HOSTILE_ATTACKS:+-e HOSTILE_ATTACKS} \
		--entrypoint /usher/usher -v "$bin:/usher:ro" -v "$d/shared:/shared" "usher-examples/run-$lang" \
		--wait-timeout 120 --timeout 300 --result /shared/result.json -- "${argv[@]}" >/dev/null
	_grader_deliver "$examples/$lang/submissions/$sub" || echo "the sidecar failed to deliver" >"$d/log"
	timeout 400 docker wait "$cname" >"$d/rc" 2>&1 || echo "no exit" >"$d/rc"
	echo $((($(date +%s%N) - t0) / 1000000)) >"$d/ms"
	docker logs "$cname" >>"$d/log" 2>&1
	docker rm -f "$cname" >/dev/null 2>&1
}

# The hostile runs inside `sh -c`, which stays 3 s after the grader: were the learner's
# daemon still alive, it would put its forged score back in that time.
# shellcheck disable=SC2016 # $@ and $? are the inner shell's
linger() { printf '%s\n' sh -c '"$@"; rc=$?; sleep 3; exit $rc' grader; _grader_argv "usher-examples/run-$1"; }

# The feedback's per-test lines, joined by '|' (the violation's line alone).
feedback_lines() { jq -r '.feedback' "$1" 2>/dev/null | grep -E '^Test ' | sed 's/^Test [^:]*: //' | paste -sd '|'; }
# The hostile's line for an attack, from the grader's log of its stderr.
attack_line() { sed -n "s/^  learner> attack $2: //p" "$1" | head -n 1; }

own_uid() { [ -n "$1" ] && [ "$1" != 0 ] && [ "$1" != "$2" ]; }

check() { # DIR LANG SUB KERNEL
	local d=$1 lang=$2 sub=$3 kernel=$4 what="$2/$3 ($4 kernel)" res=$1/shared/result.json fb=$1/shared/feedback.json
	local failed=$_tap_failed got want
	tap_is "$(cat "$d/rc")" 0 "$what: the container exits 0, graded in $(cat "$d/ms") ms"
	got=$(result_field "$res" '[.status, .grader.exit_code] | map(tostring) | join(" ")')
	tap_is "$got" "exited 0" "... usher's result: exited, the grader's exit 0"
	want="0 landlock,oom-score" # without Landlock the grader may lower its OOM score
	[ "$kernel" != current ] || want="1 "
	got=$(result_field "$res" '"\(if .lockdown.landlock_abi > 0 then 1 else 0 end) \(.lockdown.degraded // [] | map(.what) | join(","))"')
	tap_is "$got" "$want" "... the grader's lockdown: $([ "$kernel" = current ] && echo "Landlock, nothing degraded" || echo "no Landlock, said in lockdown.degraded")"
	got=$(jq -r '.fractionalScore' "$fb" 2>/dev/null)
	if jq -en --argjson g "${got:-null}" --argjson w "${score[$sub]}" '$g != null and (($g - $w) | fabs) < 0.001' >/dev/null 2>&1; then
		tap_pass "... fractionalScore ${score[$sub]}"
	else
		tap_fail "... fractionalScore ${score[$sub]}" "got: '${got:-no feedback.json}'"
	fi
	got=$(feedback_lines "$fb")
	if [ "$sub" = hostile ]; then
		tap_like "$got" "^sandbox violation: your program tried what the sandbox forbids \(.*socket" \
			"... the feedback: a sandbox violation (its refused calls named), grading stopped"
	else
		want=${cases[$sub:$lang]:-${cases[$sub]}}
		# shellcheck disable=SC2053 # a glob on purpose: stderr's words after "crashed"
		if [[ $got == $want ]]; then tap_pass "... the feedback per test: $want"; else tap_fail "... the feedback per test: $want" "got: '$got'"; fi
	fi
	# The learner ran as a uid of its own, neither root nor the grader's.
	got=$(grep -m1 -o '"sandbox": *{[^}]*}' "$d/log" | grep -o '"uid": *[0-9]*' | grep -o '[0-9]*$')
	want=$(result_field "$res" .lockdown.uid)
	tap_ok "... the learner ran as a uid of its own ($got), neither root nor the grader's ($want)" \
		own_uid "$got" "$want"
	if [ "$sub" = hostile ]; then hostile_checks "$@"; fi
	[ "$_tap_failed" = "$failed" ] || tap_diag "--- $what: the grader's log (last 30 lines):" "$(tail -n 30 "$d/log")"
}

hostile_checks() { # DIR LANG SUB KERNEL
	local d=$1 lang=$2 kernel=$4 a name want got wrong="" n=0
	for a in $attacks fill-tmp=${fill[$kernel]}; do
		name=${a%%=*} want=${a#*=}
		[[ $no_attack != *" $lang:$name "* ]] || continue
		got=$(attack_line "$d/log" "$name")
		n=$((n + 1))
		[[ $got == "refused errno=$want"* ]] || wrong="$wrong
$name: '${got:-no line}' (want refused errno=$want)"
	done
	tap_is "$wrong" "" "... all $n attacks refused, each with its errno ($kernel kernel: /tmp $([ "$kernel" = current ] && echo "by Landlock" || echo "by --fsize"))"
	tap_like "$(attack_line "$d/log" daemon)" "^started" "... its daemon started (a new session, forked)"
	# shellcheck disable=SC2016 # $1 is the inner shell's
	tap_ok "... no line says SUCCEEDED" sh -c '! grep -q "^  learner> attack .*SUCCEEDED" "$1"' - "$d/log"
	tap_ok "... nothing it created in /shared" test ! -e "$d/shared/hacked.txt"
	sleep 1
	tap_like "$(jq -r .feedback "$d/shared/feedback.json" 2>/dev/null)" "^Test 1: sandbox violation" \
		"... feedback.json is the grader's 4 s after its last write: the daemon died with the run"
}

# --- Every grader, every submission, on both kernels ----------------------------------
# The three graders run side by side (each its submissions in turn), then are checked.
pids=()
for kernel in current 5.10; do
	root=$(tap_tmpdir)
	t0=$(date +%s)
	for lang in $langs; do
		(
			for sub in correct wrong hostile; do
				if [ "$sub" = hostile ]; then
					mapfile -t argv < <(linger "$lang")
					grade "$root/$lang-$sub" "$lang" "$sub" "$kernel" "${argv[@]}"
				else
					grade "$root/$lang-$sub" "$lang" "$sub" "$kernel"
				fi
			done
		) &
		pids+=($!)
	done
	# The graders only: a private Docker engine this script started is a child too.
	wait "${pids[@]}"
	pids=()
	tap_diag "$kernel kernel: 9 gradings in $(($(date +%s) - t0)) s (3 graders side by side)"
	for lang in $langs; do
		for sub in correct wrong hostile; do check "$root/$lang-$sub" "$lang" "$sub" "$kernel"; done
	done
done

# --- Controls: the hostile program run by a grader directly ----------------------------
# A grader (sh) that runs the learner's program itself, as the grader's uid, then writes
# its verdict and stays 3 s: the attacks `usher run` refuses above get through.
declare -A direct=(
	[python]='python3 /shared/submission/solution.py'
	[c]='gcc -o /tmp/hostile /shared/submission/solution.c && /tmp/hostile'
	[java]='javac -d /tmp /shared/submission/Main.java && java -cp /tmp Main'
)
root=$(tap_tmpdir)
export HOSTILE_ATTACKS=read-hidden,grader-environ,feedback-rewrite,daemon
for lang in $langs; do
	grade "$root/$lang" "$lang" hostile current sh -c "cd /tmp && { ${direct[$lang]}; } </grader/tests/1.in 2>&1 |
		sed 's/^/  learner> /'; echo '{\"fractionalScore\": 0, \"feedback\": \"the grader\"}' >/shared/feedback.json; sleep 3" &
	pids+=($!)
done
wait "${pids[@]}"
pids=()
unset HOSTILE_ATTACKS
for lang in $langs; do
	d=$root/$lang
	got=""
	for a in read-hidden grader-environ feedback-rewrite; do got="$got $a=$(attack_line "$d/log" "$a" | cut -d' ' -f1)"; done
	tap_is "$got" " read-hidden=SUCCEEDED grader-environ=SUCCEEDED feedback-rewrite=SUCCEEDED" \
		"control, $lang: run by the grader directly, it reads the hidden tests and the grader's environment, and rewrites feedback.json"
	tap_like "$(cat "$d/shared/feedback.json" 2>/dev/null)" "$forged" \
		"... and its daemon puts the forged score back after the grader's verdict"
done
tap_done
