#!/usr/bin/env bats
# ct-serve's web page: a browser (Accept: text/html) gets it at /, every
# other client what it got before (426 without Upgrade, the stream with);
# --no-page turns it off; and in headless Chromium (tests/lib/pagecheck.py)
# the feed fills, the filter narrows it, the log table shows the test log,
# at desktop and phone width, with no CSP violation.
load common

teardown_more() {
	[ -f "$T/pids" ] && xargs -r kill <"$T/pids" 2>/dev/null
	# pagecheck.py stops its chromium; should it have been killed first,
	# its profile in this test's folder ($T/chr) names what is left
	pkill -f -- "--user-data-dir=$T/" 2>/dev/null
	for _ in $(seq 50); do pgrep -f -- "--user-data-dir=$T/" >/dev/null || break; sleep 0.1; done
	true
}

HTML='Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'

# serve ARGS: ct-serve on $PORT with ARGS, records from $T/in (a FIFO,
# kept open on fd 7 so ct-serve's input does not end)
serve() {
	PORT=$(free_port)
	mkfifo "$T/in"
	ct-serve --listen "127.0.0.1:$PORT" "$@" <"$T/in" 2>"$T/serve.err" &
	echo $! >>"$T/pids"
	exec 7>"$T/in"
	for _ in $(seq 200); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.05; done
}

@test "ct-serve page: a browser gets it at /, curl and WebSocket clients what they got before" {
	serve
	# a browser: the page, under its CSP, and its script and style
	curl -fsS -D "$T/h" -H "$HTML" "http://127.0.0.1:$PORT/" -o "$T/page.html"
	cmp "$T/page.html" "$CT_TOP/cmd/ct-serve/page/index.html"
	grep -qi "^Content-Type: text/html; charset=utf-8" "$T/h" || fail "$(cat "$T/h")"
	grep -qi "^Content-Security-Policy: default-src 'self'" "$T/h" || fail "$(cat "$T/h")"
	grep -qi "^Vary: Accept" "$T/h" || fail "$(cat "$T/h")"
	curl -fsS -D "$T/h" "http://127.0.0.1:$PORT/page.js" -o "$T/page.js"
	cmp "$T/page.js" "$CT_TOP/cmd/ct-serve/page/page.js"
	grep -qi "^Content-Type: text/javascript" "$T/h" || fail "$(cat "$T/h")"
	curl -fsS -D "$T/h" "http://127.0.0.1:$PORT/page.css" -o "$T/page.css"
	cmp "$T/page.css" "$CT_TOP/cmd/ct-serve/page/page.css"
	grep -qi "^Content-Type: text/css" "$T/h" || fail "$(cat "$T/h")"
	curl -fsS "http://127.0.0.1:$PORT/favicon.svg" | cmp - "$CT_TOP/cmd/ct-serve/page/favicon.svg"
	# with a query too (a shared filter link, a token)
	run curl -sS -H "Accept: text/html" "http://127.0.0.1:$PORT/?domain=example.com"
	assert_contains "<!doctype html>"
	size=$(cat "$CT_TOP"/cmd/ct-serve/page/* | wc -c)
	echo "# the page: $size bytes (html, js, css, icon)" >&3
	[ "$size" -lt 30000 ] || fail "the page is $size bytes, over 30 KB"
	# everyone else: as before the page, byte for byte
	run curl -sS -i "http://127.0.0.1:$PORT/"
	assert_contains "HTTP/1.1 426 Upgrade Required"
	assert_contains "this is a certstream WebSocket endpoint"
	assert_not_contains "Content-Security-Policy"
	for a in "application/json" "*/*" "text/html;q=0" "text/plain, text/htmlx"; do
		run curl -sS -i -H "Accept: $a" "http://127.0.0.1:$PORT/"
		assert_contains "HTTP/1.1 426 Upgrade Required"
	done
	# a WebSocket upgrade that says text/html still gets the stream
	/usr/bin/python3 "$CT_TOP/tests/lib/wsclient.py" "ws://127.0.0.1:$PORT/" 2 10 "Accept=text/html" >"$T/ws.out" 2>"$T/ws.err" &
	wsc=$!
	for _ in $(seq 100); do grep -q connected "$T/ws.err" && break; sleep 0.05; done
	python3 "$CT_TOP/tests/lib/mkcertrecords.py" 2 >&7
	wait "$wsc" || fail "the WebSocket client on /: $(cat "$T/ws.out" "$T/ws.err")"
	[ "$(jq -r .message_type "$T/ws.out" | sort -u)" = certificate_update ] || fail "$(cat "$T/ws.out")"
	[ "$(jq -r .data.cert_index "$T/ws.out" | tr '\n' ' ')" = "0 1 " ] || fail "$(cat "$T/ws.out")"
	# the lite stream: no DER
	[ "$(jq -r '.data.leaf_cert | has("as_der")' "$T/ws.out" | sort -u)" = false ]
	# the files are exact paths
	run curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/page.js/x"
	[ "$output" = 404 ] || fail "/page.js/x: $output"
}

@test "ct-serve page: with --token the page and its files need none, the streams still do" {
	serve --token s3cret
	run curl -sS -o /dev/null -w '%{http_code}' -H "$HTML" "http://127.0.0.1:$PORT/"
	[ "$output" = 200 ] || fail "page: $output"
	run curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/page.js"
	[ "$output" = 200 ] || fail "page.js: $output"
	run curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/"
	[ "$output" = 401 ] || fail "/ without Accept: $output"
	run curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/stats"
	[ "$output" = 401 ] || fail "api/stats: $output"
	run curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/stats?token=s3cret"
	[ "$output" = 200 ] || fail "api/stats with the token: $output"
}

@test "ct-serve page: --no-page (and no-page in a config file) serve / as before" {
	serve --no-page
	run curl -sS -i -H "$HTML" "http://127.0.0.1:$PORT/"
	assert_contains "HTTP/1.1 426 Upgrade Required"
	assert_not_contains "<!doctype"
	for p in page.js page.css favicon.svg; do
		run curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/$p"
		[ "$output" = 404 ] || fail "$p: $output"
	done
	# a config file says the same, and a reload turns the page back on
	xargs -r kill <"$T/pids"; rm -f "$T/pids" "$T/in"; exec 7>&-
	echo "no-page = true" >"$T/conf"
	serve --config "$T/conf"
	run curl -sS -i -H "$HTML" "http://127.0.0.1:$PORT/"
	assert_contains "HTTP/1.1 426 Upgrade Required"
	echo "no-page = false" >"$T/conf.new"
	mv "$T/conf.new" "$T/conf"
	for _ in $(seq 100); do
		curl -s -H "$HTML" "http://127.0.0.1:$PORT/" | grep -q '<!doctype' && break
		sleep 0.05
	done
	run curl -sS -i -H "$HTML" "http://127.0.0.1:$PORT/"
	assert_contains "<!doctype html>"
	run ct-serve --no-page=yes </dev/null
	assert_status 2
}

@test "ct-serve page: headless Chromium: feed, filter, pause, log table, phone width, reconnect, no CSP violation" {
	command -v chromium >/dev/null || missing "no chromium (apt-get install chromium)"
	/usr/bin/python3 -c 'import websockets' 2>/dev/null || missing "no python3-websockets"
	# a test log of 40 entries (a certificate and a precertificate made
	# here, in turn), fetched with --stats, parsed
	mk_cert_entries "$T/made.ndjson"
	testlog tl --size 40 --entries "$T/made.ndjson"
	ct-fetch -q --logs "$T/tl.log" --start 0 --end 39 --stats "$T/stats.json" 2>"$T/fetch.err" |
		ct-parse >"$T/recs" 2>"$T/parse.err"
	[ "$(grep -c '' "$T/recs")" = 40 ] || fail "records: $(grep -c '' "$T/recs"); $(cat "$T/fetch.err" "$T/parse.err")"
	jq -e '.[0].tree_size == 40 and .[0].name == "tl"' "$T/stats.json" >/dev/null || fail "$(cat "$T/stats.json")"
	# ct-serve on $PORT, the records fed again and again, about 25 a
	# second, as a live log; run again, it restarts ct-serve
	PORT=$(free_port)
	cat >"$T/serve.sh" <<-EOF
		#!/bin/sh
		# nothing left holding the caller's output open
		exec </dev/null >/dev/null 2>>"$T/serve.err" 3>&-
		if [ -f "$T/serve.pid" ]; then
			pid=\$(cat "$T/serve.pid")
			kill \$pid
			while kill -0 \$pid 2>/dev/null; do sleep 0.05; done
		fi
		while :; do
			while IFS= read -r l; do
				printf '%s\n' "\$l" || exit 0
				sleep 0.04
			done <"$T/recs"
		done | ct-serve --listen "127.0.0.1:$PORT" --fetch-stats "$T/stats.json" &
		echo \$! >"$T/serve.pid"
		echo \$! >>"$T/pids"
	EOF
	sh "$T/serve.sh"
	for _ in $(seq 200); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.05; done
	shots=$CT_TOP/build/$CT_VARIANT/page-shots
	rm -rf "$shots"
	mkdir -p "$shots"
	start=$(date +%s)
	PAGECHECK_PROFILE=$T/chr run timeout 90 /usr/bin/python3 "$CT_TOP/tests/lib/pagecheck.py" "http://127.0.0.1:$PORT/" "$shots" \
		".precert.example.test, nothing.example" tl 40 "sh $T/serve.sh"
	echo "$output" | sed 's/^/# /' >&3
	echo "# the browser checks took $(($(date +%s) - start)) s; screenshots in $shots" >&3
	[ "$status" = 0 ] || fail "pagecheck: status $status: $output; chromium: $(tail -n 5 "$shots/chromium.log")"
	assert_contains "every one matches"
	for s in desktop filtered phone phone-dark; do
		[ "$(head -c 8 "$shots/page-$s.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
			fail "$shots/page-$s.png is not a PNG"
	done
}
