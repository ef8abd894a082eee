#!/usr/bin/env python3
"""Grades a Jupyter notebook: appends the hidden test cells to the learner's notebook,
executes the whole notebook with nbclient (a fresh python3 kernel), and scores the test
cells that printed PASS. Writes /shared/feedback.json (Coursera's format)."""
import json
import os
import sys
import traceback

import nbformat
from nbclient import NotebookClient

SUBMISSION = "/shared/submission"
FEEDBACK = "/shared/feedback.json"

# name -> code: each runs in the learner's kernel after the learner's own cells.
TESTS = {
    "fib": "assert [fib(n) for n in range(8)] == [0, 1, 1, 2, 3, 5, 8, 13]",
    "fib_large": "assert fib(90) == 2880067194370816120",
    "is_prime": "assert [n for n in range(20) if is_prime(n)] == [2, 3, 5, 7, 11, 13, 17, 19]",
    "column_means": "import numpy as np\n"
                    "assert np.allclose(column_means(np.array([[1., 2.], [3., 6.]])), [2., 4.])",
}


def test_cell(name, code):
    body = "\n".join("    " + line for line in code.splitlines())
    return nbformat.v4.new_code_cell(
        f"try:\n{body}\n    print('@@PASS {name}')\n"
        f"except Exception as e:\n    print('@@FAIL {name}', type(e).__name__, e)")


def give(score, text):
    with open(FEEDBACK, "w") as f:
        json.dump({"fractionalScore": score, "feedback": text}, f)
    print(f"grader: score {score}\n{text}")


def main(notebook):
    path = os.path.join(SUBMISSION, notebook)
    try:
        nb = nbformat.read(path, as_version=4)
    except (OSError, ValueError) as e:
        give(0.0, f"Could not read {notebook}: {e}")
        return
    nb.cells.extend(test_cell(n, c) for n, c in TESTS.items())
    client = NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": "/tmp"}})
    try:
        client.execute()
    except Exception as e:  # the kernel did not start or died: not the learner's fault
        traceback.print_exc()
        print(f"grader: notebook execution failed: {type(e).__name__}: {e}", file=sys.stderr)
        give(0.0, "Your notebook could not be run. Please contact the course staff.")
        return
    results = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            for line in out.get("text", "").splitlines():
                if line.startswith(("@@PASS ", "@@FAIL ")):
                    results[line.split()[1]] = line[2:]
    lines = [results.get(n, f"FAIL {n} (did not run)") for n in TESTS]
    passed = sum(line.startswith("PASS") for line in lines)
    give(round(passed / len(TESTS), 4), "\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "assignment.ipynb")
