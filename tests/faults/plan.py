"""tests/faults/plan.py - which faults to inject, from a trace and from the sources.

Sampling: every (call, process role) of a traced run, at its 1st, 2nd, 3rd and last
call (the largest count seen in that role, not the last line printed); in the other
modes each call at its first and last with EIO, and otherwise only what the first mode
did not already cover.
Errnos: EIO (nothing expects it) and ENOSYS (an old kernel, a runtime's seccomp stub)
for every call, and those its man page tells the caller to handle (DOCUMENTED); for calls
whose caller tells errnos apart (a function that calls it and compares with -EXXX), also
EPERM, EINTR, ENOMEM and the errnos that caller compares with, so each branch of the
caller is taken.
"""
import errno
import os
import re

BASE = [errno.EIO, errno.ENOSYS]
MORE = [errno.EPERM, errno.EINTR, errno.ENOMEM]
# Errnos a call's man page tells its caller to handle, whether or not the caller does:
# openat2(2): EAGAIN under RESOLVE_BENEATH when anything on the machine renamed during a
# "..": retry.
DOCUMENTED = {'sys_openat2': [errno.EAGAIN]}


def trace_counts(stderr):
    """{(call, role): the largest count seen} from USHER_FAULT_TRACE=1 lines."""
    counts = {}
    for line in stderr.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0] == 'fault-trace:':
            key = (parts[1], parts[3])
            counts[key] = max(counts.get(key, 0), int(parts[2]))
    return counts


def errno_sensitive(srcdir):
    """{call: errnos its callers compare with}, read from the bodies of src/'s functions."""
    found = {}
    for name in sorted(os.listdir(srcdir)):
        if not name.endswith('.c') or name == 'sys.c':
            continue
        text = open(os.path.join(srcdir, name)).read()
        # Top-level function bodies: from a line "{" to the next line "}".
        for body in re.findall(r'\n\{\n(.*?)\n\}\n', text, re.S):
            calls = set(re.findall(r'\b(sys_\w+)\s*\(', body))
            errs = set(re.findall(r'[=!]=\s*-(E[A-Z0-9]+)\b', body))
            nums = {getattr(errno, e) for e in errs if hasattr(errno, e)}
            if nums:
                for c in calls:
                    found.setdefault(c, set()).update(nums)
    return found


def injections(counts, sensitive, covered, full):
    """USHER_FAULT values for one mode; `covered` (shared across modes) is updated."""
    out = []
    for (call, role), last in sorted(counts.items()):
        nths = sorted({n for n in (1, 2, 3, last) if n <= last}) if full else sorted({1, last})
        errs = list(BASE) + DOCUMENTED.get(call, [])
        if call in sensitive:
            errs += [e for e in MORE + sorted(sensitive[call]) if e not in errs]
        for nth in nths:
            for e in errs:
                key = (call, role, nth, e)
                # Every mode fails each call once (EIO, first and last), since the same
                # call may sit on another path there; the rest only where it is new.
                if key in covered and not (e == errno.EIO and not full):
                    continue
                covered.add(key)
                out.append(f'{call}:{nth}:{e}:{role}')
    return out
