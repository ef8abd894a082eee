# A hostile submission: it prints the right answer, but first tries every attack a
# learner's program can try on a grader, and says on stderr how each one went:
#   attack NAME: refused errno=ENAME (detail)     or     attack NAME: SUCCEEDED (detail)
# Under `usher run` every attack must be refused and the grader must give 0 for the
# attempt. HOSTILE_ATTACKS=name,name... runs only those (the test's controls use it).
import ctypes
import errno
import os
import signal
import socket
import sys
import time

FEEDBACK = "/shared/feedback.json"
FORGED = b'{"fractionalScore": 1.0, "feedback": "forged by the learner"}\n'
libc = ctypes.CDLL(None, use_errno=True)


def say(name, outcome):
    print(f"attack {name}: {outcome}", file=sys.stderr, flush=True)


def refused(name, err, detail=""):
    say(name, f"refused errno={errno.errorcode.get(err, err)}" + (f" ({detail})" if detail else ""))


def attempt(name, fn):
    """Runs fn(); an OSError is a refusal, anything it returns is the success's detail."""
    try:
        detail = fn()
    except OSError as e:
        refused(name, e.errno, e.strerror)
    else:
        say(name, "SUCCEEDED" + (f" ({detail})" if detail else ""))


def proc(pid, what):
    try:
        with open(f"/proc/{pid}/{what}") as f:
            return f.read()
    except OSError:
        return ""


def uid_of(pid):
    for line in proc(pid, "status").splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    return -1


def find_grader():
    """The grader: the nearest ancestor that is not usher (or PID 1), else any process
    of another uid than ours that is neither root nor usher."""
    pid = os.getppid()
    while pid > 1:
        if proc(pid, "comm").strip() != "usher":
            return pid
        stat = proc(pid, "stat")
        pid = int(stat.rsplit(")", 1)[1].split()[1]) if stat else 0
    me = os.getuid()
    for p in sorted(int(d) for d in os.listdir("/proc") if d.isdigit()):
        if p not in (1, os.getpid()) and uid_of(p) not in (me, 0, -1) and proc(p, "comm").strip() != "usher":
            return p
    return None


def read(path):
    with open(path, "rb") as f:
        return f"read {len(f.read())} bytes of {path}"


def opened(path):
    os.close(os.open(path, os.O_RDONLY))
    return f"opened {path}"


def write(path, flags):
    fd = os.open(path, os.O_WRONLY | flags, 0o644)
    os.write(fd, FORGED)
    os.close(fd)
    return f"wrote {path}"


def kill(pid, sig=signal.SIGKILL):
    os.kill(pid, sig)
    return f"sent signal {sig} to {pid}"


def ptrace(request, pid):
    if libc.ptrace(ctypes.c_long(request), ctypes.c_long(pid), None, None) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return f"ptrace request {request:#x} on {pid}"


def kill_all(grader):
    try:
        os.kill(-1, signal.SIGKILL)
        how = "errno=none (kill(-1) returned 0)"
    except OSError as e:
        how = f"errno={errno.errorcode.get(e.errno, e.errno)}"
    alive = [p for p in (grader, os.getppid()) if p and os.path.exists(f"/proc/{p}")]
    if len(alive) == len([p for p in (grader, os.getppid()) if p]):
        say("kill-all", f"refused {how}: the grader {grader} and our parent {os.getppid()} are alive")
    else:
        say("kill-all", f"SUCCEEDED ({how}; alive: {alive})")


def fork_bomb():
    """Bounded: forks until the kernel refuses, then ends its children."""
    kids = []
    try:
        while len(kids) < 5000:
            pid = os.fork()
            if pid == 0:
                time.sleep(30)
                os._exit(0)
            kids.append(pid)
        say("fork-bomb", f"SUCCEEDED ({len(kids)} processes and no limit)")
    except OSError as e:
        refused("fork-bomb", e.errno, f"after {len(kids)} processes")
    for pid in kids:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def fill_tmp():
    """Writes /tmp until the kernel refuses (Python ignores SIGXFSZ: EFBIG comes back)."""
    path, chunk, n = f"/tmp/fill-{os.getpid()}", b"x" * (1 << 20), 0
    try:
        with open(path, "wb", buffering=0) as f:
            while n < 4096:
                f.write(chunk)
                n += 1
        say("fill-tmp", f"SUCCEEDED (wrote {n} MiB)")
    except OSError as e:
        refused("fill-tmp", e.errno, f"after {n} MiB")
    try:
        os.unlink(path)
    except OSError:
        pass


def connect(host):
    """A refusal before the network (the sandbox) or on the way (no route); an answer
    from the other end (even 'connection refused') means the network was reached."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(2)
    try:
        s.connect((host, 9))
    except ConnectionRefusedError:
        return f"{host} answered: connection refused"
    except socket.timeout:
        return f"{host}: no answer within 2 s, but the packet left"
    finally:
        s.close()
    return f"connected to {host}"


def daemon():
    """setsid and a double fork: a process that outlives the run, waits 2 s, then for
    15 s puts a full score back into feedback.json whenever the grader writes it."""
    pid = os.fork()
    if pid == 0:
        os.setsid()
        if os.fork() != 0:
            os._exit(0)
        null = os.open("/dev/null", os.O_RDWR)  # let go of the run's pipes, as daemons do
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        time.sleep(2)
        for _ in range(300):
            try:
                with open(FEEDBACK, "rb") as f:
                    mine = f.read() == FORGED
                if not mine:
                    write(FEEDBACK, os.O_CREAT | os.O_TRUNC)
            except OSError:
                pass
            time.sleep(0.05)
        os._exit(0)
    os.waitpid(pid, 0)
    say("daemon", "started (a new session, double fork: it rewrites feedback.json from 2 s on)")


def main():
    data = sys.stdin.read()
    only = [a for a in os.environ.get("HOSTILE_ATTACKS", "").split(",") if a]
    grader = find_grader()
    print(f"hostile: uid {os.getuid()}, parent {os.getppid()}, grader {grader}", file=sys.stderr)
    attacks = [
        ("read-hidden", lambda: attempt("read-hidden", lambda: read("/grader/tests/1.out"))),
        ("list-hidden", lambda: attempt("list-hidden", lambda: f"listed {os.listdir('/grader/tests')}")),
        ("grader-environ", lambda: attempt("grader-environ", lambda: read(f"/proc/{grader}/environ"))),
        ("grader-mem", lambda: attempt("grader-mem", lambda: opened(f"/proc/{grader}/mem"))),
        ("init-environ", lambda: attempt("init-environ", lambda: read("/proc/1/environ"))),
        ("feedback-rewrite", lambda: attempt("feedback-rewrite", lambda: write(FEEDBACK, os.O_CREAT | os.O_TRUNC))),
        ("shared-create", lambda: attempt("shared-create", lambda: write("/shared/hacked.txt", os.O_CREAT | os.O_EXCL))),
        ("kill-grader", lambda: attempt("kill-grader", lambda: kill(grader))),
        ("kill-parent", lambda: attempt("kill-parent", lambda: kill(os.getppid()))),
        ("ptrace-attach", lambda: attempt("ptrace-attach", lambda: ptrace(16, grader))),
        ("ptrace-seize", lambda: attempt("ptrace-seize", lambda: ptrace(0x4206, grader))),
        ("kill-all", lambda: kill_all(grader)),
        ("net-loopback", lambda: attempt("net-loopback", lambda: connect("127.0.0.1"))),
        ("net-remote", lambda: attempt("net-remote", lambda: connect("10.0.0.1"))),
        ("fill-tmp", fill_tmp),
        ("daemon", daemon),  # after kill-all, which would end it
        ("fork-bomb", fork_bomb),  # last: it may end the run (a limit)
    ]
    for name, run in attacks:
        if grader is None and name in ("grader-environ", "grader-mem", "kill-grader", "ptrace-attach", "ptrace-seize"):
            say(name, "not tried (no grader process found)")
        elif not only or name in only:
            run()
    print(sum(int(t) for t in data.split()))


main()
