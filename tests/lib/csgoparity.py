#!/usr/bin/env python3
"""Compare certstream messages of certstream-server-go with ours (tests).

usage: csgoparity.py GO OURS GOCOUNT [OURCOUNT]
GO and OURS hold one message per line (blank lines skipped), from the
same stream of each server for the same log entries. Certificate
updates are paired by data.cert_index, dns_entries messages compared as
a multiset. Every path of a Go message must exist in ours with the same
value, except the differences allowed below. Exit 0 when GO has GOCOUNT
messages, OURS OURCOUNT (default GOCOUNT) and all pairs agree; else 1,
one line per difference. On success prints how many values were
compared and how often each allowance was used.
"""
import hashlib, json, re, sys

# Where a Go client sees a different value from us, and why that is
# allowed. Paths are normalized: list indexes become [].
#
# data.seen: each server stamps the time it saw the entry itself.
# *.email_address: certstream-server-go 1.9.0 declares the key but
#   never fills it (always null); we carry the address, the same value
#   as emailAddress. Allowed only as that: null there, ours ==
#   emailAddress.
# *.ST: the Go server fills ST from streetAddress; ST is
#   stateOrProvinceName, as in CaliDog's server (and ours).
# *.aggregated: follows from ST (and from CN, below): compared with the
#   /ST= parts removed on both sides and Go's empty "/CN=" removed.
# *.CN: the Go server has "" for a subject without a CN; we have null
#   (CaliDog clients test for null). Allowed only as "" against null.
# *.all_domains: the Go server lists the SAN dNSNames in certificate
#   order, then the CN when they lack it; we put the CN first, as
#   CaliDog's server and certstream-server-rust do. Compared as sets.
# extensions.subjectAltName: the Go server lists all DNS names, then
#   e-mail addresses, then IP addresses (and drops other kinds of
#   names); we list the names in certificate order. Compared after
#   ordering ours the Go way.
# extensions.authorityInfoAccess: the Go server lists the CA issuer
#   URIs before the OCSP ones; we keep the certificate's order.
#   Compared as a multiset.
# data.cert_link of a static-ct-api log: the Go server has "", we link
#   the data tile that holds the entry.
# data.source.type of a static-ct-api log: the Go server says "tiled",
#   we say "static", as ct-loglist's log records do.
# data.leaf_cert.{fingerprint,sha1,sha256} of a precertificate from a
#   static-ct-api log: the Go server hashes nothing there (its values
#   are SHA-1 and SHA-256 of empty input); ours are the
#   precertificate's, as for an RFC 6962 log.
SKIP = {"data.seen"}

SAN_KINDS = ("DNS:", "email:", "IP Address:")
EMPTY = {hashlib.sha1(b"").hexdigest(), hashlib.sha256(b"").hexdigest()}


def norm_path(p):
    return re.sub(r"\[\d+\]", "[]", p)


def agg_norm(s, go):
    s = re.sub(r"/ST=[^/]*", "", s)
    if go:
        s = re.sub(r"/CN=(?=/|$)", "", s)
    return s


def san_go_order(s):
    items = s.split(", ") if s else []
    out = []
    for k in SAN_KINDS:
        out += [i for i in items if i.startswith(k)]
    return ", ".join(out)


def strict(g, o):
    if isinstance(g, bool) or isinstance(o, bool):
        return g is o
    if isinstance(g, (int, float)) and isinstance(o, (int, float)):
        return abs(g - o) < 1e-6
    return g == o


def allowed(path, g, o, parent, msg):
    """The name of the allowance under which Go's g and ours o agree at
    path (normalized), or None. parent: the object holding o; msg: our
    whole message."""
    leaf = path.rsplit(".", 1)[-1]
    if path in SKIP:
        return path
    if leaf == "email_address" and g is None and \
            o == parent.get("emailAddress"):
        return "email_address"
    if leaf == "ST":
        return "ST"
    if leaf == "CN" and g == "" and o is None:
        return "CN"
    if leaf == "aggregated" and isinstance(g, str) and isinstance(o, str) \
            and agg_norm(g, True) == agg_norm(o, False):
        return "aggregated"
    if leaf == "all_domains" and isinstance(g, list) and \
            isinstance(o, list) and sorted(set(g)) == sorted(o):
        return "all_domains"
    if path.endswith("extensions.subjectAltName") and isinstance(o, str) \
            and g == san_go_order(o):
        return "subjectAltName"
    data = msg.get("data", {})
    static = data.get("source", {}).get("type") == "static"
    if static and data.get("update_type") == "PrecertLogEntry" and \
            path in ("data.leaf_cert.fingerprint", "data.leaf_cert.sha1",
                     "data.leaf_cert.sha256") and \
            isinstance(g, str) and g.replace(":", "").lower() in EMPTY:
        return "precert hash (static)"
    if path == "data.cert_link" and g == "" and static:
        return "cert_link"
    if path == "data.source.type" and g == "tiled" and static:
        return "source.type"
    if path.endswith("extensions.authorityInfoAccess") and \
            isinstance(g, str) and isinstance(o, str) and \
            sorted(g.split(", ")) == sorted(o.split(", ")):
        return "authorityInfoAccess"
    return None


def compare(g, o, path, oparent, msg, diffs, counter, rules):
    """Walk Go's value g; ours o must have each of its paths."""
    if isinstance(g, dict):
        if not isinstance(o, dict):
            diffs.append("%s: Go has an object, we have %r" % (path, o))
            return
        for k, v in g.items():
            p = path + "." + k if path else k
            if k not in o:
                diffs.append("%s: missing (Go has %s)" %
                             (p, json.dumps(v)[:80]))
                continue
            compare(v, o[k], p, o, msg, diffs, counter, rules)
        return
    if isinstance(g, list) and any(isinstance(x, (dict, list)) for x in g):
        if not isinstance(o, list) or len(o) != len(g):
            diffs.append("%s: Go has %d elements, we have %s" %
                         (path, len(g), json.dumps(o)[:80]))
            return
        for i, (a, b) in enumerate(zip(g, o)):
            compare(a, b, "%s[%d]" % (path, i), o, msg, diffs, counter,
                    rules)
        return
    counter[0] += 1
    if strict(g, o):
        return
    rule = allowed(norm_path(path), g, o, oparent, msg)
    if rule:
        rules[rule] = rules.get(rule, 0) + 1
    else:
        diffs.append("%s: Go %s, ours %s" % (path, json.dumps(g)[:100],
                                            json.dumps(o)[:100]))


def load(path):
    return [json.loads(l) for l in open(path) if l.strip()]


def main(argv):
    go, ours = load(argv[0]), load(argv[1])
    gn = int(argv[2])
    on = int(argv[3]) if len(argv) > 3 else gn
    diffs, counter, rules = [], [0], {}
    if len(go) != gn or len(ours) != on:
        diffs.append("messages: Go %d, ours %d, expected %d and %d" %
                     (len(go), len(ours), gn, on))
    if all(m.get("message_type") == "dns_entries" for m in go + ours):
        # all_domains, order aside (see ALLOWED)
        def key(m):
            return json.dumps(dict(m, data=sorted(set(m.get("data", [])))),
                              sort_keys=True)
        a = sorted(key(m) for m in go)
        b = sorted(key(m) for m in ours)
        counter[0] = len(a)
        if a != b:
            diffs.append("dns_entries differ: Go %s, ours %s" %
                         (sorted(set(a) - set(b))[:2],
                          sorted(set(b) - set(a))[:2]))
    else:
        mine = {}
        for m in ours:
            mine.setdefault(m.get("data", {}).get("cert_index"), m)
        for m in go:
            i = m.get("data", {}).get("cert_index")
            if i not in mine:
                diffs.append("cert_index %s: not in ours" % i)
                continue
            d = []
            compare(m, mine[i], "", None, mine[i], d, counter, rules)
            diffs += ["cert_index %s: %s" % (i, x) for x in d]
    for d in diffs[:40]:
        print(d)
    if len(diffs) > 40:
        print("... %d differences in all" % len(diffs))
    if diffs:
        return 1
    print("%d messages, %d values compared; allowed differences: %s" %
          (len(go), counter[0],
           ", ".join("%s %d" % kv for kv in sorted(rules.items())) or "none"))
    return 0


sys.exit(main(sys.argv[1:]))
