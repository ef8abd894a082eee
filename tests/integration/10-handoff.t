#!/usr/bin/env bash
# The handoff on the host with the real binary: the wait (timings, late directories,
# polling, timeout, failed marker, signals), the manifest, every rejection rule, and
# `usher deliver`. "Never early": each grader checks that the sidecar's last file is
# there and that the marker exists when it starts.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/result.sh"
tmp=$(tap_tmpdir)
lock=(--seccomp none --landlock off) # the lockdown has its own tests; keep these fast
n=0

# A fresh shared directory per case.
fresh() { n=$((n + 1)); d=$tmp/c$n; mkdir -p "$d"; sub=$d/shared/submission; }
# The grader: succeed only if the drop is complete.
grader() { echo "[ -e $sub.ready ] && [ \"\$(cat $sub/last.txt 2>/dev/null)\" = last ] || exit 99"; }
sidecar() { # write the files, then publish the marker by rename
	mkdir -p "$sub"
	echo 'print(42)' >"$sub/main.py"
	echo last >"$sub/last.txt"
	printf 'files=2\nbytes=15\n' >"$d/shared/.m.tmp"
	mv "$d/shared/.m.tmp" "$sub.ready"
}
shim() { "$usher" -q "${lock[@]}" --submission "$sub" "$@"; }
# Readiness, never a guessed sleep: poll a condition every 10 ms up to a deadline.
now_ms() { echo $(($(date +%s%N) / 1000000)); }
until_ok() { # SECS CMD...: 0 as soon as CMD succeeds, 1 after SECS
	local end=$(($(now_ms) + $1 * 1000))
	shift
	until "$@"; do
		[ "$(now_ms)" -lt "$end" ] || return 1
		sleep 0.01
	done
}
# usher (PID) holds an inotify watch on DIR: the kernel lists each watch with the
# watched inode in /proc/PID/fdinfo. It is the moment usher is waiting on DIR.
watching() { # PID DIR
	local ino f
	ino=$(printf '%x' "$(stat -c %i "$2" 2>/dev/null)") || return 1
	for f in /proc/"$1"/fdinfo/*; do
		grep -q "^inotify wd:[0-9a-f]* ino:$ino " "$f" 2>/dev/null && return 0
	done
	return 1
}
# usher's log says it waits (the polling wait has no inotify watch to look for).
logged() { grep -q "$2" "$1" 2>/dev/null; } # FILE REGEX

# The marker before usher starts, or DELAY s into its wait (from the moment it watches:
# the delay is the scenario, not a synchronisation).
for delay in before 0 0.05 2; do
	fresh
	[ "$delay" != before ] || sidecar
	mkdir -p "$d/shared"
	start=$(date +%s%N)
	"$usher" -q "${lock[@]}" --submission "$sub" --wait-timeout 20 --result "$d/r.json" -- \
		/bin/sh -c "$(grader)" 2>/dev/null &
	pid=$!
	if [ "$delay" != before ]; then
		until_ok 10 watching "$pid" "$d/shared" || tap_fail "marker $delay s into the wait: usher watches $d/shared"
		sleep "$delay"
		sidecar
	fi
	wait "$pid"
	rc=$?
	tap_is "$rc" 0 "marker $delay${delay#before} s into the wait: grading starts, not early"
	[ "$delay" = 2 ] && tap_ok "... the 2 s wait took about 2 s" \
		test $((($(date +%s%N) - start) / 1000000)) -lt 5000
done
result_valid "$d/r.json" "the result of a waited handoff is schema-valid"
valgrind_limit "its start eats the sidecar's delay" "... and records wait_ms and the submission" ||
	tap_ok "... and records wait_ms and the submission" jq -e '.wait_ms >= 1500 and .submission.files == 2 and .submission.bytes == 15' "$d/r.json"

# Directories created late: usher watches the deepest one that exists and moves its
# watch down as each level appears. Each step waits until usher watches the new level.
late() { # DESC DIR-THAT-EXISTS LEVEL...: create each LEVEL once usher watches its parent
	local desc=$1 have=$2 level ok=1
	shift 2
	"$usher" -q "${lock[@]}" --submission "$sub" --wait-timeout 20 -- /bin/sh -c "$(grader)" 2>/dev/null &
	pid=$!
	for level in "$@"; do
		until_ok 10 watching "$pid" "$have" || ok=0
		mkdir "$level"
		have=$level
	done
	until_ok 10 watching "$pid" "$have" || ok=0
	sidecar
	wait "$pid"
	rc=$?
	[ "$ok" = 1 ] || tap_fail "$desc: usher moves its watch down each level as it appears"
	tap_is "$rc" 0 "$desc: seen"
}
fresh
late "the parent directory created late" "$d" "$d/shared"
fresh
rm -rf "$d"
late "the grandparent created late" "$tmp" "$d" "$d/shared"

fresh
mkdir -p "$d/shared"
"$usher" "${lock[@]}" --submission "$sub" --wait-poll --wait-timeout 20 -- /bin/sh -c "$(grader)" 2>"$d/err" &
pid=$!
until_ok 10 logged "$d/err" "waiting for .*polling" || tap_fail "--wait-poll: usher says it waits, polling"
sidecar
wait "$pid"
tap_is "$?" 0 "--wait-poll (no inotify): seen"

fresh
mkdir -p "$sub"
start=$(date +%s%N)
shim --wait-timeout 1 --result "$d/r.json" -- /bin/true 2>"$d/err"
rc=$?
took=$((($(date +%s%N) - start) / 1000000))
tap_is "$rc" 75 "no marker: exit 75 at --wait-timeout"
tap_ok "... on time (1 s asked, took $took ms)" test "$took" -ge 950 -a "$took" -lt 4000
tap_like "$(cat "$d/err")" "no .*submission.ready after 1 s" "... with a clear line"
tap_is "$(result_field "$d/r.json" .status)" wait_timeout "... result: wait_timeout"
result_valid "$d/r.json" "... schema-valid"

fresh
mkdir -p "$sub"
"$usher" -q "${lock[@]}" --submission "$sub" --wait-timeout 30 --result "$d/r.json" -- /bin/true 2>"$d/err" &
pid=$!
until_ok 10 watching "$pid" "$d/shared" || tap_fail "failed marker: usher waits on $d/shared"
echo "s3: NoSuchKey: submissions/42.zip" >"$d/shared/.f"
# Timed from the marker (usher's start is slow under valgrind), against --wait-timeout 30.
start=$(date +%s%N)
mv "$d/shared/.f" "$sub.failed"
wait "$pid"
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
tap_is "$rc" 75 "failed marker: exit 75"
tap_ok "... at once, not after --wait-timeout 30 (took $ms ms)" test "$ms" -lt 10000
tap_like "$(cat "$d/err")" "NoSuchKey" "... the log carries the sidecar's reason"
tap_is "$(result_field "$d/r.json" '.status + ": " + .sidecar_reason')" "sidecar_failed: s3: NoSuchKey: submissions/42.zip" "... and so does the result"
result_valid "$d/r.json" "... schema-valid"

fresh
mkdir -p "$sub"
"$usher" -q "${lock[@]}" --submission "$sub" --wait-timeout 30 --result "$d/r.json" -- /bin/true 2>/dev/null &
pid=$! # usher itself, not a function's subshell
until_ok 10 watching "$pid" "$d/shared" || tap_fail "SIGTERM during the wait: usher waits on $d/shared"
kill -TERM "$pid"
wait "$pid"
tap_is "$?" 143 "SIGTERM during the wait: 143, promptly"
if ! valgrind_limit "SIGTERM lands before usher runs" "... result: signaled (before the grader ran)" "... schema-valid"; then
	tap_is "$(result_field "$d/r.json" '.status')" signaled "... result: signaled (before the grader ran)"
	result_valid "$d/r.json" "... schema-valid"
fi

fresh
mkdir -p "$sub"
touch "$sub/.ready" "$sub/submission.ready"
shim --wait-timeout 0.5 -- /bin/true 2>/dev/null
tap_is "$?" 75 "a student's file named .ready inside DIR does not start grading"

# The grader's process locks down before the wait: a step that cannot be applied (a
# hard nofile limit above the kernel's nr_open) fails at once, not at the marker.
fresh
mkdir -p "$sub"
start=$(date +%s%N)
err=$(shim --wait-timeout 30 --rlimit nofile=1024:2147483647 --result "$d/r.json" -- /bin/true 2>&1)
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
tap_is "$rc" 125 "a lockdown step that fails, with no marker yet: 125"
tap_ok "... at once, not after --wait-timeout (took $ms ms)" test "$ms" -lt 5000
tap_is "$(result_field "$d/r.json" '.status + " " + .error.step + " " + (.lockdown | tostring)')" \
	"setup_failed rlimit null" "... result: setup_failed at step rlimit, no lockdown"

# Rejections: each rule, exit 65, the path relative to DIR and the rule named.
rejected() { # DESC SETUP-COMMANDS WANT-REGEX [SHIM-ARGS]
	fresh
	mkdir -p "$sub"
	echo ok >"$sub/ok.txt"
	(cd "$sub" && eval "$2")
	local err rc
	mkdir -m 1777 "$d/w" # the grader's process is prepared (locked down) before the
	# check: a rejection must still mean it never runs
	err=$(shim --no-wait --result "$d/r.json" ${4:-} -- /bin/sh -c "echo ran >$d/w/ran" 2>&1)
	rc=$?
	if [ -e "$d/w/ran" ]; then
		tap_fail "rejected: $1" "the grader ran"
	elif [ "$rc" = 65 ] && [[ $err =~ $3 ]] && [ "$(result_field "$d/r.json" .status)" = rejected ]; then
		tap_pass "rejected: $1"
	else
		tap_fail "rejected: $1" "rc=$rc err=$err"
	fi
}
rejected "a FIFO" "mkfifo pipe" "pipe: FIFO"
rejected "a socket" "python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind(\"sock\")'" "sock: socket"
rejected "a device node" "mknod null c 1 3" "null: device node"
rejected "an absolute symlink" "ln -s /etc/passwd pw" "pw: symlink with an absolute target"
rejected "a symlink that climbs out" "mkdir d; ln -s ../../../../etc/passwd d/pw" "d/pw: symlink that leads out"
rejected "the lexical-check trick (b -> . ; d/a -> ../b/..)" "ln -s . b; mkdir d; ln -s ../b/.. d/a" "d/a: symlink that leads out"
rejected "a dangling symlink" "ln -s nowhere dangling" "dangling: dangling symlink"
rejected "a symlink loop" "ln -s loop2 loop1; ln -s loop1 loop2" "loop[12]: symlink loop"
rejected "a hard link" "ln ok.txt twin.txt" "(ok|twin).txt: hard link"
rejected "--max-files" "touch a b c" "more entries than --max-files" "--max-files 3"
rejected "--max-bytes" "head -c 2000 /dev/zero >big" "more bytes than --max-bytes" "--max-bytes 1K"
rejected "--max-depth" "mkdir -p a/b/c/d" "a/b/c/d: nested deeper than --max-depth" "--max-depth 3"
rejected "DIR is a symlink" "cd ..; mv submission real; ln -s real submission" "not a directory"
fresh
mkdir -p "$d/shared"; printf '' >"$d/shared/submission.ready"
err=$(shim --wait-timeout 5 -- /bin/true 2>&1)
tap_is "$?" 65 "rejected: a ready marker but no submission directory"
fresh
shim --no-wait --result "$d/r.json" -- /bin/true 2>/dev/null
tap_is "$?" 0 "--no-wait without a submission directory: the grader runs"
tap_is "$(result_field "$d/r.json" '.submission.files')" 0 "... and the result says 0 files"
fresh
mkdir -p "$sub"
echo 'x' >"$sub/a.txt"
printf 'files=2\nbytes=2\n' >"$sub.ready"
err=$(shim --wait-timeout 5 -- /bin/true 2>&1)
tap_is "$?" 65 "a manifest that does not match: 65"
tap_like "$err" "files=2, found 1" "... saying what differs"
printf 'files=x\n' >"$sub.ready"
shim --wait-timeout 5 -- /bin/true 2>/dev/null
tap_is "$?" 65 "a malformed manifest: 65"

# Normalisation: the grader can read everything and modify nothing.
fresh
mkdir -p "$sub/dir"
echo 'secret' >"$sub/dir/f.py"
cp "$probe" "$sub/tool"
chmod 4777 "$sub/tool"
chmod 0600 "$sub/dir/f.py"
chown -R 1234:1234 "$sub"
chmod 0700 "$sub/dir"
shim --no-wait -- /bin/true 2>/dev/null
tap_is "$(stat -c '%a %u:%g' "$sub/tool" "$sub/dir/f.py" "$sub/dir" "$sub" | tr '\n' ' ')" \
	"755 0:0 644 0:0 755 0:0 755 0:0 " "root-owned, readable, setuid cleared, nothing writable by the grader"
out=$("$usher" -q --no-wait --submission "$sub" -- /bin/sh -c "cat $sub/dir/f.py; echo x >>$sub/dir/f.py" 2>&1)
if ! valgrind_limit "3.19 does not know seccomp(2) (317)" "the grader (nobody) reads a file that was 0600" "... and cannot write it"; then
	tap_like "$out" "^secret" "the grader (nobody) reads a file that was 0600"
	tap_like "$out" "(Permission denied|Read-only)" "... and cannot write it"
fi

# usher deliver: a round trip, including 5,000 small files.
fresh
src=$d/src
mkdir -p "$src/deep/er"
for i in $(seq 5000); do echo "$i" >"$src/deep/f$i.txt"; done
ln -s ../f1.txt "$src/deep/er/link"
"$usher" deliver -q --to "$sub" "$src"
tap_is "$?" 0 "usher deliver copies a tree of 5,000 files"
tap_is "$(cat "$sub.ready" | tr '\n' ' ')" "files=5001 bytes=$((9 * 2 + 90 * 3 + 900 * 4 + 4001 * 5)) " "... and publishes files= and bytes="
shim --wait-timeout 10 -- /bin/sh -c "[ -L $sub/deep/er/link ]" 2>/dev/null
tap_is "$?" 0 "... which the shim verifies, symlink kept as a symlink"
fresh # an empty volume: the marker's directory is made
"$usher" deliver -q --to "$sub" --fail "fetch failed: 403"
tap_is "$(cat "$sub.failed")" "fetch failed: 403" "usher deliver --fail publishes the reason"

# 200 handoffs in a row with random marker timing: never early, never missed. Here the
# delay is the point, not a synchronisation: the marker lands 0-29 ms after usher
# starts, anywhere in its start-up or its wait, so that every interleaving gets tried.
# (HANDOFF_RUNS: fewer under valgrind, where each start costs ~0.5 s.)
runs=${HANDOFF_RUNS:-200}
bad=0
for i in $(seq "$runs"); do
	fresh
	(sleep "0.0$((RANDOM % 3))$((RANDOM % 10))"; sidecar) &
	shim --wait-timeout 10 -- /bin/sh -c "$(grader)" 2>/dev/null || bad=$((bad + 1))
	wait
done
tap_is "$bad" 0 "$runs handoffs with random timing: none early, none missed"

tap_done
