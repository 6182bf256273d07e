#!/usr/bin/env bats
# ct-fetch's window of requests per log: answers out of order, short
# pages inside the window, CTFE-style aligned pages, congestion (429/503)
# shrinking and growing the window, a stalled request, restarts; through
# a range and through a state file, both APIs; every index once, in order,
# the root verified.
load common

teardown_more() {
	[ -f "$T/pids" ] && xargs -r kill <"$T/pids" 2>/dev/null
	jobs -p | xargs -r kill 2>/dev/null || true
}

ctl() { curl -fsS "http://127.0.0.1:$(tl_port "$1")/ctl/$2" >/dev/null; }

# window_case NAME TESTLOG-ARGS -- CT-FETCH-ARGS: the range 0..N-1 of
# both APIs, then the same through a state file: each index once, in
# order, verified; prints nothing, fails with what it saw.
window_case() {
	local name=$1 size=$2; shift 2
	local targs=() fargs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do targs+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	fargs=("$@")
	testlog "$name" --size "$size" "${targs[@]}"
	for kind in log static; do
		ct-fetch --window 8 --backoff 10ms --timeout 3s --logs "$T/$name.$kind" \
			--start 0 --end $((size - 1)) --stats "$T/s.json" "${fargs[@]}" \
			>"$T/out" 2>"$T/err" || fail "$name $kind range: exit $? $(head -5 "$T/err")"
		check_range "$T/out" 0 $((size - 1)) || fail "$name $kind range: $(head -3 "$T/err")"
		jq -e '.[0].verified == "signed"' "$T/s.json" >/dev/null || fail "$name $kind: $(cat "$T/s.json")"
		rm -rf "$T/st"
		ct-fetch --window 8 --backoff 10ms --timeout 3s --logs "$T/$name.$kind" \
			--from-start --state-dir "$T/st" "${fargs[@]}" >"$T/out" 2>"$T/err.st" ||
			fail "$name $kind state: exit $? $(head -5 "$T/err.st")"
		check_range "$T/out" 0 $((size - 1)) || fail "$name $kind state: $(head -3 "$T/err.st")"
		[ "$(jq .next "$T"/st/*.state)" = "$size" ] || fail "$name $kind: $(cat "$T"/st/*.state)"
		[ "$(jq .verified_size "$T"/st/*.state)" = "$size" ] || fail "$name $kind: $(cat "$T"/st/*.state)"
		cat "$T/err" "$T/err.st" >>"$T/$name.allerr"
	done
}

@test "window: answers out of order (latency on every 3rd request), both APIs" {
	window_case o 3000 --max-page 100 --fault get-entries:latency:3:300 --fault data:latency:3:300
	# out of order for real: a later page was in before an earlier one
	[ "$(curl -fsS "http://127.0.0.1:$(tl_port o)/ctl/stats" | jq '.faults_fired')" -gt 4 ] ||
		fail "no latency fired"
}

@test "window: a short page in the middle of the window leaves a hole that is asked first" {
	window_case s 3000 --max-page 100 --fault get-entries:short:5:7 --fault data:500:5x2
	grep -q 'HTTP 500' "$T/s.allerr" || fail "$(cat "$T/s.allerr")"
}

@test "window: CTFE/Trillian pages that end on an aligned index are learned and asked aligned" {
	testlog c --size 3000 --max-page 100 --align
	ct-fetch --window 8 --logs "$T/c.log" --start 130 --end 2999 --stats "$T/s.json" \
		>"$T/out" 2>"$T/err" || fail "exit $?: $(cat "$T/err")"
	check_range "$T/out" 130 2999
	grep -q 'c: short page at 130: asked 256, got 70; asking 100 from now' "$T/err" || fail "$(cat "$T/err")"
	jq -e '.[0].page_cap == 100 and .[0].verified == "signed"' "$T/s.json" >/dev/null || fail "$(cat "$T/s.json")"
	# aligned asks come back whole: 29 pages and a few while learning
	n=$(curl -fsS "http://127.0.0.1:$(tl_port c)/ctl/stats" | jq '.requests["get-entries"]')
	[ "$n" -le 33 ] || fail "$n get-entries for 2870 entries in pages of 100"
}

@test "window: 429 and 503 shrink the window, successes grow it back (--stats)" {
	testlog w --size 6000 --max-page 50 --fault get-entries:503:5x4
	ct-fetch --window 8 --backoff 10ms --logs "$T/w.log" --start 0 --end 5999 --stats "$T/s.json" \
		>"$T/out" 2>"$T/err" || fail "exit $?: $(head -5 "$T/err")"
	check_range "$T/out" 0 5999
	jq -e '.[0].window_shrinks == 4 and .[0].window == 8 and .[0].window_max == 8' "$T/s.json" >/dev/null ||
		fail "$(cat "$T/s.json")"
	testlog r --size 3000 --max-page 50 --fault get-entries:429:5x2:1
	ct-fetch --window 8 --logs "$T/r.log" --start 0 --end 2999 --stats "$T/s.json" \
		>"$T/out" 2>"$T/err" || fail "exit $?: $(head -5 "$T/err")"
	check_range "$T/out" 0 2999
	grep -q 'HTTP 429 with Retry-After' "$T/err" || fail "$(cat "$T/err")"
	jq -e '.[0].window_shrinks == 2' "$T/s.json" >/dev/null || fail "$(cat "$T/s.json")"
}

@test "window: a request stalled past --timeout is asked again; the buffer stays bounded" {
	window_case t 3000 --max-page 100 --fault get-entries:stall:6x1:60000 --fault data:stall:3x1:60000
	grep -q 'no answer in [0-9.]* s while later ones came: asked again\|Timeout was reached' "$T/t.allerr" ||
		fail "$(cat "$T/t.allerr")"
}

@test "window: transfer faults, bad entries, a shrinking tree and a bad signature, W=8" {
	window_case f 1500 --max-page 64 --fault get-entries:reset:4x3 --fault data:truncate:3x2
	window_case g 1500 --max-page 64 --fault get-entries:garbage:4x2 --fault data:gzipbad:3x2
	window_case b 1500 --max-page 64 --fault get-entries:badentry:3x3 --fault checkpoint:garbage:1x1
	# a tree that shrinks, then grows again
	testlog k --size 500 --max-page 64 --fault get-sth:shrink:2x1:10 --fault checkpoint:shrink:2x1:10
	for kind in log static; do
		ct-fetch --window 8 --follow --poll 100ms --backoff 10ms --logs "$T/k.$kind" --from-start \
			>"$T/out" 2>"$T/err" &
		pid=$!
		sleep 2
		kill "$pid"; wait "$pid" || true
		grep -q 'the tree shrank from 500 to 490' "$T/err" || fail "$kind: $(cat "$T/err")"
		check_range "$T/out" 0 499
	done
	# a bad head signature stops the log, whatever the window
	testlog x --size 500 --fault get-sth:badsig:1 --fault checkpoint:badsig:1
	for kind in log static; do
		run ct-fetch --window 16 --logs "$T/x.$kind" --start 0 --end 499
		assert_status 1
		assert_contains "BAD SIGNATURE on the head of size 500"
	done
}

@test "window: SIGKILL 20 times at W=16 while the log grows: every index; SIGTERM restarts: no duplicate" {
	testlog k --size 500 --grow 500 --max-page 64
	for i in $(seq 20); do
		ct-fetch --window 16 --logs "$T/k.log" --follow --poll 50ms --from-start --state-dir "$T/st" \
			>>"$T/killed" 2>>"$T/err" &
		pid=$!
		sleep "0.$((RANDOM % 4 + 1))$((RANDOM % 10))"
		kill -KILL "$pid"; wait "$pid" 2>/dev/null || true
	done
	ct-fetch --window 16 --logs "$T/k.log" --follow --poll 50ms --state-dir "$T/st" >>"$T/killed" 2>>"$T/err" &
	pid=$!
	sleep 1
	kill -TERM "$pid"; wait "$pid" || fail "exit $?"
	last=$(jq .next "$T"/st/*.state)
	dups=$(check_range "$T/killed" 0 $((last - 1)) dups-ok) || fail "$dups"
	echo "# SIGKILL x20 at W=16: $(wc -l <"$T/killed") records, $last indexes, $dups duplicates" >&3
	for i in $(seq 5); do
		ct-fetch --window 16 --logs "$T/k.log" --follow --poll 50ms --state-dir "$T/st" >>"$T/termed" 2>>"$T/err" &
		pid=$!
		sleep "0.$((RANDOM % 5 + 2))"
		kill -TERM "$pid"; wait "$pid" || fail "exit $?"
	done
	first=$(head -1 "$T/termed" | jq .index)
	[ "$first" -eq "$last" ] || fail "restart began at $first, state said $last"
	now=$(jq .next "$T"/st/*.state)
	check_range "$T/termed" "$last" $((now - 1))
	jq -e '.verified_size > 0' "$T"/st/*.state >/dev/null || fail "$(cat "$T"/st/*.state)"
}

@test "window: a follow sees a moving head soon (--poll-min), an idle one ever more slowly" {
	testlog p --size 100 --grow 50
	ct-fetch --logs "$T/p.log" --follow --from-start --stats "$T/s.json" >"$T/out" 2>"$T/err" &
	pid=$!
	sleep 4
	n1=$(curl -fsS "http://127.0.0.1:$(tl_port p)/ctl/stats" | jq '.requests["get-sth"]')
	kill "$pid"; wait "$pid" || true
	# about one poll a second while the head moves, not one in 10 s
	[ "$n1" -ge 3 ] && [ "$n1" -le 7 ] || fail "$n1 polls in 4 s"
	testlog q --size 100
	ct-fetch --logs "$T/q.log" --follow --from-start >"$T/out" 2>"$T/err" &
	pid=$!
	sleep 8
	n2=$(curl -fsS "http://127.0.0.1:$(tl_port q)/ctl/stats" | jq '.requests["get-sth"]')
	kill "$pid"; wait "$pid" || true
	# an idle head: 1, 2, 4 s apart: 4 or 5 polls in 8 s, not 8
	[ "$n2" -ge 3 ] && [ "$n2" -le 5 ] || fail "$n2 polls of an idle head in 8 s"
}
