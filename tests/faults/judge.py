"""tests/faults/judge.py - is what usher did after an injected fault acceptable?

check(run) returns the problems of one run, [] when usher failed closed and told the
truth. The grader is a shell that runs `probe whoami` (ids, capabilities, no_new_privs,
seccomp mode) and tries to write into a world-writable directory outside --writable
(only Landlock forbids it), then exits 7.
"""
import ctypes
import errno
import json
import os
import re
from dataclasses import dataclass

import jsonschema

GRADER_STATUS = 7
KERNEL_ABI = 0
SCHEMA = None
STEPS = set()

# What error.step may be when a call fails (role-specific where the parent and the
# grader's process use the same call for different steps). Calls not listed (file
# calls, calls added to the seam later) only need a step of the table.
STEPS_OF = {
    'sys_setresuid': {'uid'}, 'sys_setresgid': {'gid'}, 'sys_setgroups': {'groups'},
    'sys_setsid': {'setsid'}, 'sys_setrlimit': {'rlimit'}, 'sys_close_range': {'fds'},
    'sys_caps_read': {'verify'}, 'sys_getgroups': {'verify'},
    'sys_getresuid': {'uid', 'verify'}, 'sys_getresgid': {'uid', 'verify'},
    'sys_seccomp_attach': {'seccomp'}, 'sys_execve': {'exec'},
    'sys_landlock_add_rule': {'landlock'}, 'sys_landlock_restrict_self': {'landlock'},
    'sys_landlock_create_ruleset': {'landlock'},
    # fork: the grader's process (spawn), with --exec the result's writer (result), or
    # usher run's broker (run); socketpair: the spawn channel, or usher run's channel
    'sys_fork': {'spawn', 'result', 'run'}, 'sys_socketpair': {'spawn', 'run'},
    # pipe2: the result's writer (--exec), the spawn protocol, or the output relay's pipes
    'sys_pipe2': {'result', 'spawn', 'output'},
    ('sys_capbset_drop', 'child'): {'caps'}, ('sys_capbset_drop', 'parent'): {'pid1', 'caps'},
    ('sys_capbset_read', 'child'): {'caps'}, ('sys_capbset_read', 'parent'): {'pid1', 'caps'},
    ('sys_capng_set', 'child'): {'caps'}, ('sys_capng_set', 'parent'): {'pid1', 'caps'},
    ('sys_ambient_clear', 'child'): {'caps'}, ('sys_ambient_raise', 'child'): {'caps'},
    ('sys_caps_get', 'child'): {'caps'}, ('sys_caps_get', 'parent'): {'pid1', 'caps', 'check', 'feedback'},
    ('sys_prctl', 'child'): {'securebits', 'no_new_privs', 'verify'},
    ('sys_prctl', 'parent'): {'pid1', 'securebits', 'no_new_privs', 'verify'},
}

# (call, errnos or None for any, why): usher has a fallback, so the grader must still run
# (fully locked down, or with the documented degradation).
FALLBACKS = [
    ('sys_close_range', {errno.ENOSYS, errno.EINVAL}, 'kernels before 5.9: close the fds one by one'),
    ('sys_openat2', {errno.ENOSYS, errno.EPERM}, 'no openat2: the user-space walk'),
    ('sys_openat2', {errno.EAGAIN}, 'openat2(2): a rename elsewhere; retry'),
    ('sys_inotify_init1', None, 'inotify is only a wake-up: usher polls'),
    ('sys_inotify_add_watch', None, 'inotify is only a wake-up: usher polls'),
    ('sys_inotify_rm_watch', None, 'removing a watch after the wait'),
]
# The probe may say "no Landlock" for these, and only these (SPEC "Facts").
LANDLOCK_ABSENT = {errno.ENOSYS, errno.EOPNOTSUPP, errno.EPERM}

# Known bugs: (regex over a problem line, what and where it is fixed[, racy]). A match is
# a TODO; a pattern that matches nothing any more is a failure, so the list cannot go
# stale, except for a racy one (it shows only when the grader wins a race).
KNOWN = [
    (r'sys_recv_record:2:\d+:parent: .*(grader is null, yet the grader ran|the grader ran and exited)',
     'a failed read of the channel after the go is reported as "died before exec", grader null, though '
     'the grader may have run to its end (supervise_spawn.c; issue 12)', 'racy'),
]

# Lies that switch one layer off: the judge must see the grader run without it.
CONTROLS = [
    ('sys_seccomp_attach:1:0:child', 'without seccomp'),
    ('sys_landlock_restrict_self:1:0:child', 'without Landlock'),
]
# Lies that usher's read-back must catch itself (no grader; a 125 at step verify).
# (The permitted set needs no such control: the uid change itself clears it.)
REFUSED = [('sys_setresuid:1:0:child', 'verify'), ('sys_capbset_drop:1:0:child', 'verify'),
           ('sys_setgroups:1:0:child', 'verify'), ('sys_prctl:2:0:child', 'verify')]


@dataclass
class Run:
    mode: str
    exec_mode: bool
    nonroot: bool
    policy: bool
    fault: str
    rc: int
    out: str
    err: str
    result: dict
    secs: float


def kernel_landlock_abi(probe):
    """Asked directly, not through usher: landlock_create_ruleset(NULL, 0, VERSION)."""
    libc = ctypes.CDLL(None, use_errno=True)
    abi = libc.syscall(444, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    return abi if abi > 0 else 0


def setup(top, landlock_abi):
    global KERNEL_ABI, SCHEMA, STEPS
    KERNEL_ABI = landlock_abi
    SCHEMA = jsonschema.Draft202012Validator(json.load(open(os.path.join(top, 'docs/result.schema.json'))))
    STEPS = set(re.findall(r'X\(\w+, "(\w+)"', open(os.path.join(top, 'include/usher.h')).read()))


def whoami(out):
    m = re.search(r'^uid=(\d+) euid=(\d+) .*capeff=(\w+) capprm=(\w+) capbnd=(\w+) capamb=(\w+) nnp=(\d) seccomp=(\d)',
                  out, re.M)
    if not m:
        return None
    keys = ('uid', 'euid', 'capeff', 'capprm', 'capbnd', 'capamb', 'nnp', 'seccomp')
    w = dict(zip(keys, m.groups()))
    c = re.search(r'^probe: write-file \S+: (OK|FAILED)', out, re.M)
    # None: killed before it tried (usher failed after the exec and killed it)
    w['landlock'] = None if not c else c.group(1) == 'FAILED'
    return w


def fired(err):
    return [(p[1], int(p[2]), p[3], int(p[4])) for p in (l.split() for l in err.splitlines())
            if len(p) == 5 and p[0] == 'fault-fired:']


def want_code(res):
    st = res.get('status')
    g = res.get('grader') or {}
    return {'exited': {g.get('exit_code')}, 'signaled': {128 + (g.get('signal') or 0)} if g else set(range(129, 193)),
            'timeout': {124}, 'wait_timeout': {75}, 'sidecar_failed': {75}, 'rejected': {65},
            'setup_failed': {125}, 'exec_failed': {126, 127}}.get(st, set())


def check(r, baseline=False, control=False):
    p = []
    if r.rc is None:
        return ['hung (killed after 8 s)']
    w = whoami(r.out)
    shots = fired(r.err)
    shot = shots[0] if shots else None
    uid = 1000 if r.nonroot else None  # root: a uid of the run's own (plan_identity.c)
    degraded = (shot and shot[0] == 'sys_landlock_create_ruleset' and shot[2] == 'parent'
                and shot[3] in LANDLOCK_ABSENT)
    broke_result = 'write result' in r.err or 'open the directory of' in r.err
    lie = bool(shot) and shot[3] == 0
    # The supervision failed after the exec: the grader ran, perhaps too briefly to print,
    # and was killed; the result says so (grader set, step supervise).
    step = ((r.result or {}).get('error') or {}).get('step')
    after_exec = (not r.exec_mode and r.rc == 125 and step == 'supervise'
                  and (r.result or {}).get('grader') is not None)
    if w:
        if w['uid'] != w['euid'] or w['uid'] == '0' or (uid is not None and w['uid'] != str(uid)):
            p.append(f'the grader ran as uid {w["uid"]}/{w["euid"]}, not {uid or "a uid of its own"}')
        if int(w['capeff'], 16) or int(w['capprm'], 16) or int(w['capamb'], 16) or \
                (not r.nonroot and int(w['capbnd'], 16)):
            p.append(f'the grader ran with capabilities eff={w["capeff"]} prm={w["capprm"]} bnd={w["capbnd"]}')
        if w['nnp'] != '1':
            p.append('the grader ran without no_new_privs')
        if w['seccomp'] != '2':
            p.append(f'the grader ran without seccomp (seccomp={w["seccomp"]})')
        if KERNEL_ABI and w['landlock'] is False and not degraded:
            p.append('the grader ran without Landlock (it wrote outside --writable)')
        if r.rc != GRADER_STATUS and not after_exec:
            p.append(f'the grader ran and exited {GRADER_STATUS}, usher exited {r.rc}')
    elif not after_exec:
        if r.rc not in (65, 75, 125, 126, 127):
            p.append(f'no grader ran, and usher exited {r.rc}: not a documented status for that')
        for call, errs, why in FALLBACKS:
            if shot and shot[0] == call and (errs is None or shot[3] in errs):
                p.append(f'no fallback: the grader did not run ({why})')
    if baseline and (not w or r.rc != GRADER_STATUS):
        p.append(f'the traced run did not grade: exit {r.rc}')
    res = r.result
    if res is None:
        if not (r.exec_mode and w) and not broke_result:
            p.append('no result file')
        return p
    if 'unparsable' in res:
        return p + [f'result file is not JSON: {res["unparsable"]}']
    errs = sorted(SCHEMA.iter_errors(res), key=str)
    if errs:
        p.append(f'result not schema-valid: {errs[0].message}')
        return p
    if res['exit_code'] != r.rc:
        p.append(f'result exit_code {res["exit_code"]}, usher exited {r.rc}')
    if r.rc not in want_code(res):
        p.append(f'result status {res["status"]} with usher exit {r.rc}')
    ran = bool(w) or after_exec
    if (res['grader'] is None) == ran:  # a grader that printed is one that ran
        p.append(f'result grader is {"null" if res["grader"] is None else "set"}, '
                 f'yet the grader {"ran" if ran else "never ran"}')
    lk = res['lockdown']
    if w and lk and w['landlock'] is not None:
        if lk['uid'] != int(w['uid']) or lk['caps'] or lk['no_new_privs'] != (w['nnp'] == '1'):
            p.append(f'result lockdown {lk} is not what the grader had')
        if lk['landlock_abi'] != (KERNEL_ABI if w['landlock'] else 0):
            p.append(f'result landlock_abi {lk["landlock_abi"]}, the grader was '
                     f'{"" if w["landlock"] else "not "}under Landlock (kernel ABI {KERNEL_ABI})')
        if not (lk['seccomp'].endswith('/policy') if r.policy else lk['seccomp'] == 'default'):
            p.append(f'result seccomp {lk["seccomp"]!r}')
    elif lk and not ran and not (r.exec_mode and res['status'] == 'exec_failed'):
        p.append('result has a lockdown, yet no grader ran under it')
    e = res['error']
    if not ran and e is None:
        p.append('no grader ran, and the result has no error')
    if w and r.rc == GRADER_STATUS and e is not None:
        p.append(f'the grader ran and exited, yet the result has error {e}')
    if e and shot and not w and not control and not lie:
        call, nth, role, err = shot
        allowed = STEPS_OF.get((call, role)) or STEPS_OF.get(call) or STEPS
        if e['step'] not in allowed:
            p.append(f'error.step {e["step"]!r} for a failed {call} ({role}): want {sorted(allowed)}')
        # An exec that failed because of an earlier fault reports its own errno (a
        # Landlock rule skipped for a path "not found": exec meets EACCES); "spawn" is
        # the parent's "died before exec" (EIO).
        own = e['step'] == 'spawn' or (e['step'] == 'exec' and call != 'sys_execve')
        if e['errno'] not in (err, 0) and not own:
            p.append(f'error.errno {e["errno"]}, the injected errno was {err}: {e["message"]}')
    return p


def triage(problems):
    unknown, known_hits = [], {k[1]: [] for k in KNOWN}
    for line in problems:
        for rx, what, *racy in KNOWN:
            if re.search(rx, line):
                known_hits[what].append(line)
                break
        else:
            unknown.append(line)
    racy = {k[1] for k in KNOWN if len(k) > 2}
    return (unknown, {k: v for k, v in known_hits.items() if v},
            [k for k, v in known_hits.items() if not v and k not in racy])
