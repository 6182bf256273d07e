#!/usr/bin/env python3
"""A misbehaving certstream server for ct-tail's tests (standard library
only). Listens on 127.0.0.1 (a free port, printed on stdout) and serves
every connection k (1, 2, ...) one message {"n":k} after the handshake,
then misbehaves as MODE says. What the client sends back (its close
code, its pongs) and each request line are logged on stderr as
"conn K: ..." lines.

usage: badserver.py MODE
MODE: stall      then nothing at all
      pongs      then nothing but the pongs that answer pings
      garbage    then a frame with opcode 3
      masked     then a masked frame
      close      then a close frame 1001 "restart"
      huge       then a frame that claims 1 GiB, and 8 MiB of it
      bigmsg     then a message of three fragments of 600 KiB
      fragments  then a message in three fragments, a ping "hi" between
      badutf8    then a text frame that is not UTF-8
      binary     then a binary message, then {"after":k}
      notjson    then a text message "hello, world", then {"after":k}
      pretty     then a message with CR and LF between its tokens and
                 at its end
      404        no handshake: HTTP 404
      503once    HTTP 503 on the first connection only
      badaccept  a 101 with a wrong Sec-WebSocket-Accept
      sse        server-sent events, chunked, CRLF lines, a comment, an
                 event of two data lines, an event without data
      longline   raw TCP (no request): the line {"n":k}, then 2 MiB
                 without a newline
"""
import base64, hashlib, socket, struct, sys, threading, time

mode = sys.argv[1]
lock = threading.Lock()


def log(k, what):
    with lock:
        print("conn %d: %s" % (k, what), file=sys.stderr, flush=True)


def frame(op, payload, fin=True, mask=None):
    b = bytes([(0x80 if fin else 0) | op])
    n = len(payload)
    m = 0x80 if mask else 0
    if n < 126:
        b += bytes([m | n])
    elif n < 65536:
        b += bytes([m | 126]) + struct.pack(">H", n)
    else:
        b += bytes([m | 127]) + struct.pack(">Q", n)
    if mask:
        b += mask
        payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
    return b + payload


def read_head(c):
    d = b""
    while b"\r\n\r\n" not in d:
        x = c.recv(4096)
        if not x:
            return None, b""
        d += x
    head, rest = d.split(b"\r\n\r\n", 1)
    return head.decode("latin-1"), rest


def client_frames(c, k, buf):
    """Log the client's frames until it closes the connection."""
    c.settimeout(30)
    while True:
        while len(buf) >= 2:
            n = buf[1] & 0x7f
            h = 2
            if n == 126:
                if len(buf) < 4:
                    break
                n, h = struct.unpack(">H", buf[2:4])[0], 4
            elif n == 127:
                if len(buf) < 10:
                    break
                n, h = struct.unpack(">Q", buf[2:10])[0], 10
            if not buf[1] & 0x80:
                log(k, "unmasked client frame")
            if len(buf) < h + 4 + n:
                break
            mask = buf[h:h + 4]
            p = bytes(x ^ mask[i % 4] for i, x in enumerate(buf[h + 4:h + 4 + n]))
            op = buf[0] & 0x0f
            buf = buf[h + 4 + n:]
            if op == 8:
                log(k, "close %d" % (struct.unpack(">H", p[:2])[0] if len(p) >= 2 else 1005))
            elif op == 10:
                log(k, "pong %s" % p.decode())
            elif op == 9 and mode == "pongs":
                log(k, "ping %s" % p.decode())
                c.sendall(frame(10, p))
            else:
                log(k, "frame %d" % op)
        try:
            x = c.recv(65536)
        except OSError:
            x = b""
        if not x:
            log(k, "eof")
            return
        buf += x


def sse(c, k):
    def chunk(b):
        return b"%x\r\n%s\r\n" % (len(b), b)
    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
              b"Transfer-Encoding: chunked\r\n\r\n")
    body = (b": hello\r\n\r\nevent: x\r\ndata: {\"n\":%d,\r\ndata: \"two\":2}\r\n\r\n"
            b"id: 7\r\n\r\ndata: {\"n\":%d}\r\n\r\n" % (k, k + 100))
    for i in range(0, len(body), 7):  # chunks that cut lines anywhere
        c.sendall(chunk(body[i:i + 7]))
        time.sleep(0.01)
    c.settimeout(30)
    while c.recv(4096):
        pass
    log(k, "eof")


def serve(c, k):
    if mode == "longline":
        c.sendall(b'{"n":%d}\n' % k)
        try:
            c.sendall(b"x" * (2 << 20))
        except OSError:
            pass
        return client_frames(c, k, b"")
    head, rest = read_head(c)
    if head is None:
        return
    log(k, head.split("\r\n")[0])
    if mode == "sse":
        return sse(c, k)
    if mode == "404" or (mode == "503once" and k == 1):
        st = b"404 Not Found" if mode == "404" else b"503 Service Unavailable"
        c.sendall(b"HTTP/1.1 " + st + b"\r\nContent-Length: 0\r\n\r\n")
        return
    key = [l.split(":", 1)[1].strip() for l in head.split("\r\n")
           if l.lower().startswith("sec-websocket-key:")][0]
    acc = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                                        .encode()).digest()).decode()
    if mode == "badaccept":
        acc = "x" + acc[1:]
    c.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n" % acc).encode())
    c.sendall(frame(1, b'{"n":%d}' % k))
    msg = b'{"message_type":"certificate_update","n":%d}' % (k + 100)
    if mode == "garbage":
        c.sendall(b"\x83\x00")
    elif mode == "masked":
        c.sendall(frame(1, b'{"x":1}', mask=b"\x01\x02\x03\x04"))
    elif mode == "close":
        c.sendall(frame(8, struct.pack(">H", 1001) + b"restart"))
    elif mode == "huge":
        c.sendall(b"\x81\x7f" + struct.pack(">Q", 1 << 30))
        try:
            for _ in range(8):
                c.sendall(b"x" * (1 << 20))
        except OSError:
            log(k, "send failed")
    elif mode == "bigmsg":
        part = b"y" * (600 << 10)
        try:
            c.sendall(frame(1, part, fin=False) + frame(0, part, fin=False) +
                      frame(0, part))
        except OSError:
            log(k, "send failed")
    elif mode == "fragments":
        c.sendall(frame(1, msg[:10], fin=False) + frame(9, b"hi") +
                  frame(0, msg[10:20], fin=False) + frame(0, msg[20:]))
    elif mode == "badutf8":
        c.sendall(frame(1, b'{"bad":"\xff\xfe"}'))
    elif mode in ("binary", "notjson"):
        c.sendall(frame(2, b'{"bin":1}') if mode == "binary" else frame(1, b"hello, world"))
        c.sendall(frame(1, b'{"after":%d}' % k))
    elif mode == "pretty":
        c.sendall(frame(1, b'{\n  "n": %d,\r\n  "a": [1,\n 2]\n}\r\n' % (k + 100)))
    client_frames(c, k, rest)


def main():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    print(s.getsockname()[1], flush=True)
    k = 0
    while True:
        c, _ = s.accept()
        k += 1
        threading.Thread(target=lambda c=c, k=k: (serve(c, k), c.close()),
                         daemon=True).start()


main()
