#!/usr/bin/env bash
# The lockdown's options with the real binary on the host: --seccomp FILE (good, bad,
# unknown syscall), -v, --keep-cap, --user, --landlock, --exec, --rlimit, and a start
# as a non-root user (image USER / runAsNonRoot).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/result.sh"
tmp=$(tap_tmpdir)
u() { "$usher" -q --no-wait "$@"; }

printf '# deny mkdir on top of the default profile\nbase default\ndeny mkdir\nerrno(38) rmdir # ENOSYS\n' >"$tmp/p1"
out=$(u --seccomp "$tmp/p1" -- /bin/sh -c 'mkdir /tmp/x$$ 2>&1; rmdir /tmp 2>&1; /usher-none 2>/dev/null; '"$probe"' try io_uring_setup' 2>&1)
tap_like "$out" "mkdir.*Operation not permitted" "--seccomp FILE: a deny rule applies"
tap_like "$out" "rmdir.*(Function not implemented|not implemented)" "... errno(N) returns N"
tap_like "$out" "io_uring_setup: EPERM" "... and 'base default' keeps the default profile"

printf 'default allow\ndeny mkdir\n' >"$tmp/p2"
tap_like "$(u --seccomp "$tmp/p2" -- "$probe" try io_uring_setup 2>&1)" "io_uring_setup: EFAULT" \
	"--seccomp FILE without 'base default' replaces the default profile"
# ...but never the network rules: a policy's author cannot drop them by omission while
# the result says the grader had no network (the fail-closed issue).
tap_like "$(u --seccomp "$tmp/p2" --network none -- "$probe" try socket-inet socket-packet socket-alg 2>&1 | tr '\n' ' ')" \
	"socket-inet: EPERM.*socket-packet: EPERM.*socket-alg: EPERM" \
	"... yet the socket-family rules stay: AF_INET, AF_PACKET, AF_ALG refused (--network none)"
tap_like "$(u --seccomp "$tmp/p2" --network all -- "$probe" try socket-inet socket-packet 2>&1 | tr '\n' ' ')" \
	"socket-inet: EINVAL.*socket-packet: EPERM" \
	"... control: with --network all AF_INET reaches the kernel (EINVAL), AF_PACKET stays refused"

printf 'deny ptrace\npermit open\n' >"$tmp/bad"
err=$("$usher" --no-wait --seccomp "$tmp/bad" --result "$tmp/r.json" -- /bin/true 2>&1)
tap_is "$?" 125 "a malformed policy file: 125"
tap_like "$err" "line 2: unknown action 'permit'" "... naming the line and the reason"
tap_is "$(result_field "$tmp/r.json" '.status + " " + .error.step')" "setup_failed seccomp" "... result: setup_failed at step seccomp"
result_valid "$tmp/r.json" "... schema-valid"
printf 'deny ptrase\n' >"$tmp/typo"
tap_like "$("$usher" --no-wait --seccomp "$tmp/typo" -- /bin/true 2>&1)" "typo:1: unknown syscall 'ptrase'" \
	"an unknown syscall is named with file:line"
tap_like "$("$usher" --no-wait --seccomp /nonexistent -- /bin/true 2>&1)" "read seccomp policy /nonexistent: No such file" \
	"a missing policy file is named"

tap_like "$("$usher" -v --no-wait -- /bin/true 2>&1)" 'filter for syscall "keyctl"' "-v prints the effective seccomp rules"

tap_like "$(u --keep-cap NET_BIND_SERVICE -- "$probe" whoami 2>&1)" "capeff=0000000000000400 .*capbnd=0000000000000400 capamb=0000000000000400" \
	"--keep-cap NET_BIND_SERVICE: kept in every set, nothing else"
tap_like "$(u --user 1000:1001 -- "$probe" whoami 2>&1)" "^uid=1000 euid=1000 gid=1001 egid=1001 groups= " "--user UID:GID"
tap_like "$(u --rlimit nofile=64:128 -- /bin/sh -c 'ulimit -n; ulimit -Hn' 2>&1 | tr '\n' ' ')" "^64 128 " "--rlimit nofile=64:128"
tap_like "$(u --landlock require -- "$probe" write /etc/hostname 2>&1)" "write: EACCES" "--landlock require on a kernel with Landlock"
tap_like "$(u --landlock off -- /bin/sh -c 'echo ok > /tmp/ll-off.$$ && echo wrote' 2>&1)" "wrote" "--landlock off"

# --exec: PID 1 (here: usher's own process) becomes the grader after the lockdown.
out=$(bash -c 'echo "pid=$$"; exec "$0" -q --no-wait --exec -- "$1" whoami' "$usher" "$probe" 2>&1)
shell_pid=$(printf '%s\n' "$out" | sed -n 's/^pid=//p')
tap_like "$out" "uid=(1[89][0-9]{8}|2[01][0-9]{8}) .*capeff=0000000000000000 .*nnp=1 seccomp=2 pid=$shell_pid " \
	"--exec: the grader runs locked down (a uid of its own) in usher's own process"

# A non-root start: every step that needs no privilege, the rest logged and skipped.
chmod 755 "$tmp"
cp "$usher" "$probe" "$tmp/"
out=$(setpriv --reuid 1000 --regid 1000 --clear-groups --inh-caps=-all "$tmp/usher" --no-wait -- "$tmp/probe" whoami 2>&1)
tap_like "$out" "uid=1000 .*nnp=1 seccomp=2" "as a non-root user: the grader runs as that user, with nnp and seccomp"
tap_like "$out" "uid-switch: not enforced: usher started as uid 1000" "... and the log says the identity switch is not enforced"
err=$(setpriv --reuid 1000 --regid 1000 --clear-groups --inh-caps=-all "$tmp/usher" --no-wait --user 65534 -- /bin/true 2>&1)
tap_is "$?" 125 "as a non-root user, an explicit --user that cannot be honoured: 125"
tap_like "$err" "without CAP_SETUID" "... saying why"

tap_done
