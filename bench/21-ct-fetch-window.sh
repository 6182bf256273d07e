#!/bin/bash
# ct-fetch's window (issue 12): entries/s from the local test log with
# latency on every data request, at the default window against one
# request in flight (--window 1) of the same build in the same run;
# --rate 0 so the rate limit does not bind. Entries as in bench/20
# (RSA, about 3.3 KB of JSON each).
#   one RFC 6962 log, 100 ms, page cap 256    goal >= 20,000/s (W=1: ~2,300)
#   one RFC 6962 log, 100 ms, page cap 32     goal >= 2,500/s (W=1: ~290)
#   one static log, 100 ms, gzip tiles        goal >= 20,000/s
#   20 logs at 50 ms, both APIs               aggregate, CPU per entry (W=1: ~2.1 us)
#   no latency, W = 1, 8, 16 (default), 32    entries/s (before the window: ~285,000), RSS
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/bench
mkdir -p "$out"
. "$top/bench/lib/fetch-certs.sh"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null' EXIT
n=0
# testlog NAME ARGS...: start one; its records in $out/w-NAME.{log,static}
testlog() {
	local name=$1; shift
	rm -f "$out/w-$name.logs"
	ct-testlog -q --name "$name" --entries "$d/entries.ndjson" -o "$out/w-$name.logs" "$@" \
		>"$out/w-$name.port" 2>"$out/w-$name.err" &
	pids+=($!)
	for _ in $(seq 600); do [ -s "$out/w-$name.logs" ] && break; sleep 0.05; done
	head -1 "$out/w-$name.logs" >"$out/w-$name.log"
	tail -1 "$out/w-$name.logs" >"$out/w-$name.static"
}
# run FILE N ARGS...: entries 0..N-1 of the logs in FILE; sets rate
# (entries/s, all logs together), cpu (us per entry), rss (KiB)
run() {
	local f=$1 count=$2 s e; shift 2
	s=$(date +%s.%N)
	/usr/bin/time -f "%U %S %M" -o "$out/w.time" ct-fetch -q --rate 0 --logs "$f" \
		--start 0 --end $((count - 1)) "$@" >"$out/w.out"
	e=$(date +%s.%N)
	local got; got=$(wc -l <"$out/w.out")
	read -r rate cpu rss < <(awk -v n="$got" -v s="$s" -v e="$e" -v t="$(cat "$out/w.time")" \
		'BEGIN { split(t, c, " "); printf "%.0f %.2f %d\n", n / (e - s), (c[1] + c[2]) * 1e6 / n, c[3] }')
}
report() { # NAME GOAL
	printf "%s: %s entries/s at the default window, %s at --window 1 (ratio %.1f; goal %s: ratio %.2f), %s us CPU/entry, RSS %s KiB\n" \
		"$1" "$rate" "$rate1" "$(echo "$rate $rate1" | awk '{print $1/$2}')" "$2" \
		"$(echo "$rate $2" | awk '{print $1/$2}')" "$cpu" "$rss"
}

testlog c256 --size 100000 --max-page 256 --fault get-entries:latency:1:100
run "$out/w-c256.log" 10000 --window 1; rate1=$rate
run "$out/w-c256.log" 100000
report "one RFC 6962 log, 100 ms, page cap 256" 20000

testlog c32 --size 30000 --max-page 32 --fault get-entries:latency:1:100
run "$out/w-c32.log" 2000 --window 1; rate1=$rate
run "$out/w-c32.log" 30000
report "one RFC 6962 log, 100 ms, page cap 32" 2500

testlog st --size 100000 --gzip --fault data:latency:1:100
run "$out/w-st.static" 10000 --window 1; rate1=$rate
run "$out/w-st.static" 100000
report "one static log, 100 ms, gzip tiles" 20000

: >"$out/w-20.logs"
for i in $(seq 10); do
	testlog "r$i" --size 40000 --max-page 256 --fault get-entries:latency:1:50
	testlog "s$i" --size 40000 --gzip --fault data:latency:1:50
	cat "$out/w-r$i.log" "$out/w-s$i.static" >>"$out/w-20.logs"
done
run "$out/w-20.logs" 4000 --window 1; rate1=$rate cpu1=$cpu
run "$out/w-20.logs" 40000
report "20 logs (10 + 10 static) at 50 ms" "$rate1"
printf "20 logs: CPU %s us/entry at the default window, %s at --window 1 (ratio %.2f; goal: no worse, ~2.1)\n" \
	"$cpu" "$cpu1" "$(echo "$cpu $cpu1" | awk '{print $1/$2}')"

testlog fast --size 500000 --max-page 1000
for w in 1 8 16 32; do
	run "$out/w-fast.log" 500000 --batch 1000 --window "$w"
	printf "no latency, --window %s: %s entries/s (before the window: 285000, ratio %.2f), %s us CPU/entry, max RSS %s KiB\n" \
		"$w" "$rate" "$(echo "$rate" | awk '{print $1/285000}')" "$cpu" "$rss"
done
