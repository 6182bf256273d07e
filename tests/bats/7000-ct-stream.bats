#!/usr/bin/env bats
# scripts/ct-stream, the supervised pipeline, against the test log:
# chaos (SIGKILL of random stages) and clean restarts (SIGTERM), with a
# client that records everything over SSE and reconnects.
load common

teardown_more() {
	touch "$T/stop"
	[ -f "$T/pids" ] && xargs -r kill <"$T/pids" 2>/dev/null
	[ -n "${SUP:-}" ] && kill -TERM "$SUP" 2>/dev/null && wait "$SUP" 2>/dev/null
	true
}

# start_log ARGS: a growing test log of OpenSSL-made entries
start_log() {
	mk_cert_entries "$T/made.ndjson"
	ct-testlog -q --entries "$T/made.ndjson" -o "$T/tl.logs" "$@" >"$T/tl.port" 2>"$T/tl.err" &
	echo $! >>"$T/pids"
	for _ in $(seq 400); do [ -s "$T/tl.logs" ] && break; sleep 0.05; done
	head -1 "$T/tl.logs" >"$T/tl.log"
}

# At least once needs the consumer's backpressure: by default ct-serve
# drops messages for a client whose queue is full (a slow client never
# stalls the others); --backpressure holds the input instead.
start_stream() {
	CT_FETCH_ARGS="--from-start --poll 200ms" CT_DEDUP_ARGS="--key data.cert_index" \
		CT_SERVE_ARGS="--backpressure 262144" \
		CT_BACKOFF_MAX=1 "$CT_TOP/scripts/ct-stream" --logs "$T/tl.log" \
		--listen "127.0.0.1:$PORT" --state-dir "$T/st" 2>>"$T/stream.err" &
	SUP=$!
}

# coverage N: every index below N recorded at least once; prints the
# duplicates (a line torn by a killed ct-serve is counted, not read)
coverage() {
	python3 - "$1" "$T/rec" <<'PY'
import json, sys
n = int(sys.argv[1])
seen, torn = [], 0
for line in open(sys.argv[2], errors="replace"):
    try:
        seen.append(json.loads(line)["data"]["cert_index"])
    except Exception:
        torn += 1
missing = sorted(set(range(n)) - set(seen))
if missing:
    print("missing %d, e.g. %s (%d records, %d torn)" % (len(missing), missing[:10], len(seen), torn))
    sys.exit(1)
print("%d duplicates, %d torn lines" % (len(seen) - len(set(seen)), torn))
PY
}

@test "ct-stream: --help, bad config lines and unknown options are refused" {
	run "$CT_TOP/scripts/ct-stream" --help
	assert_status 0
	assert_contains "ct-stream [--config FILE]"
	printf 'LISTEN=127.0.0.1:1\nNOPE=1\n' >"$T/bad.conf"
	run "$CT_TOP/scripts/ct-stream" --config "$T/bad.conf"
	assert_status 2
	assert_contains "bad.conf:2: not KEY=VALUE with a known KEY: NOPE=1"
	run "$CT_TOP/scripts/ct-stream" --frobnicate
	assert_status 2
}

@test "the scripts: --help and --version to /dev/full exit 1, as the C programs do" {
	for s in ct-stream ct-backfill; do
		for o in --help --version; do
			run "$CT_TOP/scripts/$s" "$o"
			assert_status 0
			[ -n "$output" ] || fail "$s $o printed nothing"
			run bash -c "'$CT_TOP/scripts/$s' $o >/dev/full"
			[ "$status" -eq 1 ] || fail "$s $o >/dev/full: exit $status"
		done
	done
}

@test "ct-stream chaos: 30 SIGKILLs of random stages, every index reaches the client at least once" {
	PORT=$(free_port)
	start_log --size 200 --grow 200 --max-size 11000
	start_stream
	sse_recorder "$PORT" "$T/rec"
	sleep 2
	for i in $(seq 30); do
		sleep "2.$((RANDOM % 10))"
		s=$(printf 'fetch\nparse\ndedup\nserve\n' | shuf -n 1)
		pid=$(cat "$T/st/run/$s.pid" 2>/dev/null) && kill -KILL "$pid" 2>/dev/null || true
		echo "$s" >>"$T/killed"
	done
	# the log stops at 11000: wait for the client to have it all
	for _ in $(seq 90); do
		coverage 11000 >/dev/null && break
		sleep 1
	done
	dups=$(coverage 11000) || fail "$dups; $(tail -n 5 "$T/stream.err")"
	restarts=$(grep -c 'restarting upstream\|ct-serve started' "$T/stream.err")
	echo "# chaos: $(sort "$T/killed" | uniq -c | tr '\n' ' '); $restarts restarts; 11000 indexes, $(grep -c . "$T/rec") records, $dups, $((${dups%% *} / 30)) duplicates per kill" >&3
	kill -TERM "$SUP"; wait "$SUP" || fail "supervisor exit $?"
	SUP=
	grep -q 'ct-stream: stopped' "$T/stream.err" || fail "$(tail -n 5 "$T/stream.err")"
}

@test "ct-stream: after a SIGKILL upstream only what was in flight comes again (ct-serve --positions)" {
	PORT=$(free_port)
	start_log --size 100 --grow 40
	start_stream
	sse_recorder "$PORT" "$T/rec"
	sleep 3
	for i in $(seq 6); do
		s=$(printf 'fetch\nparse\ndedup\n' | shuf -n 1)
		kill -KILL "$(cat "$T/st/run/$s.pid")"
		echo "$s" >>"$T/killed"
		sleep 3
	done
	sleep 2
	kill -TERM "$SUP"; wait "$SUP" || fail "supervisor exit $?"
	SUP=
	n=$(($(sed -n 's/.*"cert_index":\([0-9]*\).*/\1/p' "$T/rec" | sort -n | tail -n 1) + 1))
	dups=$(coverage "$n") || fail "$dups; $(tail -n 5 "$T/stream.err")"
	[ "$(grep -c 'unclean restart: ct-fetch --rewind-to' "$T/stream.err")" = 6 ] ||
		fail "$(grep unclean "$T/stream.err")"
	d=${dups%% *}
	echo "# 6 upstream kills at 40 entries/s: $n indexes, $dups, $((d / 6)) duplicates per kill (a fixed rewind: up to 1000)" >&3
	# in flight at 40/s: the positions file is at most a second old
	[ "$d" -le $((6 * 120)) ] || fail "$d duplicates for 6 kills"
}

@test "ct-stream: 5 SIGTERM restarts while the log grows: no gap, no duplicate" {
	PORT=$(free_port)
	start_log --size 100 --grow 150
	start_stream
	sse_recorder "$PORT" "$T/rec"
	for i in $(seq 5); do
		sleep 2
		kill -TERM "$SUP"; wait "$SUP" || fail "supervisor exit $?"
		start_stream
	done
	sleep 2
	kill -TERM "$SUP"; wait "$SUP" || fail "supervisor exit $?"
	SUP=
	sleep 0.5
	n=$(($(sed -n 's/.*"cert_index":\([0-9]*\).*/\1/p' "$T/rec" | sort -n | tail -n 1) + 1))
	[ "$n" -gt 1000 ] || fail "only $n indexes"
	dups=$(coverage "$n") || fail "$dups"
	[ "$dups" = "0 duplicates, 0 torn lines" ] || fail "$dups over clean restarts"
	[ "$(grep -c 'ct-stream: stopped' "$T/stream.err")" = 6 ] || fail "$(cat "$T/stream.err")"
	! grep -q 'unclean' "$T/stream.err" || fail "an unclean restart: $(cat "$T/stream.err")"
}
