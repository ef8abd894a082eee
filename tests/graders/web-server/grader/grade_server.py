#!/usr/bin/env python3
"""Grades a learner's HTTP server (server.js): starts it with PORT set, waits until it
listens on 127.0.0.1, sends the staff's requests, scores the share answered right, and
stops it. Writes /shared/feedback.json (Coursera's format)."""
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request

SUBMISSION = "/shared/submission"
FEEDBACK = "/shared/feedback.json"
PORT = 8080
BASE = f"http://127.0.0.1:{PORT}"


def give(score, text):
    with open(FEEDBACK, "w") as f:
        json.dump({"fractionalScore": score, "feedback": text}, f)
    print(f"grader: score {score}\n{text}")


def request(path, body=None):
    req = urllib.request.Request(BASE + path, data=body, method="POST" if body else "GET")
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def check_health():
    return request("/health") == (200, "ok")


def check_add():
    status, body = request("/add?a=2&b=40")
    return status == 200 and json.loads(body) == {"sum": 42}


def check_not_found():
    return request("/no/such/page")[0] == 404


def check_echo():
    status, body = request("/echo", json.dumps({"msg": "hi"}).encode())
    return status == 200 and json.loads(body) == {"msg": "hi"}


CHECKS = [check_health, check_add, check_not_found, check_echo]


def wait_listening(proc, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", PORT), timeout=1).close()
            return None
        except OSError as e:
            err = e
            time.sleep(0.1)
    return err if proc.poll() is None else f"exited with {proc.returncode}"


def main():
    if not os.path.isfile(os.path.join(SUBMISSION, "server.js")):
        give(0.0, "Your submission has no server.js.")
        return
    server = subprocess.Popen(["node", "server.js"], cwd=SUBMISSION, env=dict(os.environ, PORT=str(PORT)))
    try:
        why = wait_listening(server)
        if why is not None:
            print(f"grader: the server is not listening on port {PORT}: {why}")
            give(0.0, f"Your server did not start listening on port {PORT}.")
            return
        lines, passed = [], 0
        for check in CHECKS:
            try:
                ok = check()
            except Exception as e:  # a malformed answer is a failed check
                print(f"grader: {check.__name__}: {type(e).__name__}: {e}")
                ok = False
            passed += ok
            lines.append(("PASS " if ok else "FAIL ") + check.__name__[6:])
        give(round(passed / len(CHECKS), 4), "\n".join(lines))
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
