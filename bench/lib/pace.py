#!/usr/bin/env python3
"""Copy FILE to standard output at RATE lines a second (in tenths of a
second, or in bursts of BATCH lines), for the benches.
usage: pace.py FILE RATE [BATCH]"""
import sys, time

rate = int(sys.argv[2])
step = int(sys.argv[3]) if len(sys.argv) > 3 else max(1, rate // 10)
start = time.time()
sent = 0
with open(sys.argv[1], "rb") as f:
    out = sys.stdout.buffer
    batch = []
    for line in f:
        batch.append(line)
        if len(batch) == step:
            out.write(b"".join(batch))
            out.flush()
            batch = []
            sent += step
            delay = start + sent / rate - time.time()
            if delay > 0:
                time.sleep(delay)
    out.write(b"".join(batch))
    out.flush()
