#!/bin/bash
# Side by side with the peer: certstream-server-go (../shared/debs) and
# ctstream, each with its defaults (what a user gets: no flag tunes
# either), each following the same local test log growing at RATE
# entries/s (real RSA certificates from bench/20), each serving CLIENTS
# lite WebSocket clients of the C load generator for SECS seconds, one
# after the other in one run. For each: CPU share and max RSS of the
# server (for ctstream, ct-serve alone and the whole ct-fetch | ct-parse
# | ct-serve pipeline, the fair match for a server that fetches and
# parses itself; no ct-dedup: the test log repeats a few certificates,
# which it would rightly drop), log-to-client latency: from the time the
# log added the entry (ct-testlog --ts-now stamps each entry with it; the
# messages carry it as source.timestamp) to the client (p50/p90/p99, one
# client in four), and messages delivered per client of the entries the
# log added. Ratios are ctstream / peer (below 1: less).
# Issue 12's goal: median under 1 s and below the peer's, p99 under
# 2.5 s, every entry delivered.
# CT_BENCH_PEER_RATE (50), CT_BENCH_PEER_SECS (60), CT_BENCH_PEER_CLIENTS (100).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/bench/peer
export PATH="$top/build/rel/bin:$top/build/rel/tools:$PATH"
RATE=${CT_BENCH_PEER_RATE:-50} SECS=${CT_BENCH_PEER_SECS:-60} CLIENTS=${CT_BENCH_PEER_CLIENTS:-100}
deb=$(ls "$top"/../shared/debs/certstream-server-go_*.deb 2>/dev/null | head -1 || true)
[ -n "$deb" ] || { echo "vs certstream-server-go: ../shared/debs not here, skipped"; exit 0; }
certs=$top/build/bench/fetch-certs/entries.ndjson
[ -s "$certs" ] || { echo "vs certstream-server-go: run bench/20-ct-fetch.sh first (it makes $certs), skipped"; exit 0; }
rm -rf "$out"; mkdir -p "$out"
. "$top/tests/lib/csgo.sh"
dpkg -x "$deb" "$out/csgo"
hz=$(getconf CLK_TCK)
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hwm() { awk '/VmHWM/ { print $2 }' "/proc/$1/status"; }
size() { curl -s "http://127.0.0.1:$tp/ct/v1/get-sth" | jq .tree_size; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

testlog() {
	rm -f "$out/tl.logs" "$out/tl.port"
	ct-testlog -q --size 0 --grow "$RATE" --ts-now --entries "$certs" -o "$out/tl.logs" >"$out/tl.port" 2>/dev/null &
	pids+=($!)
	tl=$!
	for _ in $(seq 100); do [ -s "$out/tl.port" ] && [ -s "$out/tl.logs" ] && break; sleep 0.05; done
	tp=$(head -1 "$out/tl.port")
}

# measure PORT PID...: clients for SECS; prints "cpu_ticks rss_kib ... msgs p50 p90 p99 added"
measure() {
	local p=$1; shift
	wsload "127.0.0.1:$p" / "$CLIENTS" "$SECS" 0 4 timestamp >"$out/load.json" 2>"$out/load.err" &
	local lp=$! s0 s1 t0=() t1=() k
	for _ in $(seq 600); do grep -q ready "$out/load.err" && break; sleep 0.1; done
	s0=$(size)
	for k in "$@"; do t0+=("$(cpu "$k")"); done
	wait "$lp" || true
	for k in "$@"; do t1+=("$(cpu "$k")"); done
	s1=$(size)
	local line=""
	for i in "${!t0[@]}"; do line+="$((t1[i] - t0[i])) $(hwm "${@:i+1:1}") "; done
	echo "$line$(jq -r '"\(.messages) \(.lat_p50_ms) \(.lat_p90_ms) \(.lat_p99_ms)"' "$out/load.json") $((s1 - s0))"
}

# the peer
testlog
pp=$(port)
csgo_yml "$pp" additional_logs "http://127.0.0.1:$tp" "test log" >"$out/csgo.yml"
(cd "$out" && GODEBUG=httpmuxgo121=0 exec "$out/csgo/usr/bin/certstream-server-go" -c "$out/csgo.yml") >"$out/csgo.log" 2>&1 &
gp=$!
pids+=($gp)
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$pp") 2>/dev/null && break; sleep 0.1; done
read -r gc gr gm g50 g90 g99 gadd < <(measure "$pp" "$gp")
kill "$gp" "$tl"; wait "$gp" "$tl" 2>/dev/null || true

# ctstream: the README's pipeline, each stage its own process, no flag
# but where to listen and what to read
testlog
sp=$(port)
head -1 "$out/tl.logs" >"$out/log.json"
mkfifo "$out/f1" "$out/f2"
ct-fetch --follow --state-dir "$out/state" --logs "$out/log.json" >"$out/f1" 2>"$out/fetch.err" &
fp=$!
ct-parse <"$out/f1" >"$out/f2" 2>"$out/parse.err" &
pa=$!
ct-serve --listen "127.0.0.1:$sp" <"$out/f2" 2>"$out/serve.err" &
sv=$!
pids+=($fp $pa $sv)
for _ in $(seq 100); do grep -q listening "$out/serve.err" && break; sleep 0.05; done
read -r fc fr pc pr sc sr cm c50 c90 c99 cadd < <(measure "$sp" "$fp" "$pa" "$sv")

awk -v hz="$hz" -v s="$SECS" -v n="$CLIENTS" -v r="$RATE" \
    -v gc="$gc" -v gr="$gr" -v gm="$gm" -v g50="$g50" -v g90="$g90" -v g99="$g99" -v gadd="$gadd" \
    -v fc="$fc" -v fr="$fr" -v pc="$pc" -v pr="$pr" -v sc="$sc" -v sr="$sr" \
    -v cm="$cm" -v c50="$c50" -v c90="$c90" -v c99="$c99" -v cadd="$cadd" 'BEGIN {
	gcpu = gc / hz / s * 100; scpu = sc / hz / s * 100; pcpu = (fc + pc + sc) / hz / s * 100
	grss = gr / 1024; srss = sr / 1024; prss = (fr + pr + sr) / 1024
	printf "vs certstream-server-go: %d lite clients, test log growing %d/s, %d s each, both with their defaults\n", n, r, s
	printf "  certstream-server-go: CPU %.1f%%, max RSS %.1f MiB, log-to-client latency p50 %.0f ms p90 %.0f ms p99 %.0f ms, delivered %.0f per client of %d added\n",
		gcpu, grss, g50, g90, g99, gm / n, gadd
	printf "  ct-serve alone: CPU %.1f%% (ratio %.2f), max RSS %.1f MiB (ratio %.2f)\n",
		scpu, scpu / gcpu, srss, srss / grss
	printf "  ct-fetch | ct-parse | ct-serve: CPU %.1f%% (ratio %.2f), RSS %.1f MiB (ratio %.2f), latency p50 %.0f ms (ratio %.2f; goal < 1000 and < the peer) p90 %.0f ms p99 %.0f ms (ratio %.2f; goal < 2500), delivered %.0f per client of %d added (ratio %.2f)\n",
		pcpu, pcpu / gcpu, prss, prss / grss, c50, c50 / (g50 > 0 ? g50 : 1), c90, c99, c99 / (g99 > 0 ? g99 : 1),
		cm / n, cadd, (cm / n / (cadd > 0 ? cadd : 1)) / (gm / n / (gadd > 0 ? gadd : 1)) }'
