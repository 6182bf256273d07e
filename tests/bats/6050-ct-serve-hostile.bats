#!/usr/bin/env bats
# ct-serve against clients that try to cost it memory, slots or
# correctness (issue 16): each test stops the server itself and checks
# that it exits 0, so the sanitizer build's leak check at exit counts.
load common

PY=/usr/bin/python3
SLOW="$CT_TOP/tests/lib/slowclient.py"
RAW="$CT_TOP/tests/lib/wsraw.py"

setup_more() {
	python3 "$CT_TOP/tests/lib/mkcertrecords.py" 20 >"$T/recs"
}

# stop_serve: SIGTERM; it must exit 0 and, under ASan, report no leak.
stop_serve() {
	kill -TERM "$SERVE"
	local rc=0
	wait "$SERVE" || rc=$?
	SERVE=
	exec 7>&- 2>/dev/null || true
	rm -f "$T/in"
	! grep -q "Sanitizer" "$T/serve.err" || fail "$(cat "$T/serve.err")"
	[ "$rc" -eq 0 ] || fail "ct-serve exited $rc: $(tail -5 "$T/serve.err")"
}

teardown_more() {
	exec 7>&- 2>/dev/null || true
	if [ -n "${SERVE:-}" ]; then
		kill "$SERVE" 2>/dev/null || true
		wait "$SERVE" 2>/dev/null || true
	fi
	jobs -p | xargs -r kill 2>/dev/null || true
}

rss() { awk '/VmRSS/ { print $2 }' "/proc/$SERVE/status"; }
metrics() { curl -s "http://127.0.0.1:$PORT/metrics"; }

@test "ct-serve: a client that pings and reads slowly is dropped; RSS flat, nothing leaks" {
	start_serve --heartbeat 60s
	$PY "$SLOW" "$PORT" pingflood 8 >"$T/flood" &
	flood=$!
	sleep 1
	rss0=$(rss) samples=
	for _ in 1 2 3 4 5 6 7; do sleep 1; samples="$samples $(rss)"; done
	wait "$flood"
	rss1=$(rss)
	echo "# ping flood: $(cat "$T/flood"); RSS KiB after 1 s: $rss0, then each second:$samples" >&3
	grep -Eq 'pings=[0-9]{5,}' "$T/flood" || fail "too few pings to tell: $(cat "$T/flood")"
	if [ "$CT_VARIANT" = rel ]; then
		[ $((rss1 - rss0)) -lt 4096 ] || fail "RSS grew by $((rss1 - rss0)) KiB:$samples"
	fi
	metrics | grep -Eq '^ctserve_disconnects_total\{reason="slow"\} [1-9]' ||
		fail "the flooding client was never dropped: $(metrics | grep disconnects)"
	stop_serve
}

# big_stats FILE: an 8 MB file for /api/logs, far more than socket buffers
big_stats() {
	python3 -c 'import sys; sys.stdout.write("[" + ",".join(["{\"name\":\"%06d\"}" % i for i in range(500000)]) + "]")' >"$1"
}

@test "ct-serve: a client that never reads its response is timed out and counts against --max-per-ip" {
	big_stats "$T/stats.json"
	start_serve --write-timeout 2s --max-per-ip 1 --fetch-stats "$T/stats.json"
	$PY "$SLOW" "$PORT" hold /api/logs 5 >"$T/hold" &
	hold=$!
	sleep 0.5
	# the address's one slot is taken by a client that holds a response
	run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/health"
	[ "$output" != 200 ] || fail "a second connection from the address was served"
	wait "$hold"
	head -1 "$T/hold" | grep -q '^HTTP/1.1 200 ' || fail "$(cat "$T/hold")"
	metrics >"$T/m"
	grep -q '^ctserve_disconnects_total{reason="slow"} 1$' "$T/m" || fail "not timed out: $(grep disconnects "$T/m")"
	grep -q '^ctserve_limit_rejections_total{limit="per_ip"} 1$' "$T/m" || fail "$(grep rejections "$T/m")"
	stop_serve
}

@test "ct-serve: requests pipelined after a response are not served; no filter outlives them" {
	big_stats "$T/stats.json"
	start_serve --fetch-stats "$T/stats.json"
	# the response is still being written when the next requests come
	run $PY "$SLOW" "$PORT" pipeline 1 /api/logs "/?domain=a.example" "/domains-only?domain=b.example"
	[ "$output" = "$(printf 'HTTP/1.1 200 OK\neof')" ] || fail "$output"
	run $PY "$SLOW" "$PORT" pipeline 0 /health "/sse?domain=c.example"
	[ "$output" = "$(printf 'HTTP/1.1 200 OK\neof')" ] || fail "$output"
	metrics | grep -q '^ctserve_filters 0$' || fail "$(metrics | grep filters)"
	stop_serve
}

@test "ct-serve: X-Forwarded-For: the rightmost untrusted address over every line" {
	start_serve --max-per-ip 1 --trusted-proxy 127.0.0.1 --trusted-proxy 2001:db8::99
	up() { $PY "$SLOW" "$PORT" upgrade / "$@"; }
	# the client wrote the first line; the proxy added the second
	up 6 "X-Forwarded-For: 192.0.2.7" "X-Forwarded-For: 198.51.100.1" >"$T/a" &
	up 6 "X-Forwarded-For: 2001:db8::1, 2001:db8::99" >"$T/b" &
	for _ in $(seq 400); do [ -s "$T/a" ] && [ -s "$T/b" ] && break; sleep 0.05; done
	[ "$(cat "$T/a")" = 101 ] && [ "$(cat "$T/b")" = 101 ] || fail "a: $(cat "$T/a") b: $(cat "$T/b")"
	# 198.51.100.1 and 2001:db8::1 (however spelt) have their one slot
	[ "$(up 0 "X-Forwarded-For: 198.51.100.1")" = 429 ] || fail "the proxy's line was not read"
	[ "$(up 0 "X-Forwarded-For: 203.0.113.5, 198.51.100.1")" = 429 ] || fail "one line, two entries"
	[ "$(up 0 "X-Forwarded-For: 198.51.100.1" "X-Forwarded-For: 127.0.0.1")" = 429 ] || fail "a trusted entry on a line of its own"
	[ "$(up 0 "X-Forwarded-For: 192.0.2.9, 2001:0db8:0:0::1")" = 429 ] || fail "an IPv6 address spelt otherwise"
	# the address the client claimed for itself is not the one it got
	[ "$(up 0 "X-Forwarded-For: 192.0.2.7")" = 101 ] || fail "192.0.2.7 was taken"
	metrics | grep -q '^ctserve_limit_rejections_total{limit="per_ip"} 4$' || fail "$(metrics | grep rejections)"
	stop_serve
}

@test "ct-serve: a client's close frame: invalid codes get 1002, a bad reason 1007 (RFC 6455 7.4)" {
	start_serve
	close_got() { timeout 5 $PY "$RAW" "$PORT" / "close:$1"; }
	# payload (hex): code, then reason; what the server must answer
	for c in ":1000" "03e8:1000" "03e9:1000" "03ea:1000" "03eb:1000" \
		"03ef:1000" "03f0:1000" "03f1:1000" "03f2:1000" "03f3:1000" \
		"03f4:1000" "03f5:1000" "03f6:1000" "0bb8:1000" "0f9f:1000" \
		"0fa0:1000" "1387:1000" "03e8c3a9:1000" \
		"03:1002" "0000:1002" "03e7:1002" "03ec:1002" "03ed:1002" \
		"03ee:1002" "03f7:1002" "03f8:1002" "044c:1002" "07d0:1002" \
		"0bb7:1002" "1388:1002" "ffff:1002" \
		"03e8ff:1007" "03e8c3:1007" "03e8eda080:1007"; do
		[ "$(close_got "${c%%:*}")" = "close ${c#*:}" ] || fail "close payload ${c%%:*}: got $(close_got "${c%%:*}"), want ${c#*:}"
	done
	metrics | grep -q '^ctserve_disconnects_total{reason="protocol"} 16$' || fail "$(metrics | grep disconnects)"
	stop_serve
}

cert_code() { curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/cert/$1"; }

@test "ct-serve: /api/cert: a record whose digests do not parse is not kept, and hides nothing" {
	start_serve --recent 2
	head -2 "$T/recs" >&7
	# a third record with a bad sha256: the ring must stay as it was
	sed -n 3p "$T/recs" | jq -c '.data.leaf_cert.sha256 = "zz"' >&7
	for _ in $(seq 50); do metrics | grep -q '^ctserve_messages_in_total 3$' && break; sleep 0.05; done
	first=$(head -1 "$T/recs" | jq -r .data.leaf_cert.sha256)
	[ "$(cert_code "$(printf '0%.0s' $(seq 64))")" = 404 ] || fail "64 zeros matched a slot"
	[ "$(cert_code "$(printf '0%.0s' $(seq 40))")" = 404 ] || fail "40 zeros matched a slot"
	[ "$(cert_code "$first")" = 200 ] || fail "the first record was lost"
	stop_serve
}

@test "ct-serve: --recent-bytes bounds the recent certificates by bytes" {
	start_serve --recent 1000 --recent-bytes 65536
	cat "$T/recs" >&7
	for _ in $(seq 50); do metrics | grep -q '^ctserve_messages_in_total 20$' && break; sleep 0.05; done
	[ "$(cert_code "$(tail -1 "$T/recs" | jq -r .data.leaf_cert.sha256)")" = 200 ] || fail "the newest is not kept"
	[ "$(cert_code "$(head -1 "$T/recs" | jq -r .data.leaf_cert.sha256)")" = 404 ] || fail "the oldest is still kept"
	metrics >"$T/m"
	held=$(awk '/^ctserve_recent_bytes /{print $2}' "$T/m")
	kept=$(awk '/^ctserve_recent_certificates /{print $2}' "$T/m")
	echo "# 20 records of $(head -1 "$T/recs" | wc -c) bytes: $kept kept in $held bytes" >&3
	[ "$held" -le 65536 ] && [ "$held" -gt 32768 ] || fail "held $held bytes"
	[ "$kept" -ge 5 ] && [ "$kept" -lt 20 ] || fail "kept $kept"
	# a record larger than the budget is not kept; the rest stay
	python3 -c 'import json,sys; r=json.loads(sys.stdin.readline()); r["data"]["leaf_cert"]["sha256"]="AB"*32; r["data"]["pad"]="x"*70000; print(json.dumps(r))' <"$T/recs" >&7
	for _ in $(seq 50); do metrics | grep -q '^ctserve_messages_in_total 21$' && break; sleep 0.05; done
	[ "$(cert_code "$(printf 'AB%.0s' $(seq 32))")" = 404 ] || fail "a record over the budget was kept"
	metrics | grep -q "^ctserve_recent_certificates $kept\$" || fail "$(metrics | grep recent)"
	# a bad value is a usage error
	run ct-serve --recent-bytes 12
	assert_status 2
	stop_serve
}

# sse_events FILE: the data of each event of an SSE stream, parsed as the
# EventSource spec says (lines end at CRLF, LF or CR; data lines joined
# with LF), one compact JSON text per line (a Python error if one is not)
sse_events() {
	python3 -c '
import json, re, sys
text = open(sys.argv[1], newline="").read()
data = []
for line in re.split(r"\r\n|\r|\n", text):
    if line == "":
        if data:
            print(json.dumps(json.loads("\n".join(data)), separators=(",", ":")))
        data = []
    elif line.startswith("data:"):
        data.append(line[5:][1:] if line[5:6] == " " else line[5:])
' "$1"
}

@test "ct-serve: a CR inside a record (JSON white space) does not break SSE framing" {
	TP=$(free_port)
	start_serve --heartbeat 60s --tcp-full "127.0.0.1:$TP"
	curl -sN "http://127.0.0.1:$PORT/sse?stream=full" >"$T/sse" 2>/dev/null &
	curl -sN "http://127.0.0.1:$PORT/sse?stream=domains" >"$T/dsse" 2>/dev/null &
	nc 127.0.0.1 "$TP" </dev/null >"$T/tcp" 2>/dev/null &
	sleep 0.5
	# CRs between tokens, in each form's part, and one at the end
	head -3 "$T/recs" | sed 's/,"data":/,\r"data":/; s/"all_domains":\[/"all_domains":\r[\r/; s/}$/}\r/' >"$T/cr"
	[ "$(grep -c $'\r' "$T/cr")" -eq 3 ] || fail "no CR in the input"
	cat "$T/cr" >&7
	for _ in $(seq 50); do [ "$(grep -c . "$T/tcp")" -ge 3 ] && [ "$(grep -c '^data: ' "$T/dsse")" -ge 3 ] && break; sleep 0.1; done
	sleep 0.2
	cmp -s <(sse_events "$T/sse" 2>&1) <(jq -c . "$T/cr") ||
		fail "the SSE events are not the records: $(sse_events "$T/sse" 2>&1 | tail -1 | cut -c1-200)"
	cmp -s <(sse_events "$T/dsse" 2>&1) <(jq -c '{message_type: "dns_entries", data: .data.leaf_cert.all_domains}' "$T/cr") ||
		fail "the domains SSE events are not the records' domains: $(sse_events "$T/dsse" 2>&1 | tail -1 | cut -c1-200)"
	cmp "$T/tcp" "$T/cr" || fail "TCP is not the input, byte for byte"
	stop_serve
}
