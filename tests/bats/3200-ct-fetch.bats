#!/usr/bin/env bats
# ct-fetch against a fault-injecting log on 127.0.0.1 (tests/lib/fakelog.py).
load common

FAKE="$CT_TOP/tests/lib/fakelog.py"

# fakelog NAME ARGS...: start a log, write its log record to $T/NAME.log
fakelog() {
	local name=$1; shift
	python3 "$FAKE" "$@" >"$T/$name.port" 2>"$T/$name.err" &
	echo $! >>"$T/pids"
	for _ in $(seq 100); do [ -s "$T/$name.port" ] && break; sleep 0.05; done
	local port
	port=$(head -1 "$T/$name.port")
	local id
	id=$(printf '%s' "$name" | openssl dgst -sha256 -binary | base64)
	printf '{"name":"%s","operator":"Test","type":"rfc6962","url":"http://127.0.0.1:%s/log/","log_id":"%s","state":"usable"}\n' \
		"$name" "$port" "$id" >"$T/$name.log"
}

teardown_more() {
	[ -f "$T/pids" ] && xargs -r kill <"$T/pids" 2>/dev/null
	jobs -p | xargs -r kill 2>/dev/null || true
}

# every index from $2 to $3 exactly once, in order, with its own content
check_range() {
	python3 - "$1" "$2" "$3" <<'PY'
import base64, json, sys
f, a, b = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
idx = []
for line in open(f):
    r = json.loads(line)
    leaf = base64.b64decode(r["leaf_input"])
    assert leaf.endswith(b"cert-%010d\x00\x00" % r["index"]), r["index"]
    idx.append(r["index"])
assert idx == list(range(a, b + 1)), "got %d records, first %s last %s" % (len(idx), idx[:3], idx[-3:])
PY
}

@test "ct-fetch: --help, --version, bad option, man page options" {
	check_cli_contract ct-fetch
	check_man_options ct-fetch
	run ct-fetch --start 10 --end 5 </dev/null
	assert_status 2
}

@test "ct-fetch: a backfill range, short pages: every index once, in order" {
	fakelog a --size 2000 --max-page 37
	run ct-fetch --logs "$T/a.log" --start 100 --end 1099 --batch 100
	assert_status 0
	printf '%s\n' "$output" >"$T/out"
	check_range "$T/out" 100 1099
	jq -s -e 'map(select(.index == 100))[0] | .log == "http://127.0.0.1:'"$(head -1 "$T/a.port")"'/log" and .log_name == "a"' "$T/out" >/dev/null ||
		fail "$(head -1 "$T/out")"
	# the end is clipped to the tree
	run ct-fetch --logs "$T/a.log" --start 1990 --end 5000
	printf '%s\n' "$output" >"$T/out"
	check_range "$T/out" 1990 1999
}

@test "ct-fetch: 500s, 429 with Retry-After, truncated and garbage bodies, bad entries: nothing skipped" {
	fakelog f --size 400 --max-page 23 --fail-every 4 --429-every 9 --truncate-every 5 --garbage-every 7 --bad-entry-every 11
	ct-fetch --backoff 10ms --logs "$T/f.log" --start 0 --end 399 >"$T/out" 2>"$T/err"
	check_range "$T/out" 0 399
	grep -q 'HTTP 500' "$T/err" || fail "$(cat "$T/err")"
	grep -q 'HTTP 429 with Retry-After' "$T/err" || fail "$(cat "$T/err")"
	grep -q 'not a get-entries response' "$T/err" || fail "$(cat "$T/err")"
	grep -q 'leaf_input is not base64' "$T/err" || fail "$(cat "$T/err")"
	# a log that never answers is given up with --max-tries, exit 1
	printf '{"name":"dead","url":"http://127.0.0.1:9/log","log_id":"ZGVhZA==","type":"rfc6962"}\n' >"$T/dead.log"
	run ct-fetch --backoff 10ms --max-tries 3 --logs "$T/dead.log" --start 0 --end 9
	assert_status 1
	assert_contains "dead: giving up after 3 failed tries at index 0"
}

@test "ct-fetch: many logs at once, each in order" {
	fakelog x --size 500 --max-page 50
	fakelog y --size 300 --max-page 7
	fakelog z --size 700
	cat "$T/x.log" "$T/y.log" "$T/z.log" | ct-fetch --start 0 --end 999 >"$T/out"
	for n in x y z; do jq -c "select(.log_name == \"$n\")" "$T/out" >"$T/$n.out"; done
	check_range "$T/x.out" 0 499
	check_range "$T/y.out" 0 299
	check_range "$T/z.out" 0 699
}

@test "ct-fetch: --follow with --state-dir: SIGTERM saves, a restart continues, nothing missed" {
	fakelog g --size 100 --grow 100 --max-page 40
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
	jq -e '.[0].name == "g" and .[0].fetched > 0 and .[0].errors == 0' "$T/stats.json" >/dev/null ||
		fail "$(cat "$T/stats.json")"
	ct-fetch --logs "$T/g.log" --follow --poll 200ms --state-dir "$T/st" >"$T/out2" 2>"$T/err2" &
	pid=$!
	sleep 2
	kill -INT "$pid"
	wait "$pid" || fail "exit status $?"
	cat "$T/out1" "$T/out2" >"$T/all"
	last=$(tail -1 "$T/all" | jq .index)
	check_range "$T/all" 0 "$last"
}

@test "ct-fetch: a new log starts at its head; a shrinking tree is refused" {
	fakelog h --size 500 --grow 50 --max-page 100
	ct-fetch --logs "$T/h.log" --follow --poll 100ms --state-dir "$T/st" >"$T/out" 2>/dev/null &
	pid=$!
	sleep 2.5
	kill "$pid"; wait "$pid" || true
	first=$(head -1 "$T/out" | jq .index)
	[ "$first" -ge 500 ] || fail "started at $first, not the head"
	fakelog s --size 300 --shrink-once --max-page 1000
	ct-fetch --logs "$T/s.log" --follow --poll 100ms --backoff 10ms --from-start >"$T/out" 2>"$T/err" &
	pid=$!
	sleep 2
	kill "$pid"; wait "$pid" || true
	grep -q 'the tree shrank from 300 to 290' "$T/err" || fail "$(cat "$T/err")"
	check_range "$T/out" 0 299
}

@test "ct-fetch | ct-parse on real entries served by the fake log" {
	need_fixtures
	fakelog r --size 40 --max-page 16 --real "$FIX/rfc6962/argon2026h2/get-entries_start-1111014090_end-1111014109.json"
	run bash -c "ct-fetch --logs '$T/r.log' --start 0 --end 39 | ct-parse -f lite"
	assert_status 0
	assert_line_count 40
}

@test "ct-fetch: /dev/full fails loudly; bad log records say where" {
	fakelog a --size 2000
	run bash -c "ct-fetch --logs '$T/a.log' --start 0 --end 1999 >/dev/full"
	assert_status 1
	assert_contains "ct-fetch: write error"
	echo '{"name":"x"}' >"$T/bad"
	run ct-fetch --logs "$T/bad" --start 0 --end 1
	assert_status 1
	assert_contains "$T/bad:1: not a log record"
}
