#!/bin/sh
# ct-serve: certificates fanned out to 100 lite WebSocket clients at
# ~1,000 certificates/s for 60 s; ct-serve's CPU share and max RSS, and
# messages delivered, with the C load generator (bench/tools/wsload).
# Baseline: the seeds' claim for a certstream server with 100 clients,
# ~118 MiB RSS and ~13% CPU (bench/62 measures certstream-server-go).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/bench
export PATH="$top/build/rel/bin:$top/build/rel/tools:$PATH"
mkdir -p "$out"
RATE=${CT_BENCH_SERVE_RATE:-1000} SECS=${CT_BENCH_SERVE_SECS:-60} CLIENTS=${CT_BENCH_SERVE_CLIENTS:-100}
N=$((RATE * SECS))
recs=$out/serve-$N.ndjson
[ -s "$recs" ] || python3 "$top/tests/lib/mkcertrecords.py" "$N" >"$recs"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
rm -f "$out/serve.fifo"; mkfifo "$out/serve.fifo"
ct-serve --listen "127.0.0.1:$port" <"$out/serve.fifo" 2>/dev/null &
spid=$!
exec 9>"$out/serve.fifo"
sleep 0.3
wsload "127.0.0.1:$port" / "$CLIENTS" $((SECS + 15)) "$N" 0 >"$out/flood" 2>"$out/flood.err" &
fpid=$!
while ! grep -q ready "$out/flood.err" 2>/dev/null; do sleep 0.1; done
t0=$(awk '{ print $14 + $15 }' "/proc/$spid/stat")
# paced input: RATE records a second
python3 "$top/bench/lib/pace.py" "$recs" "$RATE" >&9
t1=$(awk '{ print $14 + $15 }' "/proc/$spid/stat")
rss=$(awk '/VmHWM/ { print $2 }' "/proc/$spid/status")
wait "$fpid" || true
got=$(jq .messages "$out/flood")
exec 9>&-
kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null || true
hz=$(getconf CLK_TCK)
awk -v t="$((t1 - t0))" -v hz="$hz" -v s="$SECS" -v rss="$rss" -v got="$got" \
    -v want="$((N * CLIENTS))" -v c="$CLIENTS" -v r="$RATE" 'BEGIN {
	cpu = t / hz / s * 100
	printf "ct-serve: %d clients at %d certs/s: CPU %.1f%% (baseline 13%%: ratio %.2f), max RSS %.1f MiB (baseline 118: ratio %.2f), delivered %d of %d\n",
		c, r, cpu, cpu / 13, rss / 1024, rss / 1024 / 118, got, want }'
