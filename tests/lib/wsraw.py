#!/usr/bin/env python3
"""Raw WebSocket misbehaviour for the tests (standard library only).

usage: wsraw.py PORT PATH MODE
MODE: unmasked  - send an unmasked text frame; print the close code got
      badutf8   - send a masked text frame of invalid UTF-8; print code
      ping      - send a ping "hi"; print the pong payload
      never     - handshake, then never read (sleep 30 s)
"""
import base64, os, socket, struct, sys, time

port, path, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.create_connection(("127.0.0.1", port))
key = base64.b64encode(os.urandom(16)).decode()
s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
           "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
           "Sec-WebSocket-Version: 13\r\n\r\n" % (path, key)).encode())
if mode == "never":
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    time.sleep(30)
    sys.exit(0)
buf = b""
while b"\r\n\r\n" not in buf:
    buf += s.recv(4096)
head, buf = buf.split(b"\r\n\r\n", 1)
assert b" 101 " in head, head


def frame(op, payload, masked=True):
    b = bytes([0x80 | op])
    mask = os.urandom(4) if masked else b""
    b += bytes([(0x80 if masked else 0) | len(payload)]) + mask
    if masked:
        payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
    return b + payload


if mode == "unmasked":
    s.sendall(frame(1, b"hello", masked=False))
elif mode == "badutf8":
    s.sendall(frame(1, b"\xff\xfe"))
elif mode == "ping":
    s.sendall(frame(9, b"hi"))
s.settimeout(5)
while True:
    while len(buf) < 2:
        d = s.recv(65536)
        if not d:
            print("eof")
            sys.exit(0)
        buf += d
    op, n = buf[0] & 15, buf[1] & 127
    h = 2
    if n == 126:
        n, h = struct.unpack(">H", buf[2:4])[0], 4
    elif n == 127:
        n, h = struct.unpack(">Q", buf[2:10])[0], 10
    while len(buf) < h + n:
        buf += s.recv(65536)
    payload, buf = buf[h:h + n], buf[h + n:]
    if op == 8:
        print("close %d" % struct.unpack(">H", payload[:2])[0])
        sys.exit(0)
    if op == 10 and mode == "ping":
        print("pong %s" % payload.decode())
        sys.exit(0)
