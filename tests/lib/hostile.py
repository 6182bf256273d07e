#!/usr/bin/env python3
"""Hostile clients for ct-serve's tests (standard library only).

usage: hostile.py PORT TOKEN
Opens 50 slowloris connections (a request head that never ends, one byte
a second; kept open 14 s), sends 20 requests with an oversized header
and 20 with 100 headers, 200 requests with a wrong token, and makes
10,000 connect/close cycles (half close at once, half after a complete
WebSocket handshake with the right token). Prints one line: counts of
the answers by status, and how many slowloris connections the server
closed.
"""
import base64, collections, os, socket, sys, time

port, token = int(sys.argv[1]), sys.argv[2]
addr = ("127.0.0.1", port)
got = collections.Counter()


def status(req):
    s = socket.create_connection(addr, timeout=5)
    try:
        s.sendall(req)
        d = b""
        while b"\r\n" not in d:
            c = s.recv(4096)
            if not c:
                break
            d += c
        return d.split(b" ")[1].decode() if d.startswith(b"HTTP/1.1 ") else "none"
    except OSError:
        return "reset"
    finally:
        s.close()


slow = []
for _ in range(50):
    s = socket.create_connection(addr)
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
    slow.append(s)
big = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n"
many = b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(100)) + b"\r\n"
for _ in range(20):
    got["big " + status(big)] += 1
    got["many " + status(many)] += 1
for i in range(200):
    got["wrongtoken " + status(b"GET /api/stats HTTP/1.1\r\nHost: x\r\n"
                               b"Authorization: Bearer nope%d\r\n\r\n" % i)] += 1
up = ("GET /?token=%s HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n"
      % (token, base64.b64encode(os.urandom(16)).decode())).encode()
t0 = time.time()
for i in range(10000):
    s = socket.create_connection(addr)
    if i % 2:
        s.sendall(up)
        d = s.recv(4096)
        got["cycle " + (d.split(b" ")[1].decode() if d.startswith(b"HTTP/1.1 ") else "none")] += 1
    s.close()
cycles = time.time() - t0
# the slowloris connections drip a byte a second until closed
closed = 0
end = time.time() + 14
while time.time() < end and closed < len(slow):
    closed = 0
    for s in slow:
        try:
            s.sendall(b"X")
        except OSError:
            closed += 1
    time.sleep(1)
print(" ".join("%s=%d" % kv for kv in sorted(got.items())),
      "slowloris_closed=%d cycles_s=%.1f" % (closed, cycles), flush=True)
