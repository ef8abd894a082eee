#!/usr/bin/python3
"""tests/faults/run.py USHER_FAULTS PROBE - fault injection over usher's whole path, as TAP.

build/usher-faults is usher with every seam call able to fail on demand (gen.py). For
each mode (supervise, --exec, non-root, a --seccomp policy file, -v), a traced run lists
every call with the largest count seen per process role; then calls are failed one at a
time (plan.py chooses which, with which errnos), and each run is judged (judge.py):

  - the grader never runs unless fully locked down (ids, no capability, no_new_privs,
    seccomp, and Landlock: it tries to write where only Landlock forbids it);
  - usher's exit status is a documented one, and the result file exists (unless the
    fault broke writing it), validates, and says what happened: its exit_code, status,
    grader (null when it never ran), lockdown (what the grader really had) and
    error.step (the step of the injected call) and error.errno;
  - where usher has a fallback for an errno (close_range on old kernels, openat2,
    Landlock's absence, inotify), the grader still runs;
  - nothing hangs.

Controls show that the judge can fail: the lie (errno 0) switches seccomp, Landlock, the
uid change or no_new_privs off, and the judge must see it. Known bugs are listed in
judge.py (KNOWN) with their issue: reported as TODO, and a known bug that no longer
happens is a failure until it is removed from the list.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import judge  # noqa: E402
import plan  # noqa: E402

UF, PROBE = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
NONROOT = 1000
n_tap = 0
failed = 0


def tap(ok, desc, diag='', todo=None):
    global n_tap, failed
    n_tap += 1
    line = f"{'ok' if ok else 'not ok'} {n_tap} - {desc}"
    if todo:
        line += f' # TODO {todo}'
    elif not ok:
        failed += 1
    print(line, flush=True)
    for d in diag.splitlines():
        print(f'#   {d}', flush=True)


class Mode:
    def __init__(self, name, args=(), nonroot=False, policy=False, wrap=()):
        self.name, self.args, self.nonroot, self.policy = name, list(args), nonroot, policy
        self.exec = '--exec' in self.args
        self.wrap = list(wrap)  # a command usher runs under


MODES = [
    Mode('supervise'),
    Mode('exec', ['--exec']),
    Mode('nonroot', nonroot=True),
    Mode('policy', policy=True),
    Mode('verbose', ['-v']),
]


def setup(base, mode):
    """A fresh drop, published, with a symlink (the resolve path) and a canary directory
    that file modes allow anyone to write and Landlock does not."""
    d = tempfile.mkdtemp(dir=base)
    os.chmod(d, 0o755)
    sub = os.path.join(d, 'shared', 'submission')
    os.makedirs(os.path.join(sub, 'lib'))
    with open(os.path.join(sub, 'main.py'), 'w') as f:
        f.write('print(1)\n')
    with open(os.path.join(sub, 'lib', 'util.py'), 'w') as f:
        f.write('x = 1\n')
    os.symlink('../main.py', os.path.join(sub, 'lib', 'main.py'))
    with open(sub + '.ready', 'w') as f:
        f.write('files=3\n')
    for w in ('ll', 'w'):
        os.mkdir(os.path.join(d, w))
        os.chmod(os.path.join(d, w), 0o1777)
    os.chmod(os.path.join(d, 'shared'), 0o777 if mode.nonroot else 0o755)
    if mode.nonroot:  # non-root mode cannot normalise: make it readable, as a sidecar would
        for root, dirs, files in os.walk(sub):
            for x in dirs + files:
                p = os.path.join(root, x)
                if not os.path.islink(p):
                    os.chmod(p, 0o755)
        os.chmod(sub, 0o755)
    if mode.policy:
        with open(os.path.join(d, 'policy'), 'w') as f:
            f.write('# the default profile, and one rule more\nbase default\nerrno(38) acct\n')
    return d


def run(base, mode, fault=None, trace=False):
    d = setup(base, mode)
    sub = os.path.join(d, 'shared', 'submission')
    result = os.path.join(d, 'shared', 'result.json')
    grader = ['/bin/sh', '-c', f'{PROBE} whoami; {PROBE} write-file {d}/ll/canary x; exit {judge.GRADER_STATUS}']
    cmd = [UF, '--submission', sub, '--result', result, '--wait-timeout', '3',
           '--feedback', os.path.join(d, 'shared', 'feedback.json'), '--writable', os.path.join(d, 'w')]
    cmd += mode.args
    if mode.policy:
        cmd += ['--seccomp', os.path.join(d, 'policy')]
    cmd += ['--'] + grader
    if mode.nonroot:
        cmd = ['setpriv', f'--reuid={NONROOT}', f'--regid={NONROOT}', '--clear-groups', '--'] + cmd
    cmd = mode.wrap + cmd
    env = {'PATH': '/usr/bin:/bin'}
    if fault:
        env['USHER_FAULT'] = fault
    if trace:
        env['USHER_FAULT_TRACE'] = '1'
    t0 = time.monotonic()
    try:
        # 8 s: the slowest legitimate run waits 3 s for a marker it missed.
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=8, cwd=d)
        rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        rc, out, err = None, e.stdout or '', e.stderr or ''
        out = out.decode() if isinstance(out, bytes) else out
        err = err.decode() if isinstance(err, bytes) else err
    res = None
    if os.path.exists(result):
        with open(result) as f:
            try:
                res = json.load(f)
            except ValueError as e:
                res = {'unparsable': str(e)}
    shutil.rmtree(d, ignore_errors=True)
    return judge.Run(mode=mode.name, exec_mode=mode.exec, nonroot=mode.nonroot,
                     policy=mode.policy, fault=fault, rc=rc, out=out, err=err, result=res,
                     secs=time.monotonic() - t0)


def main():
    base = tempfile.mkdtemp(prefix='usher-faults.')
    os.chmod(base, 0o755)
    judge.setup(TOP, landlock_abi=judge.kernel_landlock_abi(PROBE))
    print(f'# kernel Landlock ABI {judge.KERNEL_ABI}', flush=True)
    covered = set()
    problems, runs, started, slow = [], 0, time.monotonic(), []
    sensitive = plan.errno_sensitive(os.path.join(TOP, 'src'))
    for mode in MODES:
        t = run(base, mode, trace=True)
        calls = plan.trace_counts(t.err)
        bad = judge.check(t, baseline=True)
        tap(not bad and len(calls) >= 10,
            f'{mode.name}: the traced run grades, locked down ({len(calls)} distinct calls by role)',
            '\n'.join(bad) + ('' if not bad else '\n' + t.err[-2000:]))
        todo = plan.injections(calls, sensitive, covered, full=mode.name == 'supervise')
        mode_problems = []
        for fault in todo:
            r = run(base, mode, fault=fault)
            slow.append((r.secs, f'{mode.name}: {fault}'))
            runs += 1
            mode_problems += [f'{mode.name}: {fault}: {p}' for p in judge.check(r)]
        problems += mode_problems
        print(f'# {mode.name}: {len(todo)} injections', flush=True)
    if os.environ.get('USHER_FAULTS_LOG'):  # every problem, for a human
        with open(os.environ['USHER_FAULTS_LOG'], 'w') as f:
            f.write('\n'.join(problems) + '\n')
    slow.sort(reverse=True)  # the wall time's budget (< 3 min) is spent here
    print('# slowest: ' + ', '.join(f'{w} {t:.1f} s' for t, w in slow[:5]), flush=True)
    print(f'# all {len(slow)} injections: {sum(t for t, _ in slow):.1f} s', flush=True)
    unknown, todo_lines, stale = judge.triage(problems)
    tap(not unknown, f'{runs} injections: each fails closed, with a documented status and a true result',
        '\n'.join(unknown[:60]) + (f'\n... and {len(unknown) - 60} more' if len(unknown) > 60 else ''))
    for known, lines in todo_lines.items():
        tap(False, f'known: {known}', '\n'.join(lines[:5]), todo='see judge.KNOWN')
    for known in stale:
        tap(False, f'known bug no longer seen, remove it from judge.KNOWN: {known}')
    # The controls: a lie switches one layer off; the judge must notice.
    mode = MODES[0]
    for fault, what in judge.CONTROLS:
        bad = judge.check(run(base, mode, fault=fault), control=True)
        tap(any(what in b for b in bad), f'control: {fault} ({what}) is caught by the judge',
            '\n'.join(bad) or 'the judge found nothing wrong')
    # Root with a supplementary group, so that a setgroups that lies leaves one behind.
    mode = Mode('supervise', wrap=['setpriv', '--groups=4242', '--'])
    for fault, step in judge.REFUSED:
        r = run(base, mode, fault=fault)
        bad = judge.check(r)
        got = ((r.result or {}).get('error') or {}).get('step')
        tap(not bad and r.rc == 125 and got == step and not judge.whoami(r.out),
            f'a kernel that lies ({fault}): usher refuses, 125 at step {step}',
            '\n'.join(bad) + f'\nexit {r.rc}, step {got}')
    print(f'# {time.monotonic() - started:.1f} s', flush=True)
    shutil.rmtree(base, ignore_errors=True)
    print(f'1..{n_tap}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
