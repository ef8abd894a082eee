#!/usr/bin/env bash
# Every defence of the lockdown, proved from inside a real container by the probe
# trying the attack under usher's defaults: with Docker's default seccomp profile, and
# with seccomp=unconfined to show that usher's own filter stands alone. Controls run
# the same attacks without usher's lockdown and must see them succeed: a test that
# cannot fail is a defect.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/docker.sh"
docker_setup

# Fixtures: a submission owned by root, a setuid-root copy of the probe, a copy with
# file capabilities (+ep).
fx=$(tap_tmpdir)
mkdir -p "$fx/shared/submission" "$fx/suid" "$fx/fcap"
echo 'print(1)' >"$fx/shared/submission/main.py"
cp "$top/build/probe" "$fx/suid/probe" && chmod 4755 "$fx/suid/probe"
cp "$top/build/probe" "$fx/fcap/probe" && setcap cap_net_raw+ep "$fx/fcap/probe"

attacks="ptrace-pid1 mount unshare-user unshare-mount unshare-net setns
clone-newns clone3 keyctl add_key bpf userfaultfd perf_event_open io_uring_setup kexec_load
init_module personality tiocsti tiocsti-high x32 i386 socket-inet socket-inet6
socket-packet net-connect tcp-bind read-environ read-mem env-clean kill-pid1 euid-root fds"
files="write:/shared/submission/main.py write:/shared/submission/new.py write:/etc/passwd
write:/shared/other.txt chmod:/shared/submission/main.py chown:/shared/submission/main.py"

# The grader: every attack in turn, then the positive cases. --network none here (the
# network attacks assume no network); the default, loopback only, is 13-network.t's.
script='P=/usher/probe
for a in '"$(echo $attacks)"'; do $P $a; done
for f in '"$(echo $files)"'; do $P ${f%%:*} ${f#*:}; done
/suid/probe euid-root | sed "s/euid-root/setuid-escalate/"
$P socket-unix; $P threads 8
$P ptrace-attach | sed "s/DEFENDED/FAILED/; s/VULNERABLE/OK/"
$P write-file /shared/feedback.json "{\"fractionalScore\": 1}"
$P write-file /tmp/scratch "ok"
cat /shared/submission/main.py >/dev/null && echo "probe: read-submission: OK"
(sleep 0.1 & wait) && echo "probe: children: OK"
$P forkbomb 3000
exit 7'

run_suite() { # LABEL DOCKER-ARGS...
	local label=$1 out rc
	shift
	docker run --rm --network none -t --entrypoint /usher/usher -v "$bin:/usher:ro" \
		-v "$fx/shared:/shared" -v "$fx/suid:/suid:ro" -e AWS_SECRET_ACCESS_KEY=hunter2 \
		-e AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/creds -e USHER_TIMEOUT=60 -e USHER_NETWORK=none "$@" \
		usher-test/busybox --no-wait --result /shared/result.json -- /bin/sh -c "$script" >"$fx/out" 2>&1
	rc=$?
	out=$(tr -d '\r' <"$fx/out") # -t: the terminal turns \n into \r\n
	for a in $attacks; do
		line=$(printf '%s\n' "$out" | grep "^probe: $a: ")
		tap_like "$line" "DEFENDED" "$label: $a"
	done
	for f in $files; do
		line=$(printf '%s\n' "$out" | grep "^probe: ${f%%:*}: .*${f#*:}" | head -n 1)
		[ -n "$line" ] || line=$(printf '%s\n' "$out" | grep "^probe: ${f%%:*}: " | head -n 1)
		tap_like "$line" "DEFENDED" "$label: ${f%%:*} ${f#*:}"
	done
	tap_like "$(printf '%s\n' "$out" | grep '^probe: setuid-escalate')" "DEFENDED" "$label: a setuid-root binary gives no root"
	for ok in socket-unix threads ptrace-attach "write-file /shared/feedback.json" "write-file /tmp/scratch" read-submission children; do
		tap_like "$(printf '%s\n' "$out" | grep "^probe: $ok")" ": OK" "$label: positive: $ok works"
	done
	made=$(printf '%s\n' "$out" | sed -n 's/^probe: forkbomb: created=\([0-9]*\).*/\1/p')
	tap_ok "$label: a fork bomb is contained by RLIMIT_NPROC (created ${made:-?} of 3000)" test "${made:-3000}" -lt 3000
	tap_is "$rc" 7 "$label: the grader's own exit status comes back after all that"
	tap_like "$(jq -r '.lockdown | "\(.uid) \(.caps | length) \(.no_new_privs) \(.seccomp) \(.network)"' "$fx/shared/result.json")" \
		"^(1[89][0-9]{8}|2[01][0-9]{8}) 0 true default none$" "$label: the result records the lockdown (a uid of the run's own)"
	printf '%s\n' "$out" | grep -E 'VULNERABLE|FAILED' | sed 's/^/# /'
}

run_suite "default profile"
run_suite "unconfined" --security-opt seccomp=unconfined

# File capabilities: with the bounding set cleared, exec of a +ep binary fails (126).
docker run --rm --network none --entrypoint /usher/usher -v "$bin:/usher:ro" -v "$fx/fcap:/fcap:ro" \
	usher-test/busybox -q --no-wait -- /fcap/probe whoami >/dev/null 2>&1
tap_is "$?" 126 "a binary with file capabilities cannot be executed (126, EPERM)"

# Controls: the same attacks without usher's lockdown must succeed, or the suite above
# proves nothing. As root in a default container...
out=$(docker run --rm --network none --entrypoint /usher/probe -v "$bin:/usher:ro" -e AWS_SECRET_ACCESS_KEY=x \
	usher-test/busybox read-environ 2>&1; docker run --rm --network none --entrypoint /bin/sh \
	-v "$bin:/usher:ro" usher-test/busybox -c '/usher/probe euid-root; /usher/probe ptrace-attach; /usher/probe io_uring_setup' 2>&1)
for a in read-environ euid-root ptrace-attach io_uring_setup; do
	tap_like "$(printf '%s\n' "$out" | grep "^probe: $a:")" "VULNERABLE" "control without usher: $a succeeds"
done
# ...and under usher with its seccomp and Landlock off, unconfined: what only the
# filter stops must get through.
out=$(docker run --rm --network none --security-opt seccomp=unconfined --entrypoint /usher/usher \
	-v "$bin:/usher:ro" usher-test/busybox -q --no-wait --seccomp none --landlock off -- /bin/sh -c \
	'for a in io_uring_setup unshare-user personality socket-inet clone3; do /usher/probe $a; done' 2>&1)
for a in io_uring_setup unshare-user personality socket-inet clone3; do
	tap_like "$(printf '%s\n' "$out" | grep "^probe: $a:")" "VULNERABLE" "control with --seccomp none: $a succeeds"
done

# An fd inherited by usher never reaches the grader (on the host: docker passes none).
exec 7</etc/passwd
tap_like "$("$top/build/usher" -q --no-wait -- "$top/build/probe" fds 2>&1)" "DEFENDED" "an inherited fd is closed before the grader runs"
exec 7<&-

tap_done
