#!/bin/sh
# ct-parse throughput: entry records in -> NDJSON out, per CPU-second of
# one core, for --format lite and full, on a fixed corpus: the 40 real
# entries of ../shared/fixtures (10 x509 + 10 precert of Argon2026h2, 16 +
# 4 of Nimbus2026) repeated with distinct indexes to 200,000 records; or,
# without the fixtures, certificates made here with OpenSSL. Goals (issue
# 2): >= 200,000/s lite, >= 100,000/s full; memory flat (max RSS at 1x and
# 4x the input). Beside them: d2i_X509 for the same certificates.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/bench
mkdir -p "$out"
N=${CT_BENCH_PARSE_N:-200000}
corpus=$out/parse-corpus-$N.ndjson
fix=${CT_FIXTURES:-$top/../shared/fixtures}
if [ ! -s "$corpus" ]; then
	if [ -f "$fix/rfc6962/certstream_live_ct_parser_snapshot.json" ]; then
		jq -c '.[] | {log: .log_url, log_name, index: .cert_index, leaf_input, extra_data}' \
			"$fix/rfc6962/certstream_live_ct_parser_snapshot.json" >"$out/seed.ndjson"
		src="real entries from ../shared/fixtures"
	else
		sh "$top/bench/mkseed.sh" "$out/seed.ndjson"
		src="certificates made with OpenSSL"
	fi
	python3 - "$out/seed.ndjson" "$N" >"$corpus" <<'PY'
import json, sys
seed = [json.loads(l) for l in open(sys.argv[1])]
n = int(sys.argv[2])
for i in range(n):
    r = dict(seed[i % len(seed)])
    r["index"] = i
    print(json.dumps(r, separators=(",", ":")))
PY
	echo "corpus: $N records ($src)"
fi
cat "$corpus" "$corpus" "$corpus" "$corpus" >"$out/parse-corpus-4x.ndjson"

# cpu FILE ARGS: prints "records/s maxrss_kib"
rate() {
	file=$1; shift
	n=$(wc -l <"$file")
	/usr/bin/time -f "%U %S %M" -o "$out/time" ct-parse "$@" "$file" >/dev/null
	read -r u s m <"$out/time"
	awk -v n="$n" -v u="$u" -v s="$s" -v m="$m" \
		'BEGIN { c = u + s; if (c < 0.001) c = 0.001; printf "%d %d\n", n / c, m }'
}
set -- $(rate "$corpus" --format lite); lite=$1 lite_rss=$2
set -- $(rate "$corpus" --format full); full=$1 full_rss=$2
set -- $(rate "$out/parse-corpus-4x.ndjson" --format full); full4=$1 full4_rss=$2
set -- $(rate "$corpus" --format domains); dom=$1
awk -v v="$lite" 'BEGIN { printf "ct-parse lite: %d certificates/CPU-s (goal 200000: ratio %.2f)\n", v, v / 200000 }'
awk -v v="$full" 'BEGIN { printf "ct-parse full: %d certificates/CPU-s (goal 100000: ratio %.2f)\n", v, v / 100000 }'
awk -v v="$dom" 'BEGIN { printf "ct-parse domains: %d certificates/CPU-s (lite: ratio %.2f)\n", v, v / '"$lite"' }'
echo "ct-parse max RSS: lite ${lite_rss} KiB, full ${full_rss} KiB; full on 4x the input ${full4_rss} KiB (ratio $(awk "BEGIN{printf \"%.2f\", $full4_rss/$full_rss}"), flat = 1.00)"
if command -v x509-bench >/dev/null 2>&1; then
	jq -r '.leaf_input' "$out/seed.ndjson" >/dev/null 2>&1 || true
	x509-bench "$out/seed.ndjson" | sed 's/^/x509: /'
else
	echo "x509: x509-bench not built (d2i_X509 comparison skipped)"
fi
rm -f "$out/parse-corpus-4x.ndjson"
