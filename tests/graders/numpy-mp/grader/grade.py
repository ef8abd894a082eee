#!/usr/bin/env python3
"""Grades the learner's signal.py (numpy): each case runs in a multiprocessing.Pool
worker (fork, pipes, and POSIX semaphores in /dev/shm) with a 20 s deadline. Writes
/shared/feedback.json (Coursera's format)."""
import importlib.util
import json
import multiprocessing as mp
import sys

import numpy as np

SUBMISSION = "/shared/submission/signal_tools.py"
FEEDBACK = "/shared/feedback.json"


def load():
    spec = importlib.util.spec_from_file_location("signal_tools", SUBMISSION)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def case_moving_average():
    got = load().moving_average(np.arange(10.0), 3)
    return np.allclose(got, np.arange(1.0, 9.0))


def case_moving_average_window_one():
    x = np.random.default_rng(7).normal(size=50)
    return np.allclose(load().moving_average(x, 1), x)


def case_normalize_rows():
    m = np.array([[3.0, 4.0], [0.0, 2.0]])
    return np.allclose(load().normalize_rows(m), [[0.6, 0.8], [0.0, 1.0]])


def case_normalize_large():
    m = np.random.default_rng(1).normal(size=(2000, 64))
    return np.allclose(np.linalg.norm(load().normalize_rows(m), axis=1), 1.0)


CASES = [case_moving_average, case_moving_average_window_one, case_normalize_rows, case_normalize_large]


def main():
    lines, passed = [], 0
    with mp.Pool(processes=4) as pool:
        pending = [(c.__name__[5:], pool.apply_async(c)) for c in CASES]
        for name, res in pending:
            try:
                ok = bool(res.get(timeout=20))
                why = "" if ok else "wrong result"
            except mp.TimeoutError:
                ok, why = False, "took longer than 20 s"
            except Exception as e:  # the learner's code raised
                ok, why = False, f"{type(e).__name__}: {e}"
            passed += ok
            lines.append(f"{'PASS' if ok else 'FAIL'} {name} {why}".rstrip())
        pool.terminate()
    score = round(passed / len(CASES), 4)
    with open(FEEDBACK, "w") as f:
        json.dump({"fractionalScore": score, "feedback": "\n".join(lines)}, f)
    print(f"grader: score {score}", *lines, sep="\n")


if __name__ == "__main__":
    sys.exit(main())
