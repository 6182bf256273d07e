#!/usr/bin/env bats
# ct-serve in a real browser: headless Chromium (Debian chromium) opens
# a WebSocket on /domains-only and an EventSource on /sse from a page,
# and reports what it received.
load common

teardown_more() {
	exec 7>&- 2>/dev/null || true
	[ -f "$T/pids" ] && xargs -r kill <"$T/pids" 2>/dev/null
	# Chromium's helpers write into its profile while they go
	pkill -f -- "--user-data-dir=$T/chr" 2>/dev/null
	for _ in $(seq 50); do pgrep -f -- "--user-data-dir=$T/chr" >/dev/null || break; sleep 0.1; done
	true
}

@test "ct-serve: headless Chromium reads the stream over WebSocket and SSE" {
	command -v chromium >/dev/null || missing "no chromium (apt-get install chromium)"
	python3 "$CT_TOP/tests/lib/mkcertrecords.py" 20 >"$T/recs"
	port=$(free_port)
	mkfifo "$T/in"
	ct-serve --listen "127.0.0.1:$port" <"$T/in" 2>"$T/serve.err" &
	echo $! >>"$T/pids"
	exec 7>"$T/in"
	python3 "$CT_TOP/tests/lib/browserpage.py" "$T/report" >"$T/page.port" &
	echo $! >>"$T/pids"
	for _ in $(seq 400); do [ -s "$T/page.port" ] && curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.05; done
	url="http://127.0.0.1:$(cat "$T/page.port")/page.html?n=20&ws=ws://127.0.0.1:$port/domains-only&sse=http://127.0.0.1:$port/sse%3Fstream%3Ddomains"
	# --remote-debugging-port keeps headless Chromium on the page
	chromium --headless=new --no-sandbox --disable-gpu --no-first-run --user-data-dir="$T/chr" \
		--remote-debugging-port=0 \
		"$url" >"$T/chr.out" 2>&1 &
	echo $! >>"$T/pids"
	for _ in $(seq 300); do [ "$(grep -c '"open":true' "$T/report" 2>/dev/null)" = 2 ] && break; sleep 0.1; done
	[ "$(grep -c '"open":true' "$T/report" 2>/dev/null)" = 2 ] || fail "the page did not connect: $(tail -n 5 "$T/chr.out")"
	cat "$T/recs" >&7
	for _ in $(seq 150); do [ "$(grep -c '"n":20' "$T/report")" = 2 ] && break; sleep 0.1; done
	want=$(jq -s 'map(.data.leaf_cert.all_domains | length) | add' "$T/recs")
	for k in ws sse; do
		jq -s -e --arg k "$k" --argjson w "$want" 'map(select(.kind == $k and .n == 20))[0] | .domains | length == $w' \
			"$T/report" >/dev/null || fail "$k: $(cat "$T/report")"
	done
}
