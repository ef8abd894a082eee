#!/usr/bin/env bash
# usher run (issue 17) with the real binary on the host: usher supervises a grader (a
# shell script) with its defaults (seccomp, Landlock where the kernel has it, a uid of
# its own), and the grader calls `usher run` as graders do. Checked: every status and
# its exit code, the meta file against its schema, the streams, the environment, and
# each attack of the learner's on the grader, judged by the errno of the layer that
# stops it, with a control showing the same call succeeds without that layer.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
tmp=$(tap_tmpdir)
chmod 755 "$tmp"
[ "$(id -u)" = 0 ] || { tap_skip "not root" "usher run needs usher to start as root here"; tap_done; exit 0; }
# The grader's uid is random: the binaries and the scratch space must be reachable.
mkdir -p "$tmp/bin" "$tmp/sub" "$tmp/shared" "$tmp/hidden"
cp "$usher" "$tmp/bin/usher"
cp "$probe" "$tmp/bin/probe"
U=$tmp/bin/usher P=$tmp/bin/probe
echo secret >"$tmp/hidden/expected.out"
chmod -R a+rX "$tmp/bin" "$tmp/hidden"
chmod 1777 "$tmp/shared"
schema=$top/tests/schemas/run-meta.schema.json

# grader SCRIPT [USHER-OPTION...]: usher runs `sh -c SCRIPT` as the grader; $U, $P, $T
# (a scratch directory of the grader's) and $H (hidden tests) are set for the script.
grader() {
	local script=$1
	shift
	rm -rf "$tmp/shared/g" && mkdir -p "$tmp/shared/g" && chmod 1777 "$tmp/shared/g"
	# shellcheck disable=SC2086 # LAUNCH: a command that starts usher, word-split on purpose
	timeout 60 ${LAUNCH:-} "$U" -q --no-wait --submission "$tmp/sub" --feedback "$tmp/shared/g/feedback.json" \
		--setenv "U=$U,P=$P,T=$tmp/shared/g,H=$tmp/hidden,SECRET=hunter2" "$@" -- sh -c "$script"
}
meta() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, {"m": d}))' "$1" "$2"; }
valid() { python3 -c 'import json,sys,jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))' "$1" "$schema"; }

# --- the command line ------------------------------------------------------------------
"$U" run 2>"$tmp/err"
tap_is "$?" 125 "usher run without -- PROGRAM: 125"
tap_like "$(cat "$tmp/err")" "missing -- PROGRAM" "... saying what is missing"
"$U" run --processes 0 -- true 2>"$tmp/err"
tap_is "$?" 125 "--processes 0: 125"
tap_like "$(cat "$tmp/err")" "bad --processes '0'" "... naming the option and the value"
USHER_WALL_TIME=x "$U" run -- true 2>"$tmp/err"
tap_like "$?:$(cat "$tmp/err")" "^125:.*USHER_WALL_TIME" "a bad USHER_WALL_TIME (the twin of --wall-time): 125"
"$U" run --meta "$tmp/outside.json" -- true 2>"$tmp/err"
tap_is "$?" 125 "outside a grader usher supervises: 125"
tap_like "$(meta "$tmp/outside.json" 'm["status"] + ": " + m["message"]')" "^internal_error: .*USHER_RUN_FD" \
	"... and the meta file is still written, saying why"

# --- statuses, exit codes, meta ----------------------------------------------------------
grader '$U run --meta $T/ok.json -- $P exit 0; echo "rc=$?" >$T/rc' && cp "$tmp/shared/g/ok.json" "$tmp/ok.json"
tap_is "$(cat "$tmp/shared/g/rc")" "rc=0" "ok: exit 0"
tap_ok "the meta file follows tests/schemas/run-meta.schema.json" valid "$tmp/ok.json"
tap_is "$(meta "$tmp/ok.json" 'm["status"], m["exit_code"], m["signal"], m["sandbox"]["separation"]')" \
	"('ok', 0, None, 'uid')" "ok: status, exit_code, no signal, a uid of its own"

check_status() { # NAME WANT-RC WANT-STATUS USHER-RUN-ARGS...
	local name=$1 rc=$2 st=$3
	shift 3
	grader "\$U run --meta \$T/m.json $* >\$T/out 2>\$T/err; echo \$? >\$T/rc"
	tap_is "$(cat "$tmp/shared/g/rc"):$(meta "$tmp/shared/g/m.json" 'm["status"]')" "$rc:$st" "$name: exit $rc, $st"
}
check_status "exit 3" 1 runtime_error -- '$P' exit 3
tap_is "$(meta "$tmp/shared/g/m.json" 'm["exit_code"]')" 3 "runtime_error: the program's own exit code in the meta"
check_status "SIGSEGV" 2 signaled -- '$P' kill-self SEGV
tap_is "$(meta "$tmp/shared/g/m.json" 'm["signal"]')" 11 "signaled: the signal in the meta"
check_status "--wall-time 0.3, sleeping 5 s" 3 wall_time_limit --wall-time 0.3 -- '$P' sleep 5
tap_like "$(meta "$tmp/shared/g/m.json" 'm["wall_ms"]')" '^(3[0-9][0-9]|[4-9][0-9][0-9]|1[0-9]{3})$' "... ended after 0.3-2 s of wall time"
check_status "--cpu-time 0.3, spinning 2 processes" 4 cpu_time_limit --cpu-time 0.3 -- '$P' spin 10 2
check_status "--memory 32M, 200 MiB" 5 memory_limit --memory 32M -- '$P' alloc 200 10
check_status "--max-output 1000, a flood" 6 output_limit --max-output 1000 -- '$P' flood 10M
tap_is "$(stat -c %s "$tmp/shared/g/out"):$(meta "$tmp/shared/g/m.json" 'm["output"]')" \
	"1000:{'bytes': 1000, 'truncated': True}" "... 1000 bytes reached stdout, the meta says truncated"
check_status "--fsize 4K, a 1 MiB file" 7 file_size_limit --fsize 4K -- '$P' bigfile big 1M
check_status "a program that does not exist" 127 internal_error -- /nonexistent/prog
check_status "a program that is not executable" 126 internal_error -- '$H/expected.out'
tap_like "$(meta "$tmp/shared/g/m.json" 'm["message"]')" "exec .*Permission denied" "... the meta says why"

# --- streams, environment, working directory ---------------------------------------------
grader 'printf "1 2\n" >$T/in; mkdir $T/w; $U run --stdin $T/in --stdout $T/o --stderr $T/e --dir $T/w --env FOO=bar -- \
	sh -c "cat; echo err >&2; echo \$FOO:\${SECRET:-none}:\$HOME; pwd; echo made >mine"; ls -ln $T/w >$T/ls; id -u >$T/gid'
tap_is "$(head -3 "$tmp/shared/g/o" | sed 's|/tmp/usher-run-[0-9a-f-]*|TMP|')" "1 2
bar:none:TMP
$tmp/shared/g/w" "stdin, stdout, --env, the grader's variables kept out, HOME, cwd in --dir"
tap_is "$(cat "$tmp/shared/g/e")" "err" "stderr to its file"
tap_like "$(awk '/mine/ {print $3}' "$tmp/shared/g/ls")" '^[0-9]+$' "the file the learner made in --dir..."
tap_is "$(awk '/mine/ {print $3}' "$tmp/shared/g/ls")" "$(cat "$tmp/shared/g/gid")" "... is the grader's after the run"

# The learner starts as a shell would start it: no signal blocked or ignored (the keeper
# blocks SIGCHLD and ignores SIGPIPE for itself, and whatever started usher may have left
# libc's own signals 32-34 ignored: here the probe does, as a CI runner once did); and a
# grader that stops reading its output gives the learner SIGPIPE, as `prog | head` would.
LAUNCH="$P ignore-rt" grader '$U run -- sh -c "grep -E \"^Sig(Blk|Ign)\" /proc/self/status" >$T/sig
	$U run --meta $T/m.json -- $P flood 100M | head -c 10 >/dev/null; echo $? >$T/rc'
sig=$(cat "$tmp/shared/g/sig")
[ "$sig" = "SigBlk:	0000000000000000
SigIgn:	0000000000000000" ] || echo "60-run.t: the learner's signal state: '$sig'" >&2
tap_is "$sig" "SigBlk:	0000000000000000
SigIgn:	0000000000000000" "the learner's signals: none blocked, none ignored"
tap_is "$(meta "$tmp/shared/g/m.json" 'm["status"], m["signal"]')" "('signaled', 13)" \
	"a grader that stops reading: the learner gets SIGPIPE, as without usher run"

# --- attacks, each with the layer's errno and a control without that layer ---------------
attack() { # SCRIPT-FOR-THE-GRADER: prints the probe lines
	grader "$1" "${@:2}" 2>/dev/null
	cat "$tmp/shared/g/out" 2>/dev/null
}
out=$(attack 'echo mine >$T/feedback.json; $U run -- $P write $T/feedback.json >$T/out; $P write $T/feedback.json >>$T/out')
tap_like "$out" "probe: write: EACCES .*
probe: write: OK" "rewrite the feedback: EACCES to the learner (its own uid), OK to the grader (control)"
out=$(attack 'echo mine >$T/mine; $U run -- $P read $T/mine >$T/out; $U run --hide $T/mine -- $P read $T/mine >>$T/out
	$P read $T/mine >>$T/out; $U run --hide $H -- true 2>>$T/out; echo "rc=$?" >>$T/out')
tap_like "$out" "probe: read: OK .*
probe: read: EACCES .*
probe: read: OK .*
usher: run: .*not the grader's own.*
rc=125" "a run's --hide: a file of the grader's readable without it (control), EACCES with it, the grader still reads it; root's refused"
out=$(attack '$U run -- $P read $H/expected.out >$T/out')
tap_like "$out" "probe: read: OK" "control: without the operator's --hide, a run reads the (root's, world-readable) tests"
out=$(attack '$U run -- $P read $H/expected.out >$T/out; $P read $H/expected.out >>$T/out' --hide "$tmp/hidden")
tap_like "$out" "probe: read: EACCES .*
probe: read: OK" "the operator's --hide (the image's hidden tests, root's): EACCES to every run, the grader reads them"
out=$(attack '$U run -- $P read-environ $$ >$T/out; $P read-environ $$ >>$T/out')
tap_like "$out" "probe: read-environ: EACCES .*
probe: read-environ: (OK|SECRET).*" "/proc/<grader>/environ: EACCES to the learner, readable by the grader's own uid (control)"
out=$(attack '$U run -- $P kill $$ 0 >$T/out; $P kill $$ 0 >>$T/out')
tap_like "$out" "probe: kill-[0-9]+: EPERM .*
probe: kill-[0-9]+: OK.*" "signal the grader: EPERM to the learner (uid), OK from the grader's uid (control)"
out=$(attack 'sleep 30 & $U run -- $P ptrace $! >$T/out; $P ptrace $! >>$T/out; kill $!')
tap_like "$out" "probe: ptrace: EPERM .*
probe: ptrace: OK.*" "ptrace the grader's process: EPERM to the learner, OK to the grader (control)"
out=$(attack '$U run -- $P write /tmp/usher-run-attack >$T/out; ls /tmp/usher-run-attack >>$T/out 2>&1')
tap_like "$out" "probe: write: EACCES .*
ls: .*No such file" "create a file in /tmp: EACCES (Landlock: only --dir and its own temporary directory)"
out=$(attack '$U run -- $P write /tmp/usher-run-attack >$T/out; ls /tmp/usher-run-attack >>$T/out 2>&1' --landlock off)
tap_like "$out" "probe: write: OK .*
ls: .*No such file" "control, Landlock off: the write succeeds, and the run's files are removed after it"
out=$(attack '$U run --meta $T/m.json -- $P tcp-connect >$T/out; $U run --allow-network -- $P tcp-connect >>$T/out')
tap_like "$out" "probe: tcp-connect: EPERM .*
probe: tcp-connect: ECONNREFUSED" "TCP: refused without --allow-network, reaches loopback with it (control)"
tap_like "$(meta "$tmp/shared/g/m.json" '[d["syscall"] for d in m["denied"]]')" "socket" "... the refused socket() is named in the meta (a violation the grader can see)"
out=$(attack '$U run --meta $T/m.json -- $P try unshare >$T/out')
tap_like "$out" "unshare.*EPERM" "unshare: EPERM (the run's seccomp filter)"
tap_like "$(meta "$tmp/shared/g/m.json" '[d["syscall"] for d in m["denied"]]')" "unshare" "... named in the meta"

# Nothing outlives a run: a daemon, a fork bomb (bounded by --processes), a run whose
# usher run is killed. Counted by the run's own uid (from its meta, or a file it wrote).
count='n=0; for p in /proc/[0-9]*; do [ "$(awk "/^Uid:/ {print \$2}" $p/status 2>/dev/null)" = "$1" ] && n=$((n+1)); done; echo $n'
out=$(attack '$U run --meta $T/d.json -- $P daemon 30; $U run --processes 16 --meta $T/b.json -- $P forkbomb 100 >$T/out
	for m in d b; do u=$(grep -o "\"uid\":[0-9]*" $T/$m.json | cut -d: -f2); echo "$m left=$(sh -c "$C" - $u)" >>$T/out; done' \
	--setenv "C=$count")
tap_like "$out" "forkbomb.*EAGAIN" "a fork bomb stops at --processes (EAGAIN)"
tap_like "$out" "d left=0" "nothing of a run is left after it: the daemon is gone"
tap_like "$out" "b left=0" "... and the fork bomb's processes"
# Polled, not slept: the learner has started when its uid is written; its processes must
# be gone within 10 s of the kill (they go in milliseconds; a loaded CI machine is slow).
out=$(attack 'mkdir $T/w; $U run --dir $T/w -- sh -c "id -u >uid; exec $P sleep 30" & c=$!
	i=0; while [ ! -s $T/w/uid ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done; kill -9 $c; u=$(cat $T/w/uid)
	i=0; while [ "$(sh -c "$C" - $u)" != 0 ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
	echo "uid=$u left=$(sh -c "$C" - $u)" >$T/out' --setenv "C=$count")
tap_like "$out" "uid=[0-9][0-9]* left=0" "usher run killed: its run ends with it"
# What the learner leaves for the root walks: 3000 directories side by side, some made
# unreadable, in --dir and in its temporary directory, are given back and removed whole;
# a tree deeper than the walk goes makes the verdict say --dir is not all back. The
# temporary directory goes after the verdict (off the grader's path): polled, 20 s.
out=$(attack 'mkdir $T/w; $U run --dir $T/w --meta $T/m.json -- sh -c "
	i=0; while [ \$i -lt 3000 ]; do mkdir d\$i \$TMPDIR/t\$i; i=\$((i+1)); done
	chmod 0 d7 \$TMPDIR/t7; touch d9/f; echo \$TMPDIR >where" >$T/out
	i=0; while [ -e "$(cat $T/w/where)" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done
	ls -d $(cat $T/w/where) >>$T/out 2>&1
	rm -rf $T/w && echo "grader removed --dir: $?" >>$T/out; cat $T/m.json >>$T/out')
tap_like "$out" "grader removed --dir: 0" "3000 directories (one unreadable) in --dir: all the grader's again"
tap_like "$out" '"status":"ok"' "... and the verdict is ok"
tap_like "$out" "ls: .*usher-run-.*No such file" "... the 3000 in its temporary directory are gone with it"
out=$(attack 'mkdir $T/w; $U run --dir $T/w --meta $T/m.json -- sh -c "
	i=0; while [ \$i -lt 200 ]; do mkdir d && cd d; i=\$((i+1)); done"; cat $T/m.json >$T/out')
tap_like "$out" '"status":"internal_error".*"--dir could not all be given back' \
	"a tree 200 deep in --dir: the verdict says it is not all given back"
# Removal is done as the run, not as root: a root directory put into the run's temporary
# directory while it runs (here by this test, which is root; an attacker would move one
# in) is beyond the run's rights, so it stays, and nothing of root's is removed.
( for _ in $(seq 100); do [ -s "$tmp/shared/g/w/where" ] && break; sleep 0.05; done
  d=$(cat "$tmp/shared/g/w/where") && mkdir "$d/rootdir" && echo root >"$d/rootdir/secret" ) &
attack 'mkdir $T/w; chmod 755 $T/w; $U run --dir $T/w -- sh -c "echo \$TMPDIR >where; sleep 2"' >/dev/null
wait
where=$(cat "$tmp/shared/g/w/where" 2>/dev/null)
tap_ok "a root directory moved into the run's temporary directory is not removed by the cleanup" \
	test -n "$where" -a -e "$where/rootdir/secret"
[ -z "$where" ] || rm -rf "$where"
out=$(attack '$U run --processes 100000 -- true 2>$T/out; echo "rc=$?" >>$T/out')
tap_like "$out" "more than the grader itself may have.*
rc=125" "--processes above the grader's own nproc limit: refused"

out=$(attack '$U run --meta $T/a.json -- $P sleep 1 & $U run --meta $T/b.json -- $P sleep 1; wait; echo $(grep -o "\"uid\":[0-9]*" $T/a.json $T/b.json | sort -u | wc -l) >$T/out')
tap_is "$out" 2 "two runs at once have two identities"

# A non-root start: no second identity; Landlock (ABI 6) separates the run, or nothing does.
abi=$("$U" doctor --json 2>/dev/null | python3 -c 'import json,re,sys; print(re.match(r"ABI (\d+)", json.load(sys.stdin)["landlock"]["text"] + " ABI 0").group(1))' 2>/dev/null || echo 0)
if [ "${abi:-0}" -ge 6 ]; then
	mkdir -p "$tmp/nr" && chown 65534:65534 "$tmp/nr"
	setpriv --reuid 65534 --regid 65534 --clear-groups "$U" -q --no-wait --submission "$tmp/sub" \
		--feedback "$tmp/nr/feedback.json" --setenv "U=$U,P=$P,T=$tmp/nr,H=$tmp/hidden" -- \
		sh -c '$U run --meta $T/m.json -- $P kill $$ 0 >$T/out; $U run --hide $H -- true 2>>$T/out; echo rc=$? >>$T/out
		$U run --dir /proc/$$ -- sh -c "echo 0 >oom_score_adj" 2>>$T/out; echo "proc rc=$? $(cat /proc/$$/oom_score_adj)" >>$T/out' 2>/dev/null
	out=$(cat "$tmp/nr/out")
	# /proc/<grader> is the grader's own directory in a non-root start, and Landlock would
	# let the run write under a --dir: its oom_score_adj (DAC only) would go below the
	# learner's. A kernel interface is never lent.
	tap_like "$out" "--dir: a kernel interface.*
proc rc=125 500" "non-root start: --dir /proc/<grader> is refused (the grader's OOM score stays 500)"
	tap_like "$out" "probe: kill-[0-9]+: EPERM" "non-root start: signalling the grader is refused by Landlock's scoping (same uid)"
	tap_like "$out" "rc=125" "non-root start: --hide is refused (it needs an identity of the run's own)"
	tap_is "$(meta "$tmp/nr/m.json" 'm["sandbox"]["separation"]')" landlock "... the meta says what separates the run"
else
	tap_skip "Landlock ABI $abi < 6" "non-root start: Landlock separates the run"
	tap_skip "Landlock ABI $abi < 6" "non-root start: --hide refused"
	tap_skip "Landlock ABI $abi < 6" "non-root start: separation by Landlock"
	tap_skip "Landlock ABI $abi < 6" "non-root start: --dir /proc/<grader> refused"
fi
tap_done
