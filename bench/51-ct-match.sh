#!/bin/sh
# ct-match: records/s of full certificate records against a 1,000,000
# item watchlist, and beside it a jq filter over a 1,000-item list on the
# same records (what users write without ct-match). Records name
# sub<c>.example<c>.com and two names under it (c distinct per record);
# the list holds sub<7i>.example<7i>.com and .example<7i+7>.com for
# alternate i, so about one record in seven matches.
# Goal (issue 5): >= 500,000 records/s.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/bench
mkdir -p "$out"
N=${CT_BENCH_MATCH_N:-300000}
recs=$out/match-$N.ndjson
[ -s "$recs" ] || python3 "$top/tests/lib/mkcertrecords.py" "$N" --domain-space 1000000000 >"$recs"
[ -s "$out/watch-1m" ] || python3 -c '
for i in range(1000000):
    print(".example%d.com" % (i * 7) if i % 2 else "sub%d.example%d.com" % (i * 7, i * 7))' >"$out/watch-1m"
head -1000 "$out/watch-1m" | sed 's/^\.//' >"$out/watch-1k"
/usr/bin/time -f "%U %S %M" -o "$out/time" ct-match -c -f "$out/watch-1m" "$recs" >"$out/count"
read -r u s m <"$out/time"
# the list load alone, to report matching throughput separately
head -0 "$recs" >"$out/empty"
/usr/bin/time -f "%U %S" -o "$out/time0" ct-match -c -f "$out/watch-1m" "$out/empty" >/dev/null
read -r u0 s0 <"$out/time0"
awk -v n="$N" -v c="$(echo "$u $s $u0 $s0" | awk '{ print ($1 + $2) - ($3 + $4) }')" \
    -v l="$(echo "$u0 $s0" | awk '{ print $1 + $2 }')" -v m="$m" -v k="$(cat "$out/count")" 'BEGIN {
	if (c < 0.01) c = 0.01
	printf "ct-match: %d records/CPU-s against 1,000,000 items (goal 500000: ratio %.2f); %d kept; list load %.2f s; max RSS %d KiB\n",
		n / c, n / c / 500000, k, l, m }'
J=${CT_BENCH_JQ_N:-20000}
head -n "$J" "$recs" >"$out/jq-in"
jq -R . "$out/watch-1k" | jq -s 'map({(.): true}) | add' >"$out/watch-1k.json"
/usr/bin/time -f "%U %S" -o "$out/time" jq -c --slurpfile w "$out/watch-1k.json" \
	'select(any(.data.leaf_cert.all_domains[]; $w[0][.]))' "$out/jq-in" >/dev/null
read -r u s <"$out/time"
awk -v n="$J" -v c="$(echo "$u $s" | awk '{ print $1 + $2 }')" 'BEGIN {
	if (c < 0.01) c = 0.01
	printf "jq with a 1,000-item list (exact names only): %d records/CPU-s\n", n / c }'
