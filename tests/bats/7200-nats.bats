#!/usr/bin/env bats
# Scale-out through a real broker: nats-server on 127.0.0.1, two fetch
# shards (ct-loglist --shard) publishing with scripts/ct-nats, two serve
# replicas subscribed; every entry reaches the clients of both replicas.
load common

teardown_more() {
	[ -f "$T/pids" ] && xargs -r kill <"$T/pids" 2>/dev/null
	true
}

@test "NATS: 2 fetch shards, 2 serve replicas, every entry at both replicas' clients" {
	command -v nats-server >/dev/null || missing "no nats-server (apt-get install nats-server)"
	mk_cert_entries "$T/made.ndjson"
	for l in a b c d; do
		testlog "$l" --size 300 --entries "$T/made.ndjson"
	done
	google_list "$T/list.json" a b c d
	nport=$(free_port)
	nats-server -a 127.0.0.1 -p "$nport" >"$T/nats.log" 2>&1 &
	echo $! >>"$T/pids"
	for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$nport") 2>/dev/null && break; sleep 0.05; done
	# two serve replicas, subscribed before anyone publishes
	for r in 1 2; do
		p=$(free_port)
		echo "$p" >"$T/r$r.port"
		"$CT_TOP/scripts/ct-nats" sub --server "127.0.0.1:$nport" ctstream.certs 2>"$T/sub$r.err" |
			ct-dedup -u --key data.cert_link | ct-serve --listen "127.0.0.1:$p" --wait-for-client 2>/dev/null &
		echo $! >>"$T/pids"
		for _ in $(seq 100); do grep -q subscribed "$T/sub$r.err" && break; sleep 0.05; done
		for _ in $(seq 100); do curl -fs "http://127.0.0.1:$p/health" >/dev/null && break; sleep 0.05; done
		(curl -sN "http://127.0.0.1:$p/sse?stream=lite" | sed -u -n 's/^data: //p' >"$T/rec$r") &
		echo $! >>"$T/pids"
	done
	sleep 0.5
	# two fetch shards: each a share of the logs, all of them together
	for s in 0 1; do
		ct-loglist --no-verify --state all --shard "$s/2" "$T/list.json" >"$T/shard$s.logs"
	done
	[ "$(cat "$T"/shard*.logs | jq -r .name | sort | tr '\n' ' ')" = "a b c d " ] ||
		fail "shards: $(cat "$T"/shard*.logs | jq -c .name)"
	for s in 0 1; do
		[ -s "$T/shard$s.logs" ] || continue
		ct-fetch -q --logs "$T/shard$s.logs" --start 0 --end 299 | ct-parse |
			"$CT_TOP/scripts/ct-nats" pub --server "127.0.0.1:$nport" ctstream.certs || fail "shard $s"
	done
	for r in 1 2; do
		for _ in $(seq 100); do
			[ "$(grep -c . "$T/rec$r")" -ge 1200 ] && break
			sleep 0.1
		done
		n=$(jq -r '.data.cert_link' "$T/rec$r" | sort -u | wc -l)
		[ "$n" = 1200 ] || fail "replica $r: $n distinct entries of 1200"
	done
	echo "# NATS: shards of $(grep -c . "$T/shard0.logs") and $(grep -c . "$T/shard1.logs") logs; both replicas' clients got all 1200 entries" >&3
}
