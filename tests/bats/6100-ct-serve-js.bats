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
	command -v node >/dev/null && command -v npm >/dev/null || missing "no node/npm"
	(cd "$T" && timeout 180 npm install --silent --no-audit --no-fund --prefix "$T/node" ws@8 certstream@1) \
		>"$T/npm.log" 2>&1 || missing "npm registry not reachable: $(tail -n 2 "$T/npm.log")"
	python3 "$CT_TOP/tests/lib/mkcertrecords.py" 40 >"$T/recs"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/tls.key" \
		-out "$T/tls.pem" -days 2 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
	# plain ws://, then wss:// (node trusts the test certificate through
	# NODE_EXTRA_CA_CERTS)
	for scheme in ws wss; do
		port=$(free_port)
		rm -f "$T/in"
		mkfifo "$T/in"
		tls=()
		[ "$scheme" = wss ] && tls=(--tls-cert "$T/tls.pem" --tls-key "$T/tls.key")
		ct-serve --listen "127.0.0.1:$port" "${tls[@]}" <"$T/in" 2>"$T/serve.err" &
		SERVE=$!
		exec 7>"$T/in"
		for _ in $(seq 100); do curl -fs --cacert "$T/tls.pem" "${scheme/ws/http}://127.0.0.1:$port/health" >/dev/null && break; sleep 0.05; done
		NODE_EXTRA_CA_CERTS=$T/tls.pem NODE_PATH="$T/node/node_modules" \
			node "$CT_TOP/tests/lib/jsclients.js" "$scheme://127.0.0.1:$port" 40 20000 >"$T/js.out" &
		js=$!
		for _ in $(seq 200); do grep -q ready "$T/js.out" && break; sleep 0.05; done
		grep -q ready "$T/js.out" || fail "$scheme: clients did not connect: $(cat "$T/js.out")"
		cat "$T/recs" >&7
		wait "$js"
		res=$(tail -n 1 "$T/js.out")
		want=$(jq -s 'map(.data.leaf_cert.all_domains | length) | add' "$T/recs")
		for k in ws/ ws/full-stream ws/domains-only certstream/ certstream/full-stream certstream/domains-only; do
			printf '%s' "$res" | jq -e --arg k "$k" --argjson w "$want" '.[$k].n == 40 and .[$k].domains == $w' >/dev/null ||
				fail "$scheme $k: $res (want 40 messages, $want domains)"
		done
		exec 7>&-
		kill "$SERVE"
		wait "$SERVE" || true
		SERVE=
	done
}
