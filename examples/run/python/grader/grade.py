#!/usr/bin/env python3
"""A Coursera grader for a Python exercise that runs the learner's code apart from itself.

The exercise: solution.py reads whitespace-separated integers from stdin (any number of
lines, possibly none) and prints their sum. The hidden tests are /grader/tests/N.in with
the expected N.out.

The grader itself runs under usher (the container's PID 1) as a uid of its own. It never
runs the learner's code itself: each test is one `usher run`, which starts solution.py as
a second, throwaway identity that cannot touch the grader, its files or the hidden tests,
and writes a verdict (--meta) the learner cannot forge. The grader tells the learner why
each test failed (wrong answer, time, memory, output, crash), and gives 0 at once when
the learner's code tried what the sandbox refuses (meta "denied") or could not be run.

The feedback is Coursera's /shared/feedback.json: {"fractionalScore": x, "feedback": "..."}.
The grader exits 0 once it has graded, whatever the score.
"""
import json
import os
import shutil
import signal
import subprocess
import tempfile

USHER = "/usher/usher"
SUBMISSION = "/shared/submission"
FEEDBACK = "/shared/feedback.json"
TESTS = "/grader/tests"
# Per test: CPU and wall-clock time, memory, and what the program may print. Everything
# else keeps usher run's defaults (256 processes, 256 open files, 64M per file).
# The wall-clock limit is several times the CPU one: it is for a program that waits
# (a read that never returns), and a loaded machine must not turn CPU into wall time.
# 64M of memory is several times what these programs need (Python itself: ~10M), and is
# reached well within the CPU limit by a program that grows without bound: at 256M, on
# a machine whose page faults are slow, the CPU limit could come first.
LIMITS = ["--cpu-time", "2", "--wall-time", "10", "--memory", "64M", "--max-output", "1M"]


def give(score, text):
    with open(FEEDBACK, "w") as f:
        json.dump({"fractionalScore": score, "feedback": text}, f)
    print(f"grader: score {score}\n{text}", flush=True)


def usher_run(program, meta, **opts):
    """Runs PROGRAM under `usher run` and returns its meta (a dict).

    usher passes the grader its channel as an inherited fd named by USHER_RUN_FD:
    subprocess closes every fd but 0-2 unless told otherwise, hence pass_fds.
    The meta file lives in a directory only the grader can write (never in --dir,
    which the learner's code may modify)."""
    # The hidden tests are hidden by the operator's usher --hide (USHER_HIDE in the
    # Dockerfile): a run's own --hide takes only files the grader owns.
    cmd = [USHER, "run", "--meta", meta, *LIMITS]
    for name, value in opts.items():
        cmd += ["--" + name.replace("_", "-"), value]
    fd = os.environ.get("USHER_RUN_FD", "")
    rc = subprocess.run(cmd + ["--", *program], pass_fds=(int(fd),) if fd.isdigit() else ()).returncode
    try:
        with open(meta) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        return {"status": "internal_error", "message": f"usher run exited {rc} without a verdict ({e})"}


def tail(path, lines=3):
    try:
        with open(path, errors="replace") as f:
            return " | ".join(f.read()[-2000:].strip().splitlines()[-lines:])
    except OSError:
        return ""


def log_stderr(err):
    try:
        with open(err, errors="replace") as f:
            text = f.read(8000)
    except OSError:
        return
    for line in text.splitlines():
        print(f"  learner> {line}")


def judge(meta, out, err, expected):
    """One test's verdict: (passed, category text). Sandbox verdicts come first: a
    refused call means the program tried to escape, whatever it printed."""
    status = meta.get("status")
    if status == "ok":
        try:
            with open(out, errors="replace") as f:
                got = f.read().split()
        except OSError:
            got = None
        if got == expected.split():
            return True, "passed"
        return False, "wrong answer"
    if status in ("cpu_time_limit", "wall_time_limit"):
        kind = "CPU" if status == "cpu_time_limit" else "wall-clock"
        return False, f"time limit exceeded ({kind} time)"
    if status == "memory_limit":
        return False, "memory limit exceeded"
    if status == "output_limit":
        return False, "output limit exceeded (your program printed too much)"
    if status == "file_size_limit":
        return False, "file size limit exceeded"
    if status == "signaled":
        sig = meta.get("signal") or 0
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        return False, f"crashed (killed by {name})"
    if status == "runtime_error":
        why = tail(err)
        return False, f"crashed (exit code {meta.get('exit_code')})" + (f": {why}" if why else "")
    return False, f"sandbox error: {meta.get('message', status)}"


def main():
    source = os.path.join(SUBMISSION, "solution.py")
    if not os.path.isfile(source):
        give(0.0, "Your submission has no solution.py.")
        return
    # Two directories of the grader's own, straight under /tmp: the learner's working
    # directory (usher run lends it to the run and gives it back), and the grader's
    # private one for outputs and verdicts, which the learner's code never reaches.
    work = tempfile.mkdtemp(prefix="learner-")
    private = tempfile.mkdtemp(prefix="grader-")
    shutil.copy(source, work)
    cases = sorted(n[:-3] for n in os.listdir(TESTS) if n.endswith(".in"))
    lines, passed = [], 0
    for name in cases:
        meta, out, err = (os.path.join(private, f"{name}.{x}") for x in ("meta", "out", "err"))
        with open(os.path.join(TESTS, name + ".out")) as f:
            expected = f.read()
        m = usher_run(["python3", "solution.py"], meta, dir=work,
                      stdin=os.path.join(TESTS, name + ".in"), stdout=out, stderr=err)
        # The staff's log (the container's output): the verdict and what the program
        # said on stderr. The learner sees only the feedback.
        print(f"grader: test {name}: {json.dumps(m)}", flush=True)
        log_stderr(err)
        denied = m.get("denied") or []
        if denied:
            what = ", ".join(f"{d.get('syscall')} x{d.get('count')}" for d in denied)
            give(0.0, f"Test {name}: sandbox violation: your program tried what the sandbox forbids "
                      f"({what}). Grading stopped: the score is 0.")
            return
        if m.get("status") == "internal_error":
            give(0.0, f"Test {name}: sandbox error: your program could not be run "
                      f"({m.get('message', '')}). Grading stopped: the score is 0. "
                      "If you think this is our mistake, contact the course staff.")
            return
        ok, text = judge(m, out, err, expected)
        passed += ok
        lines.append(f"Test {name}: {text}")
    give(round(passed / len(cases), 4) if cases else 0.0,
         f"{passed} of {len(cases)} tests passed.\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
