#!/usr/bin/env bash
# The kernels ECS hosts run (issue 14, item 4), emulated on this machine's one kernel
# by the Docker seccomp profiles of tests/kernels/ (their README says what each
# emulates and what it cannot). Under each: controls showing the profile really
# removes the calls that kernel lacks, then usher as PID 1 through its fallbacks:
# a graded run with a symlink in the submission, --exec with an inherited fd, the
# probe's core attacks, and a non-root start. usher must work on every kernel and its
# result must say what it could not apply there.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/docker.sh"
. "$here/../lib/result.sh"
docker_setup
img=usher-test/busybox
kdir=$top/tests/kernels
[ -x "$top/build/usher-faults" ] || { tap_fail "build/usher-faults exists (make build/usher-faults)"; tap_done; exit 1; }
cp "$top/build/usher-faults" "$bin/"

# --- What each emulated kernel is: one line per fact --------------------------------
# An expectation that a later usher adds (a degradation where a feature is missing) is
# one more word in a line below, as denied-calls and loopback were for 4.14.
kernels="4.14 5.10 5.15 6.18"
declare -A missing abi degraded fallbacks knob rename_across network named
# The calls `probe sys` tries; those a kernel lacks answer ENOSYS (seccomp features: EINVAL).
calls="close_range openat2 landlock pidfd_open faccessat2 epoll_pwait2 io_uring_setup rseq futex_waitv
fchmodat2 seccomp-notify seccomp-listener seccomp-killable"
missing[4.14]="close_range openat2 landlock pidfd_open faccessat2 epoll_pwait2 io_uring_setup rseq futex_waitv
fchmodat2 seccomp-notify seccomp-listener seccomp-killable"
missing[5.10]="landlock epoll_pwait2 futex_waitv fchmodat2 seccomp-killable"
missing[5.15]="futex_waitv fchmodat2 seccomp-killable"
missing[6.18]=""
# The Landlock ABI usher must record: none before 5.13; 5.15 is ABI 1, which no profile
# can make the kernel say (the fault build's knob does, see tests/kernels/README.md);
# the current kernel: what it says (below).
abi[4.14]=0 abi[5.10]=0 abi[5.15]=1
knob[5.15]="USHER_FAULT_LANDLOCK_ABI=1"
# What the result's lockdown.degraded must name (a root start with the defaults). 4.14
# has no seccomp user notification (5.0): refused calls go unnamed, and without PID 1
# to make loopback sockets the grader gets no network at all. Without Landlock the grader
# may write its oom_score_adj back down to usher's (oom-score).
degraded[4.14]="landlock denied-calls loopback oom-score" degraded[5.10]="landlock oom-score" degraded[5.15]="landlock" degraded[6.18]=""
# The result's lockdown.network under the default (--network loopback), and whether its
# `denied` names the calls the filter refused.
network[4.14]=none network[5.10]=loopback network[5.15]=loopback network[6.18]=loopback
named[4.14]=no named[5.10]=yes named[5.15]=yes named[6.18]=yes
# The fallbacks usher must take there (its -v log says so).
fallbacks[4.14]="close_range openat2" fallbacks[5.10]="" fallbacks[5.15]="" fallbacks[6.18]=""
declare -A fallback_log=(
	[close_range]="close_range: Function not implemented: closing inherited fds from /proc/self/fd"
	[openat2]="openat2: Function not implemented: resolving symlinks in the submission in user space"
)
# A rename across directories of /tmp: Landlock ABI 1 never allows reparenting (EXDEV).
rename_across[4.14]=OK rename_across[5.10]=OK rename_across[5.15]=EXDEV rename_across[6.18]=OK
# A non-root start always lacks these; --unsafe same-uid is needed below Landlock ABI 6.
nonroot_degraded="bounding-set own-uid submission-owner uid-switch"

words() { printf '%s\n' $* | sort | tr '\n' ' ' | sed 's/ $//'; }
profile() { printf '%s/kernel-%s.json\n' "$kdir" "$1"; }
# The probe's answer for CALL in the output $1.
answer() { printf '%s\n' "$1" | sed -n "s/^probe: sys $2: \([^ ]*\).*/\1/p"; }

tap_ok "tests/kernels/*.json are what gen-profiles writes" "$kdir/gen-profiles" --check

# --- Controls: without a profile every call is there; each profile removes its own ---
base=$(docker run --rm --network none --security-opt seccomp=unconfined --entrypoint /usher/probe \
	-v "$bin:/usher:ro" "$img" sys $calls 2>&1)
absent=""
for c in $calls; do
	case $c:$(answer "$base" "$c") in *:ENOSYS | *: | seccomp-*:EINVAL) absent="$absent $c";; esac
done
tap_is "$absent" "" "control: this kernel, unconfined, has every call the emulations remove"
abi[6.18]=$(printf '%s\n' "$base" | sed -n 's/^probe: sys landlock: ok //p')
[ "${abi[6.18]:-0}" -ge 6 ] || degraded[6.18]="landlock"
for k in $kernels; do
	out=$(docker run --rm --network none --security-opt "seccomp=$(profile "$k")" --entrypoint /usher/probe \
		-v "$bin:/usher:ro" "$img" sys $calls 2>&1)
	gone="" kept="" wrong=""
	for c in $calls; do
		a=$(answer "$out" "$c")
		if [[ " $(echo ${missing[$k]}) " == *" $c "* ]]; then
			case $c in seccomp-*) want=EINVAL;; *) want=ENOSYS;; esac
			if [ "$a" = "$want" ]; then gone="$gone $c"; else wrong="$wrong $c=$a"; fi
		elif [ "$a" = "$(answer "$base" "$c")" ]; then
			kept="$kept $c"
		else
			wrong="$wrong $c=$a"
		fi
	done
	tap_is "$(words $gone)" "$(words ${missing[$k]})" \
		"kernel $k: the profile removes what $k lacks: $(echo ${missing[$k]:-nothing}) (ENOSYS; EINVAL for seccomp features)"
	tap_is "$wrong" "" "... and every other call answers as without a profile"
done
# The generated profile of the current kernel answers usher's calls as Docker's own
# default profile does (Docker 20.10.24 here), so the profiles differ from the runtime's
# by the kernel alone.
ours="close_range openat2 landlock pidfd_open seccomp-notify seccomp-listener"
a=$(docker run --rm --network none --entrypoint /usher/probe -v "$bin:/usher:ro" "$img" sys $ours 2>&1)
b=$(docker run --rm --network none --security-opt "seccomp=$(profile 6.18)" --entrypoint /usher/probe \
	-v "$bin:/usher:ro" "$img" sys $ours 2>&1)
tap_is "$b" "$a" "control: kernel-6.18.json answers usher's calls as Docker's default profile does"
# An inherited fd reaches a program that does not close it (what usher must close).
out=$(docker run --rm --network none --security-opt "seccomp=$(profile 4.14)" --entrypoint /usher/probe \
	-v "$bin:/usher:ro" "$img" hold-fd 19999 /usher/probe fds 2>&1)
tap_like "$out" "fds: OPEN \(fd 19999" "control: fd 19999 held by PID 1 reaches its exec'd program"

# --- usher under each kernel ----------------------------------------------------------
grader='cat /shared/submission/src/link.py >/dev/null && echo "read-through-symlink: OK"
echo "ppid=$PPID"; /usher/probe whoami
/usher/probe write-file /shared/feedback.json "{\"fractionalScore\": 1}"
/usher/probe write /shared/open/x
mkdir -p /tmp/a /tmp/b && echo x >/tmp/a/f && /usher/probe rename /tmp/a/f /tmp/b/f
exit 3'
# Each must answer an errno (the probe prints OK when the call worked); read-environ and
# env-clean must find no SECRET.
core="mount unshare setns keyctl bpf io_uring_setup clone3 socket-packet" # through `probe try`
alone="ptrace-pid1 read-mem"

for k in $kernels; do
	exe=/usher/usher env=()
	if [ -n "${knob[$k]:-}" ]; then exe=/usher/usher-faults env=(-e "${knob[$k]}"); fi
	run=(docker run --rm --network none --security-opt "seccomp=$(profile "$k")" -v "$bin:/usher:ro" "${env[@]}")
	start=$(date +%s%N)

	# A graded run: a submission with a symlink, published, graded, reported.
	d=$(tap_tmpdir)
	mkdir -p "$d/submission/src" "$d/open" && chmod 1777 "$d/open"
	echo 'def f(): return 1' >"$d/submission/src/main.py"
	ln -s main.py "$d/submission/src/link.py"
	echo '# data' >"$d/submission/README"
	touch "$d/submission.ready"
	out=$("${run[@]}" -v "$d:/shared" --entrypoint "$exe" "$img" -v --wait-timeout 10 --timeout 30 \
		--result /shared/result.json -- /bin/sh -c "$grader" 2>&1)
	rc=$?
	tap_is "$rc" 3 "kernel $k: a graded run (a symlink in the submission) ends with the grader's status"
	tap_is "$(result_field "$d/result.json" '"\(.status) \(.submission.files) \(.lockdown.landlock_abi)"')" \
		"exited 3 ${abi[$k]}" "... result: exited, 3 files, landlock_abi ${abi[$k]}"
	tap_is "$(result_field "$d/result.json" '.lockdown.degraded | map(.what) | sort | join(" ")')" \
		"$(words ${degraded[$k]})" "... lockdown.degraded: ${degraded[$k]:-nothing}"
	result_valid "$d/result.json" "... schema-valid"
	tap_like "$out" "read-through-symlink: OK" "... the grader reads through the symlink"
	tap_like "$(printf '%s\n' "$out" | grep '^uid=\|^ppid=' | tr '\n' ' ')" "^ppid=1 uid=.* nnp=1 seccomp=2 " \
		"... locked down, under usher as PID 1"
	tap_like "$(cat "$d/feedback.json" 2>/dev/null)" fractionalScore "... its feedback.json is written"
	want=EACCES
	[ "${abi[$k]}" -gt 0 ] || want=OK
	tap_like "$(printf '%s\n' "$out" | grep '^probe: write:')" "write: $want" \
		"... a world-writable directory outside --writable: $want ($([ $want = EACCES ] && echo Landlock || echo 'no Landlock: file modes only'))"
	tap_like "$(printf '%s\n' "$out" | grep '^probe: rename')" "rename: ${rename_across[$k]}" \
		"... a rename across /tmp directories: ${rename_across[$k]}"
	for f in close_range openat2; do
		if [[ " ${fallbacks[$k]} " == *" $f "* ]]; then
			tap_like "$out" "${fallback_log[$f]}" "... $f missing: usher's fallback is taken"
		else
			tap_ok "... $f there: no fallback" sh -c "! printf '%s\n' \"\$1\" | grep -qF \"\$2\"" - "$out" "${fallback_log[$f]}"
		fi
	done

	# --exec with an fd inherited far up: closed by close_range or the /proc walk.
	out=$("${run[@]}" --entrypoint /usher/probe "$img" hold-fd 19999 "$exe" -v --exec --no-wait -- /usher/probe fds 2>&1)
	tap_like "$(printf '%s\n' "$out" | grep '^probe: fds')" "fds: NONE" "kernel $k: --exec closes fd 19999 it inherited"
	if [[ " ${fallbacks[$k]} " == *" close_range "* ]]; then
		tap_like "$out" "${fallback_log[close_range]}" "... by walking /proc/self/fd"
	fi

	# The probe's core attacks, under usher's defaults; then the network: a connect to
	# loopback reaches its stack (ECONNREFUSED) where PID 1 makes loopback sockets.
	d=$(tap_tmpdir)
	out=$("${run[@]}" -e AWS_SECRET_ACCESS_KEY=hunter2 -v "$d:/shared" --entrypoint "$exe" "$img" -q --no-wait \
		--result /shared/r.json -- /bin/sh -c \
		"/usher/probe try $(echo $core); for a in $alone; do /usher/probe \$a; done; /usher/probe write /etc/passwd; /usher/probe kill 1 0
		 /usher/probe read-environ; /usher/probe env-clean; /usher/probe tcp-connect" 2>&1)
	bad=$(printf '%s\n' "$out" | grep -v 'tcp-connect\|read-environ\|env-clean' | grep -E '^probe: [^:]*: OK' | sed 's/^probe: //; s/ (.*//' | tr '\n' ' ')
	bad="$bad$(printf '%s\n' "$out" | grep -E '^probe: (read-environ|env-clean): SECRET' | sed 's/^probe: //; s/ (.*//' | tr '\n' ' ')"
	n=$(printf '%s\n' "$out" | grep -v 'tcp-connect\|read-environ\|env-clean' | grep -cE '^probe: [^:]*: E[A-Z]+')
	tap_is "$n ${bad:-none succeeded}" "$(($(echo $core $alone | wc -w) + 2)) none succeeded" "kernel $k: the core attacks are refused"
	tap_is "$(result_field "$d/r.json" .lockdown.network)" "${network[$k]}" "... lockdown.network: ${network[$k]}"
	want="EPERM"
	[ "${network[$k]}" = none ] || want="ECONNREFUSED"
	tap_like "$(printf '%s\n' "$out" | grep '^probe: tcp-connect')" "tcp-connect: $want" \
		"... a connect to 127.0.0.1 $([ "${network[$k]}" = none ] && echo 'is refused (no socket)' || echo 'reaches loopback')"
	# (A call the runtime's profile refuses too, keyctl say, never reaches PID 1: its
	# EPERM outranks the notification. AF_PACKET is refused by usher's filter alone.)
	got=$(result_field "$d/r.json" '[.denied[] | .syscall + " " + .detail] | index("socket AF_PACKET") != null')
	tap_is "$got" "$([ "${named[$k]}" = yes ] && echo true || echo false)" \
		"... the result's denied $([ "${named[$k]}" = yes ] && echo names || echo 'cannot name') the refused calls (socket AF_PACKET)"

	# A non-root start: below Landlock ABI 6 only with --unsafe same-uid.
	d=$(tap_tmpdir)
	chown 1000:1000 "$d"
	"${run[@]}" --user 1000:1000 -v "$d:/shared" --entrypoint "$exe" "$img" -q --no-wait \
		--result /shared/r1.json -- /bin/true >/dev/null 2>&1
	rc=$?
	if [ "${abi[$k]}" -ge 6 ]; then
		tap_is "$rc $(result_field "$d/r1.json" .status)" "0 exited" "kernel $k: a non-root start runs (Landlock ABI ${abi[$k]} scopes signals)"
	else
		tap_is "$rc $(result_field "$d/r1.json" '.status + " " + .error.step')" "125 setup_failed landlock" \
			"kernel $k: a non-root start without Landlock ABI 6 is refused (125 at step landlock)"
	fi
	out=$("${run[@]}" --user 1000:1000 -v "$d:/shared" --entrypoint "$exe" "$img" -q --no-wait --unsafe same-uid \
		--result /shared/r2.json -- /usher/probe whoami 2>&1)
	tap_like "$? $(printf '%s\n' "$out" | grep '^uid=')" "^0 uid=1000 .*nnp=1 seccomp=2 " \
		"... with --unsafe same-uid it runs: uid 1000, nnp, seccomp"
	tap_is "$(result_field "$d/r2.json" '.lockdown.degraded | map(.what) | sort | join(" ")')" \
		"$(words $nonroot_degraded ${degraded[$k]})" "... and the result says what a non-root start lacks there"
	tap_diag "kernel $k: $((($(date +%s%N) - start) / 1000000)) ms"
done

tap_done
