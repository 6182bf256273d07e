#!/usr/bin/env python3
"""A NATS server that misbehaves, for ct-nats's tests (127.0.0.1 only).

usage: natsbad.py MODE   (prints its port, then serves until killed)

Every connection gets the same treatment, after a well-formed INFO
unless said otherwise:
  garbage  answers the handshake (PONG), then sends a line that is not
           the protocol once the client asks for anything
  err      answers CONNECT with -ERR 'Authorization Violation' and closes
  huge     answers the handshake, then announces a 1,000,000,000-byte MSG
  mid      answers the handshake, then sends half a MSG and closes
  silent   accepts and sends nothing, not even INFO
  http     answers like a web server
  forming  a JetStream of a cluster still forming: a stream it does not
           have, whose creation it refuses twice with 10005 ("no
           suitable peers for placement"), then creates; acknowledges
           every publish after that (stream F)"""
import socket
import sys
import threading

INFO = (b'INFO {"server_id":"BAD","version":"2.9.10","proto":1,'
        b'"headers":true,"max_payload":1048576} \r\n')


def handshake(c, f):
    """Read CONNECT and PING, answer PONG; False if the client left."""
    seen = 0
    while seen < 2:
        line = f.readline()
        if not line:
            return False
        if line.startswith((b"CONNECT", b"PING")):
            seen += 1
    c.sendall(b"PONG\r\n")
    return True


REFUSALS = [2]  # creations still to refuse, across connections


def reply(c, subj, sid, body):
    c.sendall(b"MSG %s %s %d\r\n%s\r\n" % (subj, sid, len(body), body))


def forming(c, f):
    """Serve the forming mode on one connection."""
    sid, seq = b"1", 0
    while True:
        line = f.readline()
        if not line:
            return
        w = line.split()
        if not w:
            continue
        if w[0] == b"PING":
            c.sendall(b"PONG\r\n")
        elif w[0] == b"SUB":
            sid = w[-1]
        elif w[0] in (b"PUB", b"HPUB"):
            data = f.read(int(w[-1]) + 2)[:-2]
            subj, rep = w[1], w[2] if len(w) > 3 else None
            if rep is None:
                continue
            if subj.startswith(b"$JS.API.STREAM.INFO."):
                body = (b'{"error":{"code":404,"err_code":10059,'
                        b'"description":"stream not found"}}')
            elif subj.startswith(b"$JS.API.STREAM.CREATE."):
                if REFUSALS[0] > 0:
                    REFUSALS[0] -= 1
                    body = (b'{"error":{"code":400,"err_code":10005,'
                            b'"description":"no suitable peers for '
                            b'placement"}}')
                else:
                    body = (b'{"type":"io.nats.jetstream.api.v1.stream_'
                            b'create_response","config":{"name":"F"}}')
            elif subj.startswith(b"$JS.API"):
                body = b'{"error":{"code":400,"description":"not here"}}'
            else:
                seq += 1
                body = b'{"stream":"F","seq":%d}' % seq
            del data
            reply(c, rep, sid, body)


def serve(c, mode):
    f = c.makefile("rb")
    try:
        if mode == "silent":
            f.read()
            return
        if mode == "http":
            c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            return
        c.sendall(INFO)
        if mode == "err":
            f.readline()
            c.sendall(b"-ERR 'Authorization Violation'\r\n")
            return
        if not handshake(c, f):
            return
        if mode == "forming":
            forming(c, f)
            return
        # the client's next request (SUB, then an API request or a PUB)
        f.readline()
        if mode == "garbage":
            c.sendall(b"HELLO WORLD \x00\xff\r\n")
        elif mode == "huge":
            c.sendall(b"MSG _INBOX.x.r1 1 1000000000\r\n" + b"x" * 65536)
        elif mode == "mid":
            c.sendall(b"MSG _INBOX.x.r1 1 100\r\nabc")
            c.shutdown(socket.SHUT_WR)  # a clean end, mid-message
        f.read()  # until the client closes
    except OSError:
        pass
    finally:
        c.close()


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    print(s.getsockname()[1], flush=True)
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c, sys.argv[1]), daemon=True).start()


if __name__ == "__main__":
    main()
