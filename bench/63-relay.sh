#!/bin/bash
# A relay chain: a core ct-serve fed RATE certificates/s for SECS s, then
# HOPS times "ct-tail ws://previous/full-stream | ct-serve" (an edge), and
# CLIENTS lite WebSocket clients (bench/tools/wsload) on the last edge.
# Per hop: the latency it adds (bench/tools/hoplat: one full-stream
# client on every server, each message's arrival at this hop's server
# minus its arrival at the previous one's; p50, p99 and the ratio of p99
# to the 10 ms goal), the CPU share of its ct-tail and its ct-serve (and
# their sum against the core ct-serve's own share), and the messages
# that reached it. Also the latency of a ct-tail alone, its lines
# against the core's WebSocket messages. The records come in bursts
# (bench/lib/pace.py), by default of a tenth of a second's worth: 100
# full records, about 560 KiB, at 1,000 a second; a message waits for
# those before it in its burst at every stage.
# CT_BENCH_RELAY_RATE, _SECS, _HOPS, _CLIENTS, _BURST (records).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/bench/relay
export PATH="$top/build/rel/bin:$top/build/rel/tools:$PATH"
RATE=${CT_BENCH_RELAY_RATE:-1000} SECS=${CT_BENCH_RELAY_SECS:-30}
HOPS=${CT_BENCH_RELAY_HOPS:-2} CLIENTS=${CT_BENCH_RELAY_CLIENTS:-100}
BURST=${CT_BENCH_RELAY_BURST:-$((RATE / 10 > 0 ? RATE / 10 : 1))}
N=$((RATE * SECS))
rm -rf "$out"
mkdir -p "$out"
recs=$top/build/bench/serve-$N.ndjson
[ -s "$recs" ] || python3 "$top/tests/lib/mkcertrecords.py" "$N" >"$recs"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# up NAME PORT: wait for ct-serve NAME to listen
up() {
	for _ in $(seq 100); do grep -q "listening on 127.0.0.1:$2" "$out/$1.err" 2>/dev/null && return 0; sleep 0.05; done
	echo "relay: ct-serve $1 did not start: $(cat "$out/$1.err")" >&2
	exit 1
}

ports=("$(port)")
mkfifo "$out/core.in"
ct-serve --listen "127.0.0.1:${ports[0]}" <"$out/core.in" 2>"$out/core.err" &
serve_pids=($!)
pids+=($!)
exec 9>"$out/core.in"
up core "${ports[0]}"
tail_pids=()
for h in $(seq "$HOPS"); do
	ports+=("$(port)")
	mkfifo "$out/hop$h.pipe"
	ct-tail "ws://127.0.0.1:${ports[h - 1]}/full-stream" >"$out/hop$h.pipe" 2>"$out/tail$h.err" &
	tail_pids+=($!)
	pids+=($!)
	ct-serve --listen "127.0.0.1:${ports[h]}" --max-per-ip 0 <"$out/hop$h.pipe" 2>"$out/edge$h.err" &
	serve_pids+=($!)
	pids+=($!)
	up "edge$h" "${ports[h]}"
	for _ in $(seq 100); do grep -q connected "$out/tail$h.err" && break; sleep 0.05; done
done
wsload "127.0.0.1:${ports[HOPS]}" / "$CLIENTS" $((SECS + 20)) "$N" 0 >"$out/load.json" 2>"$out/load.err" &
lp=$!
pids+=($lp)
urls=()
for p in "${ports[@]}"; do urls+=("127.0.0.1:$p/full-stream"); done
hoplat $((SECS + 20)) "$N" "${urls[@]}" >"$out/hops.json" 2>"$out/hops.err" &
hp=$!
pids+=($hp)
# ct-tail alone: its lines against the core's messages
ct-tail -q -n "$N" --timeout $((SECS + 20))s "ws://${urls[0]}" 2>"$out/alone.err" |
	hoplat $((SECS + 20)) "$N" "${urls[0]}" - >"$out/alone.json" 2>"$out/alone.hop.err" &
ap=$!
pids+=($ap)
for _ in $(seq 600); do grep -q ready "$out/load.err" && grep -q ready "$out/hops.err" &&
	grep -q ready "$out/alone.hop.err" && break; sleep 0.1; done
grep -q ready "$out/hops.err" || { echo "relay: hoplat: $(cat "$out/hops.err")" >&2; exit 1; }
t0=()
for p in "${serve_pids[@]}" "${tail_pids[@]}"; do t0+=("$(cpu "$p")"); done
python3 "$top/bench/lib/pace.py" "$recs" "$RATE" "$BURST" >&9
wait "$hp" "$ap" || true
t1=()
for p in "${serve_pids[@]}" "${tail_pids[@]}"; do t1+=("$(cpu "$p")"); done
wait "$lp" || true
exec 9>&-
ticks=()
for i in "${!t0[@]}"; do ticks+=($((t1[i] - t0[i]))); done

hz=$(getconf CLK_TCK)
echo "relay: $HOPS hops of ct-tail | ct-serve at $RATE certs/s in bursts of $BURST for $SECS s, $CLIENTS lite clients on the last edge"
for h in $(seq "$HOPS"); do
	jq -r --argjson h "$h" '.hops[$h - 1] | "\(.n) \(.p50_ms) \(.p99_ms) \(.max_ms)"' "$out/hops.json" |
	{
		read -r n p50 p99 max
		awk -v h="$h" -v n="$n" -v p50="$p50" -v p99="$p99" -v max="$max" -v want="$N" \
		    -v core="${ticks[0]}" -v sv="${ticks[h]}" -v tl="${ticks[HOPS + h]}" -v hz="$hz" -v s="$SECS" 'BEGIN {
			c = core / hz / s * 100; e = sv / hz / s * 100; t = tl / hz / s * 100
			printf "  hop %d: latency added p50 %.2f ms, p99 %.2f ms (goal 10 ms: ratio %.2f), max %.1f ms; CPU ct-tail %.1f%% + ct-serve %.1f%% (core ct-serve %.1f%%: ratio %.2f); reached %d of %d\n",
				h, p50, p99, p99 / 10, max, t, e, c, (t + e) / (c > 0 ? c : 1), n, want }'
	}
done
jq -r '.hops[0] | "  ct-tail alone: latency added p50 \(.p50_ms) ms, p99 \(.p99_ms) ms, max \(.max_ms) ms; reached \(.n)"' "$out/alone.json"
jq -r --argjson want "$((N * CLIENTS))" '"  clients of the last edge: delivered \(.messages) of \($want)"' "$out/load.json"
