#!/usr/bin/env bats
# ct-match: watchlist semantics, reload, output forms.
load common

# domains-only messages, one per name list given
dom() {
	for l in "$@"; do
		printf '{"message_type":"dns_entries","data":[%s]}\n' "$l"
	done
}

@test "ct-match: --help, --version, bad option, man page options" {
	check_cli_contract ct-match
	check_man_options ct-match
	run ct-match </dev/null
	assert_status 2
	assert_contains "no watchlist"
}

@test "ct-match: exact, covering, wildcard, IDN and case" {
	dom '"example.com"' '"www.example.com"' '"a.b.example.org"' '"example.org"' \
		'"*.example.net"' '"*.deep.example.net"' '"xn--bcher-kva.example"' \
		'"WWW.EXAMPLE.COM"' '"other.test","shop.example.org"' '"*.com"' >"$T/in"
	run ct-match -e www.example.com -e .example.org -e a.example.net -e bücher.example "$T/in"
	assert_status 0
	[ "$(jq -c .data <<<"$output" | paste -sd' ')" = \
	  '["www.example.com"] ["a.b.example.org"] ["example.org"] ["*.example.net"] ["xn--bcher-kva.example"] ["WWW.EXAMPLE.COM"] ["other.test","shop.example.org"]' ] ||
		fail "$output"
	# *.com covers example.com, which .example.com watches
	run ct-match -e .example.com "$T/in"
	assert_status 0
	[ "$(jq -c .data <<<"$output" | paste -sd' ')" = \
	  '["example.com"] ["www.example.com"] ["WWW.EXAMPLE.COM"] ["*.com"]' ] || fail "$output"
	# but not the exact item a.b.example.net: one label only
	run ct-match -e a.b.example.net "$T/in"
	assert_status 0
	[ -z "$output" ] || fail "$output"
	run ct-match -e .com "$T/in"
	assert_status 0
	[ "$(jq -c .data <<<"$output" | paste -sd' ')" = \
	  '["example.com"] ["www.example.com"] ["WWW.EXAMPLE.COM"] ["*.com"]' ] || fail "$output"
}

@test "ct-match: certificate records, --annotate, --invert, --count" {
	python3 "$CT_TOP/tests/lib/mkcertrecords.py" 100 >"$T/in"
	run ct-match -e .example7.com "$T/in"
	assert_status 0
	[ "$output" = "$(sed -n 8p "$T/in")" ] || fail "$output"
	run ct-match -c -e .example7.com -e sub50.example50.com "$T/in"
	assert_status 0
	[ "$output" = 2 ] || fail "$output"
	run ct-match -c -v -e .example7.com "$T/in"
	assert_status 0
	[ "$output" = 99 ] || fail "$output"
	run ct-match -a -e h0.sub7.example7.com "$T/in"
	assert_status 0
	jq -e '.match == {"watch":"h0.sub7.example7.com","name":"h0.sub7.example7.com"} and .data.cert_index == 7' \
		<<<"$output" >/dev/null || fail "$output"
	# the record is otherwise unchanged
	diff <(jq -c 'del(.match)' <<<"$output") <(sed -n 8p "$T/in")
	# heartbeats and non-JSON never match; --invert keeps them
	printf '%s\n' '{"message_type":"heartbeat","timestamp":1}' 'junk' >"$T/hb"
	run ct-match -e .example7.com "$T/hb"
	assert_status 0
	[ -z "$output" ] || fail "$output"
	run ct-match -v -e .example7.com "$T/hb"
	assert_status 0
	[ "$output" = "$(cat "$T/hb")" ] || fail "$output"
}

@test "ct-match: watchlist files, comments, bad items with file and line" {
	printf '# watch\n\nexample.com  # the apex\n.example.org\n' >"$T/w"
	dom '"example.com"' '"x.example.org"' '"x.example.com"' >"$T/in"
	run ct-match -f "$T/w" "$T/in"
	assert_status 0
	[ "$output" = "$(head -n 2 "$T/in")" ] || fail "$output"
	printf 'good.example\n*.bad.example\nfine.example\nbad..example\n' >"$T/bad"
	run ct-match -f "$T/bad" "$T/in"
	assert_status 2
	assert_contains "ct-match: $T/bad:2: a wildcard is not a watch item"
	assert_contains "ct-match: $T/bad:4: an empty label"
	run ct-match -f "$T/nope" "$T/in"
	assert_status 2
	assert_contains "$T/nope"
}

@test "ct-match: SIGHUP reloads the watchlist without losing records" {
	echo a.example >"$T/w"
	mkfifo "$T/fifo"
	ct-match -u -f "$T/w" <"$T/fifo" >"$T/out" 2>"$T/err" &
	pid=$!
	exec 7>"$T/fifo"
	dom '"a.example"' '"b.example"' >&7
	for _ in $(seq 50); do [ -s "$T/out" ] && break; sleep 0.1; done
	echo b.example >"$T/w"
	kill -HUP "$pid"
	sleep 0.5
	dom '"a.example"' '"b.example"' >&7
	echo 'b..broken' >"$T/w"
	kill -HUP "$pid"
	sleep 0.5
	dom '"b.example"' >&7
	exec 7>&-
	wait "$pid"
	[ "$(jq -c .data "$T/out" | paste -sd' ')" = '["a.example"] ["b.example"] ["b.example"]' ] ||
		fail "$(cat "$T/out")"
	grep -q "watchlist reloaded: 1 items" "$T/err" || fail "$(cat "$T/err")"
	grep -q "reload failed; keeping the previous watchlist" "$T/err" || fail "$(cat "$T/err")"
}

@test "ct-match: a million-item watchlist" {
	python3 -c '
for i in range(1000000):
    print(("." if i % 2 else "") + "w%d.example%d.com" % (i, i % 1000))' >"$T/w"
	dom '"w4.example4.com"' '"x.w5.example5.com"' '"w6.example6.com.evil"' '"*.example8.com"' >"$T/in"
	run ct-match -c -f "$T/w" "$T/in"
	assert_status 0
	[ "$output" = 3 ] || fail "$output"
}

@test "ct-match: real certificates from the fixtures, through ct-parse" {
	need_fixtures
	jq -c '.[] | {log: .log_url, log_name, index: .cert_index, leaf_input, extra_data}' \
		"$FIX/rfc6962/certstream_live_ct_parser_snapshot.json" | ct-parse -f lite >"$T/c"
	want=$(jq -r '.data.leaf_cert.all_domains[]' "$T/c" | grep -c '\.net$' || true)
	run ct-match -c -e .net "$T/c"
	assert_status 0
	[ "$output" -ge 1 ] && [ "$output" -le "$want" ] || fail "$output vs $want names"
	run ct-match -e portal.dragonjar.org "$T/c"
	assert_status 0
	[ "$output" = "$(grep -F '"portal.dragonjar.org"' "$T/c")" ] || fail "$output"
}

@test "ct-match: /dev/full fails loudly, | head -1 is quiet" {
	python3 "$CT_TOP/tests/lib/mkcertrecords.py" 3000 >"$T/in"
	run bash -c "ct-match -e .com '$T/in' >/dev/full"
	assert_status 1
	assert_contains "ct-match: write error"
	# every record matches, 17 MB: SIGPIPE ends ct-match (141) after a
	# whole first line.
	pipe_head1 ct-match -e .com "$T/in"
	assert_status 141
	[ "$output" = "$(head -n 1 "$T/in")" ] || fail "first line: $output"
}
