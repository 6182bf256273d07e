#!/usr/bin/env bats
# ct-dedup: windowed, bounded duplicate removal.
load common

MK="$CT_TOP/tests/lib/mkcertrecords.py"

@test "ct-dedup: --help, --version, bad option, man page options" {
	check_cli_contract ct-dedup
	check_man_options ct-dedup
	run ct-dedup --ttl 0s </dev/null
	assert_status 2
	run ct-dedup --capacity 0 </dev/null
	assert_status 2
	run ct-dedup --key 'a..b' </dev/null
	assert_status 2
}

@test "ct-dedup: the same certificate from several logs passes once, byte-identical" {
	python3 "$MK" 300 --dup-every 3 >"$T/in"
	run ct-dedup "$T/in"
	assert_status 0
	assert_line_count 100
	# every passed line is an input line, unchanged, in input order
	grep -Fx -f <(printf '%s\n' "$output") "$T/in" | cmp - <(printf '%s\n' "$output")
	[ "$(jq -r .data.source.url <<<"$output" | sort -u)" = "https://log0.example/ct" ] || fail "first copy wins"
}

@test "ct-dedup: lines without the key pass untouched, malformed lines too" {
	python3 "$MK" 2 >"$T/c"
	{
		echo '{"message_type":"heartbeat","timestamp":1767225660.123}'
		cat "$T/c" "$T/c"
		echo 'not json at all'
		echo '{"data":{"leaf_cert":{"sha256":'
		echo '{"message_type":"heartbeat","timestamp":1767225660.123}'
	} >"$T/in"
	run ct-dedup --stats "$T/in"
	assert_status 0
	[ "$(grep -c heartbeat <<<"$output")" -eq 2 ] || fail "$output"
	assert_contains 'not json at all'
	assert_contains '{"data":{"leaf_cert":{"sha256":'
	assert_contains "ct-dedup: seen 4 passed 2 dropped 2 evicted 0 expired 0 held 2 unkeyed 4"
}

@test "ct-dedup: --key tbs collapses a precertificate and its certificate" {
	python3 "$MK" 2 >"$T/c"
	# same tbs_sha256, different sha256: what ct-parse gives a precert/cert pair
	jq -c '.data.update_type = "PrecertLogEntry" | .data.leaf_cert.sha256 = "P\(.data.cert_index)"' "$T/c" >"$T/in"
	cat "$T/c" >>"$T/in"
	run ct-dedup "$T/in"
	assert_status 0
	[ "$output" = "$(cat "$T/in")" ] || fail "$output"
	run ct-dedup --key tbs "$T/in"
	assert_status 0
	[ "$output" = "$(head -n 2 "$T/in")" ] || fail "$output"
	[ "$(jq -r .data.update_type <<<"$output" | sort -u)" = PrecertLogEntry ] || fail "$output"
}

@test "ct-dedup: --key PATH works on entry records and any NDJSON" {
	printf '%s\n' '{"log":"a","index":1,"leaf_input":"AAA"}' '{"log":"b","index":1,"leaf_input":"AAA"}' \
		'{"log":"a","index":2,"leaf_input":"BBB"}' '{"x":[{"k":7}]}' '{"x":[{"k":7}]}' >"$T/in"
	# AAA twice: one drops; lines without the key pass
	run ct-dedup --key leaf_input "$T/in"
	assert_status 0
	[ "$output" = "$(sed 2d "$T/in")" ] || fail "$output"
	run ct-dedup --key x.0.k "$T/in"
	assert_status 0
	[ "$output" = "$(sed 5d "$T/in")" ] || fail "$output"
}

@test "ct-dedup: a key passes again after the TTL" {
	python3 "$MK" 1 >"$T/c"
	mkfifo "$T/fifo"
	ct-dedup --ttl 1s -u <"$T/fifo" >"$T/out" &
	pid=$!
	exec 7>"$T/fifo"
	cat "$T/c" >&7
	cat "$T/c" >&7
	sleep 2.2
	cat "$T/c" >&7
	exec 7>&-
	wait "$pid"
	cat "$T/c" "$T/c" | cmp - "$T/out" || fail "want the record twice, got: $(cat "$T/out")"
}

@test "ct-dedup: capacity holds, oldest keys go first, memory follows the capacity" {
	python3 "$MK" 3000 >"$T/in"
	tail -n 1000 "$T/in" >"$T/last"
	head -n 1000 "$T/in" >"$T/first"
	# after 3000 keys through 1000 places the last 1000 are held (they
	# drop), the first 1000 were evicted (they pass again)
	run ct-dedup --capacity 1000 --stats "$T/in" "$T/last" "$T/first"
	assert_status 0
	assert_contains "seen 5000 passed 4000 dropped 1000 evicted 3000"
	# RSS is only meaningful without ASan's shadow memory and quarantine.
	[ "$CT_VARIANT" = rel ] || return 0
	python3 - "$T/keys" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(1500000):
        f.write('{"k":"%d"}\n' % i)
PY
	/usr/bin/time -f %M -o "$T/small" ct-dedup --key k --capacity 10000 "$T/keys" >/dev/null
	/usr/bin/time -f %M -o "$T/big" ct-dedup --key k --capacity 1000000 "$T/keys" >/dev/null
	small=$(cat "$T/small") big=$(cat "$T/big")
	echo "# max RSS: capacity 1e4 ${small} KiB, capacity 1e6 ${big} KiB" >&3
	# 1e6 keys at <= 48 bytes each is 46875 KiB over the small run
	[ $((big - small)) -le 46875 ] || fail "RSS grew by $((big - small)) KiB for 1e6 keys"
	[ "$small" -le 30000 ] || fail "capacity 1e4 used $small KiB"
}

@test "ct-dedup: --state carries the window over a restart; SIGTERM saves it" {
	python3 "$MK" 50 >"$T/in"
	run ct-dedup --state "$T/st" "$T/in"
	assert_status 0
	[ "$output" = "$(cat "$T/in")" ] || fail "$output"
	[ -s "$T/st" ] || fail "no state file"
	run ct-dedup --state "$T/st" "$T/in"
	assert_status 0
	[ -z "$output" ] || fail "the restart passed duplicates: $(wc -l <<<"$output")"
	# a running ct-dedup stopped by SIGTERM flushes and saves
	rm -f "$T/st"
	mkfifo "$T/fifo"
	ct-dedup --state "$T/st" <"$T/fifo" >"$T/out" &
	pid=$!
	exec 7>"$T/fifo"
	head -20 "$T/in" >&7
	for _ in $(seq 50); do [ -s "$T/out" ] && break; sleep 0.1; done
	sleep 0.3
	kill -TERM "$pid"
	wait "$pid" || fail "exit status $?"
	exec 7>&-
	head -n 20 "$T/in" | cmp - "$T/out" || fail "output not flushed"
	run ct-dedup --state "$T/st" "$T/in"
	assert_status 0
	[ "$output" = "$(tail -n 30 "$T/in")" ] || fail "$output"
	# a corrupt state file is reported and ignored, not trusted
	printf 'garbage' >"$T/st"
	run ct-dedup --state "$T/st" "$T/in"
	assert_status 0
	assert_contains "ct-dedup: $T/st: not a ct-dedup state file; starting with an empty window"
}

@test "ct-dedup: SIGUSR1 prints the counters" {
	python3 "$MK" 5 >"$T/in"
	mkfifo "$T/fifo"
	ct-dedup <"$T/fifo" >/dev/null 2>"$T/err" &
	pid=$!
	exec 7>"$T/fifo"
	cat "$T/in" "$T/in" >&7
	sleep 0.5
	kill -USR1 "$pid"
	sleep 0.5
	exec 7>&-
	wait "$pid"
	grep -q "ct-dedup: seen 10 passed 5 dropped 5" "$T/err" || fail "$(cat "$T/err")"
}

@test "ct-dedup: /dev/full fails loudly, | head -1 is quiet" {
	python3 "$MK" 3000 >"$T/in"
	run bash -c "ct-dedup '$T/in' >/dev/full"
	assert_status 1
	assert_contains "ct-dedup: write error"
	# 3000 records, 17 MB: SIGPIPE ends ct-dedup (141) after a whole line.
	pipe_head1 ct-dedup "$T/in"
	assert_status 141
	[ "$output" = "$(head -n 1 "$T/in")" ] || fail "first line: $output"
}

@test "ct-dedup: real certificates from the fixtures, through ct-parse" {
	need_fixtures
	jq -c '.[] | {log: .log_url, log_name, index: .cert_index, leaf_input, extra_data}' \
		"$FIX/rfc6962/certstream_live_ct_parser_snapshot.json" >"$T/e"
	cat "$T/e" "$T/e" | ct-parse >"$T/c"
	assert_line_count_file "$T/c" 80
	run ct-dedup "$T/c"
	assert_status 0
	[ "$output" = "$(head -n 40 "$T/c")" ] || fail "$output"
}
