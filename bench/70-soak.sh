#!/bin/bash
# soak: the supervised pipeline (scripts/ct-stream) against the test log
# growing at ~1,000 entries/s, with 100 lite WebSocket clients, for
# CT_SOAK_SECS (default 60; 600 for the README figures). Every 5 s the
# RSS and CPU of each stage go to build/bench/soak.tsv; at the end the
# plateau (second half: median RSS, mean CPU) per stage and in all.
# Baseline: the seeds' claim for a certstream server with 100 clients,
# ~118 MiB RSS and ~13% CPU (certstream-server-go).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/bench
mkdir -p "$out"
PY=/usr/bin/python3
$PY -c 'import websockets' 2>/dev/null || { echo "soak: python3-websockets missing, skipped"; exit 0; }
SECS=${CT_SOAK_SECS:-60} RATE=${CT_SOAK_RATE:-1000} CLIENTS=${CT_SOAK_CLIENTS:-100}
certs=$out/fetch-certs/entries.ndjson
[ -s "$certs" ] || { echo "soak: run bench/20-ct-fetch.sh first (it makes $certs)"; exit 0; }
d=$out/soak
rm -rf "$d"; mkdir -p "$d"
ct-testlog -q --size 0 --grow "$RATE" --entries "$certs" -o "$d/tl.logs" >"$d/tl.port" &
tl=$!
for _ in $(seq 100); do [ -s "$d/tl.logs" ] && break; sleep 0.05; done
head -1 "$d/tl.logs" >"$d/tl.log"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
CT_FETCH_ARGS="--from-start --poll 1s" CT_DEDUP_ARGS="--key data.cert_index" \
	"$top/scripts/ct-stream" --logs "$d/tl.log" --listen "127.0.0.1:$port" \
	--state-dir "$d/st" 2>"$d/stream.err" &
sup=$!
trap 'kill $sup 2>/dev/null; wait $sup 2>/dev/null; kill $tl 2>/dev/null' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.1; done
$PY "$top/bench/lib/wsflood.py" "ws://127.0.0.1:$port/" "$CLIENTS" $((RATE * SECS * 2)) 15 >"$d/flood" &
fl=$!
hz=$(getconf CLK_TCK)
printf 't\tstage\trss_kib\tcpu_pct\n' >"$out/soak.tsv"
declare -A last=()
for ((t = 5; t <= SECS; t += 5)); do
	sleep 5
	for s in fetch parse dedup serve; do
		pid=$(cat "$d/st/run/$s.pid" 2>/dev/null) || continue
		[ -r "/proc/$pid/stat" ] || continue
		ticks=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
		rss=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
		prev=${last[$s:$pid]:-$ticks}
		last[$s:$pid]=$ticks
		[ "$t" = 5 ] && continue
		awk -v t="$t" -v s="$s" -v rss="$rss" -v a="$ticks" -v b="$prev" -v hz="$hz" \
			'BEGIN { printf "%d\t%s\t%d\t%.1f\n", t, s, rss, (a - b) * 100 / hz / 5 }' >>"$out/soak.tsv"
	done
done
kill "$fl" 2>/dev/null || true
restarts=$(grep -c 'ended with status' "$d/stream.err" || true)
awk -F'\t' -v secs="$SECS" -v c="$CLIENTS" -v r="$RATE" -v restarts="$restarts" 'NR > 1 && $1 > secs / 2 {
	n[$2]++; cpu[$2] += $4; rss[$2, n[$2]] = $3 }
END {
	trss = 0; tcpu = 0
	for (s in n) {
		k = n[s]; m = 0
		# median RSS: sort the few samples
		for (i = 1; i <= k; i++) a[i] = rss[s, i]
		for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { x = a[i]; a[i] = a[j]; a[j] = x }
		m = a[int((k + 1) / 2)]
		printf "soak: %-5s plateau RSS %.1f MiB, CPU %.1f%%\n", s, m / 1024, cpu[s] / k
		trss += m; tcpu += cpu[s] / k
	}
	printf "soak: pipeline, %d clients at %d certs/s for %d s: RSS %.1f MiB (baseline 118: ratio %.2f), CPU %.1f%% (baseline 13%%: ratio %.2f), %d stage restarts\n",
		c, r, secs, trss / 1024, trss / 1024 / 118, tcpu, tcpu / 13, restarts }' "$out/soak.tsv"
