#!/usr/bin/env bats
# The Kafka recipe of ct-tools(7), run: a Kafka cluster from librdkafka's
# mock cluster (3 brokers on 127.0.0.1), two fetch shards producing with
# kcat -P, then two serve replicas started afterwards consuming with
# kcat -C from the beginning (Kafka keeps the stream; NATS does not):
# every entry reaches the clients of both replicas.
load common

teardown_more() {
	exec 8>&- 2>/dev/null || true
	[ -f "$T/pids" ] && xargs -r kill <"$T/pids" 2>/dev/null
	true
}

@test "Kafka: 2 fetch shards through kcat, 2 replicas replay the topic, every entry at both" {
	command -v kcat >/dev/null || missing "no kcat (apt-get install kcat)"
	[ -f /usr/include/librdkafka/rdkafka_mock.h ] || missing "no librdkafka-dev (apt-get install librdkafka-dev)"
	"${CC:-cc}" -o "$T/kafka-mock" "$CT_TOP/tests/lib/kafka-mock.c" -lrdkafka || fail "cannot build kafka-mock"
	mkfifo "$T/kin"
	"$T/kafka-mock" 3 ctstream 4 <"$T/kin" >"$T/bootstrap" 2>"$T/kafka.err" &
	echo $! >>"$T/pids"
	exec 8>"$T/kin"
	for _ in $(seq 400); do [ -s "$T/bootstrap" ] && break; sleep 0.05; done
	bs=$(head -1 "$T/bootstrap")
	[[ $bs == 127.0.0.1:* ]] || fail "no cluster: $bs $(cat "$T/kafka.err")"
	mk_cert_entries "$T/made.ndjson"
	for l in a b c d; do
		testlog "$l" --size 250 --entries "$T/made.ndjson"
	done
	google_list "$T/list.json" a b c d
	# the fetch side: each shard's certificates into the topic
	for s in 0 1; do
		ct-loglist --no-verify --state all --shard "$s/2" "$T/list.json" >"$T/shard$s.logs"
		[ -s "$T/shard$s.logs" ] || continue
		ct-fetch -q --logs "$T/shard$s.logs" --start 0 --end 249 | ct-parse |
			kcat -P -q -b "$bs" -t ctstream 2>"$T/kcat$s.err" || fail "shard $s: $(cat "$T/kcat$s.err")"
	done
	[ "$(cat "$T"/shard*.logs | jq -r .name | sort | tr '\n' ' ')" = "a b c d " ] || fail "shards"
	# the serve side, started after: each replica reads the topic from the start
	for r in 1 2; do
		p=$(free_port)
		kcat -C -q -u -b "$bs" -t ctstream -o beginning 2>"$T/cons$r.err" |
			ct-dedup -u --key data.cert_link | ct-serve --listen "127.0.0.1:$p" --wait-for-client 2>/dev/null &
		echo $! >>"$T/pids"
		for _ in $(seq 100); do curl -fs "http://127.0.0.1:$p/health" >/dev/null && break; sleep 0.05; done
		(curl -sN "http://127.0.0.1:$p/sse?stream=lite" | sed -u -n 's/^data: //p' >"$T/rec$r") &
		echo $! >>"$T/pids"
	done
	for r in 1 2; do
		for _ in $(seq 150); do
			[ "$(grep -c . "$T/rec$r")" -ge 1000 ] && break
			sleep 0.1
		done
		n=$(jq -r '.data.cert_link' "$T/rec$r" | sort -u | wc -l)
		[ "$n" = 1000 ] || fail "replica $r: $n distinct entries of 1000; $(cat "$T/cons$r.err")"
	done
	echo "# Kafka (librdkafka mock, 3 brokers, 4 partitions): both replicas' clients got all 1000 entries" >&3
}
