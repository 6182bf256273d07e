#!/usr/bin/env python3
"""Seeds with long fields for the fuzz targets, and the kept crash inputs
of ct-loglist's 4,096-byte stack buffer (a key of 8,000 base64 characters,
a log_id of 6,000). A fuzzer starting from short seeds rarely grows a
field past a fixed buffer (five minutes of fuzz_loglist did not); these
start it there. Deterministic: the same files each run.

usage: python3 tests/fuzz/long-seeds.py tests/fuzz
"""
import base64, hashlib, json, os, struct, subprocess, sys
top = sys.argv[1]
def put(d, name, data):
    p = os.path.join(top, d)
    os.makedirs(p, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    open(os.path.join(p, name), "wb").write(data)
def b64(b): return base64.b64encode(b).decode()
def rnd(n, seed):
    out, h = b"", seed.encode()
    while len(out) < n:
        h = hashlib.sha256(h).digest(); out += h
    return out[:n]
# a real EC P-256 SPKI, so the good logs are good
der = bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d030107034200" + "04" + rnd(64, "ec").hex())
def log(name, key=None, lid=None, url="https://ct.example/log/", **kw):
    k = key if key is not None else b64(der)
    i = lid if lid is not None else b64(hashlib.sha256(base64.b64decode(k) if key is None else der).digest())
    d = {"description": name, "log_id": i, "key": k, "url": url, "mmd": 86400,
         "state": {"usable": {"timestamp": "2026-01-01T00:00:00Z"}}}
    d.update(kw)
    return d
def lst(*ops): return json.dumps({"version": "1", "operators": list(ops)})
good = log("Good 2026")
# --- fuzz_loglist: seeds with long fields; regress: the overflow
key8000 = b64(rnd(6000, "key"))
id6000 = b64(rnd(4500, "id"))
put("seeds/fuzz_loglist", "long-fields.json", lst(
    {"name": "O" * 10000, "email": ["e" * 5000],
     "logs": [log("D" * 14000, url="https://ct.example/" + "p" * 20000 + "/"), good],
     "tiled_logs": [dict(log("T" * 1000), submission_url="https://s.example/" + "s" * 10000,
                         monitoring_url="https://m.example/" + "m" * 10000,
                         temporal_interval={"start_inclusive": "x" * 10000, "end_exclusive": "y"})]}))
put("seeds/fuzz_loglist", "long-key.json", lst(
    {"name": "Long", "logs": [log("Key 2732", key=b64(rnd(2049, "k2049"))),
                              log("Key 2736", key=b64(rnd(2052, "k2052"))), good]}))
put("seeds/fuzz_loglist", "long-id.json", lst(
    {"name": "Long", "logs": [log("Id 48", lid=b64(rnd(36, "i36"))), log("Id 6000", lid=id6000), good]}))
put("regress/fuzz_loglist", "key-8000-chars.json", lst(
    {"name": "Evil", "logs": [log("Long Key", key=key8000), good]}))
put("regress/fuzz_loglist", "log-id-6000-chars.json", lst(
    {"name": "Evil", "logs": [log("Long Id", lid=id6000), good]}))
# --- fuzz_json: long strings, numbers, arrays
put("seeds/fuzz_json", "long-string.json", json.dumps({"s": "a\\u00e9\n\"" * 10000, "t": "\u00e9" * 10000}))
put("seeds/fuzz_json", "long-number.json", '{"n":' + "1" * 20000 + ',"f":0.' + "5" * 20000 + "e" + "9" * 50 + "}")
put("seeds/fuzz_json", "long-array.json", json.dumps({"a": list(range(10000)), "k" * 10000: True}))
# --- fuzz_entries: a page with long entries, a state with long fields
put("seeds/fuzz_entries", "long-page.json", json.dumps({"entries": [
    {"leaf_input": b64(rnd(30000, "li")), "extra_data": b64(rnd(40000, "ed"))},
    {"leaf_input": b64(rnd(12, "x")), "extra_data": ""}]}))
put("seeds/fuzz_entries", "long-state.json", json.dumps({"url": "http://127.0.0.1:1/" + "u" * 40000,
    "name": "n" * 20000, "next": 13, "tree_size": 20, "range": "13:" + ",".join(["ab" * 32] * 300),
    "verified_size": 13, "verified_root": b64(rnd(6000, "vr")), "saved": 1}))
# --- fuzz_sth: a long signature, a checkpoint with long lines
put("seeds/fuzz_sth", "long-sig.json", json.dumps({"tree_size": 7, "timestamp": 1767225600000,
    "sha256_root_hash": b64(rnd(6000, "root")), "tree_head_signature": b64(rnd(6000, "sig"))}))
origin = "example.org/" + "o" * 10000
put("seeds/fuzz_sth", "long-checkpoint", origin + "\n7\n" + b64(rnd(32, "r")) + "\n" + "ext\n" * 1000 +
    "x" * 10000 + "\n\n\u2014 " + origin + " " + b64(rnd(9000, "cs")) + "\n\u2014 w " + b64(rnd(600, "w")) + "\n")
# --- fuzz_conf: long values and lines
put("seeds/fuzz_conf", "long-values.conf", "listen = 127.0.0.1:" + "8" * 10000 + "\n" +
    "token = " + "t" * 40000 + "\n" + "trusted-proxy = " + "1" * 20000 + "\n" + "# " + "c" * 20000 + "\n")
# --- fuzz_ndkey: one long record line
put("seeds/fuzz_ndkey", "long-line.json", json.dumps({"data": {"leaf_cert": {
    "sha256": "A" * 20000, "all_domains": ["d%d.example" % i for i in range(3000)]}}, "a": ["x" * 20000]}))
# --- fuzz_watch: long items, then long names
put("seeds/fuzz_watch", "long-items", ("." + "a" * 12000 + ".example\n") + "*." + "b" * 12000 + "\n\n" +
    "www." + "a" * 12000 + ".example\n" + ("c." * 10000) + "com\n")
# --- fuzz_httpd: long target and header values (ct-serve stops at 8 KiB)
put("seeds/fuzz_httpd", "long-head", "GET /full-stream?token=" + "a" * 10000 + " HTTP/1.1\r\nHost: x\r\n" +
    "X-Long: " + "v" * 10000 + "\r\n\r\n")
# --- fuzz_ws: a masked frame with a 16-bit and one with a 64-bit length
def frame(payload, op=1, fin=True):
    m = b"\x11\x22\x33\x44"
    n = len(payload)
    hdr = bytes([(0x80 if fin else 0) | op])
    hdr += bytes([0x80 | 126]) + struct.pack(">H", n) if n < 65536 else bytes([0x80 | 127]) + struct.pack(">Q", n)
    return hdr + m + bytes(b ^ m[i % 4] for i, b in enumerate(payload))
put("seeds/fuzz_ws", "long-frames", frame(b"a" * 12000) + frame(b"b" * 14000, op=2))
# --- fuzz_dedup_state: a state file of 50,000 entries (100 kB)
n = 5000
body = b"CTDEDUP1" + struct.pack(">I", n) + b"".join(rnd(16, "k%d" % i) + struct.pack(">I", 1000 + i) for i in range(n))
put("seeds/fuzz_dedup_state", "long-state", body + hashlib.sha256(body).digest())
