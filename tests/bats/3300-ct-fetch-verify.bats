#!/usr/bin/env bats
# ct-fetch on static-ct-api logs and the verification of both kinds:
# the test log's two APIs over one tree, every static fault, signatures
# and Merkle roots, and the real Navigli2025h2 tiles when present.
load common

teardown_more() {
	[ -f "$T/pids" ] && xargs -r kill <"$T/pids" 2>/dev/null
	jobs -p | xargs -r kill 2>/dev/null || true
}

records() { jq -c '{index, leaf_input, extra_data}' "$1"; }

@test "static-ct-api: both APIs of one tree give byte-identical records and one verified root" {
	mk_cert_entries "$T/made.ndjson"
	testlog t --size 1000 --entries "$T/made.ndjson" --gzip
	ct-fetch --logs "$T/t.log" --from-start --state-dir "$T/a" >"$T/a.out" 2>"$T/a.err" ||
		fail "$(cat "$T/a.err")"
	ct-fetch --logs "$T/t.static" --from-start --state-dir "$T/b" --stats "$T/b.json" \
		>"$T/b.out" 2>"$T/b.err" || fail "$(cat "$T/b.err")"
	check_range "$T/a.out" 0 999
	cmp <(records "$T/a.out") <(records "$T/b.out") || fail "the two APIs differ"
	[ "$(jq -r .verified_root "$T"/a/*.state)" = "$(jq -r .verified_root "$T"/b/*.state)" ] ||
		fail "roots differ"
	jq -e '.[0].verified == "signed" and .[0].verified_size == 1000 and .[0].type == "static"' \
		"$T/b.json" >/dev/null || fail "$(cat "$T/b.json")"
	# and they parse
	run bash -c "ct-parse -f lite '$T/b.out' | jq -r .data.update_type | sort -u"
	assert_contains "PrecertLogEntry"
	assert_contains "X509LogEntry"
	# as entries of a static log: source.type and the data tile's link
	jq -se 'all(.[]; .log_type == "static")' "$T/b.out" >/dev/null || fail "no log_type static"
	jq -se 'all(.[]; has("log_type") | not)' "$T/a.out" >/dev/null || fail "log_type in RFC 6962 records"
	p=$(tl_port t)
	ct-parse -f lite "$T/b.out" | jq -se --arg u "http://127.0.0.1:$p" 'map(.data) | all(.[]; .source.type == "static")
	  and .[300].cert_link == $u + "/tile/data/001" and .[300].source.url == $u' >/dev/null ||
		fail "$(ct-parse -f lite "$T/b.out" | sed -n 301p)"
}

@test "verification: mid-log starts and range ends over both APIs (proofs, hash tiles)" {
	testlog m --size 1000
	for kind in log static; do
		for r in "0 999" "1 999" "255 999" "256 999" "300 999" "777 999" "999 999"; do
			set -- $r
			ct-fetch --logs "$T/m.$kind" --start "$1" --end "$2" --stats "$T/s.json" \
				>"$T/out" 2>"$T/err" || fail "$kind $r: $(cat "$T/err")"
			check_range "$T/out" "$1" "$2"
			jq -e '.[0].verified == "signed" and .[0].verified_size == 1000' "$T/s.json" >/dev/null ||
				fail "$kind $r: $(cat "$T/s.json")"
		done
	done
	for kind in log static; do
		ct-fetch --logs "$T/m.$kind" --start 300 --end 600 --stats "$T/s.json" >"$T/out" 2>"$T/err"
		jq -e '.[0].verified == "signed" and .[0].verified_size == 601' "$T/s.json" >/dev/null ||
			fail "$kind: $(cat "$T/s.json")"
	done
	# follow with state: the range lives in the state file and grows
	ct-fetch --logs "$T/m.static" --state-dir "$T/st" --from-start >/dev/null 2>&1
	ctl() { curl -fsS "http://127.0.0.1:$(tl_port m)/ctl/$1" >/dev/null; }
	ctl "grow?n=333"
	ct-fetch --logs "$T/m.static" --state-dir "$T/st" --stats "$T/s.json" >"$T/out" 2>"$T/err"
	check_range "$T/out" 1000 1332
	jq -e '.[0].verified_size == 1333' "$T/s.json" >/dev/null || fail "$(cat "$T/s.json")"
	jq -e '.range | startswith("1333:")' "$T"/st/*.state >/dev/null || fail "$(cat "$T"/st/*.state)"
}

@test "verification: a bad signature stops the log (or warns); another tree is a MISMATCH, entries still out" {
	testlog b --size 300 --fault get-sth:badsig:1 --fault checkpoint:badsig:1
	for kind in log static; do
		run ct-fetch --logs "$T/b.$kind" --start 0 --end 299
		assert_status 1
		assert_contains "BAD SIGNATURE on the head of size 300"
		run ct-fetch --logs "$T/b.$kind" --start 0 --end 299 --bad-signature warn --stats "$T/s.json"
		assert_status 1
		assert_contains "going on (--bad-signature warn)"
		jq -e '.[0].bad_signatures >= 1 and .[0].verified == "MISMATCH"' "$T/s.json" >/dev/null ||
			fail "$(cat "$T/s.json")"
	done
	testlog o --size 300 --fault get-sth:othertree:1 --fault checkpoint:othertree:1
	for kind in log static; do
		ct-fetch --logs "$T/o.$kind" --start 0 --end 299 --stats "$T/s.json" >"$T/out" 2>"$T/err" &&
			fail "exit 0 on another tree"
		check_range "$T/out" 0 299
		grep -q 'o.*: MERKLE MISMATCH at size 300: the signed root is [0-9a-f]\{64\}, the entries give [0-9a-f]\{64\}' "$T/err" ||
			fail "$kind: $(cat "$T/err")"
		jq -e '.[0].mismatches == 1 and .[0].verified == "MISMATCH"' "$T/s.json" >/dev/null ||
			fail "$(cat "$T/s.json")"
	done
	# mid-log: the proof of the first entry fails against another tree
	ct-fetch --logs "$T/o.log" --start 100 --end 299 >"$T/out" 2>"$T/err" && fail "exit 0"
	check_range "$T/out" 100 299
	grep -q 'MERKLE MISMATCH: entry 100 is not in the signed tree of size 300' "$T/err" || fail "$(cat "$T/err")"
}

@test "verification: a split view (same size, another root, validly signed) is a MISMATCH: follow, restart and range runs, both APIs" {
	testlog v --size 300
	ctl() { curl -fsS "http://127.0.0.1:$(tl_port v)/ctl/$1" >/dev/null; }
	mismatch='v.*: MERKLE MISMATCH at size 300: a signed head with root [0-9a-f]\{64\}, but root [0-9a-f]\{64\} was signed for the same size before (a split view'
	for kind in log static; do
		ctl clear
		ct-fetch --logs "$T/v.$kind" --from-start --state-dir "$T/st.$kind" >"$T/out" 2>"$T/err" ||
			fail "$kind: $(cat "$T/err")"
		check_range "$T/out" 0 299
		jq -e '.verified_size == 300' "$T"/st.$kind/*.state >/dev/null || fail "$(cat "$T"/st.$kind/*.state)"
		st=$(ls "$T"/st.$kind/*.state)
		cp "$st" "$T/saved.state"
		ctl "fault?spec=get-sth:othertree"
		ctl "fault?spec=checkpoint:othertree"
		# a restart from the state file: the head of the verified size
		# now has another root
		run ct-fetch --logs "$T/v.$kind" --state-dir "$T/st.$kind" --stats "$T/s.json"
		assert_status 1
		printf '%s\n' "$output" | grep -q "$mismatch" || fail "$kind restart: $output"
		jq -e '.[0].mismatches == 1 and .[0].verified == "MISMATCH"' "$T/s.json" >/dev/null ||
			fail "$kind: $(cat "$T/s.json")"
		# a range run: the state's verified head is checked, its
		# position is left alone
		cp "$T/saved.state" "$st"
		run ct-fetch --logs "$T/v.$kind" --start 300 --state-dir "$T/st.$kind"
		assert_status 1
		printf '%s\n' "$output" | grep -q "$mismatch" || fail "$kind range: $output"
		cmp "$T/saved.state" "$st" || fail "$kind: a range run changed the state"
		# one run in --follow: the head changes root between two polls
		ctl clear
		ct-fetch --logs "$T/v.$kind" --from-start --follow --poll 100ms >"$T/out" 2>"$T/err" &
		pid=$!
		sleep 1
		ctl "fault?spec=get-sth:othertree"
		ctl "fault?spec=checkpoint:othertree"
		sleep 1
		kill "$pid"
		wait "$pid" && fail "$kind follow: exit 0 after a split view"
		check_range "$T/out" 0 299
		[ "$(grep -c "$mismatch" "$T/err")" -eq 1 ] || fail "$kind follow, once per root: $(cat "$T/err")"
	done
}

@test "static-ct-api faults: each detected, reported, nothing lost" {
	static_case() {
		local spec=$1 want=$2; shift 2
		testlog f --size 700 --fault "$spec" "$@"
		ct-fetch --backoff 10ms --timeout 2s --logs "$T/f.static" --start 0 --end 699 \
			--stats "$T/s.json" >"$T/out" 2>"$T/err" || fail "$spec: exit $? $(head -5 "$T/err")"
		check_range "$T/out" 0 699 || fail "$spec: $(head -3 "$T/err")"
		[ -z "$want" ] || grep -q -- "$want" "$T/err" || fail "$spec: no '$want' in: $(head -5 "$T/err")"
		jq -e '.[0].verified == "signed"' "$T/s.json" >/dev/null || fail "$spec: $(cat "$T/s.json")"
		kill "$(tail -1 "$T/pids")"
	}
	static_case data:gzipbad:2x2 'data tile'
	static_case data:oversize:2x1 'a response over 64 MiB'
	static_case data:wrongcount:2x2 '[0-9]* leaves, not [0-9]*'
	static_case data:500:3x2 'HTTP 500'
	static_case data:truncate:2x1 'Transferred a partial file\|partial'
	static_case issuer:404:1x2 'issuer [0-9a-f]\{64\}: HTTP 404'
	static_case issuer:oversize:1x1 'issuer [0-9a-f]\{64\}: a response over 128 KiB'
	static_case checkpoint:garbage:1x2 'checkpoint: '
	static_case checkpoint:429:1x1:1 'HTTP 429 with Retry-After'
	static_case tile:404:1x1 '' --gzip
	static_case data:latency:1:20 '' --gzip
	# the smallest issuer cache still gets every chain whole
	mk_cert_entries "$T/made.ndjson"
	testlog c --size 700 --entries "$T/made.ndjson"
	ct-fetch --issuer-cache 16 --logs "$T/c.static" --start 0 --end 699 >"$T/c.out" 2>"$T/err" ||
		fail "$(cat "$T/err")"
	ct-fetch --logs "$T/c.log" --start 0 --end 699 >"$T/c6962.out" 2>"$T/err" || fail "$(cat "$T/err")"
	cmp <(records "$T/c.out") <(records "$T/c6962.out") || fail "chains differ with a small issuer cache"
	# a checkpoint of another origin than the list says is refused
	testlog w --size 10 --origin elsewhere.example/log
	jq -c '.submission_url = "https://ct.example/log/"' "$T/w.static" >"$T/w.other"
	run ct-fetch --max-tries 2 --backoff 10ms --logs "$T/w.other" --start 0 --end 9
	assert_status 1
	assert_contains "checkpoint: wrong origin"
	# a tree that shrinks
	testlog s --size 300 --fault checkpoint:shrink:2x1:10
	ct-fetch --logs "$T/s.static" --follow --poll 100ms --backoff 10ms --from-start >"$T/out" 2>"$T/err" &
	pid=$!
	sleep 1.5
	kill "$pid"; wait "$pid" || true
	grep -q 'checkpoint: the tree shrank from 300 to 290' "$T/err" || fail "$(cat "$T/err")"
	check_range "$T/out" 0 299
}

@test "static-ct-api: a partial tile gone is fetched full once the log has grown" {
	testlog g --size 600 --grow 300 --fault data:nopartial:1x1
	ct-fetch --logs "$T/g.static" --follow --poll 100ms --backoff 50ms --from-start \
		--stats "$T/s.json" >"$T/out" 2>"$T/err" &
	pid=$!
	sleep 3
	kill -TERM "$pid"; wait "$pid" || fail "exit $? $(cat "$T/err")"
	last=$(tail -1 "$T/out" | jq .index)
	[ "$last" -gt 1000 ] || fail "only to $last"
	check_range "$T/out" 0 "$last"
	[ "$(curl -fsS "http://127.0.0.1:$(tl_port g)/ctl/stats" | jq .faults_fired)" = 1 ] || fail "no fault fired"
}

# The real Navigli2025h2 tiles (re-signed with a test key) on a plain
# static file server: complete (1024), and at the 778 checkpoint with
# its partial tiles.
@test "static-ct-api: the real Navigli2025h2 tiles from python3 -m http.server, verified, all parse" {
	need_fixtures
	local nv="$FIX/static-ct/navigli2025h2-testsigned"
	[ -d "$nv" ] || missing "no $nv"
	cp -r "$nv" "$T/nv"
	port=$(free_port)
	(cd "$T/nv" && exec python3 -m http.server --bind 127.0.0.1 "$port" >/dev/null 2>&1) &
	echo $! >>"$T/pids"
	for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/checkpoint" >/dev/null && break; sleep 0.05; done
	ct-loglist --no-verify --state all "$nv/log_list.testkey.json" |
		jq -c --arg u "http://127.0.0.1:$port/" '.url = $u' >"$T/nv.log"
	ct-fetch --logs "$T/nv.log" --from-start --stats "$T/s.json" >"$T/out" 2>"$T/err" ||
		fail "$(cat "$T/err")"
	assert_line_count_file "$T/out" 1024
	jq -e '.[0].verified == "signed" and .[0].verified_size == 1024' "$T/s.json" >/dev/null ||
		fail "$(cat "$T/s.json")"
	run bash -c "ct-parse -f lite '$T/out' 2>&1 >/dev/null | wc -l"
	[ "$output" = 0 ] || fail "ct-parse: $output errors"
	# the 778 checkpoint: data/003.p/10, 0/003.p/10, 1/000.p/3
	cp "$T/nv/checkpoint.size-778" "$T/nv/checkpoint"
	ct-fetch --logs "$T/nv.log" --from-start --stats "$T/s.json" >"$T/out" 2>"$T/err" ||
		fail "$(cat "$T/err")"
	assert_line_count_file "$T/out" 778
	jq -e '.[0].verified == "signed" and .[0].verified_size == 778' "$T/s.json" >/dev/null ||
		fail "$(cat "$T/s.json")"
	# from the middle: the range comes from the hash tiles
	ct-fetch --logs "$T/nv.log" --start 700 --end 777 --stats "$T/s.json" >"$T/out" 2>"$T/err" ||
		fail "$(cat "$T/err")"
	jq -e '.[0].verified_size == 778' "$T/s.json" >/dev/null || fail "$(cat "$T/s.json")"
}
