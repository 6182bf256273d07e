#!/usr/bin/env bats
# ct-nats against real nats-server -js processes on 127.0.0.1 (each test
# starts its own, on free ports, with its own storage) and against a
# server that misbehaves (tests/lib/natsbad.py): acknowledged publishes,
# de-duplication by Nats-Msg-Id, durable consumers that resume, fan-out
# and work queues, failover in a 3-server cluster, a broker away for 30
# s, and ct-stream's collector and server roles under kill -9.
load common

setup_more() {
	command -v nats-server >/dev/null || missing "no nats-server (apt-get install nats-server)"
}

teardown_more() {
	touch "$T/stop"
	local p
	# ct-stream supervisors stop their stages in order
	for p in $(cat "$T/sups" 2>/dev/null); do kill -TERM "$p" 2>/dev/null; done
	for p in $(cat "$T/sups" 2>/dev/null); do
		for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	done
	[ -f "$T/pids" ] && xargs -r kill <"$T/pids" 2>/dev/null
	[ -f "$T/pids" ] && sleep 0.2 && xargs -r kill -9 <"$T/pids" 2>/dev/null
	true
}

wait_port() {
	for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done
	return 1
}

# nats_start NAME [ARGS]: nats-server -js on a free port (the same one
# when NAME was started before), storage in $T/NAME.js; $T/NAME.port
nats_start() {
	local name=$1 port
	shift
	if [ -s "$T/$name.port" ]; then port=$(cat "$T/$name.port"); else port=$(free_port); fi
	echo "$port" >"$T/$name.port"
	nats-server -a 127.0.0.1 -p "$port" -js -sd "$T/$name.js" "$@" >>"$T/$name.log" 2>&1 &
	echo $! >"$T/$name.pid"
	echo $! >>"$T/pids"
	wait_port "$port" || fail "nats-server $name did not start: $(tail -n 5 "$T/$name.log")"
}
nats_url() { echo "nats://127.0.0.1:$(cat "$T/$1.port")"; }
nats_kill() { kill -9 "$(cat "$T/$1.pid")"; wait "$(cat "$T/$1.pid")" 2>/dev/null || true; }

# mk_entries N [LOGS]: N entry records over LOGS logs (3), in order
mk_entries() {
	python3 -c 'import sys
n, logs = int(sys.argv[1]), int(sys.argv[2])
for i in range(n):
    print("{\"log\":\"https://ct.example.test/log%d/\",\"log_name\":\"log%d\",\"index\":%d,\"leaf_input\":\"%s\",\"extra_data\":\"\"}" % (i % logs, i % logs, i // logs, "AAEC" * 50))' "$1" "${2:-3}"
}

# gen N RATE PROGRESS: N entry records at RATE a second on stdout (held
# back by the pipe), the count written so far in PROGRESS
gen() {
	python3 -c 'import sys, time
n, rate, prog = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
t0 = time.time()
for i in range(n):
    d = t0 + i / rate - time.time()
    if d > 0:
        time.sleep(d)
    sys.stdout.write("{\"log\":\"https://ct.example.test/log%d/\",\"index\":%d,\"leaf_input\":\"AAEC\"}\n" % (i % 3, i // 3))
    sys.stdout.flush()
    if i % 50 == 0 or i == n - 1:
        open(prog, "w").write("%d\n" % (i + 1))' "$@"
}

# distinct FILE: "lines distinct" of entry records (log and index)
distinct() {
	printf '%s %s\n' "$(grep -c '' "$1")" "$(jq -r '[.log, .index] | @tsv' "$1" | sort -u | wc -l)"
}

@test "ct-nats: --help, --version, bad options; the man page has every option and default" {
	check_cli_contract ct-nats
	check_man_options ct-nats
	run ct-nats
	assert_status 2
	assert_contains "pub or sub?"
	run ct-nats pub 'a.*'
	assert_status 2
	assert_contains "no wildcards"
	run ct-nats sub --stream S x
	assert_status 2
	assert_contains "needs --durable"
	run ct-nats sub --per-log x
	assert_status 2
	assert_contains "--per-log is for ct-nats pub"
	run ct-nats pub --durable d x
	assert_status 2
	run ct-nats pub --stream 'a.b' x
	assert_status 2
	assert_contains "not a stream name"
	run ct-nats pub -s 'http://h' x
	assert_status 2
	assert_contains "scheme not nats:// or tls://"
	run ct-nats sub --batch 0 --stream S --durable d
	assert_status 2
}

@test "JetStream: each line acknowledged, repeats dropped by Nats-Msg-Id; a durable resumes at the first unacknowledged message" {
	nats_start n1
	u=$(nats_url n1)
	mk_entries 600 >"$T/e"
	run ct-nats pub -s "$u" --stream S --per-log ct.entries <"$T/e"
	assert_status 0
	assert_contains "stream S created for ct.entries.*"
	assert_contains "600 line(s): 600 acknowledged (0 duplicate), 0 skipped"
	# the same lines again (a collector after a crash): all dropped
	run ct-nats pub -s "$u" --stream S --per-log ct.entries <"$T/e"
	assert_status 0
	assert_contains "600 acknowledged (600 duplicate)"
	# 200, then a restart: the 400 after them, in order
	ct-nats sub -q -s "$u" --stream S --durable d -n 200 'ct.entries.*' >"$T/a" 2>"$T/a.err" ||
		fail "sub -n 200: $(cat "$T/a.err")"
	head -n 200 "$T/e" | cmp - "$T/a" || fail "the first 200 differ"
	run ct-nats sub -s "$u" --stream S --durable d --drain 'ct.entries.*'
	assert_status 0
	assert_contains "400 message(s) written (0 redelivered)"
	[ "$(printf '%s\n' "$output" | grep -v '^ct-nats: ' | cmp - <(tail -n 400 "$T/e") && echo same)" = same ] ||
		fail "the last 400 differ"
	# another durable gets everything (fan-out); one log alone by subject
	ct-nats sub -q -s "$u" --stream S --durable d2 --drain 'ct.entries.*' >"$T/b"
	cmp "$T/e" "$T/b" || fail "fan-out: not every line"
	ct-nats sub -q -s "$u" --stream S --durable one --drain ct.entries.ct_example_test_log1 >"$T/c"
	grep 'log1/' "$T/e" | cmp - "$T/c" || fail "one log: $(wc -l <"$T/c") lines"
	# an existing durable with another subject is refused
	run ct-nats sub -q -s "$u" --stream S --durable one --drain 'ct.entries.*'
	assert_status 1
	assert_contains "takes 'ct.entries.ct_example_test_log1', not 'ct.entries.*'"
	echo "# 600 lines published twice, stored once; resumed after 200; fan-out and one log by subject" >&3
}

@test "JetStream sub: a line that cannot be written is not acknowledged; one durable shared is a work queue" {
	nats_start n1
	u=$(nats_url n1)
	mk_entries 1000 >"$T/e"
	ct-nats pub -q -s "$u" --stream S x <"$T/e" || fail "pub"
	run bash -c "ct-nats sub -s '$u' --stream S --durable d -n 300 x >/dev/full"
	assert_status 1
	assert_contains "write error"
	# given back at once (-NAK), the rest of the batch too: nothing
	# lost, no wait for --ack-wait (redelivered first: order may differ)
	ct-nats sub -q -s "$u" --stream S --durable d --drain x >"$T/a"
	sort "$T/e" | cmp - <(sort "$T/a") || fail "after /dev/full: $(wc -l <"$T/a") lines"
	# two readers of one durable share the messages, each once
	ct-nats sub -q -s "$u" --stream S --durable w --batch 16 --drain x >"$T/w1" &
	w1=$!
	ct-nats sub -q -s "$u" --stream S --durable w --batch 16 --drain x >"$T/w2" &
	w2=$!
	wait "$w1" || fail "reader 1"
	wait "$w2" || fail "reader 2"
	[ "$(cat "$T/w1" "$T/w2" | sort | uniq -d | wc -l)" = 0 ] || fail "both readers got some"
	[ "$(cat "$T/w1" "$T/w2" | sort -u | wc -l)" = 1000 ] || fail "shared: $(cat "$T/w1" "$T/w2" | wc -l)"
	echo "# work queue: $(wc -l <"$T/w1") + $(wc -l <"$T/w2") of 1000" >&3
}

@test "core NATS (no --stream): the subscribers connected get every line" {
	nats_start n1
	u=$(nats_url n1)
	mk_entries 500 >"$T/e"
	ct-nats sub -s "$u" -n 500 x >"$T/a" 2>"$T/a.err" &
	sp=$!
	echo "$sp" >>"$T/pids"
	for _ in $(seq 200); do grep -q 'subscribed to x' "$T/a.err" && break; sleep 0.05; done
	run ct-nats pub -s "$u" x <"$T/e"
	assert_status 0
	wait "$sp" || fail "sub: $(cat "$T/a.err")"
	cmp "$T/e" "$T/a" || fail "core: $(wc -l <"$T/a") lines"
}

@test "bad servers (garbage, -ERR, a huge MSG, a close mid-message, silence, HTTP): one clear line, the next server, nothing lost" {
	nats_start n1
	u=$(nats_url n1)
	mk_entries 50 >"$T/e"
	declare -A want=([garbage]="protocol error: unknown operation; reconnecting"
		[err]="Authorization Violation"
		[huge]="a message of 1000000032 bytes, more than the 67108864 allowed; reconnecting"
		[mid]="connection closed by the server; reconnecting"
		[silent]="timed out waiting for INFO"
		[http]="protocol error: unknown operation")
	for mode in garbage err huge mid silent http; do
		python3 "$CT_TOP/tests/lib/natsbad.py" "$mode" >"$T/bad.port" &
		echo $! >>"$T/pids"
		bp=$!
		for _ in $(seq 100); do [ -s "$T/bad.port" ] && break; sleep 0.05; done
		bad=127.0.0.1:$(cat "$T/bad.port")
		run ct-nats pub --connect-timeout 1s -s "$bad,$u" --stream S x <"$T/e"
		assert_status 0
		assert_contains "$bad: ${want[$mode]}"
		assert_contains "50 acknowledged"
		[ "$(printf '%s\n' "$output" | grep -c "$bad")" -le 2 ] || fail "$mode: more than one line: $output"
		run bash -c "ct-nats sub --connect-timeout 1s -s '$bad,$u' --stream S --durable $mode --drain x 2>'$T/sub.err' >'$T/got'"
		assert_status 0
		grep -q "$bad: ${want[$mode]}" "$T/sub.err" || fail "sub, $mode: $(cat "$T/sub.err")"
		cmp "$T/e" "$T/got" || fail "sub, $mode: $(wc -l <"$T/got") lines"
		kill "$bp"
		rm -f "$T/bad.port"
	done
}

@test "TLS and credentials: tls:// with --cacert, user and password, a token; refusals said" {
	d=$T/pki
	mkdir -p "$d"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/ca.key" \
		-out "$d/ca.pem" -days 2 -subj "/CN=Test NATS CA" 2>/dev/null
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/srv.key" \
		-subj "/CN=127.0.0.1" -out "$d/srv.csr" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1\n' >"$d/ext"
	openssl x509 -req -in "$d/srv.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -set_serial 7 -days 2 \
		-extfile "$d/ext" -out "$d/srv.pem" 2>/dev/null
	nats_start t1 --tls --tlscert "$d/srv.pem" --tlskey "$d/srv.key" --user alice --pass 's3cret'
	p=$(cat "$T/t1.port")
	mk_entries 20 >"$T/e"
	run ct-nats pub -s "tls://alice:s3cret@127.0.0.1:$p" --cacert "$d/ca.pem" --stream S x <"$T/e"
	assert_status 0
	assert_contains "connected to tls://127.0.0.1:$p"
	assert_contains "20 acknowledged"
	# the server asks for TLS: a nats:// URL gets it too; the user from the environment
	NATS_USER=alice NATS_PASSWORD=s3cret run ct-nats sub -s "127.0.0.1:$p" --cacert "$d/ca.pem" \
		--stream S --durable d --drain x
	assert_status 0
	assert_contains "20 message(s) written"
	run ct-nats pub --give-up 2s -s "tls://alice:wrong@127.0.0.1:$p" --cacert "$d/ca.pem" --stream S x <"$T/e"
	assert_status 1
	assert_contains "Authorization Violation"
	assert_contains "giving up"
	run ct-nats pub --give-up 2s -s "tls://alice:s3cret@127.0.0.1:$p" --stream S x <"$T/e"
	assert_status 1
	assert_contains "certificate"
	nats_start k1 --auth 'tok3n'
	NATS_TOKEN=tok3n run ct-nats pub -s "$(nats_url k1)" --stream S x <"$T/e"
	assert_status 0
	assert_contains "20 acknowledged"
	run ct-nats pub -s "nats://bad@127.0.0.1:$(cat "$T/k1.port")" --give-up 1s --stream S x <"$T/e"
	assert_status 1
	assert_contains "Authorization Violation"
}

# ---- scale-out under failures -------------------------------------------


# coverage FILE LOGS N: each of the LOGS test logs' indexes below N in
# FILE (lite records) at least once; prints "records duplicates"
coverage() {
	python3 - "$@" <<'PY'
import json, sys
f, logs, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
seen, torn = [], 0
for line in open(f, errors="replace"):
    try:
        d = json.loads(line)["data"]
        seen.append((d["source"]["url"], d["cert_index"]))
    except Exception:
        torn += 1
urls = {u for u, _ in seen}
want = {(u, i) for u in urls for i in range(n)}
missing = sorted(want - set(seen))
if len(urls) != logs or missing:
    print("%d logs of %d, missing %d, e.g. %s" % (len(urls), logs, len(missing), missing[:5]))
    sys.exit(1)
print(len(seen), len(seen) - len(set(seen)))
PY
}

@test "ct-stream roles: 2 collector shards, 2 server replicas, 20 kill -9 of ct-nats pub and sub: every entry at each replica, once in the stream" {
	nats_start n1
	u=$(nats_url n1)
	mk_cert_entries "$T/made.ndjson"
	for l in a b c d; do
		testlog "$l" --size 100 --grow 50 --max-size 1200 --entries "$T/made.ndjson"
	done
	google_list "$T/list.json" a b c d
	common=(CT_NATS_SERVERS="$u" CT_NATS_STREAM=CT CT_BACKOFF_MAX=1 CT_REWIND=1000)
	for r in 0 1; do
		p=$(free_port)
		echo "$p" >"$T/r$r.port"
		env "${common[@]}" CT_NATS_DURABLE="replica$r" CT_DEDUP_ARGS="--key data.cert_link" \
			CT_SERVE_ARGS="--backpressure 262144" "$CT_TOP/scripts/ct-stream" --role server \
			--listen "127.0.0.1:$p" --state-dir "$T/s$r" 2>>"$T/s$r.err" &
		echo $! >>"$T/sups"
		sse_recorder "$p" "$T/r$r.rec"
	done
	for c in 0 1; do
		env "${common[@]}" CT_SHARD="$c/2" CT_FETCH_ARGS="--from-start --poll 200ms" \
			CT_LOGLIST_ARGS="--no-verify --state all $T/list.json" \
			"$CT_TOP/scripts/ct-stream" --role collector --state-dir "$T/c$c" 2>>"$T/c$c.err" &
		echo $! >>"$T/sups"
	done
	sleep 2
	for i in $(seq 20); do
		sleep "0.$((RANDOM % 6 + 4))"
		s=$(printf 'c0/run/pub\nc1/run/pub\ns0/run/sub\ns1/run/sub\n' | shuf -n 1)
		pid=$(cat "$T/${s%%/*}/run/${s##*/}.pid" 2>/dev/null) && kill -KILL "$pid" 2>/dev/null || true
		echo "${s%%/*}" >>"$T/killed"
	done
	# each collector fetched its shard of the logs, all of them together
	# (a shard may be empty: by log_id, and the test logs' keys are new)
	[ "$(cat "$T"/c[01]/logs.ndjson | jq -r .name | sort | tr '\n' ' ')" = "a b c d " ] ||
		fail "shards: $(cat "$T"/c[01]/logs.ndjson | jq -c .name)"
	for r in 0 1; do
		for _ in $(seq 60); do
			coverage "$T/r$r.rec" 4 1200 >/dev/null && break
			sleep 1
		done
		got=$(coverage "$T/r$r.rec" 4 1200) || fail "replica $r: $got; $(tail -n 5 "$T/s$r.err")"
		echo "$got" >"$T/r$r.got"
	done
	# the stream itself: each entry once (the repeats of the collectors'
	# rewinds dropped by Nats-Msg-Id)
	ct-nats sub -q -s "$u" --stream CT --durable audit --drain 'ct.entries.*' >"$T/stream"
	read -r lines uniq <<<"$(distinct "$T/stream")"
	[ "$lines" = 4800 ] && [ "$uniq" = 4800 ] || fail "the stream: $lines messages, $uniq entries"
	rs=$(cat "$T"/[cs][01].err | grep -c 'restarting upstream')
	echo "# 20 kills ($(sort "$T/killed" | uniq -c | tr -s ' \n' ' ')), $rs restarts; 4800 entries, once in the stream; replicas: records and duplicates $(cat "$T/r0.got") and $(cat "$T/r1.got")" >&3
	# supervisors stop cleanly
	for p in $(cat "$T/sups"); do kill -TERM "$p"; done
	for p in $(cat "$T/sups"); do wait "$p" || fail "a supervisor exited $?"; done
	: >"$T/sups"
	for f in c0 c1 s0 s1; do grep -q 'ct-stream: stopped' "$T/$f.err" || fail "$f: $(tail -n 3 "$T/$f.err")"; done
}

# nats_cluster N: N nats-server -js in one cluster, n1..nN
# nats_cluster N [UP]: a cluster of N servers n1..nN, the first UP of
# them (all) started
nats_cluster() {
	local i routes=
	for i in $(seq "$1"); do
		free_port >"$T/n$i.port"
		free_port >"$T/n$i.cport"
		routes=$routes${routes:+,}nats://127.0.0.1:$(cat "$T/n$i.cport")
	done
	echo "$routes" >"$T/routes"
	for i in $(seq "${2:-$1}"); do nats_node "$i"; done
}
nats_node() {
	nats_start "n$1" --server_name "n$1" --cluster_name C \
		--cluster "nats://127.0.0.1:$(cat "$T/n$1.cport")" --routes "$(cat "$T/routes")"
}

@test "a 3-server cluster, stream replicas 3: kill -9 of one server, then another once the first is back: nothing acknowledged lost" {
	nats_cluster 3
	us=$(nats_url n1),$(nats_url n2),$(nats_url n3)
	# publish at 300 lines/s for 20 s, read as it comes
	gen 6000 300 "$T/prog" | ct-nats pub -s "$us" --stream S --replicas 3 --per-log ct.entries \
		>/dev/null 2>"$T/pub.err" &
	pp=$!
	ct-nats sub -u -s "$us" --stream S --durable d 'ct.entries.>' >"$T/got" 2>"$T/sub.err" &
	sp=$!
	echo "$sp" >>"$T/pids"
	sleep 4
	# n1 first: the clients are on it (the first of their list)
	victim=1
	nats_kill "n$victim"
	echo "# killed n$victim at $(cat "$T/prog") lines" >&3
	sleep 5
	nats_node "$victim"
	sleep 4
	other=2 # where they went
	nats_kill "n$other"
	echo "# killed n$other at $(cat "$T/prog") lines" >&3
	wait "$pp" || fail "pub exited $?: $(tail -n 5 "$T/pub.err")"
	grep -q '6000 line(s): 6000 acknowledged' "$T/pub.err" || fail "pub: $(tail -n 5 "$T/pub.err")"
	for _ in $(seq 100); do
		read -r lines uniq <<<"$(distinct "$T/got")"
		[ "$uniq" = 6000 ] && break
		sleep 0.2
	done
	kill -TERM "$sp"
	wait "$sp" || fail "sub exited $?: $(tail -n 5 "$T/sub.err")"
	read -r lines uniq <<<"$(distinct "$T/got")"
	[ "$uniq" = 6000 ] || fail "sub: $uniq entries of 6000 ($lines lines): $(tail -n 5 "$T/sub.err")"
	# the stream, read from the two servers alive, holds each once
	ct-nats sub -q -s "$us" --stream S --durable audit --drain 'ct.entries.>' >"$T/all"
	read -r alines auniq <<<"$(distinct "$T/all")"
	[ "$alines" = 6000 ] && [ "$auniq" = 6000 ] || fail "the stream: $alines messages, $auniq entries"
	# they moved twice, by themselves
	for c in pub sub; do
		[ "$(grep -c 'connected to' "$T/$c.err")" -ge 3 ] || fail "$c: $(cat "$T/$c.err")"
	done
	echo "# pub: $(grep 'connected to' "$T/pub.err" | sed 's/.*127.0.0.1://' | tr '\n' ' '); sub: $lines lines for 6000 entries" >&3
}

@test "the broker away for 30 s: pub holds (bounded memory) and retries, then catches up; nothing lost" {
	nats_start n1
	u=$(nats_url n1)
	gen 8000 200 "$T/prog" | ct-nats pub -s "$u" --stream S --per-log ct.entries \
		>/dev/null 2>"$T/pub.err" &
	pp=$!
	ct-nats sub -s "$u" --stream S --durable d 'ct.entries.>' >"$T/got" 2>"$T/sub.err" &
	sp=$!
	echo "$sp" >>"$T/pids"
	sleep 3
	pub=$pp
	nats_kill n1
	at=$(cat "$T/prog")
	rss=0
	for _ in $(seq 30); do
		sleep 1
		r=$(awk '/^VmRSS/ {print $2}' "/proc/$pub/status" 2>/dev/null || echo 0)
		[ "$r" -gt "$rss" ] && rss=$r
	done
	held=$(cat "$T/prog")
	nats_start n1
	wait "$pp" || fail "pub exited $?: $(tail -n 5 "$T/pub.err")"
	grep -q '8000 line(s): 8000 acknowledged' "$T/pub.err" || fail "pub: $(tail -n 5 "$T/pub.err")"
	for _ in $(seq 100); do
		read -r lines uniq <<<"$(distinct "$T/got")"
		[ "$uniq" = 8000 ] && break
		sleep 0.2
	done
	kill -TERM "$sp"
	wait "$sp" || fail "sub exited $?"
	[ "$uniq" = 8000 ] || fail "sub: $uniq of 8000: $(tail -n 5 "$T/sub.err")"
	echo "# broker killed at line $at, back 30 s later at line $held (the input held); pub's RSS at most $rss kB meanwhile" >&3
	[ "$held" -lt 3000 ] || fail "pub read on without a broker: line $held"
	[ "$rss" -gt 0 ] && [ "$rss" -lt 32768 ] || fail "pub's RSS: $rss kB"
}

@test "a cluster still forming: pub asks again until its stream of 3 replicas can be placed" {
	nats_cluster 3 1
	us=$(nats_url n1),$(nats_url n2),$(nats_url n3)
	mk_entries 300 >"$T/in"
	ct-nats pub -s "$us" --stream F --replicas 3 --give-up 60s ct.f <"$T/in" >/dev/null 2>"$T/pub.err" &
	pp=$!
	echo "$pp" >>"$T/pids"
	sleep 3
	# one server of three: no stream can be placed yet, pub still waits
	kill -0 "$pp" || fail "pub gave up with one server of three: $(cat "$T/pub.err")"
	nats_node 2
	nats_node 3
	wait "$pp" || fail "pub exited $?: $(tail -n 5 "$T/pub.err")"
	# it waited: no answer (no metadata leader yet) or one it asks again
	grep -Eq 'timed out waiting|asking again' "$T/pub.err" || fail "pub never waited: $(cat "$T/pub.err")"
	grep -q '300 line(s): 300 acknowledged' "$T/pub.err" || fail "$(tail -n 5 "$T/pub.err")"
	ct-nats sub -q -s "$us" --stream F --durable audit --drain ct.f >"$T/all" 2>"$T/sub.err" ||
		fail "sub: $(cat "$T/sub.err")"
	read -r alines auniq <<<"$(distinct "$T/all")"
	[ "$alines" = 300 ] && [ "$auniq" = 300 ] || fail "the stream: $alines messages, $auniq entries"
}

@test "JetStream refusing placement (10005, a cluster forming): pub asks again, then publishes all" {
	mk_entries 40 >"$T/in"
	python3 "$CT_TOP/tests/lib/natsbad.py" forming >"$T/bad.port" &
	echo $! >>"$T/pids"
	for _ in $(seq 100); do [ -s "$T/bad.port" ] && break; sleep 0.05; done
	run ct-nats pub --give-up 30s -s "127.0.0.1:$(cat "$T/bad.port")" --stream F --replicas 3 ct.f <"$T/in"
	assert_status 0
	grep -q 'STREAM.CREATE.F: no suitable peers for placement; asking again' <<<"$output" || fail "$output"
	assert_contains "stream F created"
	assert_contains "40 line(s): 40 acknowledged"
}
