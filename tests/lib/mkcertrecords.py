#!/usr/bin/env python3
"""Synthetic certstream certificate records (full form) for tests/benches.

usage: mkcertrecords.py N [--dup-every K] [--seed S] [--domains D]
                         [--domain-space M]
Record i has sha256 derived from (i // K) when --dup-every K is given
(so K copies of each certificate arrive, as from K logs), a tbs_sha256,
D domains (sub<i>.example<i%M>.com, ...; M = 97 unless given) and a
~1.5 KB as_der.
"""
import base64, hashlib, json, random, sys


def hx(b):
    return ":".join("%02X" % x for x in b)


def main(argv):
    n = int(argv[0])
    dup, seed, ndom, space = 1, 1, 3, 97
    i = 1
    while i < len(argv):
        if argv[i] == "--dup-every": dup = int(argv[i + 1])
        elif argv[i] == "--seed": seed = int(argv[i + 1])
        elif argv[i] == "--domains": ndom = int(argv[i + 1])
        elif argv[i] == "--domain-space": space = int(argv[i + 1])
        i += 2
    rnd = random.Random(seed)
    der = bytes(rnd.getrandbits(8) for _ in range(1500))
    as_der = base64.b64encode(der).decode()
    chain_der = base64.b64encode(der[:1200]).decode()
    out = sys.stdout
    for i in range(n):
        c = i // dup
        h = hashlib.sha256(b"cert%d" % c).digest()
        doms = ["sub%d.example%d.com" % (c, c % space)] + \
               ["h%d.sub%d.example%d.com" % (k, c, c % space) for k in range(ndom - 1)]
        name = {"C": None, "CN": doms[0], "L": None, "O": None, "OU": None,
                "ST": None, "emailAddress": None, "aggregated": "/CN=" + doms[0]}
        iss = {"C": "US", "CN": "Test CA", "L": None, "O": "Test", "OU": None,
               "ST": None, "emailAddress": None,
               "aggregated": "/C=US/CN=Test CA/O=Test"}
        leaf = {"subject": name, "issuer": iss, "serial_number": "%016X" % c,
                "not_before": 1767225600, "not_after": 1775001600,
                "fingerprint": hx(hashlib.sha1(h).digest()),
                "sha1": hx(hashlib.sha1(h).digest()), "sha256": hx(h),
                "signature_algorithm": "ecdsa, sha256", "is_ca": False,
                "all_domains": doms,
                "extensions": {"subjectAltName": ", ".join("DNS:" + d for d in doms)},
                "tbs_sha256": hx(hashlib.sha256(b"tbs%d" % c).digest()),
                "as_der": as_der}
        ca = dict(leaf, subject=iss, is_ca=True, serial_number="01", as_der=chain_der)
        del ca["all_domains"], ca["tbs_sha256"]
        log = "https://log%d.example/ct" % (i % dup)
        rec = {"message_type": "certificate_update", "data": {
            "update_type": "X509LogEntry", "leaf_cert": leaf, "chain": [ca],
            "cert_index": i, "cert_link": log + "/ct/v1/get-entries?start=%d&end=%d" % (i, i),
            "seen": 1767225660.123, "submission_timestamp": 1767225655.456,
            "source": {"name": "Log %d" % (i % dup), "url": log, "type": "rfc6962"}}}
        out.write(json.dumps(rec, separators=(",", ":")) + "\n")


main(sys.argv[1:])
