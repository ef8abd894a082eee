#!/usr/bin/env bash
# usher as the PID 1 that runc starts (issue 14, item 3): every mode with
# `--entrypoint /usher/usher`, nothing between runc and usher, judged by usher's exit
# status, the result file (status, error.step, grader, lockdown) and what the probe
# prints from inside. runc makes its PID 1 a session leader, hands it a controlling
# terminal under -t, and may start it as a non-root user: the modes that must cope.
#
#   supervise / --exec            as PID 1 (--exec: a session leader already)
#   --exec --result               the result written on every failure
#   --user 1000                   in both modes
#   docker run --user 1000        non-root start: the check judges the grader's real uid
#   result dir of another uid     PID 1 still writes the result
#   docker run --init             usher a child subreaper under tini
#   docker run -t                 no controlling terminal for the grader, both modes
# Controls (the probe without usher) show that each attack checked here works.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/docker.sh"
. "$here/../lib/result.sh"
docker_setup
img=usher-test/busybox

# A directory for /shared, as an ECS task volume starts: root's, 0755.
volume() { local d; d=$(tap_tmpdir); printf '%s\n' "$d"; }
# pid1 DIR [DOCKER-ARGS...] -- USHER-ARGS...: usher as the container's PID 1, DIR at
# /shared; stdout+stderr in $out (carriage returns of -t removed), status in $rc.
pid1() {
	local dir=$1 run=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do run+=("$1"); shift; done
	shift
	docker run --rm --network none --name "$(docker_name pid1)" --entrypoint /usher/usher \
		-v "$bin:/usher:ro" -v "$dir:/shared" "${run[@]}" "$img" "$@" >"$outf" 2>&1
	rc=$?
	out=$(tr -d '\r' <"$outf")
}
outf=$(tap_tmpdir)/out
# The value of KEY= in the probe's whoami line of $out.
whoami_field() { printf '%s\n' "$out" | grep -m1 '^uid=' | tr ' ' '\n' | sed -n "s/^$1=//p"; }
res() { result_field "$1/r.json" "$2"; }

# --- supervise, as PID 1 ---------------------------------------------------------
d=$(volume)
pid1 "$d" -- --no-wait --result /shared/r.json -- /bin/sh -c 'echo "sh=$$ ppid=$PPID"; /usher/probe whoami; exit 3'
tap_is "$rc" 3 "supervise as PID 1: the grader's status comes back"
tap_like "$out" "sh=[0-9]+ ppid=1" "... the grader is usher's child, usher is PID 1"
sh_pid=$(printf '%s\n' "$out" | sed -n 's/^sh=\([0-9]*\) .*/\1/p')
tap_ok "... in a session of its own (the grader's), not PID 1's" test "$(whoami_field sid)" = "$sh_pid" -a "$sh_pid" != 1
tap_is "$(whoami_field uid)" "$(res "$d" .lockdown.uid)" "... as the uid the result records"
tap_like "$(res "$d" '[.status, .exit_code, .grader.exit_code, .error, .lockdown.no_new_privs, .lockdown.seccomp] | map(tostring) | join(" ")')" \
	"^exited 3 3 null true default$" "... result: exited, grader.exit_code 3, no error, locked down"
result_valid "$d/r.json" "... schema-valid"

# --- --exec, as PID 1 (runc made it a session leader: setsid fails, that is fine) ---
d=$(volume)
pid1 "$d" -- --exec --no-wait -- /bin/sh -c 'echo "sh-pid=$$"; /usher/probe whoami; exit 42'
tap_is "$rc" 42 "--exec as PID 1: a session leader is accepted, the grader's status is the container's"
tap_like "$out" "sh-pid=1" "... the grader is PID 1 itself"
tap_like "$(printf '%s\n' "$out" | grep '^uid=')" "^uid=[1-9][0-9]* .*capeff=0000000000000000 .*nnp=1 seccomp=2 .*sid=1 " \
	"... locked down: a uid of its own, no capability, nnp, seccomp, PID 1's session"

# --- --exec --result: the result on every failure ------------------------------------
# A lockdown step that fails as root (rlimit above the container's hard limit).
d=$(volume)
pid1 "$d" -- --exec --no-wait --rlimit nofile=4000000 --result /shared/r.json -- /bin/true
tap_is "$rc" 125 "--exec: a lockdown step fails (rlimit above the hard limit): 125"
tap_is "$(res "$d" '.status + " " + .error.step')" "setup_failed rlimit" "... result: setup_failed at step rlimit"
result_valid "$d/r.json" "... schema-valid"
# A protection required and not there: the kernel's Landlock ABI + 1.
abi=$(docker run --rm --network none --entrypoint /usher/probe -v "$bin:/usher:ro" "$img" sys landlock |
	sed -n 's/^probe: sys landlock: ok //p')
d=$(volume)
pid1 "$d" -- --exec --no-wait --require "landlock=$((${abi:-0} + 1))" --result /shared/r.json -- /bin/true
tap_is "$rc" 125 "--exec --require landlock=$((${abi:-0} + 1)) on ABI ${abi:-?}: 125"
tap_is "$(res "$d" '.status + " " + .error.step')" "setup_failed require" "... result: setup_failed at step require"
result_valid "$d/r.json" "... schema-valid"
# A submission rejected by the check: a symlink out of it.
d=$(volume)
mkdir -p "$d/submission" && ln -s /etc/passwd "$d/submission/escape" && touch "$d/submission.ready"
pid1 "$d" -- --exec --wait-timeout 10 --result /shared/r.json -- /bin/true
tap_is "$rc" 65 "--exec: a rejected submission: 65"
tap_is "$(res "$d" '.status + " " + (.error.step // "none")')" "rejected check" "... result: rejected at step check"
result_valid "$d/r.json" "... schema-valid"
# Nothing delivered in time.
d=$(volume)
pid1 "$d" -- --exec --wait-timeout 1 --result /shared/r.json -- /bin/true
tap_is "$rc" 75 "--exec: no submission within --wait-timeout: 75"
tap_is "$(res "$d" '.status + " " + (.wait_ms >= 1000 | tostring)')" "wait_timeout true" "... result: wait_timeout after 1 s"
result_valid "$d/r.json" "... schema-valid"
# PROGRAM missing: the lockdown is complete when execve fails, so PID 1 is already the
# grader (its uid, Landlock, seccomp) and /shared is root's: the writer forked before
# the lockdown (report.c), still root, writes the result.
d=$(volume)
pid1 "$d" -- --exec --no-wait --result /shared/r.json -- /nonexistent
tap_is "$rc" 127 "--exec: PROGRAM not found: 127"
tap_is "$(res "$d" '.status + " " + .error.step')" "exec_failed exec" "... result: exec_failed at step exec (written by the root writer)"
result_valid "$d/r.json" "... schema-valid"

# --- --user 1000 -------------------------------------------------------------------------
d=$(volume)
pid1 "$d" -- --no-wait --user 1000 --result /shared/r.json -- /usher/probe whoami
tap_like "$rc $(whoami_field uid) $(whoami_field gid) $(whoami_field ppid)" "^0 1000 1000 1$" \
	"--user 1000, supervise: the grader is uid/gid 1000 (the image's grader), child of PID 1"
tap_is "$(res "$d" '"\(.lockdown.uid) \(.lockdown.gid) \(.lockdown.degraded | map(.what) | join(","))"')" "1000 1000 " \
	"... result: lockdown uid 1000, nothing degraded"
pid1 "$d" -- --exec --no-wait --user 1000 -- /usher/probe whoami
tap_like "$rc $(whoami_field uid) $(whoami_field pid)" "^0 1000 1$" "--user 1000, --exec: PID 1 becomes uid 1000"

# --- a non-root start: docker run --user 1000 --------------------------------------------
# The submission and the result's directory belong to uid 1000 (a volume the sidecar
# filled as 1000). usher cannot chown the submission; its check must judge what the
# grader, uid 1000 for real, can read: a file 0600 of uid 2000 is unreadable to it.
d=$(volume)
mkdir -p "$d/submission" && echo 'print(1)' >"$d/submission/main.py" && chmod 600 "$d/submission/main.py"
chown -R 1000:1000 "$d"
pid1 "$d" --user 1000:1000 -e AWS_SECRET_ACCESS_KEY=hunter2 -- --no-wait --result /shared/r.json -- /bin/sh -c \
	'cat /shared/submission/main.py; echo "ppid=$PPID"; /usher/probe whoami; /usher/probe kill 1 0; /usher/probe read-environ'
tap_is "$rc" 0 "non-root start: a submission file 0600 of uid 1000 is accepted"
tap_like "$out" "print\(1\)" "... and the grader reads it"
tap_like "$rc $(whoami_field uid) $(printf '%s\n' "$out" | sed -n 's/^ppid=//p') $(whoami_field nnp) $(whoami_field seccomp)" "^0 1000 1 1 2$" \
	"... the grader runs as uid 1000 under PID 1, with nnp and seccomp"
tap_like "$(printf '%s\n' "$out" | grep 'kill-1\|read-environ' | tr '\n' ' ')" "kill-1: EPERM.*read-environ: E[A-Z]+" \
	"... and cannot signal PID 1 (Landlock scoping) nor read its environment, though it shares its uid"
tap_is "$(res "$d" '"\(.status) \(.lockdown.uid) \(.lockdown.degraded | map(.what) | sort | join(","))"')" \
	"exited 1000 bounding-set,own-uid,submission-owner,uid-switch" \
	"... result (written by usher as uid 1000): exited, uid 1000, the four protections a non-root start lacks"
d=$(volume)
mkdir -p "$d/submission" && echo 'secret' >"$d/submission/key.txt" && chmod 600 "$d/submission/key.txt"
chown 1000:1000 "$d" "$d/submission" && chown 2000:2000 "$d/submission/key.txt"
pid1 "$d" --user 1000:1000 -- --no-wait --result /shared/r.json -- /bin/cat /shared/submission/key.txt
tap_is "$rc" 65 "non-root start: a submission file 0600 of uid 2000, unreadable to the grader (uid 1000): rejected"
tap_like "$(res "$d" '.status + " " + .error.message')" "^rejected .*key.txt" "... result: rejected, naming the file"
pid1 "$d" --user 1000:1000 -- --exec --no-wait --result /shared/r.json -- /bin/true
tap_is "$rc $(res "$d" .status)" "65 rejected" "... the same in --exec mode"
d=$(volume)
chown 1000:1000 "$d"
pid1 "$d" --user 1000:1000 -- --exec --no-wait -- /usher/probe whoami
tap_like "$rc $(whoami_field uid) $(whoami_field pid) $(whoami_field nnp) $(whoami_field seccomp)" "^0 1000 1 1 2$" \
	"non-root start, --exec: PID 1 runs the grader as uid 1000 with nnp and seccomp"

# --- a result directory owned by another uid -----------------------------------------
# A volume the sidecar created as uid 1000, mode 0755: root may write there only with
# CAP_DAC_OVERRIDE, which PID 1 keeps for that reason alone.
d=$(volume)
chown 1000:1000 "$d" && chmod 755 "$d"
pid1 "$d" -- --no-wait --result /shared/r.json -- /usher/probe write /shared/forged.json
tap_is "$rc" 0 "result directory of uid 1000 (0755): the grader exits 0"
tap_is "$(res "$d" '.status + " " + (.exit_code | tostring)')" "exited 0" "... and usher writes the result there"
tap_like "$out" "write: EACCES" "... where the grader itself cannot write"
pid1 "$d" -- --exec --no-wait --rlimit nofile=4000000 --result /shared/r.json -- /bin/true
tap_is "$rc $(res "$d" '.status + " " + .error.step')" "125 setup_failed rlimit" \
	"... --exec: a failed step's result is written there too"

# --- docker run --init: usher a child subreaper under tini ---------------------------
d=$(volume)
start=$(date +%s)
pid1 "$d" --init -- --no-wait --result /shared/r.json -- /bin/sh -c \
	'echo "pid1=$(cat /proc/1/comm) ppid=$PPID"; /usher/probe daemon 60; exit 4'
took=$(($(date +%s) - start))
tap_is "$rc" 4 "--init: usher under tini, the grader's status comes back through both"
tap_like "$(printf '%s\n' "$out" | grep '^pid1=')" "^pid1=docker-init ppid=([02-9]|[1-9][0-9]+)$" \
	"... PID 1 is Docker's init, the grader's parent is usher"
tap_like "$out" "killed 1 process the grader left behind" "... the daemon came back to usher (subreaper) and was killed"
tap_ok "... the container ends at once (${took} s)" test "$took" -lt 15
tap_is "$(res "$d" '"\(.status) \(.lockdown.degraded | map(.what) | join(","))"')" "exited " \
	"... result: exited, nothing degraded (the subreaper bit is set)"
pid1 "$d" --init -- --exec --no-wait -- /usher/probe whoami
tap_like "$rc $(whoami_field nnp) $(whoami_field seccomp)" "^0 1 2$" "--init --exec: the grader runs locked down"
tap_ok "... in a session of its own ($(whoami_field sid) = pid $(whoami_field pid))" \
	test "$(whoami_field sid)" = "$(whoami_field pid)"

# --- docker run -t: a controlling terminal the grader must not have --------------------
attacks='/usher/probe tty-open; /usher/probe tty-inject'
d=$(volume)
pid1 "$d" -t -- --no-wait -- /bin/sh -c "$attacks"
tap_like "$(printf '%s\n' "$out" | grep '^probe:' | tr '\n' ' ')" "tty-open: ENXIO .*tty-inject: (EPERM|NOTTY)" \
	"-t, supervise: the grader has no controlling terminal and cannot inject input"
pid1 "$d" -t -- --exec --no-wait -- /bin/sh -c "$attacks"
tap_like "$(printf '%s\n' "$out" | grep '^probe: tty-open')" "tty-open: ENXIO" \
	"-t, --exec: PID 1 gave up the terminal runc made its controlling one (/dev/tty: ENXIO)"
tap_like "$(printf '%s\n' "$out" | grep '^probe: tty-inject')" "tty-inject: EPERM" "... TIOCSTI refused"
pid1 "$d" -t -- --exec --no-wait --seccomp none -- /bin/sh -c "$attacks"
tap_like "$(printf '%s\n' "$out" | grep '^probe: tty-inject')" "tty-inject: EPERM" \
	"... refused by the kernel even without usher's filter (--seccomp none): not its terminal any more"
# Control: the same attacks as runc's PID 1 without usher succeed.
out=$(docker run --rm --network none -t --entrypoint /bin/sh -v "$bin:/usher:ro" "$img" -c "$attacks" 2>&1 | tr -d '\r')
tap_like "$(printf '%s\n' "$out" | grep 'probe:' | tr '\n' ' ')" "tty-open: OK .*tty-inject: OK" \
	"control: without usher, runc's PID 1 under -t has the terminal and TIOCSTI works"

tap_done
