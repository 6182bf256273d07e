#!/usr/bin/env bats
# ct-fetch and ct-testlog against real CT software: Sunlight and Skylight from
# ../shared/debs (tests/lib/sunlight-up.sh starts them on 127.0.0.1 and
# submits certificates and precertificates made here).
load common

DEBS=${CT_DEBS:-$CT_TOP/../shared/debs}

teardown_more() {
	[ -f "$T/sl/pids" ] && xargs -r kill <"$T/sl/pids" 2>/dev/null
	[ -f "$T/pids" ] && xargs -r kill <"$T/pids" 2>/dev/null
	# Sunlight makes its seed and tiles immutable (chattr +i)
	[ -d "$T/sl" ] && chattr -R -i "$T/sl" 2>/dev/null
	true
}

@test "Sunlight: 300 entries fetched completely (gzip, partial tile, issuers), verified, parsed; growth followed" {
	ls "$DEBS"/sunlight_*.deb >/dev/null 2>&1 || missing "no sunlight deb in $DEBS"
	"$CT_TOP/tests/lib/sunlight-up.sh" "$T/sl" "$DEBS" 300 >"$T/up.out" 2>&1 ||
		fail "$(tail -n 20 "$T/up.out")"
	ct-fetch --logs "$T/sl/log.json" --from-start --state-dir "$T/st" --stats "$T/s.json" \
		>"$T/out" 2>"$T/err" || fail "$(cat "$T/err")"
	assert_line_count_file "$T/out" 300
	jq -s -e '[.[].index] == [range(300)]' "$T/out" >/dev/null || fail "indexes out of order"
	jq -e '.[0].verified == "signed" and .[0].verified_size == 300 and .[0].errors == 0' \
		"$T/s.json" >/dev/null || fail "$(cat "$T/s.json") $(cat "$T/err")"
	# Skylight's 75 requests/s for anonymous clients: never hit
	! grep -q 'HTTP 429' "$T/err" || fail "$(cat "$T/err")"
	# what Sunlight stored: a full data tile, a partial one of 44, gzip
	[ -e "$T/sl/tree/tile/data/001.p/44" ] || fail "$(find "$T/sl/tree/tile" | head)"
	run bash -c "ct-parse -f lite '$T/out' | jq -r .data.update_type | sort | uniq -c"
	assert_status 0
	assert_contains "100 PrecertLogEntry"
	assert_contains "200 X509LogEntry"
	ct-parse -f lite "$T/out" | jq -r '.data.leaf_cert.all_domains | join(" ")' | sort -u >"$T/names"
	output=$(wc -l <"$T/names")
	[ "$output" = 300 ] || fail "$output distinct names"
	# more certificates: the state continues, the range grows, verified again
	wp=$(sed -n 's/^  - "127.0.0.1:\([0-9]*\)"$/\1/p' "$T/sl/sunlight.yaml")
	cab=$(openssl x509 -in "$T/sl/ca.pem" -outform DER | base64 -w0)
	for i in $(seq 301 340); do
		printf 'basicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:more%s.sunlight.test\n' "$i" >"$T/e.ext"
		openssl x509 -req -in "$T/sl/leaf.csr" -CA "$T/sl/ca.pem" -CAkey "$T/sl/ca.key" \
			-set_serial "$i" -days 90 -extfile "$T/e.ext" -outform DER -out "$T/c$i.der" 2>/dev/null
		printf '{"chain":["%s","%s"]}' "$(base64 -w0 "$T/c$i.der")" "$cab" >"$T/c$i.json"
		echo "$i"
	done | xargs -P 40 -I{} curl -fsS -o /dev/null -X POST -H "Host: sunlight.test" \
		--data-binary @"$T/c{}.json" "http://127.0.0.1:$wp/2026/ct/v1/add-chain"
	ct-fetch --logs "$T/sl/log.json" --state-dir "$T/st" --stats "$T/s.json" >"$T/out2" 2>"$T/err" ||
		fail "$(cat "$T/err")"
	jq -s -e '[.[].index] == [range(300; 340)]' "$T/out2" >/dev/null || fail "$(jq -c .index "$T/out2" | head -3)"
	jq -e '.[0].verified_size == 340' "$T/s.json" >/dev/null || fail "$(cat "$T/s.json")"
	# a mid-log start reads its range off Sunlight's hash tiles
	ct-fetch --logs "$T/sl/log.json" --start 277 --end 339 --stats "$T/s.json" >"$T/out3" 2>"$T/err" ||
		fail "$(cat "$T/err")"
	jq -e '.[0].verified == "signed" and .[0].verified_size == 340' "$T/s.json" >/dev/null ||
		fail "$(cat "$T/s.json")"
	cmp <(tail -n 63 "$T/out" "$T/out2" | grep '^{' | tail -n 63) "$T/out3" || fail "records differ"
}

# SSLMate's certspotter (RFC 6962, verifies STH signatures and the Merkle
# tree) as a third-party check of the test log and of ct-fetch: both
# verify the same tree and keep the same compact range.
@test "certspotter verifies the test log; its compact range and root equal ct-fetch's" {
	ls "$DEBS"/certspotter_*.deb >/dev/null 2>&1 || missing "no certspotter deb in $DEBS"
	dpkg -x "$(ls "$DEBS"/certspotter_*.deb | head -1)" "$T/cs"
	mk_cert_entries "$T/made.ndjson"
	ct-testlog -q --size 3000 --max-page 256 --entries "$T/made.ndjson" -o "$T/tl.logs" \
		>"$T/tl.port" 2>"$T/tl.err" &
	echo $! >>"$T/pids"
	for _ in $(seq 400); do [ -s "$T/tl.logs" ] && break; sleep 0.05; done
	head -1 "$T/tl.logs" >"$T/l.json"
	jq '{operators: [{name: "t", email: ["t@example.test"], logs: [{description: .name, log_id,
		key, url: (.url + "/"), mmd: 60, state: {usable: {timestamp: "2026-01-01T00:00:00Z"}}}]}]}' \
		"$T/l.json" >"$T/list.json"
	echo example.test >"$T/watch"
	timeout 15 "$T/cs/usr/bin/certspotter" -logs "$T/list.json" -watchlist "$T/watch" \
		-state_dir "$T/csst" -no_save -stdout -verbose >/dev/null 2>"$T/cs.err" &
	echo $! >>"$T/pids"
	for _ in $(seq 140); do
		jq -e '.verified_position.size == 3000' "$T"/csst/logs/*/state.json >/dev/null 2>&1 && break
		sleep 0.1
	done
	jq -e '.verified_position.size == 3000' "$T"/csst/logs/*/state.json >/dev/null ||
		fail "certspotter did not verify: $(tail -n 5 "$T/cs.err")"
	ct-fetch --logs "$T/l.json" --from-start --state-dir "$T/st" >/dev/null 2>&1
	jq -r '.range' "$T"/st/*.state | cut -d: -f2 | tr ',' '\n' |
		python3 -c 'import base64, sys
for h in sys.stdin: print(base64.b64encode(bytes.fromhex(h.strip())).decode())' >"$T/mine"
	jq -r '.verified_position.nodes[]' "$T"/csst/logs/*/state.json >"$T/theirs"
	diff "$T/mine" "$T/theirs" || fail "compact ranges differ"
	[ "$(jq -r .verified_root "$T"/st/*.state)" = "$(jq -r .verified_sth.sha256_root_hash "$T"/csst/logs/*/state.json)" ] ||
		fail "roots differ"
}
