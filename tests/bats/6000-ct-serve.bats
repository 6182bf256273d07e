#!/usr/bin/env bats
# ct-serve: WebSocket, SSE and TCP clients, limits, auth, slow clients.
load common

PY=/usr/bin/python3
WS="$CT_TOP/tests/lib/wsclient.py"
RAW="$CT_TOP/tests/lib/wsraw.py"

setup_more() {
	$PY -c 'import websockets' 2>/dev/null || missing "python3-websockets not installed"
	python3 "$CT_TOP/tests/lib/mkcertrecords.py" 20 >"$T/recs"
}

teardown_more() {
	exec 7>&- 2>/dev/null || true
	if [ -n "${SERVE:-}" ]; then
		kill "$SERVE" 2>/dev/null || true
		wait "$SERVE" 2>/dev/null || true
	fi
	jobs -p | xargs -r kill 2>/dev/null || true
}

# client NAME URL COUNT: a WebSocket client in the background
client() {
	$PY "$WS" "$2" "$3" 10 >"$T/$1.out" 2>"$T/$1.err" &
	eval "PID_$1=$!"
	for _ in $(seq 100); do grep -q connected "$T/$1.err" 2>/dev/null && return 0; sleep 0.05; done
	fail "client $1 did not connect: $(cat "$T/$1.err")"
}

@test "ct-serve: --help, --version, bad option, man page options" {
	check_cli_contract ct-serve
	check_man_options ct-serve
	run ct-serve --listen nonsense
	assert_status 2
}

@test "ct-serve: the three WebSocket streams, each derived from the full record" {
	start_serve
	client lite "ws://127.0.0.1:$PORT/" 20
	client full "ws://127.0.0.1:$PORT/full-stream" 20
	client dom "ws://127.0.0.1:$PORT/domains-only/" 20
	cat "$T/recs" >&7
	wait "$PID_lite" "$PID_full" "$PID_dom" || fail "a client got too few messages"
	diff <(jq -c . "$T/full.out") <(jq -c . "$T/recs")
	diff <(jq -c . "$T/lite.out") <(jq -c 'del(.data.chain, .data.leaf_cert.as_der)' "$T/recs")
	diff <(jq -c . "$T/dom.out") <(jq -c '{message_type: "dns_entries", data: .data.leaf_cert.all_domains}' "$T/recs")
}

@test "ct-serve: SSE and raw TCP clients" {
	TPORT=$(free_port)
	start_serve --tcp "127.0.0.1:$TPORT" --heartbeat 500ms
	curl -sN "http://127.0.0.1:$PORT/sse?stream=domains" >"$T/sse" 2>/dev/null &
	nc 127.0.0.1 "$TPORT" </dev/null >"$T/tcp" 2>/dev/null &
	sleep 0.5
	cat "$T/recs" >&7
	sleep 1.3
	[ "$(grep -c '^data: {"message_type":"dns_entries"' "$T/sse")" -eq 20 ] || fail "$(head -c 500 "$T/sse")"
	grep -q '^: keepalive' "$T/sse" || fail "no keepalive comment"
	[ "$(grep -c '"certificate_update"' "$T/tcp")" -eq 20 ] || fail "$(head -c 300 "$T/tcp")"
	grep -q '"as_der"' "$T/tcp" && fail "TCP lite carries as_der"
	grep -q '"message_type":"heartbeat"' "$T/tcp" || fail "no heartbeat on TCP"
}

@test "ct-serve: heartbeats when idle, pings answered" {
	start_serve --heartbeat 300ms
	client hb "ws://127.0.0.1:$PORT/" 1
	wait "$PID_hb" || fail "no message"
	jq -e '.message_type == "heartbeat" and .timestamp > 1700000000' "$T/hb.out" >/dev/null || fail "$(cat "$T/hb.out")"
	run timeout 5 $PY "$RAW" "$PORT" / ping
	[ "$output" = "pong hi" ] || fail "$output"
}

@test "ct-serve: bad client frames are closed with the right code" {
	start_serve
	run timeout 5 $PY "$RAW" "$PORT" / unmasked
	[ "$output" = "close 1002" ] || fail "$output"
	run timeout 5 $PY "$RAW" "$PORT" / badutf8
	[ "$output" = "close 1007" ] || fail "$output"
	# a bad handshake and a malformed request
	run curl -s -o /dev/null -w '%{http_code}' -H 'Upgrade: websocket' -H 'Connection: Upgrade' "http://127.0.0.1:$PORT/"
	[ "$output" = 400 ] || fail "$output"
	run bash -c "printf 'GARBAGE\r\n\r\n' | nc -q1 127.0.0.1 $PORT"
	assert_contains "400 Bad Request"
	curl -s "http://127.0.0.1:$PORT/metrics" | grep -q 'ctserve_disconnects_total{reason="protocol"} 2' ||
		fail "$(curl -s "http://127.0.0.1:$PORT/metrics")"
}

@test "ct-serve: a client that never reads costs a bounded queue and slows nobody" {
	start_serve --queue 4194304 --write-timeout 4s
	timeout 40 $PY "$RAW" "$PORT" /full-stream never &
	sleep 0.5
	client good "ws://127.0.0.1:$PORT/full-stream" 4000
	python3 "$CT_TOP/tests/lib/mkcertrecords.py" 4000 >"$T/many" # ~22 MB
	split -l 200 "$T/many" "$T/part."
	rss0=$(awk '/VmRSS/ { print $2 }' "/proc/$SERVE/status")
	# at a pace a reading client keeps up with (~5 MB/s)
	for f in "$T"/part.*; do cat "$f" >&7; sleep 0.2; done
	wait "$PID_good" || fail "the reading client got $(wc -l <"$T/good.out") of 4000"
	rss1=$(awk '/VmRSS/ { print $2 }' "/proc/$SERVE/status")
	echo "# ct-serve RSS before ${rss0} KiB, after 22 MB to a stuck client ${rss1} KiB" >&3
	if [ "$CT_VARIANT" = rel ]; then
		[ $((rss1 - rss0)) -lt 20480 ] || fail "RSS grew by $((rss1 - rss0)) KiB"
	fi
	m=$(curl -s "http://127.0.0.1:$PORT/metrics")
	grep -Eq 'ctserve_dropped_messages_total [1-9]' <<<"$m" || fail "no drops counted: $m"
	sleep 5
	curl -s "http://127.0.0.1:$PORT/metrics" | grep -q 'ctserve_disconnects_total{reason="slow"} 1' ||
		fail "the stuck client was not disconnected"
}

@test "ct-serve: bearer tokens, header or query; /health stays open" {
	start_serve --token s3cret --token other
	run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/stats"
	[ "$output" = 401 ] || fail "$output"
	run curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer wrong' "http://127.0.0.1:$PORT/api/stats"
	[ "$output" = 401 ] || fail "$output"
	run curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer s3cret' "http://127.0.0.1:$PORT/api/stats"
	[ "$output" = 200 ] || fail "$output"
	run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/stats?token=other"
	[ "$output" = 200 ] || fail "$output"
	run curl -s "http://127.0.0.1:$PORT/health"
	jq -e '.status == "ok"' <<<"$output" >/dev/null || fail "$output"
	run $PY "$WS" "ws://127.0.0.1:$PORT/" 1 3
	[ "$output" = "status 401" ] || fail "$output"
	run $PY "$WS" "ws://127.0.0.1:$PORT/?token=s3cret" 1 3 "Foo=bar"
	[ "$status" -ne 2 ] || fail "$output"
	curl -s "http://127.0.0.1:$PORT/metrics?token=s3cret" | grep -q 'ctserve_auth_rejections_total 3' || fail "rejections not counted"
}

@test "ct-serve: /example.json, /api/stats, /metrics, 404 and 405" {
	start_serve
	run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/example.json"
	[ "$output" = 404 ] || fail "$output"
	head -3 "$T/recs" >&7
	sleep 0.3
	run curl -s "http://127.0.0.1:$PORT/example.json"
	jq -e '.data.cert_index == 2' <<<"$output" >/dev/null || fail "$output"
	run curl -s "http://127.0.0.1:$PORT/api/stats"
	jq -e '.messages_in == 3' <<<"$output" >/dev/null || fail "$output"
	run curl -s "http://127.0.0.1:$PORT/metrics"
	assert_contains 'ctserve_messages_in_total 3'
	run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/nope"
	[ "$output" = 404 ] || fail "$output"
	run curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/health"
	[ "$output" = 405 ] || fail "$output"
}

@test "ct-serve: SIGTERM closes clients with 1001 and exits 0; --exit-on-eof drains first" {
	start_serve
	run_raw() { timeout 10 $PY "$RAW" "$PORT" / ping-then-wait; }
	$PY "$WS" "ws://127.0.0.1:$PORT/" 1000 10 >"$T/c.out" 2>"$T/c.err" &
	cpid=$!
	# only once it is connected (Python may take a while to start)
	for _ in $(seq 100); do grep -q connected "$T/c.err" 2>/dev/null && break; sleep 0.05; done
	kill -TERM "$SERVE"
	wait "$SERVE" || fail "exit status $?"
	SERVE=
	wait "$cpid" || true
	grep -q "1001" "$T/c.err" || fail "client saw: $(cat "$T/c.err")"
	# a finite input, served to a client, then exit
	PORT=$(free_port)
	{ sleep 1; cat "$T/recs"; } | ct-serve --listen "127.0.0.1:$PORT" --exit-on-eof 2>/dev/null &
	spid=$!
	sleep 0.5
	run $PY "$WS" "ws://127.0.0.1:$PORT/" 20 10
	assert_status 0
	wait "$spid" || fail "exit status $?"
}

@test "ct-serve: CaliDog's certstream-python client and CLI read it unchanged" {
	deb=$(ls "$DEBS"/python3-certstream_*.deb 2>/dev/null | head -1)
	[ -n "$deb" ] || missing "no python3-certstream deb at $DEBS"
	$PY -c 'import websocket, termcolor' 2>/dev/null || missing "python3-websocket/termcolor not installed"
	dpkg -x "$deb" "$T/cs"
	start_serve
	cs() {
		PYTHONPATH="$T/cs/usr/lib/python3/dist-packages" timeout 8 $PY -u \
			"$T/cs/usr/bin/certstream" --url "ws://127.0.0.1:$PORT/$1" "${@:2}"
	}
	cs "" --json >"$T/json" 2>"$T/json.err" &
	cs "" >"$T/plain" 2>"$T/plain.err" &
	cs full-stream --full --json >"$T/full" 2>"$T/full.err" &
	for f in json plain full; do
		for _ in $(seq 100); do grep -q "Connection established" "$T/$f.err" && break; sleep 0.1; done
	done
	cat "$T/recs" >&7
	sleep 2
	[ "$(grep -c certificate_update "$T/json")" -eq 20 ] || fail "json: $(head -c 300 "$T/json") $(cat "$T/json.err")"
	[ "$(grep -c 'sub[0-9]*\.example[0-9]*\.com' "$T/plain")" -ge 20 ] || fail "plain: $(head -c 300 "$T/plain") $(tail -3 "$T/plain.err")"
	grep -q '"as_der"' "$T/full" || fail "full: $(head -c 300 "$T/full")"
	! grep -qi 'traceback' "$T/json.err" "$T/plain.err" "$T/full.err" || fail "a client crashed"
}

@test "ct-serve: ?domain= filters, shared and evaluated once per message" {
	start_serve
	client a "ws://127.0.0.1:$PORT/?domain=sub3.example3.com,.example5.com" 2
	client b "ws://127.0.0.1:$PORT/domains-only?domain=.example7.com" 1
	client c "ws://127.0.0.1:$PORT/?domain=sub3.example3.com%2C.example5.com" 1000
	curl -sN "http://127.0.0.1:$PORT/sse?stream=domains&domain=.example9.com" >"$T/sse" 2>/dev/null &
	sleep 0.3
	cat "$T/recs" >&7
	wait "$PID_a" "$PID_b" || fail "a filtered client got too few"
	sleep 0.5
	[ "$(jq -r .data.cert_index "$T/a.out" | paste -sd,)" = "3,5" ] || fail "$(cat "$T/a.out" | cut -c1-200)"
	[ "$(jq -c .data "$T/b.out")" = '["sub7.example7.com","h0.sub7.example7.com","h1.sub7.example7.com"]' ] || fail "$(cat "$T/b.out")"
	[ "$(grep -c '^data: {"message_type":"dns_entries"' "$T/sse")" -eq 1 ] || fail "$(cat "$T/sse")"
	[ "$(wc -l <"$T/c.out")" -eq 2 ] || fail "c: $(cat "$T/c.out")"
	# a and c asked for the same list: one filter; with the SSE one, two
	run curl -s "http://127.0.0.1:$PORT/metrics"
	assert_contains "ctserve_filters 2"
	run curl -s -w '%{http_code}' "http://127.0.0.1:$PORT/sse?domain=*.bad.example"
	assert_contains "400"
	assert_contains "a wildcard is not a watch item"
}

@test "ct-serve: per-address limit, trusted X-Forwarded-For, accept rate" {
	start_serve --max-per-ip 2 --trusted-proxy 127.0.0.1 --accept-rate 1000
	client a "ws://127.0.0.1:$PORT/" 1000
	client b "ws://127.0.0.1:$PORT/" 1000
	run $PY "$WS" "ws://127.0.0.1:$PORT/" 1 3
	[ "$output" = "status 429" ] || fail "$output"
	# behind the trusted proxy, the client is the forwarded address
	run $PY "$WS" "ws://127.0.0.1:$PORT/" 1 2 "X-Forwarded-For=192.0.2.7, 127.0.0.1"
	[ "$status" -eq 1 ] || fail "status $status: $output" # connected, then timed out waiting
	# every connection counts: 127.0.0.1 has no room left, even for this
	run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/metrics"
	[ "$output" = 429 ] || fail "$output"
	run curl -s -H 'X-Forwarded-For: 192.0.2.8' "http://127.0.0.1:$PORT/metrics"
	assert_contains 'ctserve_limit_rejections_total{limit="per_ip"} 2'
	kill "$SERVE"; wait "$SERVE" || true; SERVE=
	exec 7>&-; rm -f "$T/in"
	start_serve --accept-rate 2
	for i in 1 2 3 4 5 6; do curl -s -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$PORT/health"; done >"$T/codes"
	grep -q 429 "$T/codes" || fail "$(cat "$T/codes")"
	grep -q 200 "$T/codes" || fail "$(cat "$T/codes")"
}

@test "ct-serve: /api/logs serves ct-fetch's --stats file" {
	port=$(free_port)
	echo '[{"name":"a","health":"healthy","next":5}]' >"$T/stats.json"
	sleep 30 | ct-serve --listen "127.0.0.1:$port" --fetch-stats "$T/stats.json" 2>"$T/err" &
	for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.05; done
	run curl -fsS "http://127.0.0.1:$port/api/logs"
	assert_status 0
	[ "$(printf '%s' "$output" | jq -r '.[0].health')" = healthy ] || fail "$output"
	rm "$T/stats.json"
	run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/logs"
	[ "$output" = 503 ] || fail "$output"
	kill %1 2>/dev/null || true
}

@test "ct-serve: /api/cert/<sha256|sha1> finds a recent certificate, bounded by --recent" {
	port=$(free_port)
	python3 "$CT_TOP/tests/lib/mkcertrecords.py" 5 >"$T/recs"
	(cat "$T/recs"; sleep 30) | ct-serve --listen "127.0.0.1:$port" --recent 3 2>"$T/err" &
	for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.05; done
	sleep 0.3
	last=$(tail -1 "$T/recs" | jq -r .data.leaf_cert.sha256)
	first=$(head -1 "$T/recs" | jq -r .data.leaf_cert.sha256)
	sha1=$(tail -1 "$T/recs" | jq -r .data.leaf_cert.sha1)
	run curl -fsS "http://127.0.0.1:$port/api/cert/$last"
	assert_status 0
	[ "$(printf '%s' "$output" | jq -r .data.leaf_cert.sha256)" = "$last" ] || fail "$output"
	nocolon=$(printf '%s' "$sha1" | tr -d : | tr A-F a-f)
	run curl -fsS "http://127.0.0.1:$port/api/cert/$nocolon"
	assert_status 0
	run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/cert/$first"
	[ "$output" = 404 ] || fail "the first of 5 should be gone with --recent 3: $output"
	run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/cert/xyz"
	[ "$output" = 400 ] || fail "$output"
	kill %1 2>/dev/null || true
}

# code URL [TOKEN]: the HTTP status of a GET
code() {
	curl -s -o /dev/null -w '%{http_code}' ${2:+-H "Authorization: Bearer $2"} "$1"
}

@test "ct-serve: --config file: settings, flags win, errors name file and line" {
	printf '# ct-serve settings\ntoken = fromfile\nmax-per-ip = 7\nheartbeat = 300ms\n' >"$T/serve.conf"
	start_serve --config "$T/serve.conf"
	[ "$(code "http://127.0.0.1:$PORT/api/stats")" = 401 ] || fail "no token needed"
	[ "$(code "http://127.0.0.1:$PORT/api/stats" fromfile)" = 200 ] || fail "file token refused"
	client hb "ws://127.0.0.1:$PORT/?token=fromfile" 1
	wait "$PID_hb" || fail "no heartbeat within 10 s (file heartbeat = 300ms)"
	teardown_more; SERVE=
	rm -f "$T/in"
	# a flag replaces the file's value (the file's tokens too)
	start_serve --config "$T/serve.conf" --token fromflag
	[ "$(code "http://127.0.0.1:$PORT/api/stats" fromfile)" = 401 ] || fail "file token kept"
	[ "$(code "http://127.0.0.1:$PORT/api/stats" fromflag)" = 200 ] || fail "flag token refused"
	# errors: exit 2, one line naming file, line and setting
	printf 'token = a\nqueue = 12\n' >"$T/bad.conf"
	run ct-serve --config "$T/bad.conf"
	assert_status 2
	[ "${lines[0]}" = "ct-serve: $T/bad.conf: line 2: queue: 12 is out of range (65536 to 17179869184)" ] || fail "$output"
	printf 'listen = 127.0.0.1:1\nno-such = 1\n' >"$T/bad.conf"
	run ct-serve --config "$T/bad.conf"
	assert_status 2
	assert_contains "line 2: no-such: no such setting"
	printf 'just words\n' >"$T/bad.conf"
	run ct-serve --config "$T/bad.conf"
	assert_status 2
	assert_contains "line 1: expected 'key = value', got 'just words'"
	run ct-serve --config "$T/missing.conf"
	assert_status 2
	assert_contains "cannot read $T/missing.conf: No such file or directory"
}

@test "ct-serve: the config reloads on change and on SIGHUP, connections kept" {
	printf 'token = one\n' >"$T/serve.conf"
	start_serve --config "$T/serve.conf"
	client c "ws://127.0.0.1:$PORT/?token=one" 20
	[ "$(code "http://127.0.0.1:$PORT/api/stats" two)" = 401 ] || fail "token two before"
	# replaced by rename, as editors and config tools do
	printf 'token = two\nmax-clients = 50\n' >"$T/new.conf"
	mv "$T/new.conf" "$T/serve.conf"
	for _ in $(seq 50); do grep -q 'reloaded (1 token)' "$T/serve.err" && break; sleep 0.05; done
	[ "$(code "http://127.0.0.1:$PORT/api/stats" two)" = 200 ] || fail "token two after rename: $(cat "$T/serve.err")"
	[ "$(code "http://127.0.0.1:$PORT/api/stats" one)" = 401 ] || fail "token one kept"
	# a bad edit in place: reported once, the running settings stay
	printf 'token = three\nmax-clients = lots\n' >"$T/serve.conf"
	for _ in $(seq 50); do grep -q 'keeping the running' "$T/serve.err" && break; sleep 0.05; done
	grep -q "serve.conf: line 2: max-clients: 'lots' is not a number; keeping the running configuration" "$T/serve.err" || fail "$(cat "$T/serve.err")"
	[ "$(code "http://127.0.0.1:$PORT/api/stats" two)" = 200 ] || fail "a bad file changed the tokens"
	# SIGHUP reloads too (the watch may see the edit first)
	printf 'token = four\ntcp = 127.0.0.1:1\n' >"$T/serve.conf"
	kill -HUP "$SERVE"
	for _ in $(seq 50); do [ "$(code "http://127.0.0.1:$PORT/api/stats" four)" = 200 ] && break; sleep 0.05; done
	[ "$(code "http://127.0.0.1:$PORT/api/stats" four)" = 200 ] || fail "token four: $(cat "$T/serve.err")"
	grep -q 'tcp changed; it takes effect on restart' "$T/serve.err" || fail "$(cat "$T/serve.err")"
	# the client connected with token one saw it all, and stayed
	cat "$T/recs" >&7
	wait "$PID_c" || fail "the first client lost its connection or messages"
	[ "$(wc -l <"$T/c.out")" -eq 20 ]
	curl -s "http://127.0.0.1:$PORT/metrics?token=four" >"$T/m"
	grep -q 'ctserve_config_reloads_total{result="error"} 1$' "$T/m" || fail "$(grep reload "$T/m")"
	grep -Eq 'ctserve_config_reloads_total\{result="ok"\} [23]$' "$T/m" || fail "$(grep reload "$T/m")"
	# no --config: SIGHUP is reported and ignored
	teardown_more; SERVE=; rm -f "$T/in"
	start_serve
	kill -HUP "$SERVE"
	for _ in $(seq 50); do grep -q 'no configuration file' "$T/serve.err" && break; sleep 0.05; done
	grep -q 'SIGHUP: no configuration file to reload' "$T/serve.err"
	kill -0 "$SERVE"
}

@test "ct-serve: permessage-deflate, negotiated; every message the same once inflated" {
	start_serve --heartbeat 10s
	ext() { EXT=$1 timeout 5 $PY "$RAW" "$PORT" / ext; }
	want="permessage-deflate; server_no_context_takeover; client_no_context_takeover"
	[ "$(ext 'permessage-deflate; client_max_window_bits')" = "$want" ] || fail "$(ext 'permessage-deflate; client_max_window_bits')"
	[ "$(ext 'permessage-deflate')" = "$want" ] || fail "plain offer"
	[ "$(ext 'x-webkit-deflate-frame, permessage-deflate; server_max_window_bits=15')" = "$want" ] || fail "second offer"
	# offers we cannot honour are declined, as RFC 7692 asks
	[ "$(ext 'permessage-deflate; server_max_window_bits=10')" = none ] || fail "a small window accepted"
	[ "$(ext 'permessage-deflate; server_max_window_bits=10, permessage-deflate')" = "$want" ] || fail "fallback offer"
	[ "$(ext 'permessage-deflate; bogus')" = none ] || fail "unknown parameter accepted"
	[ "$(ext 'permessage-deflate; client_max_window_bits=16')" = none ] || fail "bad value accepted"
	[ "$(ext 'permessage-deflate; server_no_context_takeover; server_no_context_takeover')" = none ] || fail "repeat accepted"
	[ "$(ext '')" = none ] || fail "no offer"
	# Python websockets offers it: the three streams, compressed, read as the records
	client lite "ws://127.0.0.1:$PORT/" 20
	client full "ws://127.0.0.1:$PORT/full-stream" 20
	client dom "ws://127.0.0.1:$PORT/domains-only" 20
	curl -s "http://127.0.0.1:$PORT/metrics" | grep -q '^ctserve_deflate_connections 3$' || fail "not negotiated"
	cat "$T/recs" >&7
	wait "$PID_lite" "$PID_full" "$PID_dom" || fail "a client got too few messages"
	diff <(jq -c . "$T/full.out") <(jq -c . "$T/recs")
	diff <(jq -c . "$T/lite.out") <(jq -c 'del(.data.chain, .data.leaf_cert.as_der)' "$T/recs")
	diff <(jq -c . "$T/dom.out") <(jq -c '{message_type: "dns_entries", data: .data.leaf_cert.all_domains}' "$T/recs")
	curl -s "http://127.0.0.1:$PORT/metrics" >"$T/m"
	zin=$(awk '/^ctserve_deflate_bytes_in_total/{print $2}' "$T/m")
	zout=$(awk '/^ctserve_deflate_bytes_out_total/{print $2}' "$T/m")
	[ "$zout" -gt 0 ] && [ $((zin * 10 / zout)) -ge 15 ] || fail "deflate in $zin out $zout"
	echo "# deflate: $zin bytes of messages sent as $zout" >&3
	# compressed client messages: inflated and checked like plain ones
	for m in "zok:pong hi" "zbadutf8:close 1007" "zbomb:close 1009" "zbroken:close 1007" "rsv1ping:close 1002"; do
		run env EXT=permessage-deflate timeout 5 $PY "$RAW" "$PORT" / "${m%%:*}"
		[ "$output" = "${m#*:}" ] || fail "${m%%:*}: $output"
	done
	# without negotiation RSV1 is a protocol error
	run timeout 5 $PY "$RAW" "$PORT" / zok
	[ "$output" = "close 1002" ] || fail "RSV1 unnegotiated: $output"
}

@test "ct-serve: --deflate 0 turns it off" {
	start_serve --deflate 0
	[ "$(EXT=permessage-deflate timeout 5 $PY "$RAW" "$PORT" / ext)" = none ]
	client plain "ws://127.0.0.1:$PORT/" 20
	cat "$T/recs" >&7
	wait "$PID_plain" || fail "no messages"
	curl -s "http://127.0.0.1:$PORT/metrics" | grep -q '^ctserve_deflate_bytes_out_total 0$'
}

# mk_tls NAME: a self-signed certificate for 127.0.0.1 in $T/NAME.pem, key $T/NAME.key
mk_tls() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/$1.key" \
		-out "$T/$1.pem" -days 2 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
}
serial_of() { openssl x509 -noout -serial -in "$1"; }
served_serial() {
	openssl s_client -connect "127.0.0.1:$PORT" </dev/null 2>/dev/null | openssl x509 -noout -serial
}

@test "ct-serve: TLS: https and wss, the same messages; plain HTTP refused alone" {
	mk_tls a
	start_serve --tls-cert "$T/a.pem" --tls-key "$T/a.key" --heartbeat 10s
	run curl -s --cacert "$T/a.pem" "https://127.0.0.1:$PORT/health"
	jq -e '.status == "ok"' <<<"$output" >/dev/null || fail "$output"
	export SSL_CERT_FILE=$T/a.pem # Python's default context trusts it
	client lite "wss://127.0.0.1:$PORT/" 20
	client full "wss://127.0.0.1:$PORT/full-stream" 20
	client dom "wss://127.0.0.1:$PORT/domains-only" 20
	curl -sN --cacert "$T/a.pem" "https://127.0.0.1:$PORT/sse?stream=full" >"$T/sse" 2>/dev/null &
	# a plaintext client on the TLS port costs nothing to the others
	run curl -s -m 3 "http://127.0.0.1:$PORT/health"
	[ "$status" -ne 0 ] || fail "plain HTTP answered on the TLS port: $output"
	sleep 0.5
	cat "$T/recs" >&7
	wait "$PID_lite" "$PID_full" "$PID_dom" || fail "a wss client got too few messages"
	diff <(jq -c . "$T/full.out") <(jq -c . "$T/recs")
	diff <(jq -c . "$T/lite.out") <(jq -c 'del(.data.chain, .data.leaf_cert.as_der)' "$T/recs")
	diff <(jq -c . "$T/dom.out") <(jq -c '{message_type: "dns_entries", data: .data.leaf_cert.all_domains}' "$T/recs")
	for _ in $(seq 50); do [ "$(grep -c '^data: ' "$T/sse")" -ge 20 ] && break; sleep 0.1; done
	diff <(sed -n 's/^data: //p' "$T/sse" | jq -c .) <(jq -c . "$T/recs")
	curl -s --cacert "$T/a.pem" "https://127.0.0.1:$PORT/metrics" | grep -q '^ctserve_tls_errors_total 1$' ||
		fail "$(curl -s --cacert "$T/a.pem" "https://127.0.0.1:$PORT/metrics" | grep tls)"
}

@test "ct-serve: TLS certificate renewed on SIGHUP, connections kept; bad files refused" {
	mk_tls a
	mk_tls b
	cp "$T/a.pem" "$T/cur.pem"; cp "$T/a.key" "$T/cur.key"
	start_serve --tls-cert "$T/cur.pem" --tls-key "$T/cur.key" --heartbeat 10s
	[ "$(served_serial)" = "$(serial_of "$T/a.pem")" ] || fail "first certificate"
	SSL_CERT_FILE=$T/a.pem client old "wss://127.0.0.1:$PORT/" 20
	# renewed in place (as certbot does), then SIGHUP
	cp "$T/b.pem" "$T/cur.pem"; cp "$T/b.key" "$T/cur.key"
	kill -HUP "$SERVE"
	for _ in $(seq 50); do grep -q 'SIGHUP: reloaded' "$T/serve.err" && break; sleep 0.05; done
	[ "$(served_serial)" = "$(serial_of "$T/b.pem")" ] || fail "not renewed: $(cat "$T/serve.err")"
	# a broken renewal: reported, the running certificate stays
	echo garbage >"$T/cur.pem"
	kill -HUP "$SERVE"
	for _ in $(seq 50); do grep -q 'keeping the running' "$T/serve.err" && break; sleep 0.05; done
	grep -q "SIGHUP: cannot load $T/cur.pem: .*; keeping the running configuration" "$T/serve.err" || fail "$(cat "$T/serve.err")"
	[ "$(served_serial)" = "$(serial_of "$T/b.pem")" ] || fail "lost the certificate"
	# the client from before the renewal stayed and gets everything
	cat "$T/recs" >&7
	wait "$PID_old" || fail "the old connection was lost"
	# at startup: exit 2 with the reason
	run ct-serve --listen 127.0.0.1:1 --tls-cert "$T/missing.pem"
	assert_status 2
	assert_contains "cannot load $T/missing.pem"
	run ct-serve --listen 127.0.0.1:1 --tls-cert "$T/a.pem" --tls-key "$T/b.key"
	assert_status 2
	assert_contains "cannot load $T/b.key"
	run ct-serve --listen 127.0.0.1:1 --tls-key "$T/b.key"
	assert_status 2
	assert_contains "tls-key without tls-cert"
}

@test "ct-serve: hostile clients all at once: bounded RSS, the good client gets everything" {
	start_serve --token good --heartbeat 2s --max-per-ip 0
	# a good client reading throughout (heartbeats, then the records)
	$PY "$WS" "ws://127.0.0.1:$PORT/?token=good" 1000 30 >"$T/good.out" 2>"$T/good.err" &
	for _ in $(seq 100); do grep -q connected "$T/good.err" 2>/dev/null && break; sleep 0.05; done
	rss0=$(awk '/VmRSS/ { print $2 }' "/proc/$SERVE/status")
	run timeout 60 $PY "$CT_TOP/tests/lib/hostile.py" "$PORT" good
	echo "# hostile: $output" >&3
	for want in "big 431=20" "many 431=20" "wrongtoken 401=200" "cycle 101=5000" "slowloris_closed=50"; do
		assert_contains "$want"
	done
	rss1=$(awk '/VmRSS/ { print $2 }' "/proc/$SERVE/status")
	echo "# ct-serve RSS ${rss0} KiB before, ${rss1} KiB after 10,000 connect/close cycles and the rest" >&3
	if [ "$CT_VARIANT" = rel ]; then
		[ $((rss1 - rss0)) -lt 4096 ] || fail "RSS grew by $((rss1 - rss0)) KiB"
	fi
	curl -s "http://127.0.0.1:$PORT/metrics?token=good" >"$T/m"
	grep -q '^ctserve_connections{stream="lite",protocol="websocket"} 1$' "$T/m" || fail "$(grep connections "$T/m")"
	grep -Eq '^ctserve_disconnects_total\{reason="timeout"\} (5[0-9]|[6-9][0-9])$' "$T/m" || fail "$(grep disconnects "$T/m")"
	grep -Eq '^ctserve_auth_rejections_total 2[0-9][0-9]$' "$T/m" || fail "$(grep auth "$T/m")"
	# and the good client, connected all along, still gets every record
	cat "$T/recs" >&7
	for _ in $(seq 100); do [ "$(grep -c certificate_update "$T/good.out")" -ge 20 ] && break; sleep 0.05; done
	[ "$(grep -c certificate_update "$T/good.out")" -eq 20 ] || fail "$(grep -c certificate_update "$T/good.out") of 20"
}

@test "ct-serve: the same bytes on WebSocket, SSE and TCP, for each stream" {
	TL=$(free_port) TF=$(free_port) TD=$(free_port)
	start_serve --heartbeat 60s --tcp "127.0.0.1:$TL" --tcp-full "127.0.0.1:$TF" --tcp-domains "127.0.0.1:$TD"
	for st in lite:/:lite:$TL full:/full-stream:full:$TF dom:/domains-only:domains:$TD; do
		IFS=: read -r name path sse tport <<<"$st"
		client "ws_$name" "ws://127.0.0.1:$PORT$path" 20
		curl -sN "http://127.0.0.1:$PORT/sse?stream=$sse" >"$T/sse_$name" 2>/dev/null &
		nc 127.0.0.1 "$tport" </dev/null >"$T/tcp_$name" 2>/dev/null &
	done
	sleep 0.5
	cat "$T/recs" >&7
	wait "$PID_ws_lite" "$PID_ws_full" "$PID_ws_dom" || fail "a WebSocket client got too few"
	for name in lite full dom; do
		for _ in $(seq 50); do
			[ "$(grep -c . "$T/tcp_$name")" -ge 20 ] && [ "$(grep -c '^data: ' "$T/sse_$name")" -ge 20 ] && break
			sleep 0.1
		done
		sed -n 's/^data: //p' "$T/sse_$name" >"$T/sse_$name.msgs"
		cmp "$T/ws_$name.out" "$T/sse_$name.msgs" || fail "$name: WebSocket and SSE differ"
		cmp "$T/ws_$name.out" "$T/tcp_$name" || fail "$name: WebSocket and TCP differ"
	done
	cmp "$T/ws_full.out" "$T/recs" || fail "the full stream is not the input, byte for byte"
}

@test "ct-serve: 100 clients vanishing at once, again and again, while records pour in" {
	# a client dropped while handling one event could have an event
	# waiting later in the same batch (found by bench/62: a crash)
	python3 "$CT_TOP/tests/lib/mkcertrecords.py" 2000 >"$T/many"
	start_serve
	(while :; do cat "$T/many"; done >&7) 2>/dev/null &
	feeder=$!
	for _ in $(seq 10); do
		wsload "127.0.0.1:$PORT" / 100 1 0 0 >"$T/load.json" 2>/dev/null
		[ "$(jq .connected "$T/load.json")" = 100 ] || fail "round: $(cat "$T/load.json")"
	done
	kill "$feeder"
	kill -0 "$SERVE" || fail "ct-serve died: $(cat "$T/serve.err")"
	run curl -s "http://127.0.0.1:$PORT/health"
	jq -e '.status == "ok" and .clients == 0' <<<"$output" >/dev/null || fail "$output"
}

@test "ct-serve: --positions keeps each log's highest cert_index, while running and at exit" {
	python3 "$CT_TOP/tests/lib/mkcertrecords.py" 40 --dup-every 2 >"$T/two" # log0 even, log1 odd
	want() { printf '{"positions":{"https://log0.example/ct":%s,"https://log1.example/ct":%s}}\n' "$1" "$2"; }
	start_serve --positions "$T/pos.json"
	head -10 "$T/two" >&7
	for _ in $(seq 60); do [ "$(cat "$T/pos.json" 2>/dev/null)" = "$(want 8 9)" ] && break; sleep 0.05; done
	[ "$(cat "$T/pos.json")" = "$(want 8 9)" ] || fail "while running: $(cat "$T/pos.json" 2>&1)"
	# a steady flow for 3 s: written about once a second, not per record
	for i in $(seq 11 40); do sed -n "${i}p" "$T/two" >&7; sleep 0.1; done
	curl -s "http://127.0.0.1:$PORT/metrics" >"$T/m"
	grep -q '^ctserve_positions_logs 2$' "$T/m" || fail "$(grep positions "$T/m")"
	w=$(awk '/^ctserve_positions_writes_total\{result="ok"\}/{print $2}' "$T/m")
	[ "$w" -ge 2 ] && [ "$w" -le 6 ] || fail "$w writes in about 3 s"
	# lower indexes do not lower it; an escaped URL is the same log
	head -4 "$T/two" >&7
	sed -n 40p "$T/two" | jq -c '.data.cert_index = 99' | sed 's|"https://log1.example/ct"|"https:\\/\\/log1.example\\/ct"|g' >"$T/esc"
	grep -qF '"url":"https:\/\/log1.example\/ct"' "$T/esc" || fail "no escaped URL: $(grep -o '"source":.*' "$T/esc")"
	cat "$T/esc" >&7
	sleep 0.3
	kill -TERM "$SERVE"
	wait "$SERVE" || fail "exit status $?"
	SERVE=
	[ "$(cat "$T/pos.json")" = "$(want 38 99)" ] || fail "at exit: $(cat "$T/pos.json")"
	[ "$(ls "$T" | grep -c 'pos.json.tmp')" -eq 0 ] || fail "a temp file left: $(ls "$T")"
	# the next run starts from the file: positions only grow; new logs join
	python3 "$CT_TOP/tests/lib/mkcertrecords.py" 3 --dup-every 3 >"$T/three"
	printf 'positions = %s\n' "$T/pos.json" >"$T/serve.conf"
	ct-serve --listen 127.0.0.1:0 --config "$T/serve.conf" --exit-on-eof <"$T/three" 2>"$T/err" || fail "$(cat "$T/err")"
	[ "$(cat "$T/pos.json")" = '{"positions":{"https://log0.example/ct":38,"https://log1.example/ct":99,"https://log2.example/ct":2}}' ] ||
		fail "after a restart (config key): $(cat "$T/pos.json")"
	# a file that cannot be written: said once, exit 1 at the end
	run ct-serve --listen 127.0.0.1:0 --positions "$T/no/such/dir/pos.json" --exit-on-eof <"$T/three"
	assert_status 1
	assert_contains "$T/no/such/dir/pos.json: cannot write the positions"
	# not a positions file: said, then replaced
	echo '{"other":1}' >"$T/bad.json"
	run ct-serve --listen 127.0.0.1:0 --positions "$T/bad.json" --exit-on-eof <"$T/three"
	assert_status 0
	assert_contains "$T/bad.json: no \"positions\" object; starting empty"
	jq -e '.positions["https://log2.example/ct"] == 2' "$T/bad.json" >/dev/null || fail "$(cat "$T/bad.json")"
}
