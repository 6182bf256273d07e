#!/bin/sh
# ct-nats: entry records (~4 KB each, over 8 logs) through
# ct-nats pub -> nats-server -js (file storage) -> ct-nats sub, both at
# once: messages/s end to end, CPU per message of each ct-nats and of
# nats-server beside them; then the same lines through core NATS (no
# --stream), the baseline of the ratio. Last, ct-nats pub's RSS while
# the broker is stalled (SIGSTOP) and its input keeps coming.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/bench
export PATH="$top/build/rel/bin:$top/build/rel/tools:$PATH"
mkdir -p "$out"
command -v nats-server >/dev/null || { echo "ct-nats: no nats-server (scripts/deps --tests)" >&2; exit 1; }
N=${CT_BENCH_NATS_N:-50000}
recs=$out/nats-$N.ndjson
[ -s "$recs" ] || python3 - "$N" >"$recs" <<'PY'
import base64, os, sys
n = int(sys.argv[1])
w = sys.stdout.write
leaf = base64.b64encode(os.urandom(1100)).decode()
extra = base64.b64encode(os.urandom(1900)).decode()
for i in range(n):
    w('{"log":"https://ct%d.example.test/2026/","log_name":"log %d","index":%d,'
      '"leaf_input":"%s","extra_data":"%s"}\n' % (i % 8, i % 8, i // 8, leaf, extra))
PY
hz=$(getconf CLK_TCK)
d=$(mktemp -d "${TMPDIR:-/tmp}/ct-bench-nats.XXXXXX")
spid=
cleanup() { [ -n "$spid" ] && kill -CONT "$spid" 2>/dev/null && kill "$spid" 2>/dev/null; rm -rf "$d"; }
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
u=nats://127.0.0.1:$port
nats-server -a 127.0.0.1 -p "$port" -js -sd "$d/js" >"$d/nats.log" 2>&1 &
spid=$!
for _ in $(seq 100); do nc -z 127.0.0.1 "$port" 2>/dev/null && break; sleep 0.05; done
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
now() { date +%s.%N; }

# run MODE: pub and sub of the N records at once; prints
# "seconds pub-cpu sub-cpu server-cpu got"
run() {
	if [ "$1" = js ]; then
		js="--stream BENCH" subj=ct.entries sel='ct.entries.*'
		sargs="--durable b$$ --batch 256"
	else
		js="" subj=core sel='core.*' sargs=""
	fi
	# shellcheck disable=SC2086
	/usr/bin/time -f "%U %S" -o "$d/sub.time" \
		ct-nats sub -q -s "$u" $js $sargs -n "$N" "$sel" >"$d/got" 2>"$d/sub.err" &
	sub=$!
	sleep 0.5
	s0=$(ticks "$spid")
	t0=$(now)
	# shellcheck disable=SC2086
	/usr/bin/time -f "%U %S" -o "$d/pub.time" \
		ct-nats pub -q -s "$u" $js --per-log "$subj" <"$recs" 2>"$d/pub.err"
	# core NATS may lose some (a slow consumer): at most 10 s more
	( sleep 10; kill "$sub" 2>/dev/null ) >/dev/null 2>&1 &
	dog=$!
	wait "$sub" || true
	t1=$(now)
	s1=$(ticks "$spid")
	kill "$dog" 2>/dev/null || true
	awk -v t0="$t0" -v t1="$t1" -v s="$((s1 - s0))" -v hz="$hz" \
	    -v got="$(grep -c '' "$d/got")" '
		FILENAME ~ /pub/ { p = $1 + $2 } FILENAME ~ /sub/ { q = $1 + $2 }
		END { print t1 - t0, p, q, s / hz, got }' "$d/pub.time" "$d/sub.time"
}
report() { # label seconds pub sub server got
	awk -v l="$1" -v n="$N" -v t="$2" -v p="$3" -v q="$4" -v s="$5" -v g="$6" 'BEGIN {
	printf "ct-nats %s: %d msg/s end to end (%d of %d); CPU per message: pub %.1f us, sub %.1f us, nats-server %.1f us\n",
		l, g / t, g, n, p / g * 1e6, q / g * 1e6, s / g * 1e6 }'
}
# shellcheck disable=SC2046
set -- $(run js)
report "JetStream (file storage)" "$@"
jt=$1 jg=$5
# shellcheck disable=SC2046
set -- $(run core)
report "core NATS" "$@"
awk -v jt="$jt" -v jg="$jg" -v ct="$1" -v cg="$5" 'BEGIN {
	printf "ct-nats: JetStream/core NATS messages/s: ratio %.2f\n", (jg / jt) / (cg / ct) }'

# The broker stalled: pub reads on only as far as --max-pending and the
# pipe let it; its RSS stays flat.
( while :; do cat "$recs"; done ) | ct-nats pub -q -s "$u" --stream BENCH --per-log stall \
	2>"$d/stall.err" &
ppid=$!
sleep 2
kill -STOP "$spid"
rss0=$(awk '/^VmRSS/ { print $2 }' "/proc/$ppid/status")
sleep 10
rss1=$(awk '/^VmHWM/ { print $2 }' "/proc/$ppid/status")
kill -CONT "$spid"
kill "$ppid" 2>/dev/null || true
wait "$ppid" 2>/dev/null || true
awk -v a="$rss0" -v b="$rss1" 'BEGIN {
	printf "ct-nats pub, broker stalled 10 s: RSS %.1f MiB when stopped, at most %.1f MiB (ratio %.2f)\n",
		a / 1024, b / 1024, b / a }'
