#!/usr/bin/env python3
"""Wrap certificates into ctstream entry records (tests only).

usage: mkentries.py [--log URL] [--name NAME] [--start N] [--ts MS]
                    [--static] LEAF [CHAIN ...]
LEAF and CHAIN are PEM or DER files (a PEM file may hold several
certificates: the first is the leaf, the rest its chain). A leaf that
carries the CT poison extension becomes a precert_entry (leaf_input holds
its TBS without the poison, extra_data the PrecertChainEntry); any other
becomes an x509_entry. Several leaves: use --each FILE... to get one
record per certificate, indexes counting up from --start.
"""
import base64, hashlib, json, re, struct, sys

POISON = bytes.fromhex("060a2b06010401d679020403")  # OID 1.3.6.1.4.1.11129.2.4.3


def certs_of(path):
    data = open(path, "rb").read()
    if b"-----BEGIN CERTIFICATE-----" in data:
        out = []
        for m in re.finditer(rb"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", data, re.S):
            out.append(base64.b64decode(b"".join(m.group(1).split())))
        return out
    return [data]


def tlv(buf, off):
    tag = buf[off]
    l = buf[off + 1]
    hdr = 2
    if l & 0x80:
        n = l & 0x7F
        l = int.from_bytes(buf[off + 2:off + 2 + n], "big")
        hdr = 2 + n
    return tag, off + hdr, l, off + hdr + l  # tag, value start, len, end


def enc_len(n):
    if n < 128:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def wrap(tag, body):
    return bytes([tag]) + enc_len(len(body)) + body


def tbs_without_poison(cert):
    _, cv, _, _ = tlv(cert, 0)
    _, tv, _, tend = tlv(cert, cv)  # TBSCertificate
    parts = []
    off = tv
    while off < tend:
        tag, v, l, end = tlv(cert, off)
        if tag == 0xA3:  # [3] extensions
            _, ev, _, eend = tlv(cert, v)
            exts = []
            o = ev
            while o < eend:
                _, xv, _, xend = tlv(cert, o)
                ext = cert[o:xend]
                if POISON not in cert[xv:xv + len(POISON)]:
                    exts.append(ext)
                o = xend
            if exts:
                parts.append(wrap(0xA3, wrap(0x30, b"".join(exts))))
        else:
            parts.append(cert[off:end])
        off = end
    return wrap(0x30, b"".join(parts)), cert


def is_precert(cert):
    return POISON in cert


def u24(n):
    return n.to_bytes(3, "big")


def record(leaf, chain, log, name, index, ts, static):
    if is_precert(leaf):
        tbs, _ = tbs_without_poison(leaf)
        ikh = hashlib.sha256(chain[0] if chain else b"").digest()
        entry = struct.pack(">QH", ts, 1) + ikh + u24(len(tbs)) + tbs
        chain_bytes = b"".join(u24(len(c)) + c for c in chain)
        extra = u24(len(leaf)) + leaf + u24(len(chain_bytes)) + chain_bytes
    else:
        entry = struct.pack(">QH", ts, 0) + u24(len(leaf)) + leaf
        chain_bytes = b"".join(u24(len(c)) + c for c in chain)
        extra = u24(len(chain_bytes)) + chain_bytes
    leaf_input = b"\x00\x00" + entry + b"\x00\x00"
    rec = {"log": log, "log_name": name, "index": index,
           "leaf_input": base64.b64encode(leaf_input).decode(),
           "extra_data": base64.b64encode(extra).decode()}
    if static:
        rec["log_type"] = "static"
    return rec


def main(argv):
    log, name, start, ts, static, each = "http://127.0.0.1/test", "Test Log", 0, 1767225655456, False, False
    args = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("--log", "--name", "--start", "--ts"):
            v = argv[i + 1]
            i += 2
            if a == "--log": log = v
            elif a == "--name": name = v
            elif a == "--start": start = int(v)
            else: ts = int(v)
            continue
        if a == "--static": static = True
        elif a == "--each": each = True
        else: args.append(a)
        i += 1
    if each:
        for n, path in enumerate(args):
            cs = certs_of(path)
            print(json.dumps(record(cs[0], cs[1:], log, name, start + n, ts, static)))
        return
    cs = []
    for a in args:
        cs += certs_of(a)
    print(json.dumps(record(cs[0], cs[1:], log, name, start, ts, static)))


main(sys.argv[1:])
