#!/usr/bin/env bats
# ct-serve with real JavaScript clients from npm: `ws` and CaliDog's
# certstream-js, on all three WebSocket paths.
load common

teardown_more() {
	exec 7>&- 2>/dev/null || true
	[ -n "${SERVE:-}" ] && kill "$SERVE" 2>/dev/null
	true
}

@test "ct-serve: the npm ws client and certstream-js read all three paths unchanged" {
	command -v node >/dev/null && command -v npm >/dev/null || skip "no node/npm"
	(cd "$T" && timeout 180 npm install --silent --no-audit --no-fund --prefix "$T/node" ws@8 certstream@1) \
		>"$T/npm.log" 2>&1 || skip "npm registry not reachable: $(tail -n 2 "$T/npm.log")"
	python3 "$CT_TOP/tests/lib/mkcertrecords.py" 40 >"$T/recs"
	port=$(free_port)
	mkfifo "$T/in"
	ct-serve --listen "127.0.0.1:$port" <"$T/in" 2>"$T/serve.err" &
	SERVE=$!
	exec 7>"$T/in"
	for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.05; done
	NODE_PATH="$T/node/node_modules" node "$CT_TOP/tests/lib/jsclients.js" "ws://127.0.0.1:$port" 40 20000 >"$T/js.out" &
	js=$!
	for _ in $(seq 200); do grep -q ready "$T/js.out" && break; sleep 0.05; done
	grep -q ready "$T/js.out" || fail "clients did not connect: $(cat "$T/js.out")"
	cat "$T/recs" >&7
	wait "$js"
	res=$(tail -n 1 "$T/js.out")
	want=$(jq -s 'map(.data.leaf_cert.all_domains | length) | add' "$T/recs")
	for k in ws/ ws/full-stream ws/domains-only certstream/ certstream/full-stream certstream/domains-only; do
		printf '%s' "$res" | jq -e --arg k "$k" --argjson w "$want" '.[$k].n == 40 and .[$k].domains == $w' >/dev/null ||
			fail "$k: $res (want 40 messages, $want domains)"
	done
}
