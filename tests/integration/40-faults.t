#!/usr/bin/env bash
# Fault injection through the seam: build/usher-faults is usher with every sys_* call
# able to fail on demand (tests/faults/gen.py). tests/faults/run.py traces a full run in
# each mode (supervise, --exec, non-root, a --seccomp policy file, -v), fails each call
# it saw, per process role, at its first, second, third and last call, with EIO and
# ENOSYS (and EPERM, EINTR, ENOMEM and the errnos its caller compares with, where the
# caller tells errnos apart), and judges every run (tests/faults/judge.py): a grader that
# runs is fully locked down (Landlock included); usher's status is documented; the
# result exists and its status, grader, lockdown and error.step/errno say what happened;
# fallbacks fall back; nothing hangs. Controls prove the judge sees a layer switched off.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
uf=$top/build/usher-faults
[ -x "$uf" ] || { tap_fail "build/usher-faults exists (make build/usher-faults)"; tap_done; exit 1; }
[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root (the lockdown switches users)"; exit 0; }
# Debian's python3 has python3-jsonschema; a pyenv python3 on PATH may not.
exec /usr/bin/python3 "$top/tests/faults/run.py" "$uf" "$probe"
