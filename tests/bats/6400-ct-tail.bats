#!/usr/bin/env bats
# ct-tail: against ct-serve (every stream, every transport, TLS, a
# relay into a second ct-serve, restarts), against certstream-server-go,
# and against a misbehaving server (tests/lib/badserver.py).
load common
. "$CT_TOP/tests/lib/csgo.sh"

PY=/usr/bin/python3
WS="$CT_TOP/tests/lib/wsclient.py"
BAD="$CT_TOP/tests/lib/badserver.py"

setup_more() {
	python3 "$CT_TOP/tests/lib/mkcertrecords.py" 20 >"$T/recs"
}

teardown_more() {
	local p
	for p in "$T"/*.pid; do
		[ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null
	done
	jobs -p | xargs -r kill 2>/dev/null || true
	true
}

# serve NAME PORT ARGS...: a ct-serve on 127.0.0.1:PORT whose standard
# input is the fifo $T/NAME.in, held open until `feed NAME FILE`.
serve() {
	local name=$1 port=$2 fd
	shift 2
	rm -f "$T/$name.in"
	mkfifo "$T/$name.in"
	ct-serve --listen "127.0.0.1:$port" "$@" <"$T/$name.in" >/dev/null 2>"$T/$name.err" 3>&- &
	echo $! >"$T/$name.pid"
	exec {fd}>"$T/$name.in"
	eval "FD_$name=$fd"
	for _ in $(seq 100); do grep -q "listening on 127.0.0.1:$port" "$T/$name.err" 2>/dev/null && break; sleep 0.05; done
	grep -q "listening on 127.0.0.1:$port" "$T/$name.err" || fail "ct-serve $name did not start: $(cat "$T/$name.err")"
}

# feed NAME FILE: FILE is ct-serve NAME's input, then its end
feed() {
	local fd
	eval "fd=\$FD_$1"
	cat "$2" >&"$fd"
	exec {fd}>&-
}

# clients PORT N [SCHEME]: wait until ct-serve on PORT counts N clients
clients() {
	local m n
	for _ in $(seq 100); do
		m=$(curl -s "${3:-http}://127.0.0.1:$1/metrics" ${CACERT:+--cacert "$CACERT"})
		n=$(awk '/^ctserve_connections\{/ { s += $2 } END { print s + 0 }' <<<"$m")
		[ "$n" -ge "$2" ] && return 0
		sleep 0.05
	done
	fail "ct-serve on $1 has $n clients, not $2"
}

# tail NAME ARGS...: ct-tail in the background, $T/NAME.out and .err
tail_bg() {
	local name=$1
	shift
	ct-tail "$@" >"$T/$name.out" 2>"$T/$name.err" 3>&- &
	echo $! >"$T/$name.pid"
}

# wait_tail NAME: its exit status must be 0
wait_tail() {
	local rc=0
	wait "$(cat "$T/$1.pid")" || rc=$?
	rm -f "$T/$1.pid"
	[ "$rc" -eq 0 ] || fail "ct-tail $1 exited $rc: $(cat "$T/$1.err")"
}

# bad MODE: the misbehaving server; $BPORT
bad() {
	$PY "$BAD" "$1" >"$T/bad.port" 2>"$T/bad.log" 3>&- &
	echo $! >"$T/bad.pid"
	# Python under a loaded sanitizer run can take seconds to start
	for _ in $(seq 600); do [ -s "$T/bad.port" ] && break; sleep 0.05; done
	BPORT=$(cat "$T/bad.port")
	[ -n "$BPORT" ] || fail "badserver did not start"
}

@test "ct-tail: --help, --version, bad option, man page options, usage errors" {
	check_cli_contract ct-tail
	check_man_options ct-tail
	run ct-tail
	assert_status 2
	assert_contains "no URL"
	run ct-tail ws://a/ ws://b/
	assert_status 2
	run ct-tail ftp://example.net/
	assert_status 2
	assert_contains "unknown scheme"
	run ct-tail --stream full ws://127.0.0.1:1/full-stream
	assert_status 2
	assert_contains "give one or the other"
	run ct-tail --stream lite tcp://127.0.0.1:1
	assert_status 2
	assert_contains "choose it by the port"
	run ct-tail --stream everything ws://127.0.0.1:1/
	assert_status 2
	run ct-tail --count 0 ws://127.0.0.1:1/
	assert_status 2
	run ct-tail --heartbeat 0 ws://127.0.0.1:1/
	assert_status 2
	run ct-tail --token 'a b' ws://127.0.0.1:1/
	assert_status 2
}

@test "ct-tail: ct-serve's three streams over WebSocket, SSE and TCP, as served" {
	P=$(free_port) L=$(free_port) F=$(free_port) D=$(free_port)
	serve core "$P" --tcp "127.0.0.1:$L" --tcp-full "127.0.0.1:$F" --tcp-domains "127.0.0.1:$D"
	local a=(-n 20 --timeout 20s)
	tail_bg ws-lite "${a[@]}" "ws://127.0.0.1:$P/"
	tail_bg ws-full "${a[@]}" --stream full "ws://127.0.0.1:$P"
	tail_bg ws-dom "${a[@]}" "ws://127.0.0.1:$P/domains-only"
	tail_bg sse-lite "${a[@]}" "http://127.0.0.1:$P"
	tail_bg sse-full "${a[@]}" -s full "http://127.0.0.1:$P/"
	tail_bg sse-dom "${a[@]}" "http://127.0.0.1:$P/sse?stream=domains"
	tail_bg tcp-lite "${a[@]}" "tcp://127.0.0.1:$L"
	tail_bg tcp-full "${a[@]}" "tcp://127.0.0.1:$F"
	tail_bg tcp-dom "${a[@]}" "tcp://127.0.0.1:$D"
	clients "$P" 9
	feed core "$T/recs"
	jq -c 'del(.data.chain, .data.leaf_cert.as_der)' "$T/recs" >"$T/lite"
	jq -c '{message_type: "dns_entries", data: .data.leaf_cert.all_domains}' "$T/recs" >"$T/dom"
	for p in ws sse tcp; do
		wait_tail "$p-lite"
		wait_tail "$p-full"
		wait_tail "$p-dom"
		cmp "$T/$p-full.out" "$T/recs" || fail "$p full differs"
		diff <(jq -c . "$T/$p-lite.out") "$T/lite" || fail "$p lite differs"
		diff <(jq -c . "$T/$p-dom.out") "$T/dom" || fail "$p domains differs"
		grep -q "connected" "$T/$p-full.err" || fail "$(cat "$T/$p-full.err")"
	done
	grep -q '^ct-tail: ws://127.0.0.1:[0-9]*/full-stream: connected$' "$T/ws-full.err"
	grep -q '^ct-tail: http://127.0.0.1:[0-9]*/sse?stream=full: connected$' "$T/sse-full.err"
	grep -q '^ct-tail: http://127.0.0.1:[0-9]*/sse: connected$' "$T/sse-lite.err"
}

@test "ct-tail: a relay, ct-serve | ct-tail | ct-serve, serves the core's messages byte for byte" {
	$PY -c 'import websockets' 2>/dev/null || missing "python3-websockets not installed"
	P=$(free_port) E=$(free_port)
	serve core "$P" --heartbeat 10s
	ct-tail -q --backoff 100ms "ws://127.0.0.1:$P/full-stream" 2>"$T/relay.err" 3>&- |
		ct-serve --listen "127.0.0.1:$E" --heartbeat 10s >/dev/null 2>"$T/edge.err" 3>&- &
	echo $! >"$T/edge.pid"
	for _ in $(seq 100); do grep -q listening "$T/edge.err" && break; sleep 0.05; done
	clients "$P" 1
	local s n=0
	for s in / /full-stream /domains-only; do
		n=$((n + 1))
		$PY "$WS" "ws://127.0.0.1:$P$s" 20 10 >"$T/core$n.out" 2>/dev/null 3>&- &
		echo $! >"$T/cc$n.pid"
		$PY "$WS" "ws://127.0.0.1:$E$s" 20 10 >"$T/edge$n.out" 2>/dev/null 3>&- &
		echo $! >"$T/ec$n.pid"
	done
	clients "$P" 4
	clients "$E" 3
	feed core "$T/recs"
	for n in 1 2 3; do
		wait "$(cat "$T/cc$n.pid")" || fail "a core client got too little"
		wait "$(cat "$T/ec$n.pid")" || fail "an edge client got too little"
		rm "$T/cc$n.pid" "$T/ec$n.pid"
		cmp "$T/core$n.out" "$T/edge$n.out" || fail "stream $n differs"
	done
	cmp "$T/core2.out" "$T/recs"
	[ ! -s "$T/relay.err" ] || fail "$(cat "$T/relay.err")"
	# the edge goes on when the core goes away and comes back
	kill "$(cat "$T/core.pid")"
	wait "$(cat "$T/core.pid")" || true
	serve core "$P" --heartbeat 10s
	clients "$P" 1
	$PY "$WS" "ws://127.0.0.1:$E/full-stream" 20 10 >"$T/edge4.out" 2>/dev/null 3>&- &
	echo $! >"$T/ec4.pid"
	python3 "$CT_TOP/tests/lib/mkcertrecords.py" 20 --seed 2 >"$T/recs2"
	clients "$E" 1
	feed core "$T/recs2"
	wait "$(cat "$T/ec4.pid")" || fail "the edge client got too little after the restart"
	rm "$T/ec4.pid"
	cmp "$T/edge4.out" "$T/recs2"
}

@test "ct-tail: heartbeats are left out unless --heartbeats" {
	P=$(free_port)
	serve core "$P" --heartbeat 200ms
	tail_bg plain --timeout 2500ms "ws://127.0.0.1:$P/"
	tail_bg hb --heartbeats --timeout 2500ms "http://127.0.0.1:$P/"
	wait_tail plain
	wait_tail hb
	[ ! -s "$T/plain.out" ] || fail "heartbeats written: $(head -3 "$T/plain.out")"
	[ "$(jq -r .message_type "$T/hb.out" | sort -u)" = heartbeat ] || fail "$(head -3 "$T/hb.out")"
	[ "$(grep -c '' "$T/hb.out")" -ge 2 ] || fail "$(cat "$T/hb.out")"
}

# mk_tls NAME SAN: a self-signed certificate in $T/NAME.pem, key $T/NAME.key
mk_tls() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/$1.key" \
		-out "$T/$1.pem" -days 2 -subj "/CN=test" -addext "subjectAltName=$2" 2>/dev/null
}

@test "ct-tail: TLS: wss and https verified with --cacert; a certificate not trusted or for another name is final" {
	mk_tls a IP:127.0.0.1
	mk_tls b DNS:other.example
	P=$(free_port) Q=$(free_port)
	serve core "$P" --tls-cert "$T/a.pem" --tls-key "$T/a.key"
	serve other "$Q" --tls-cert "$T/b.pem" --tls-key "$T/b.key"
	tail_bg wss --cacert "$T/a.pem" -n 20 --timeout 20s "wss://127.0.0.1:$P/full-stream"
	tail_bg https --cacert "$T/a.pem" -n 20 --timeout 20s -s full "https://127.0.0.1:$P"
	CACERT=$T/a.pem clients "$P" 2 https
	feed core "$T/recs"
	wait_tail wss
	wait_tail https
	cmp "$T/wss.out" "$T/recs"
	cmp "$T/https.out" "$T/recs"
	# not trusted: the system's store does not have it; exit 1 at once,
	# not after --timeout
	run ct-tail --timeout 20s "wss://127.0.0.1:$P/"
	assert_status 1
	assert_contains "server certificate refused"
	assert_line_count 1
	run ct-tail --cacert "$T/b.pem" --timeout 20s "wss://127.0.0.1:$Q/"
	assert_status 1
	assert_contains "server certificate refused: IP address mismatch"
	# a name, checked as names are (the only way to test it: localhost,
	# which is 127.0.0.1 here; a ::1 it may also be is refused at once)
	mk_tls c DNS:localhost
	L=$(free_port)
	serve named "$L" --tls-cert "$T/c.pem" --tls-key "$T/c.key" --heartbeat 100ms
	run ct-tail -q --cacert "$T/c.pem" --heartbeats -n 1 --timeout 20s "wss://localhost:$L/"
	assert_status 0
	assert_contains '"heartbeat"'
	run ct-tail --cacert "$T/b.pem" --timeout 20s "wss://localhost:$Q/"
	assert_status 1
	assert_contains "server certificate refused: hostname mismatch"
	run ct-tail --cacert "$T/nonesuch.pem" "wss://127.0.0.1:$Q/"
	assert_status 1
	assert_contains "cannot load CA certificates"
}

@test "ct-tail: a server that restarts: reconnected, and the entries missed are counted per log" {
	# log A: 0-9, then 15-19 after the restart (10-14 missed); log B:
	# 100-104, then 105-106 (nothing missed)
	jq -c '.data.source.url = "https://a.example/ct" | .data.cert_index = (input_line_number - 1)' \
		<(head -10 "$T/recs") >"$T/b1"
	jq -c '.data.source.url = "https://b.example/ct" | .data.cert_index = (99 + input_line_number)' \
		<(sed -n 11,15p "$T/recs") >>"$T/b1"
	jq -c '.data.source.url = "https://a.example/ct" | .data.cert_index = (14 + input_line_number)' \
		<(sed -n 16,20p "$T/recs") >"$T/b2"
	jq -c '.data.source.url = "https://b.example/ct" | .data.cert_index = (104 + input_line_number)' \
		<(head -2 "$T/recs") >>"$T/b2"
	P=$(free_port)
	serve core "$P"
	tail_bg t --backoff 100ms -n 22 --timeout 30s --stream full "ws://127.0.0.1:$P"
	clients "$P" 1
	feed core "$T/b1"
	for _ in $(seq 100); do [ "$(grep -c '' "$T/t.out")" -ge 15 ] && break; sleep 0.05; done
	kill "$(cat "$T/core.pid")"
	wait "$(cat "$T/core.pid")" || true
	serve core "$P"
	clients "$P" 1
	feed core "$T/b2"
	wait_tail t
	cmp "$T/t.out" <(cat "$T/b1" "$T/b2")
	run cat "$T/t.err"
	assert_contains "closed by the server (1001); reconnecting in"
	assert_contains "log https://a.example/ct: 5 entries missed while reconnecting (cert_index 10 to 14)"
	assert_not_contains "https://b.example/ct"
	assert_contains "reconnected 1 time, 5 entries missed across the reconnections"
	[ "$(grep -c ': connected$' "$T/t.err")" -eq 2 ] || fail "$output"
}

@test "ct-tail: a server that is not there yet is tried again, with backoff, until it comes" {
	P=$(free_port)
	tail_bg t --backoff 100ms -n 20 --timeout 30s "ws://127.0.0.1:$P/full-stream"
	sleep 1.2
	serve core "$P"
	clients "$P" 1
	feed core "$T/recs"
	wait_tail t
	cmp "$T/t.out" "$T/recs"
	run cat "$T/t.err"
	assert_contains "Connection refused; reconnecting in"
	# 100 ms doubling: at most 5 tries in 1.2 s (50+100+200+400+800 ms
	# at the shortest), so it does not hammer the address
	n=$(grep -c 'Connection refused' "$T/t.err")
	[ "$n" -ge 2 ] && [ "$n" -le 6 ] || fail "$n tries: $output"
}

@test "ct-tail: a server that stalls is left after 3 times --heartbeat of silence" {
	bad stall
	SECONDS=0
	run ct-tail --heartbeat 300ms --backoff 50ms -n 2 --timeout 20s "ws://127.0.0.1:$BPORT/"
	assert_status 0
	assert_contains "nothing received for 0.9s (3 times --heartbeat); reconnecting in"
	[ "$SECONDS" -lt 10 ] || fail "took $SECONDS s"
	# it was asked for a sign of life after one interval, in vain
	grep -q '^conn 1: frame 9$' "$T/bad.log" || fail "no ping: $(cat "$T/bad.log")"
}

@test "ct-tail: a server that is idle but answers pings is kept" {
	bad pongs
	run ct-tail --heartbeat 200ms -n 2 --timeout 2s "ws://127.0.0.1:$BPORT/"
	assert_status 1
	assert_contains "timed out with 1 of 2 messages"
	assert_not_contains "nothing received"
	[ "$(grep -c '^conn 1: ping ct-tail$' "$T/bad.log")" -ge 3 ] || fail "$(cat "$T/bad.log")"
	! grep -q '^conn 2:' "$T/bad.log" || fail "connected again: $(cat "$T/bad.log")"
}

@test "ct-tail: garbage, masked and non-UTF-8 frames: closed with 1002 or 1007, then reconnected" {
	local m code why
	for m in garbage:1002:"invalid frame (0x83 0x00)" masked:1002:"invalid frame (0x81 0x87)" \
		badutf8:1007:"a text message that is not UTF-8"; do
		IFS=: read -r m code why <<<"$m"
		bad "$m"
		run ct-tail --backoff 50ms -n 2 --timeout 20s "ws://127.0.0.1:$BPORT/"
		assert_status 0
		assert_contains "ws://127.0.0.1:$BPORT/: $why; reconnecting in"
		[ "$(ct-tail -q -n 2 --backoff 50ms --timeout 20s "ws://127.0.0.1:$BPORT/" 2>/dev/null)" = \
			$'{"n":3}\n{"n":4}' ] || fail "$m: wrong messages"
		grep -q "^conn 1: close $code$" "$T/bad.log" || fail "$m: $(cat "$T/bad.log")"
		kill "$(cat "$T/bad.pid")"
	done
}

@test "ct-tail: a close frame is returned with its code, and ct-tail connects again" {
	bad close
	run ct-tail --backoff 50ms -n 2 --timeout 20s "ws://127.0.0.1:$BPORT/"
	assert_status 0
	assert_contains "closed by the server (1001 restart); reconnecting in"
	grep -q '^conn 1: close 1001$' "$T/bad.log" || fail "$(cat "$T/bad.log")"
}

@test "ct-tail: a huge frame is refused from its head (1009), in bounded memory; so are long messages and lines" {
	bad huge
	/usr/bin/time -f '%M' -o "$T/rss" ct-tail --max-message 1048576 --backoff 50ms -n 2 --timeout 20s \
		"ws://127.0.0.1:$BPORT/" >"$T/out" 2>"$T/err" || fail "$(cat "$T/err")"
	[ "$(cat "$T/out")" = $'{"n":1}\n{"n":2}' ] || fail "$(cat "$T/out")"
	grep -q "a frame of 1073741824 bytes, over the limit of 1048576 (--max-message); reconnecting in" "$T/err" ||
		fail "$(cat "$T/err")"
	if [ "$CT_VARIANT" = rel ]; then
		[ "$(tail -1 "$T/rss")" -lt 20000 ] || fail "max RSS $(cat "$T/rss") KiB"
	fi
	kill "$(cat "$T/bad.pid")"
	bad bigmsg
	run ct-tail --max-message 1048576 --backoff 50ms -n 2 --timeout 20s "ws://127.0.0.1:$BPORT/"
	assert_status 0
	assert_contains "a message of more than 1048576 bytes (--max-message)"
	grep -q '^conn 1: close 1009$' "$T/bad.log" || fail "$(cat "$T/bad.log")"
	kill "$(cat "$T/bad.pid")"
	bad longline
	run ct-tail --max-message 1048576 --backoff 50ms -n 2 --timeout 20s "tcp://127.0.0.1:$BPORT"
	assert_status 0
	assert_contains "a line of more than 1048576 bytes (--max-message)"
}

@test "ct-tail: fragments are put together around a ping, which is answered" {
	bad fragments
	run ct-tail -q -n 2 --timeout 20s "ws://127.0.0.1:$BPORT/"
	assert_status 0
	[ "$output" = $'{"n":1}\n{"message_type":"certificate_update","n":101}' ] || fail "$output"
	for _ in $(seq 50); do grep -q '^conn 1: pong hi$' "$T/bad.log" && break; sleep 0.05; done
	grep -q '^conn 1: pong hi$' "$T/bad.log" || fail "$(cat "$T/bad.log")"
}

@test "ct-tail: binary and non-JSON messages are skipped with one line each, and the status is 1" {
	bad binary
	run ct-tail -q -n 2 --timeout 20s "ws://127.0.0.1:$BPORT/"
	assert_status 1
	[ "$output" = "$(printf '{"n":1}\nct-tail: ws://127.0.0.1:%s/: message 2: a binary message, skipped\n{"after":1}' "$BPORT")" ] ||
		[ "$output" = "$(printf 'ct-tail: ws://127.0.0.1:%s/: message 2: a binary message, skipped\n{"n":1}\n{"after":1}' "$BPORT")" ] ||
		fail "$output"
	kill "$(cat "$T/bad.pid")"
	bad notjson
	ct-tail -q -n 2 --timeout 20s "ws://127.0.0.1:$BPORT/" >"$T/out" 2>"$T/err" && fail "exit 0"
	[ "$(cat "$T/out")" = $'{"n":1}\n{"after":1}' ] || fail "$(cat "$T/out")"
	[ "$(cat "$T/err")" = "ct-tail: ws://127.0.0.1:$BPORT/: message 2: not a JSON object, skipped" ] || fail "$(cat "$T/err")"
}

@test "ct-tail: a message with CR and LF between its tokens and at its end is one line" {
	bad pretty
	ct-tail -q -n 2 --timeout 20s "ws://127.0.0.1:$BPORT/" >"$T/out"
	assert_line_count_file "$T/out" 2
	[ "$(sed -n 2p "$T/out")" = '{   "n": 101,    "a": [1,  2] }' ] || fail "$(od -c "$T/out" | tail -5)"
}

@test "ct-tail: final answers (404, a wrong accept, 401) end it at once; 503 is tried again" {
	bad 404
	run ct-tail --timeout 20s "ws://127.0.0.1:$BPORT/nope"
	assert_status 1
	[ "$output" = "ct-tail: ws://127.0.0.1:$BPORT/nope: HTTP 404 Not Found, not a WebSocket upgrade" ] || fail "$output"
	kill "$(cat "$T/bad.pid")"
	bad badaccept
	run ct-tail --timeout 20s "ws://127.0.0.1:$BPORT/"
	assert_status 1
	assert_contains "wrong Sec-WebSocket-Accept"
	kill "$(cat "$T/bad.pid")"
	bad 503once
	run ct-tail --backoff 50ms -n 1 --timeout 20s "ws://127.0.0.1:$BPORT/"
	assert_status 0
	assert_contains "HTTP 503 Service Unavailable, not a WebSocket upgrade; reconnecting in"
	assert_contains '{"n":2}'
	P=$(free_port)
	serve core "$P" --token s3cret --heartbeat 100ms
	run ct-tail --timeout 20s "http://127.0.0.1:$P/"
	assert_status 1
	assert_contains "HTTP 401"
	run ct-tail -q -t s3cret -n 1 --heartbeats --timeout 20s "http://127.0.0.1:$P/"
	assert_status 0
	assert_contains '"heartbeat"'
}

@test "ct-tail: SSE with chunks that cut lines, CRLF, comments, an event of two data lines" {
	bad sse
	run ct-tail -q -n 2 --timeout 20s "http://127.0.0.1:$BPORT/"
	assert_status 0
	[ "$output" = $'{"n":1, "two":2}\n{"n":101}' ] || fail "$output"
	grep -q '^conn 1: GET /sse HTTP/1.1$' "$T/bad.log"
}

@test "ct-tail: certstream-server-go's streams are read unchanged" {
	local deb
	deb=$(ls "$DEBS"/certstream-server-go_*.deb 2>/dev/null | head -1)
	[ -n "$deb" ] || missing "certstream-server-go not in $DEBS"
	$PY -c 'import websockets' 2>/dev/null || missing "python3-websockets not installed"
	command -v ct-testlog >/dev/null || missing "ct-testlog not built (make tools)"
	dpkg -x "$deb" "$T/csgo"
	mk_cert_entries "$T/entries"
	testlog tl --size 10 --grow 20 --entries "$T/entries"
	G=$(free_port)
	csgo_yml "$G" additional_logs "http://127.0.0.1:$(tl_port tl)" "test log" >"$T/csgo.yml"
	(cd "$T" && GODEBUG=httpmuxgo121=0 exec "$T/csgo/usr/bin/certstream-server-go" -c "$T/csgo.yml") >"$T/csgo.log" 2>&1 3>&- &
	echo $! >"$T/csgo.pid"
	for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$G") 2>/dev/null && break; sleep 0.1; done
	# ct-tail and an independent client, both in before the first batch
	tail_bg full -n 5 --timeout 60s --stream full "ws://127.0.0.1:$G"
	tail_bg lite -n 5 --timeout 60s "ws://127.0.0.1:$G/"
	tail_bg dom -n 5 --timeout 60s --stream domains "ws://127.0.0.1:$G"
	$PY "$WS" "ws://127.0.0.1:$G/full-stream" 5 60 >"$T/py.out" 2>/dev/null 3>&- &
	echo $! >"$T/py.pid"
	wait_tail full
	wait_tail lite
	wait_tail dom
	wait "$(cat "$T/py.pid")" || fail "the Python client got too little"
	rm "$T/py.pid"
	# Go ends each message with a newline, the line's own end here
	cmp <(sed '/^$/d' "$T/py.out") "$T/full.out" || fail "full differs from what the Python client got"
	[ "$(jq -r '.message_type' "$T/full.out" "$T/lite.out" | sort -u)" = certificate_update ]
	[ "$(jq -r '.message_type' "$T/dom.out" | sort -u)" = dns_entries ]
	jq -e 'select(.data.leaf_cert.as_der)' "$T/full.out" >/dev/null || fail "full has no as_der"
	jq -e 'select(.data.leaf_cert.as_der)' "$T/lite.out" >/dev/null && fail "lite has as_der"
	true
}

@test "ct-tail: >/dev/full is a write error; | head -1 ends it quietly" {
	P=$(free_port)
	serve core "$P" --heartbeat 100ms
	run bash -c "ct-tail -q --heartbeats -n 1 --timeout 20s ws://127.0.0.1:$P/ >/dev/full"
	assert_status 1
	[ "$output" = "ct-tail: write error: No space left on device" ] || fail "$output"
	pipe_head1 ct-tail -q --heartbeats --timeout 20s "ws://127.0.0.1:$P/"
	[ "$status" -eq 141 ] || fail "status $status"
	jq -e '.message_type == "heartbeat"' <<<"$output" >/dev/null || fail "$output"
	# with SIGPIPE ignored by its parent, a closed pipe is a write error
	run bash -c "trap '' PIPE; ct-tail -q --heartbeats --timeout 20s ws://127.0.0.1:$P/ 2>$T/err | head -n 1; exit \${PIPESTATUS[0]}"
	assert_status 1
	grep -q "write error: Broken pipe" "$T/err" || fail "$(cat "$T/err")"
}

@test "ct-tail: SIGTERM flushes and exits 0; --timeout ends the run, 1 when --count was not reached" {
	P=$(free_port)
	serve core "$P" --heartbeat 10s
	tail_bg t "ws://127.0.0.1:$P/full-stream"
	clients "$P" 1
	feed core "$T/recs"
	for _ in $(seq 100); do [ "$(grep -c '' "$T/t.out")" -ge 20 ] && break; sleep 0.05; done
	kill -TERM "$(cat "$T/t.pid")"
	wait_tail t
	cmp "$T/t.out" "$T/recs"
	SECONDS=0
	run ct-tail -q --timeout 1s "ws://127.0.0.1:$P/"
	assert_status 0
	[ -z "$output" ] || fail "$output"
	run ct-tail -q -n 5 --timeout 1s "ws://127.0.0.1:$P/"
	assert_status 1
	assert_contains "timed out with 0 of 5 messages"
	[ "$SECONDS" -lt 6 ] || fail "took $SECONDS s"
}
