#!/bin/bash
# ct-serve against a bare epoll fan-out (bench/tools/fanout) of the same
# bytes, with the C load generator (bench/tools/wsload) holding 100,
# 1,000 and 10,000 lite WebSocket clients on loopback: deliveries per
# second of server CPU for each, and ct-serve's share of the bare figure
# (goal: at least 70%). Then ct-serve's RSS with 10,000 idle clients
# (goal: under 32 MiB in all, at most 1 KiB a client).
# Each run feeds DELIV_S deliveries a second (messages/s = DELIV_S / N)
# for SECS seconds (CT_BENCH_FANOUT_DELIV, CT_BENCH_FANOUT_SECS).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/bench/fanout
export PATH="$top/build/rel/bin:$top/build/rel/tools:$PATH"
mkdir -p "$out"
DELIV=${CT_BENCH_FANOUT_DELIV:-100000} SECS=${CT_BENCH_FANOUT_SECS:-10}
SIZES=${CT_BENCH_FANOUT_SIZES:-100 1000 10000}
[ "$(ulimit -Hn)" -ge 10100 ] || { echo "ct-serve fan-out: needs 10,100 open files (ulimit -Hn), skipped"; exit 0; }
ulimit -n "$(ulimit -Hn)"
hz=$(getconf CLK_TCK)
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# the records, and the exact lite messages ct-serve makes of them (read
# back over its raw TCP port) for the bare fan-out
maxn=$((DELIV / 100 * SECS))
full=$out/full-$maxn.ndjson lite=$out/lite-$maxn.ndjson
if [ ! -s "$lite" ]; then
	python3 "$top/tests/lib/mkcertrecords.py" "$maxn" >"$full"
	p=$(port) tp=$(port)
	ct-serve --listen "127.0.0.1:$p" --tcp "127.0.0.1:$tp" --wait-for-client --exit-on-eof \
		<"$full" 2>/dev/null &
	sp=$!
	python3 - "$tp" "$maxn" >"$lite" <<'PY'
import socket, sys, time
for _ in range(100):
    try:
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); break
    except OSError: time.sleep(0.05)
f, n = s.makefile("rb"), 0
while n < int(sys.argv[2]):
    line = f.readline()
    if not line: break
    if b'"certificate_update"' in line:
        sys.stdout.buffer.write(line); n += 1
PY
	wait "$sp" || true
fi

# run SERVER N: SERVER is ct-serve or fanout; prints "deliveries cpu_s rss_kib"
run() {
	local server=$1 n=$2 rate=$((DELIV / $2)) msgs=$((DELIV / $2 * SECS)) p spid lpid t0 t1 src
	p=$(port)
	rm -f "$out/in"; mkfifo "$out/in"
	if [ "$server" = ct-serve ]; then
		ct-serve --listen "127.0.0.1:$p" --max-per-ip 0 --max-clients 20000 <"$out/in" 2>"$out/serve.err" &
		src=$full
	else
		fanout "127.0.0.1:$p" <"$out/in" 2>"$out/serve.err" &
		src=$lite
	fi
	spid=$!
	exec 9>"$out/in"
	for _ in $(seq 100); do grep -q listening "$out/serve.err" && break; sleep 0.05; done
	wsload "127.0.0.1:$p" / "$n" $((SECS + 20)) "$msgs" 0 >"$out/load.json" 2>"$out/load.err" &
	lpid=$!
	for _ in $(seq 1200); do grep -q ready "$out/load.err" && break; sleep 0.1; done
	t0=$(cpu "$spid")
	head -n "$msgs" "$src" >"$out/feed"
	python3 "$top/bench/lib/pace.py" "$out/feed" "$rate" >&9
	wait "$lpid" || true
	t1=$(cpu "$spid")
	rss=$(awk '/VmHWM/ { print $2 }' "/proc/$spid/status")
	exec 9>&-
	kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null || true
	echo "$(jq .messages "$out/load.json") $((t1 - t0)) $rss"
}

for n in $SIZES; do
	read -r dc tc rc < <(run ct-serve "$n")
	read -r db tb rb < <(run fanout "$n")
	awk -v n="$n" -v dc="$dc" -v tc="$tc" -v db="$db" -v tb="$tb" -v hz="$hz" \
	    -v want=$((DELIV / n * SECS * n)) -v rc="$rc" 'BEGIN {
		c = tc / hz; b = tb / hz; if (c <= 0) c = 1 / hz; if (b <= 0) b = 1 / hz
		printf "ct-serve fan-out, %d clients: %.0f deliveries/CPU-s (bare epoll fan-out: %.0f; ratio %.2f, goal 0.70); delivered %d and %d of %d; max RSS %.1f MiB\n",
			n, dc / c, db / b, (dc / c) / (db / b), dc, db, want, rc / 1024 }'
done

# idle: 10,000 clients that never get a message
p=$(port)
rm -f "$out/in"; mkfifo "$out/in"
ct-serve --listen "127.0.0.1:$p" --max-per-ip 0 --max-clients 20000 <"$out/in" 2>"$out/serve.err" &
spid=$!
exec 9>"$out/in"
for _ in $(seq 100); do grep -q listening "$out/serve.err" && break; sleep 0.05; done
r0=$(awk '/VmRSS/ { print $2 }' "/proc/$spid/status")
wsload "127.0.0.1:$p" / 10000 3 >"$out/idle.json" 2>"$out/idle.err" &
lpid=$!
for _ in $(seq 1200); do grep -q ready "$out/idle.err" && break; sleep 0.1; done
sleep 1
r1=$(awk '/VmRSS/ { print $2 }' "/proc/$spid/status")
conn=$(curl -s "http://127.0.0.1:$p/api/stats" | jq .clients.websocket)
wait "$lpid" || true
exec 9>&-
kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null || true
awk -v r0="$r0" -v r1="$r1" -v c="$conn" 'BEGIN {
	printf "ct-serve idle: %d WebSocket clients in %.1f MiB RSS (goal 32: ratio %.2f), %.0f bytes a client above start (goal 1024: ratio %.2f)\n",
		c, r1 / 1024, r1 / 1024 / 32, (r1 - r0) * 1024 / c, (r1 - r0) * 1024 / c / 1024 }'
