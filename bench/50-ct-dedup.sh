#!/bin/sh
# ct-dedup: records/s on full certificate records (~5.6 KB each, a third
# of them duplicates), with plain `cat` of the same file beside it; and
# bytes per key held, from max RSS at 500,000 and 5,000,000 keys.
# Goals (issue 5): >= 500,000 records/s; <= 48 bytes per key.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/bench
mkdir -p "$out"
N=${CT_BENCH_DEDUP_N:-300000}
recs=$out/dedup-$N.ndjson
[ -s "$recs" ] || python3 "$top/tests/lib/mkcertrecords.py" "$N" --dup-every 3 >"$recs"
cpu() { # command... -> CPU seconds (user+sys)
	/usr/bin/time -f "%U %S %M" -o "$out/time" "$@" >/dev/null
	awk '{ c = $1 + $2; if (c < 0.01) c = 0.01; print c }' "$out/time"
}
c=$(cpu ct-dedup "$recs")
k=$(cpu cat "$recs")
awk -v n="$N" -v c="$c" -v k="$k" 'BEGIN {
	printf "ct-dedup: %d records/CPU-s (goal 500000: ratio %.2f); cat of the same file: %d records/CPU-s (ct-dedup/cat %.2f)\n",
		n / c, n / c / 500000, n / k, k / c }'
# Memory per key: distinct short keys, capacity = keys, RSS minus a run
# holding 1,000 keys.
keys() {
	python3 -c "
import sys
w = sys.stdout.write
for i in range($1): w('{\"k\":\"%d\"}\n' % i)" >"$out/keys-$1"
}
rss() {
	/usr/bin/time -f "%M" -o "$out/time" ct-dedup --key k --capacity "$1" "$2" >/dev/null
	cat "$out/time"
}
for n in 500000 5000000; do
	[ -s "$out/keys-$n" ] || keys "$n"
	base=$(rss 1000 "$out/keys-$n")
	full=$(rss "$n" "$out/keys-$n")
	awk -v n="$n" -v b="$base" -v f="$full" 'BEGIN {
		per = (f - b) * 1024 / n
		printf "ct-dedup: %d keys held: %.1f bytes/key (goal 48: ratio %.2f), max RSS %d KiB\n",
			n, per, per / 48, f }'
done
