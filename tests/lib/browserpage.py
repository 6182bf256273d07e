#!/usr/bin/env python3
"""A page for a headless browser test of ct-serve (tests only).
usage: browserpage.py REPORT_FILE
Serves /page.html on 127.0.0.1 (port printed): it opens a WebSocket
(?ws=URL) and an EventSource (?sse=URL), and once each has ?n=N
certstream messages it POSTs what it got to /report; every POST body
is appended to REPORT_FILE as one line."""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = b"""<!doctype html><meta charset=utf-8><title>ct-serve test</title><script>
const q = new URLSearchParams(location.search), want = +q.get('n');
const report = (x) => fetch('/report', {method: 'POST', body: JSON.stringify(x)});
function collect(kind, parse) {
  let n = 0, domains = [];
  return (e) => {
    const m = JSON.parse(e.data);
    if (m.message_type !== 'dns_entries') return;
    n++; domains.push(...m.data);
    if (n === want) report({kind, n, domains});
  };
}
const ws = new WebSocket(q.get('ws'));
ws.onopen = () => report({kind: 'ws', open: true});
ws.onmessage = collect('ws');
const es = new EventSource(q.get('sse'));
es.onopen = () => report({kind: 'sse', open: true});
es.onmessage = collect('sse');
</script>"""


class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        if not self.path.startswith("/page.html"):
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        with open(sys.argv[1], "ab") as f:
            f.write(body.replace(b"\n", b" ") + b"\n")
        self.send_response(204)
        self.end_headers()


srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
print(srv.server_address[1], flush=True)
srv.serve_forever()
