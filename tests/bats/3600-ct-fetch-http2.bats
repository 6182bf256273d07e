#!/usr/bin/env bats
# ct-fetch over HTTPS and HTTP/2: the test log behind nghttpx (Debian's
# nghttp2-proxy: TLS with ALPN h2 in front, HTTP/1.1 to the log behind),
# 100 ms of latency on every data request. The window's requests go as
# streams multiplexed on one connection; every index once, in order,
# verified, both APIs. And a log whose certificate is not trusted is an
# error that says so, never a silent fallback.
load common

teardown_more() {
	[ -f "$T/pids" ] && xargs -r kill <"$T/pids" 2>/dev/null
	true
}

# h2proxy NAME: nghttpx on a free port in front of the test log NAME;
# $T/NAME.h2log and $T/NAME.h2static are its log records through the
# proxy; the access log $T/access has "client-port alpn status path".
h2proxy() {
	command -v nghttpx >/dev/null || missing "no nghttpx (Debian package nghttp2-proxy)"
	mk_tls h2 IP:127.0.0.1
	NP=$(free_port)
	nghttpx --conf=/dev/null --frontend="127.0.0.1,$NP" --backend="127.0.0.1,$(tl_port "$1")" \
		--workers=1 --no-ocsp --accesslog-file="$T/access" \
		--accesslog-format='$remote_port $alpn $status $path' \
		--errorlog-file="$T/nghttpx.err" "$T/h2.key" "$T/h2.pem" &
	echo $! >>"$T/pids"
	for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$NP") 2>/dev/null && break; sleep 0.05; done
	jq -c ".url = \"https://127.0.0.1:$NP\"" "$T/$1.log" >"$T/$1.h2log"
	# static: only the monitoring prefix moves; the origin stays the
	# submission URL's
	jq -c ".url = \"https://127.0.0.1:$NP/\"" "$T/$1.static" >"$T/$1.h2static"
}

mk_tls() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/$1.key" \
		-out "$T/$1.pem" -days 2 -subj "/CN=test" -addext "subjectAltName=$2" 2>/dev/null
}

@test "HTTP/2: the window's requests multiplexed on one TLS connection, both APIs, every index in order" {
	testlog h --size 4000 --max-page 100 --fault get-entries:latency:1:100 --fault data:latency:1:100
	h2proxy h
	for kind in h2log h2static; do
		: >"$T/access"
		ct-fetch --cacert "$T/h2.pem" --logs "$T/h.$kind" --start 0 --end 3999 \
			--stats "$T/s.json" >"$T/out" 2>"$T/err" || fail "$kind: exit $?: $(cat "$T/err")"
		check_range "$T/out" 0 3999 || fail "$kind: $(cat "$T/err")"
		jq -e '.[0].verified == "signed" and .[0].verified_size == 4000' "$T/s.json" >/dev/null ||
			fail "$kind: $(cat "$T/s.json")"
		# more than one request in flight at a time ...
		jq -e '.[0].window_max > 1' "$T/s.json" >/dev/null || fail "$kind: $(cat "$T/s.json")"
		# ... all over HTTP/2, on one connection (one client port)
		n=$(wc -l <"$T/access")
		[ "$n" -gt 15 ] || fail "$kind: $n requests: $(cat "$T/access")"
		run awk '$2 != "h2"' "$T/access"
		[ -z "$output" ] || fail "$kind: not HTTP/2: $output"
		run awk '{ print $1 }' "$T/access"
		[ "$(sort -u <<<"$output" | wc -l)" = 1 ] || fail "$kind: connections: $(sort -u <<<"$output")"
	done
}

@test "HTTPS: a log whose certificate is not trusted fails with the reason, nothing written" {
	testlog h --size 100
	h2proxy h
	run ct-fetch --max-tries 2 --backoff 10ms --logs "$T/h.h2log" --start 0 --end 99
	assert_status 1
	assert_contains "certificate"
	[ -z "$(grep '^{' <<<"$output")" ] || fail "records written: $output"
	# --cacert of a file that is not there: a usage error
	run ct-fetch --cacert "$T/nope.pem" --logs "$T/h.h2log"
	assert_status 2
	assert_contains "nope.pem"
}
