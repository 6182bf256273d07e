#!/usr/bin/env bats
# ct-fetch against the test log (tests/tools/ct-testlog) on 127.0.0.1,
# with every fault it can inject: the output holds every index of the
# range once and in order, and state is right after each fault.
load common

# ctl NAME PATH: a control request to a running test log
ctl() { curl -fsS "http://127.0.0.1:$(tl_port "$1")/ctl/$2" >/dev/null; }

teardown_more() {
	[ -f "$T/pids" ] && xargs -r kill <"$T/pids" 2>/dev/null
	jobs -p | xargs -r kill 2>/dev/null || true
}

@test "ct-fetch: --help, --version, bad option, man page options" {
	check_cli_contract ct-fetch
	check_man_options ct-fetch
	run ct-fetch --start 10 --end 5 </dev/null
	assert_status 2
}

@test "ct-fetch: a backfill range, short pages: every index once, in order" {
	testlog a --size 2000 --max-page 37 --prefix /logs/a
	ct-fetch --logs "$T/a.log" --start 100 --end 1099 --batch 100 >"$T/out" 2>"$T/err" ||
		fail "exit $? $(cat "$T/err")"
	grep -q 'a: short page at 100: asked 100, got 37; asking 37 from now' "$T/err" ||
		fail "$(cat "$T/err")"
	check_range "$T/out" 100 1099
	jq -s -e 'map(select(.index == 100))[0] | .log == "http://127.0.0.1:'"$(tl_port a)"'/logs/a" and .log_name == "a"' "$T/out" >/dev/null ||
		fail "$(head -1 "$T/out")"
	# the end is clipped to the tree
	ct-fetch --logs "$T/a.log" --start 1990 --end 5000 >"$T/out" 2>/dev/null
	check_range "$T/out" 1990 1999
}

# one fault at a time, each on a fresh log: every index once, in order
fault_case() {
	local spec=$1 want=$2
	testlog f --size 300 --max-page 32 --fault "$spec"
	run ct-fetch --backoff 10ms --timeout 1s --logs "$T/f.log" --start 0 --end 299
	printf '%s\n' "$output" | grep '^{' >"$T/out" || true
	printf '%s\n' "$output" | grep -v '^{' >"$T/err" || true
	[ "$status" -eq 0 ] || fail "$spec: exit $status $(head -5 "$T/err")"
	check_range "$T/out" 0 299 || fail "$spec: $(head -3 "$T/err")"
	grep -q -- "$want" "$T/err" || fail "$spec: no '$want' in: $(head -5 "$T/err")"
	# the same through a state file: it ends at the tree head, exactly
	rm -rf "$T/st"
	ct-fetch --backoff 10ms --timeout 1s --logs "$T/f.log" --from-start --state-dir "$T/st" \
		>"$T/out" 2>"$T/err" || fail "$spec: state run: exit $? $(head -3 "$T/err")"
	check_range "$T/out" 0 299 || fail "$spec (state run): $(head -3 "$T/err")"
	[ "$(jq .next "$T"/st/*.state)" = 300 ] || fail "$spec: state $(cat "$T"/st/*.state)"
	kill "$(tail -1 "$T/pids")"
}

@test "ct-fetch: each get-entries fault is retried, reported, never skipped" {
	fault_case get-entries:500:3 'HTTP 500'
	fault_case get-entries:503:4 'HTTP 503'
	fault_case get-entries:400:5 'HTTP 400'
	fault_case get-entries:429:2:1 'HTTP 429 with Retry-After'
	fault_case get-entries:reset:1x3 'Failure when receiving\|Recv failure\|Connection reset\|Empty reply\|Server returned nothing'
	fault_case get-entries:truncate:3 'Transferred a partial file\|not a get-entries response'
	fault_case get-entries:garbage:3 'not a get-entries response'
	fault_case get-entries:badentry:4 'unknown leaf version'
	fault_case get-entries:short:2:5 'short page'
	fault_case get-entries:stall:5:5000 'Timeout was reached'
	fault_case get-entries:latency:1:30 ''
	fault_case get-sth:500:1x3 'get-sth.*HTTP 500\|HTTP 500'
	fault_case get-sth:garbage:1x2 'not an STH'
}

@test "ct-fetch: many logs at once, each in order" {
	testlog x --size 500 --max-page 50
	testlog y --size 300 --max-page 7
	testlog z --size 700
	cat "$T/x.log" "$T/y.log" "$T/z.log" | ct-fetch --start 0 --end 999 >"$T/out"
	for n in x y z; do jq -c "select(.log_name == \"$n\")" "$T/out" >"$T/$n.out"; done
	check_range "$T/x.out" 0 499
	check_range "$T/y.out" 0 299
	check_range "$T/z.out" 0 699
}

@test "ct-fetch: --follow with --state-dir: SIGTERM saves, a restart continues, nothing missed" {
	testlog g --size 100 --grow 100 --max-page 40
	ct-fetch --logs "$T/g.log" --follow --poll 200ms --from-start --state-dir "$T/st" \
		--stats "$T/stats.json" >"$T/out1" 2>"$T/err1" &
	pid=$!
	sleep 3
	kill -TERM "$pid"
	wait "$pid" || fail "exit status $? $(cat "$T/err1")"
	ls "$T/st"/*.state >/dev/null || fail "no state file"
	n1=$(wc -l <"$T/out1")
	[ "$n1" -gt 200 ] || fail "only $n1 entries in 3 s"
	next=$(jq .next "$T"/st/*.state)
	[ "$next" -eq "$n1" ] || fail "state says $next, wrote $n1"
	jq -e '.[0].name == "g" and .[0].fetched > 0 and .[0].errors == 0 and .[0].health == "healthy"' \
		"$T/stats.json" >/dev/null || fail "$(cat "$T/stats.json")"
	ct-fetch --logs "$T/g.log" --follow --poll 200ms --state-dir "$T/st" >"$T/out2" 2>"$T/err2" &
	pid=$!
	sleep 2
	kill -INT "$pid"
	wait "$pid" || fail "exit status $?"
	cat "$T/out1" "$T/out2" >"$T/all"
	last=$(tail -1 "$T/all" | jq .index)
	check_range "$T/all" 0 "$last"
}

@test "ct-fetch: --rewind-to starts after what the last stage handed on, else --rewind" {
	testlog r --size 500
	url=$(jq -r .url "$T/r.log")
	ct-fetch --logs "$T/r.log" --start 0 --end 0 >/dev/null 2>&1
	# a state at 400, verified
	ct-fetch --logs "$T/r.log" --from-start --state-dir "$T/st0" >/dev/null 2>"$T/err" || fail "$(cat "$T/err")"
	jq '.next = 400 | del(.range)' "$T"/st0/*.state >"$T/at400"
	st=$(basename "$T"/st0/*.state)
	from() { # POSITIONS-JSON-OR-- EXPECTED-FIRST [more ct-fetch args]
		rm -rf "$T/st"; mkdir "$T/st"; cp "$T/at400" "$T/st/$st"
		rm -f "$T/pos.json"
		[ "$1" = - ] || printf '%s\n' "$1" >"$T/pos.json"
		local want=$2; shift 2
		ct-fetch --logs "$T/r.log" --state-dir "$T/st" --rewind-to "$T/pos.json" "$@" \
			>"$T/out" 2>"$T/err" || fail "exit $?: $(cat "$T/err")"
		check_range "$T/out" "$want" 499
	}
	from "{\"positions\":{\"$url\":349}}" 350
	from "{\"positions\":{\"other\":1,\"$url\":399}}" 400
	from "{\"positions\":{\"$url\":450}}" 400
	from "{\"positions\":{\"other\":10}}" 390 --rewind 10
	from - 380 --rewind 20
	from '{"positions":[1]}' 395 --rewind 5
	grep -q 'pos.json: not a positions file (.*): going back --rewind 5 entries instead' "$T/err" ||
		fail "$(cat "$T/err")"
}

@test "ct-fetch: a new log starts at its head; a shrinking tree is refused" {
	testlog h --size 500 --grow 50 --max-page 100
	ct-fetch --logs "$T/h.log" --follow --poll 100ms --state-dir "$T/st" >"$T/out" 2>/dev/null &
	pid=$!
	sleep 2.5
	kill "$pid"; wait "$pid" || true
	first=$(head -1 "$T/out" | jq .index)
	[ "$first" -ge 500 ] || fail "started at $first, not the head"
	testlog s --size 300 --max-page 1000 --fault get-sth:shrink:3x1:10
	ct-fetch --logs "$T/s.log" --follow --poll 100ms --backoff 10ms --from-start >"$T/out" 2>"$T/err" &
	pid=$!
	sleep 2
	kill "$pid"; wait "$pid" || true
	grep -q 'the tree shrank from 300 to 290' "$T/err" || fail "$(cat "$T/err")"
	check_range "$T/out" 0 299
}

@test "ct-fetch: SIGKILL 20 times while the log grows: the union covers every index; SIGTERM adds no duplicate" {
	testlog k --size 200 --grow 400 --max-page 64
	for i in $(seq 20); do
		ct-fetch --logs "$T/k.log" --follow --poll 50ms --from-start --state-dir "$T/st" \
			>>"$T/killed" 2>>"$T/err" &
		pid=$!
		sleep "0.$((RANDOM % 4 + 1))$((RANDOM % 10))"
		kill -KILL "$pid"; wait "$pid" 2>/dev/null || true
	done
	# whatever the last state says comes next: catch up and stop cleanly
	ct-fetch --logs "$T/k.log" --follow --poll 50ms --state-dir "$T/st" >>"$T/killed" 2>>"$T/err" &
	pid=$!
	sleep 1
	kill -TERM "$pid"; wait "$pid"
	last=$(jq .next "$T"/st/*.state)
	dups=$(check_range "$T/killed" 0 $((last - 1)) dups-ok) || fail "$dups"
	echo "# SIGKILL x20: $(wc -l <"$T/killed") records, $last indexes, $dups duplicates" >&3
	# five SIGTERM restarts: not one duplicate
	for i in $(seq 5); do
		ct-fetch --logs "$T/k.log" --follow --poll 50ms --state-dir "$T/st" >>"$T/termed" 2>>"$T/err" &
		pid=$!
		sleep "0.$((RANDOM % 5 + 2))"
		kill -TERM "$pid"; wait "$pid" || fail "exit $?"
	done
	first=$(head -1 "$T/termed" | jq .index)
	[ "$first" -eq "$last" ] || fail "restart began at $first, state said $last"
	now=$(jq .next "$T"/st/*.state)
	check_range "$T/termed" "$last" $((now - 1))
}

@test "ct-fetch | ct-parse on real entries served by the test log" {
	need_fixtures
	testlog r --size 40 --max-page 16 --entries "$FIX/rfc6962/argon2026h2/get-entries_start-1111014090_end-1111014109.json"
	run bash -c "ct-fetch -q --logs '$T/r.log' --start 0 --end 39 2>/dev/null | ct-parse -f lite"
	assert_status 0
	assert_line_count 40
}

@test "ct-fetch | ct-parse on certificates and precertificates made here" {
	mk_cert_entries "$T/made.ndjson"
	testlog m --size 50 --entries "$T/made.ndjson"
	run bash -c "ct-fetch --logs '$T/m.log' --start 0 --end 49 | ct-parse -f lite | jq -r .data.update_type | sort | uniq -c"
	assert_status 0
	assert_contains "X509LogEntry"
	assert_contains "PrecertLogEntry"
}

@test "ct-fetch: /dev/full fails loudly; bad log records say where" {
	testlog a --size 2000
	run bash -c "ct-fetch --logs '$T/a.log' --start 0 --end 1999 >/dev/full"
	assert_status 1
	assert_contains "ct-fetch: write error"
	echo '{"name":"x"}' >"$T/bad"
	run ct-fetch --logs "$T/bad" --start 0 --end 1
	assert_status 1
	assert_contains "$T/bad:1: not a log record"
}

@test "ct-fetch: circuit breaker, health in --stats and on SIGUSR1, rate limits per log and operator" {
	testlog b --size 100 --max-page 10 --fault get-sth:500:1
	ct-fetch --logs "$T/b.log" --from-start --backoff 10ms --breaker 3 --breaker-wait 1s \
		--stats "$T/stats.json" >"$T/out" 2>"$T/err" &
	pid=$!
	sleep 1.5
	jq -e '.[0].health == "unhealthy" and .[0].failing_tries >= 3' "$T/stats.json" >/dev/null ||
		kill -USR1 "$pid"
	kill -USR1 "$pid"
	sleep 0.3
	grep -q 'b: unhealthy after 3 failures in a row: resting, one probe every 1 s' "$T/err" || fail "$(cat "$T/err")"
	grep -q 'b: unhealthy, next 0 of 0 .*last error: get-sth: HTTP 500' "$T/err" || fail "$(cat "$T/err")"
	# resting: about one probe a second, not one every 10 ms
	n1=$(curl -fsS "http://127.0.0.1:$(tl_port b)/ctl/stats" | jq '.requests["get-sth"]')
	sleep 2
	n2=$(curl -fsS "http://127.0.0.1:$(tl_port b)/ctl/stats" | jq '.requests["get-sth"]')
	[ $((n2 - n1)) -le 3 ] || fail "$((n2 - n1)) probes in 2 s"
	ctl b clear
	wait "$pid" || fail "exit $?"
	grep -q 'b: healthy again' "$T/err" || fail "$(cat "$T/err")"
	check_range "$T/out" 0 99
	jq -e '.[0].health == "healthy" and .[0].state == "done"' "$T/stats.json" >/dev/null || fail "$(cat "$T/stats.json")"

	# --rate 5: a burst of one second's worth, then 5 a second: at most 5 + 2 * 5 in 2 s
	testlog r --size 1000 --max-page 2
	timeout -s INT 2 ct-fetch --logs "$T/r.log" --start 0 --end 999 --rate 5 >"$T/out" 2>/dev/null || true
	n=$(curl -fsS "http://127.0.0.1:$(tl_port r)/ctl/stats" | jq '.requests["get-entries"] + .requests["get-sth"]')
	[ "$n" -le 16 ] && [ "$n" -ge 6 ] || fail "$n requests in 2 s at --rate 5"
	# two logs of one operator share --operator-rate 4
	testlog o1 --size 1000 --max-page 2
	testlog o2 --size 1000 --max-page 2
	cat "$T/o1.log" "$T/o2.log" >"$T/ops.log"
	timeout -s INT 2 ct-fetch --logs "$T/ops.log" --start 0 --end 999 --rate 0 --operator-rate 4 \
		>/dev/null 2>&1 || true
	n=0
	for l in o1 o2; do
		k=$(curl -fsS "http://127.0.0.1:$(tl_port $l)/ctl/stats" | jq '.requests["get-entries"] + .requests["get-sth"]')
		n=$((n + k))
	done
	[ "$n" -le 13 ] && [ "$n" -ge 5 ] || fail "$n requests in 2 s at --operator-rate 4"
}
