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
	for _ in $(seq 100); do grep -q connected "$T/a.err" && break; sleep 0.05; done
	sleep 0.2
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
