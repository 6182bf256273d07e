#!/usr/bin/env python3
"""Clients that ask ct-serve for things and read slowly or never
(standard library only), for tests/bats/6050-ct-serve-hostile.bats.

usage: slowclient.py PORT MODE [ARG ...]
MODE: pingflood SECONDS
          for SECONDS: a WebSocket client sends 125-byte pings as fast
          as it can and reads 4 KiB every 50 ms; when the server drops
          it, another one connects. Prints "connections=N pings=M".
      hold PATH SECONDS [HEADER: VALUE ...]
          send one GET request, read nothing for SECONDS (receive buffer
          4 KiB), then read to the end; prints the status lines got, one
          per line, then "eof" or "reset".
      pipeline SECONDS REQUEST ...
          send the first GET request, wait SECONDS without reading, send
          the other requests on the same connection (with SECONDS 0, all
          in one write), then read to the end; prints the status lines
          of the responses got and "eof" or "reset".
      upgrade PATH SECONDS [HEADER: VALUE ...]
          a WebSocket handshake with these extra headers; prints the
          status code, then holds the connection SECONDS without reading.
A REQUEST is a target such as "/example.json" or "/?domain=a.example".
"""
import base64, os, socket, struct, sys, time

port, mode = int(sys.argv[1]), sys.argv[2]
addr = ("127.0.0.1", port)


def connect(rcvbuf=None):
    s = socket.socket()
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.connect(addr)
    return s


def handshake(s, path, extra=()):
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
               "Sec-WebSocket-Version: 13\r\n%s\r\n"
               % (path, key, "".join(h + "\r\n" for h in extra))).encode())
    d = b""
    while b"\r\n\r\n" not in d:
        c = s.recv(4096)
        if not c:
            break
        d += c
    return d.split(b" ")[1].decode() if d.startswith(b"HTTP/1.1 ") else "none"


def ping_frame(payload):
    mask = b"\x01\x02\x03\x04"
    body = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
    return bytes([0x89, 0x80 | len(payload)]) + mask + body


def pingflood(secs):
    block = ping_frame(b"p" * 125) * 256
    conns = pings = 0
    end = time.time() + secs
    while time.time() < end:
        s = connect(4096)
        conns += 1
        try:
            if handshake(s, "/") != "101":
                time.sleep(0.05)
                continue
            s.setblocking(False)
            last = 0.0
            while time.time() < end:
                try:
                    n = s.send(block)
                    pings += n // 131
                except BlockingIOError:
                    time.sleep(0.001)
                if time.time() - last >= 0.05:
                    last = time.time()
                    try:
                        if not s.recv(4096):
                            break
                    except BlockingIOError:
                        pass
        except OSError:
            pass
        finally:
            s.close()
    print("connections=%d pings=%d" % (conns, pings), flush=True)


def read_all(s):
    """Status lines of the responses read until the end (each response
    skipped by its Content-Length), and how it ended."""
    s.settimeout(20)
    d = b""
    how = "eof"
    try:
        while True:
            c = s.recv(65536)
            if not c:
                break
            d += c
    except ConnectionResetError:
        how = "reset"
    except socket.timeout:
        how = "open"
    lines = []
    while b"\r\n\r\n" in d:
        head, d = d.split(b"\r\n\r\n", 1)
        lines.append(head.split(b"\r\n")[0].decode(errors="replace"))
        n = [int(l.split(b":")[1]) for l in head.split(b"\r\n")
             if l.lower().startswith(b"content-length:")]
        d = d[n[0]:] if n else b""
    return lines + [how]


def request(target, extra=()):
    return ("GET %s HTTP/1.1\r\nHost: x\r\n%s\r\n"
            % (target, "".join(h + "\r\n" for h in extra))).encode()


if mode == "pingflood":
    pingflood(float(sys.argv[3]))
elif mode == "hold":
    path, secs, extra = sys.argv[3], float(sys.argv[4]), sys.argv[5:]
    s = connect(4096)
    s.sendall(request(path, extra))
    time.sleep(secs)
    print("\n".join(read_all(s)), flush=True)
elif mode == "pipeline":
    secs, reqs = float(sys.argv[3]), sys.argv[4:]
    s = connect(4096)
    rest = b"".join(request(r) for r in reqs[1:])
    if secs:
        s.sendall(request(reqs[0]))
        time.sleep(secs)
    else:
        rest = request(reqs[0]) + rest  # all in one write
    try:
        s.sendall(rest)
    except OSError:
        pass
    print("\n".join(read_all(s)), flush=True)
elif mode == "upgrade":
    path, secs, extra = sys.argv[3], float(sys.argv[4]), sys.argv[5:]
    s = connect()
    print(handshake(s, path, extra), flush=True)
    time.sleep(secs)
else:
    sys.exit("slowclient.py: unknown mode " + mode)
