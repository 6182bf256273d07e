#!/usr/bin/env python3
"""Compare the defaults that `CMD --help` prints with the man page.

usage: mandefaults.py MANPAGE < help-output

--help appends "(default VALUE)" to an option's line, from the option
table (lib/cli). In the man page, the .It block of that option must say
"default VALUE" or "VALUE (default" (macros such as .Ql or .Cm may wrap
VALUE), and a block
that states "(default ...)" must belong to an option whose --help shows
that same default. Prints each difference; exit 1 if there is any."""
import re
import sys

help_defaults = {}
for line in sys.stdin:
    m = re.match(r'\s+(?:-\S, )?--([a-z][a-z0-9-]*)\b.*\(default (.*)\)\s*$', line)
    if m:
        help_defaults[m.group(1)] = m.group(2)

blocks = {}
cur = None
for line in open(sys.argv[1], encoding='utf-8'):
    line = line.rstrip('\n')
    if line.startswith('.It Fl'):
        names = re.findall(r'Fl -([a-z][a-z0-9-]*)', line)
        cur = names
        for n in names:
            blocks[n] = []
        continue
    if line.startswith(('.It', '.El', '.Sh', '.Ss')):
        cur = None
        continue
    if cur:
        for n in cur:
            blocks[n].append(line)


def text(lines):
    """The words of an mdoc block, without macro names and the
    punctuation mdoc separates with spaces."""
    out = []
    for ln in lines:
        if ln.startswith('.\\"'):
            continue
        ln = re.sub(r'^\.(?:[A-Z][a-z]|[A-Z][a-z][a-z])\s*', '', ln)
        ln = re.sub(r'\b(?:Ns|Ql|Cm|Li|Ar|Pa|Fl|Pq|Pf|Dq|Sq|No|Ev|Xr)\b\s*', '', ln)
        ln = ln.replace('\\&', '').replace('\\-', '-')
        out.append(ln)
    s = ' '.join(out)
    s = re.sub(r'\s+([,;:.)])', r'\1', s)
    return re.sub(r'\s+', ' ', s)


bad = []
for name, value in sorted(help_defaults.items()):
    if name not in blocks:
        bad.append('--%s: no .It block in the man page' % name)
        continue
    t = text(blocks[name])
    v = re.escape(value)
    if not re.search(r'\bdefault(?::| is)? ' + v + r'(?![\w.-])', t) and \
            not re.search(r'(?<![\w.-])' + v + r',? \((?:the )?default\b', t):
        bad.append('--%s: --help says default %s; the man page says: %s'
                   % (name, value, t[:200]))
for name, lines in sorted(blocks.items()):
    t = text(lines)
    m = re.search(r'\(default:? ([^),;]*)', t)
    if m and name not in help_defaults:
        bad.append('--%s: the man page says "(default %s", --help has no default'
                   % (name, m.group(1)))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
