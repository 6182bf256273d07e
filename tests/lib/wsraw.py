#!/usr/bin/env python3
"""Raw WebSocket misbehaviour for the tests (standard library only).

usage: wsraw.py PORT PATH MODE
MODE: unmasked  - send an unmasked text frame; print the close code got
      badutf8   - send a masked text frame of invalid UTF-8; print code
      ping      - send a ping "hi"; print the pong payload
      never     - handshake, then never read (sleep 30 s)
      ext       - print the Sec-WebSocket-Extensions answer ("none" if none)
      zok       - a compressed text message, then a ping; print the pong
      zbadutf8  - a compressed text message of invalid UTF-8; print code
      zbomb     - a compressed message of 64 KiB of text; print code
      zbroken   - RSV1 on bytes that are no deflate stream; print code
      rsv1ping  - a ping with RSV1 set; print the close code
      close:HEX - a close frame with payload HEX (code, reason); print
                  the code of the close frame got back
The offer sent is $EXT (Sec-WebSocket-Extensions), if set.
"""
import base64, os, socket, struct, sys, time, zlib

port, path, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.create_connection(("127.0.0.1", port))
key = base64.b64encode(os.urandom(16)).decode()
s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
           "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
           "Sec-WebSocket-Version: 13\r\n%s\r\n" % (path, key,
           "Sec-WebSocket-Extensions: %s\r\n" % os.environ["EXT"]
           if os.environ.get("EXT") else "")).encode())
if mode == "never":
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    time.sleep(30)
    sys.exit(0)
buf = b""
while b"\r\n\r\n" not in buf:
    buf += s.recv(4096)
head, buf = buf.split(b"\r\n\r\n", 1)
assert b" 101 " in head, head
if mode == "ext":
    ext = [l.split(b":", 1)[1].strip().decode() for l in head.split(b"\r\n")
           if l.lower().startswith(b"sec-websocket-extensions:")]
    print(ext[0] if ext else "none")
    sys.exit(0)


def deflate(data):
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    out = c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)
    assert out.endswith(b"\0\0\xff\xff")
    return out[:-4]


def frame(op, payload, masked=True, rsv1=False):
    b = bytes([0x80 | (0x40 if rsv1 else 0) | op])
    mask = os.urandom(4) if masked else b""
    n = len(payload)
    if n < 126:
        b += bytes([(0x80 if masked else 0) | n]) + mask
    else:
        b += bytes([(0x80 if masked else 0) | 126]) + struct.pack(">H", n) + mask
    if masked:
        payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
    return b + payload


if mode == "unmasked":
    s.sendall(frame(1, b"hello", masked=False))
elif mode == "badutf8":
    s.sendall(frame(1, b"\xff\xfe"))
elif mode == "ping":
    s.sendall(frame(9, b"hi"))
elif mode == "zok":
    s.sendall(frame(1, deflate("héllo wörld ".encode() * 20), rsv1=True) + frame(9, b"hi"))
elif mode == "zbadutf8":
    s.sendall(frame(1, deflate(b"ok \xff\xfe"), rsv1=True))
elif mode == "zbomb":
    s.sendall(frame(1, deflate(b"a" * 65536), rsv1=True))
elif mode == "zbroken":
    s.sendall(frame(1, b"\xff\xff\xff\xff\xff", rsv1=True))
elif mode == "rsv1ping":
    s.sendall(frame(9, b"hi", rsv1=True))
elif mode.startswith("close:"):
    s.sendall(frame(8, bytes.fromhex(mode[6:])))
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
    if op == 10 and mode in ("ping", "zok"):
        print("pong %s" % payload.decode())
        sys.exit(0)
