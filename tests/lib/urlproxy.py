#!/usr/bin/env python3
"""An HTTP proxy for tests that never leaves 127.0.0.1 (standard library only).

usage: urlproxy.py DIR PORT
Listens on 127.0.0.1:PORT. A program pointed at it (http_proxy) asks it
for absolute URLs, http://HOST/PATH; it answers with the file DIR/HOST/PATH
(404 if there is none) and never connects anywhere. So a test can fetch
a real host's URL, say Google's log list, with every byte on loopback.
Each URL asked is appended to DIR/requests, one per line.
"""
import http.server, os, sys, urllib.parse

root, port = sys.argv[1], int(sys.argv[2])


class Handler(http.server.SimpleHTTPRequestHandler):
    def translate_path(self, path):
        u = urllib.parse.urlsplit(path)
        with open(os.path.join(root, "requests"), "a") as f:
            f.write(path + "\n")
        parts = [p for p in u.path.split("/") if p not in ("", ".", "..")]
        host = (u.hostname or "-").rstrip(".")
        return os.path.join(root, host, *parts)

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
