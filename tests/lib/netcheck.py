#!/usr/bin/python3
"""tests/lib/netcheck.py OUTSIDE_ADDR - what a grader sees of the network, one line each.

Run as the grader under usher (tests/integration/13-network.t). Prints NAME: OK|FAILED
detail, so the test can judge each line. What real graders do: a server bound to the
wildcard address on port 0 (Node's listen(), jupyter_client's free-port search), its
port read back with getsockname, a client on 127.0.0.1 and ::1, UDP, non-blocking
connect (EINPROGRESS, as ZMQ does), and a connect to an address outside loopback.
"""
import errno, select, socket, sys

outside = sys.argv[1]

def line(name, ok, detail=""):
    print(f"{name}: {'OK' if ok else 'FAILED'} {detail}".rstrip(), flush=True)

def tcp(family, host):
    srv = socket.socket(family, socket.SOCK_STREAM)
    srv.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", 0))  # wildcard, port 0
    srv.listen(1)
    port = srv.getsockname()[1]
    cli = socket.socket(family, socket.SOCK_STREAM)
    cli.setblocking(False)
    rc = cli.connect_ex((host, port))  # EINPROGRESS, as ZMQ connects
    conn, _ = srv.accept()
    select.select([], [cli], [], 2)
    cli.setblocking(True)
    conn.sendall(b"ping")
    got = cli.recv(4)
    return port > 0 and rc in (0, errno.EINPROGRESS) and got == b"ping", f"port {port}"

try:
    ok, d = tcp(socket.AF_INET, "127.0.0.1")
    line("tcp4-loopback", ok, d)
except OSError as e:
    line("tcp4-loopback", False, errno.errorcode.get(e.errno, str(e)))
try:
    ok, d = tcp(socket.AF_INET6, "::1")
    line("tcp6-loopback", ok, d)
except OSError as e:
    line("tcp6-loopback", False, errno.errorcode.get(e.errno, str(e)))
try:
    a, b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM), socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    a.bind(("127.0.0.1", 0))
    b.sendto(b"udp", a.getsockname())
    a.settimeout(2)
    line("udp4-loopback", a.recv(3) == b"udp")
except OSError as e:
    line("udp4-loopback", False, errno.errorcode.get(e.errno, str(e)))
try:
    socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    line("raw-refused", False, "a raw socket was made")
except OSError as e:
    line("raw-refused", e.errno == errno.EPERM, errno.errorcode.get(e.errno, str(e)))
try:
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.settimeout(1.5)
    c.connect((outside, 9))
    line("outside", False, "connected to " + outside)
except OSError as e:
    line("outside", True, errno.errorcode.get(e.errno, type(e).__name__))
try:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.sendto(b"x" * 100, (outside, 9))
    line("outside-udp-sent", True, "(the datagram must not leave: see the packet count)")
except OSError as e:
    line("outside-udp-sent", True, errno.errorcode.get(e.errno, str(e)))
