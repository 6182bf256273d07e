#!/usr/bin/env python3
"""A fault-injecting RFC 6962 log for ct-fetch's tests (get-sth and
get-entries only; the C test log of issue 3 will replace it).

usage: fakelog.py [--size N] [--grow PER_S] [--max-page K] [--real FILE]
                  [--fail-every K] [--429-every K] [--truncate-every K]
                  [--garbage-every K] [--bad-entry-every K] [--shrink-once]
Prints the port it bound on 127.0.0.1, then serves the log at /log.
Entry i is an x509_entry whose certificate bytes are b"cert-%010d" % i
(or, with --real, the entries of a get-entries file, cycled).
Faults count requests to get-entries (get-sth for --shrink-once).
"""
import base64, json, struct, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

args = sys.argv[1:]
opt = {"size": 1000, "grow": 0.0, "max-page": 1000, "real": None, "fail-every": 0,
       "429-every": 0, "truncate-every": 0, "garbage-every": 0,
       "bad-entry-every": 0, "shrink-once": False}
i = 0
while i < len(args):
    k = args[i][2:]
    if k == "shrink-once":
        opt[k] = True
        i += 1
        continue
    opt[k] = args[i + 1] if k == "real" else float(args[i + 1])
    i += 2
T0 = time.time()
lock = threading.Lock()
count = {"entries": 0, "sth": 0}
real = None
if opt["real"]:
    real = json.load(open(opt["real"]))["entries"]


def size():
    return int(opt["size"] + opt["grow"] * (time.time() - T0))


def entry(i):
    if real:
        return real[i % len(real)]
    cert = b"cert-%010d" % i
    leaf = (b"\x00\x00" + struct.pack(">Q", 1767225600000 + i) + b"\x00\x00" +
            struct.pack(">I", len(cert))[1:] + cert + b"\x00\x00")
    return {"leaf_input": base64.b64encode(leaf).decode(),
            "extra_data": base64.b64encode(b"\x00\x00\x00").decode()}


def every(name, n):
    k = int(opt[name])
    return k and n % k == 0


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, code, body, extra=(), truncate=False):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        if truncate:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def do_GET(self):
        u = urlparse(self.path)
        if u.path == "/log/ct/v1/get-sth":
            with lock:
                count["sth"] += 1
                n = count["sth"]
            s = size()
            if opt["shrink-once"] and n == 3:
                s = max(0, s - 10)
            self.send(200, json.dumps({"tree_size": s, "timestamp": int(time.time() * 1000),
                                       "sha256_root_hash": base64.b64encode(bytes(32)).decode(),
                                       "tree_head_signature": "BAMARjBEAiA="}).encode())
            return
        if u.path != "/log/ct/v1/get-entries":
            self.send(404, b'{"error":"not found"}')
            return
        q = parse_qs(u.query)
        try:
            start, end = int(q["start"][0]), int(q["end"][0])
        except (KeyError, ValueError):
            self.send(400, b'{"error":"start and end"}')
            return
        s = size()
        if start < 0 or end < start or start >= s:
            self.send(400, b'{"error":"bad range"}')
            return
        with lock:
            count["entries"] += 1
            n = count["entries"]
        if every("fail-every", n):
            self.send(500, b'{"error":"injected"}')
            return
        if every("429-every", n):
            self.send(429, b'{"error":"slow down"}', [("Retry-After", "1")])
            return
        if every("garbage-every", n):
            self.send(200, b'{"entries": [{"leaf_input": garbage')
            return
        last = min(end, start + int(opt["max-page"]) - 1, s - 1)
        es = [entry(i) for i in range(start, last + 1)]
        if every("bad-entry-every", n):
            es[len(es) // 2] = {"leaf_input": "!!!!", "extra_data": "AAAA"}
        self.send(200, json.dumps({"entries": es}).encode(),
                  truncate=every("truncate-every", n))


srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
print(srv.server_address[1], flush=True)
srv.serve_forever()
