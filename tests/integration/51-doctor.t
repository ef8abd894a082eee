#!/usr/bin/env bash
# usher doctor inside containers, judged against what the kernel and the runtime really
# offer there, asked independently by tests/lib/facts.c (raw syscalls, run with the same
# options): the Landlock ABI (ok from 6, warn 1-5, fail without), openat2, the
# capabilities usher needs, root or not; 0 when the default policy can be enforced, 1
# with the reasons when it cannot; the same verdict in --json. Any kernel's truthful
# answer passes; a doctor that claims more (or less) than the kernel offers fails.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/docker.sh"
docker_setup
musl-gcc -static -O2 -o "$bin/facts" "$top/tests/lib/facts.c" || { tap_fail "build tests/lib/facts.c"; tap_done; exit 1; }
doc() { docker run --rm --network none --entrypoint /usher/usher -v "$bin:/usher:ro" -v /shared "$@"; }
facts() { docker run --rm --network none --entrypoint /usher/facts -v "$bin:/usher:ro" "$@" usher-test/busybox; }
fact() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; } # FACTS KEY

# The capabilities doctor says usher needs (cmd_doctor.c): SETUID SETGID SETPCAP CHOWN
# FOWNER DAC_OVERRIDE KILL.
needed=$(((1 << 7) | (1 << 6) | (1 << 8) | (1 << 0) | (1 << 3) | (1 << 1) | (1 << 5)))

# One container configuration: doctor's lines and verdict against the facts.
judge() { # DESC DOCKER-OPTION...
	local desc=$1 f abi o2 eff uid out json rc level full
	shift
	f=$(facts "$@")
	abi=$(fact "$f" landlock_abi) o2=$(fact "$f" openat2) eff=$((16#$(fact "$f" capeff))) uid=$(fact "$f" uid)
	tap_diag "$desc: $f"
	out=$(doc "$@" usher-test/busybox doctor 2>&1)
	rc=$?
	if [ "$abi" -ge 6 ]; then
		level=ok
		tap_like "$out" "ok +landlock +ABI $abi: " "$desc: landlock: ok, ABI $abi (the kernel's)"
	elif [ "$abi" -ge 1 ]; then
		level=warn
		tap_like "$out" "warn +landlock +ABI $abi: " "$desc: landlock: warn, ABI $abi (the kernel's; no scoping below 6)"
	else
		level=fail
		tap_like "$out" "fail +landlock +unavailable" "$desc: landlock: fail, unavailable (as the kernel says)"
	fi
	if [ "$o2" = ok ]; then
		tap_like "$out" "ok +openat2 " "$desc: openat2: ok (the kernel has it)"
	else
		tap_like "$out" "warn +openat2 " "$desc: openat2: warn (the kernel refuses it)"
	fi
	if [ $((eff & needed)) = "$needed" ]; then
		tap_like "$out" "ok +capabilities " "$desc: capabilities: all usher needs"
	else
		tap_like "$out" "fail +capabilities .*missing: " "$desc: capabilities: the missing ones named"
	fi
	if [ "$uid" = 0 ]; then
		tap_like "$out" "ok +user +uid 0 " "$desc: user: root"
	else
		tap_like "$out" "fail +user +uid $uid" "$desc: user: uid $uid, not root"
	fi
	full=false
	[ "$uid" = 0 ] && [ $((eff & needed)) = "$needed" ] && [ "$abi" -ge 1 ] && full=true
	tap_is "$rc" "$([ $full = true ] && echo 0 || echo 1)" "$desc: exit $([ $full = true ] && echo 0 || echo 1)"
	json=$(doc "$@" usher-test/busybox doctor --json 2>/dev/null)
	tap_is "$(printf '%s' "$json" | jq -r '"\(.fully_enforceable) \(.landlock.level)"')" "$full $level" \
		"$desc: --json: fully_enforceable $full, landlock $level"
}

judge "a default container"
judge "--cap-drop ALL" --cap-drop ALL
judge "a non-root user" --user 1000
# An older runtime, as ECS AMIs ship it (Docker < 20.10.18): its seccomp profile answers
# ENOSYS to the Landlock calls and to openat2. The truth changes; doctor must follow it.
old=$(tap_tmpdir)/old-runtime.json
printf '%s\n' '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["landlock_create_ruleset",' \
	'"landlock_add_rule", "landlock_restrict_self", "openat2"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}' >"$old"
judge "a runtime without Landlock or openat2" --security-opt "seccomp=$old"

# The OOM score, judged as lockdown step 4 will: a runtime's 1000 (a Kubernetes
# BestEffort pod) leaves no room above usher where usher cannot lower its own (runc pins
# it with CAP_SYS_RESOURCE; here the fault build refuses the write, as a pinned minimum
# does), and doctor says so. Where the engine pins nothing, the write goes (control).
if [ -x "$top/build/usher-faults" ]; then
	cp "$top/build/usher-faults" "$bin/usher-faults"
	out=$(docker run --rm --network none --oom-score-adj 1000 -e USHER_FAULT=sys_write:1:13:parent \
		--entrypoint /usher/usher-faults -v "$bin:/usher:ro" usher-test/busybox doctor 2>&1)
	tap_like "$out" "degraded +oom-score +oom_score_adj 1000, set by the runtime: no room" \
		"a runtime's oom_score_adj 1000 that usher cannot lower: doctor says oom-score is degraded"
else
	tap_skip "no build/usher-faults" "a runtime's oom_score_adj 1000: doctor says oom-score is degraded"
fi
pinned=$(docker run --rm --network none --oom-score-adj 1000 --entrypoint /bin/sh usher-test/busybox \
	-c 'echo 0 2>/dev/null >/proc/self/oom_score_adj && echo no || echo yes')
out=$(doc --oom-score-adj 1000 usher-test/busybox doctor 2>&1)
if [ "$pinned" = yes ]; then
	tap_like "$out" "degraded +oom-score +oom_score_adj 1000" "control: this engine pins 1000: doctor says degraded"
else
	tap_like "$out" "applied +oom-score" "control: this engine pins nothing: usher lowers its score, oom-score applied"
fi

out=$(doc usher-test/busybox doctor 2>&1)
tap_like "$out" "ok +pid1 +usher is PID 1" "doctor reports PID 1"
tap_like "$out" "inotify +/ \\(overlay\\): events delivered|inotify .*events delivered" "... and inotify on the submission's filesystem"
tap_done
