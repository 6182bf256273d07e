#!/bin/sh
# ct-fetch: entries/s from the local test log (ct-testlog) to /dev/null,
# one log, --rate 0, pages of 1000; entries are certificates and
# precertificates made here with OpenSSL (RSA-2048 leaf and CA, about
# 3.3 KB of base64 per entry, like real ones). Prints ct-fetch's wall
# rate, its CPU per entry, and the test log's own CPU beside it.
# Goal (issue 3): >= 100,000 entries/s.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/bench
mkdir -p "$out"
N=${CT_BENCH_FETCH_N:-500000}
. "$top/bench/lib/fetch-certs.sh"
ct-testlog -q --size "$N" --max-page 1000 --entries "$d/entries.ndjson" -o "$out/fetch.logs" \
	>"$out/fetch.port" 2>"$out/fetch.err" &
tl=$!
trap 'kill $tl 2>/dev/null' EXIT
for _ in $(seq 600); do [ -s "$out/fetch.port" ] && [ -s "$out/fetch.logs" ] && break; sleep 0.1; done
head -1 "$out/fetch.logs" >"$out/fetch.log"
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
t0=$(ticks $tl)
s=$(date +%s.%N)
/usr/bin/time -f "%U %S %M" -o "$out/time" ct-fetch -q --rate 0 --batch 1000 \
	--logs "$out/fetch.log" --start 0 --end $((N - 1)) >/dev/null
e=$(date +%s.%N)
t1=$(ticks $tl)
bytes=$(curl -s "http://127.0.0.1:$(cat "$out/fetch.port")/ct/v1/get-entries?start=0&end=999" | wc -c)
awk -v n="$N" -v s="$s" -v e="$e" -v tl=$((t1 - t0)) -v hz="$hz" -v b="$bytes" \
	-v t="$(cat "$out/time")" 'BEGIN {
	split(t, c, " "); cpu = c[1] + c[2]; w = e - s
	printf "ct-fetch: %d entries/s from the test log (goal 100000: ratio %.2f), %.2f us CPU per entry, max RSS %d KiB, %.1f MB/s of JSON\n",
		n / w, n / w / 100000, cpu * 1e6 / n, c[3], n * b / 1000 / w / 1e6
	printf "ct-testlog (beside it): %.2f us CPU per entry served\n", tl / hz * 1e6 / n }'
