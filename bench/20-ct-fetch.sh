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
d=$out/fetch-certs
if [ ! -s "$d/entries.ndjson" ]; then
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$d/ca.pem" -days 30 \
		-subj "/C=US/O=Bench Trust/CN=Bench CA R1" -addext "basicConstraints=critical,CA:TRUE" 2>/dev/null
	for kind in x509 precert; do
		{
			echo "basicConstraints=critical,CA:FALSE"
			echo "subjectAltName=DNS:$kind.bench.test,DNS:www.$kind.bench.test,DNS:api.$kind.bench.test"
			echo "certificatePolicies=2.23.140.1.2.1"
			echo "authorityInfoAccess=OCSP;URI:http://ocsp.bench.test/,caIssuers;URI:http://ca.bench.test/r1.der"
			[ "$kind" = precert ] && echo "1.3.6.1.4.1.11129.2.4.3=critical,ASN1:NULL"
		} >"$d/$kind.ext"
		openssl req -new -newkey rsa:2048 -nodes -keyout "$d/$kind.key" \
			-subj "/CN=$kind.bench.test" -out "$d/$kind.csr" 2>/dev/null
		openssl x509 -req -in "$d/$kind.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
			-set_serial 0x1234567890 -days 90 -extfile "$d/$kind.ext" -out "$d/$kind.pem" 2>/dev/null
		python3 "$top/tests/lib/mkentries.py" "$d/$kind.pem" "$d/ca.pem"
	done >"$d/entries.ndjson"
fi
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
