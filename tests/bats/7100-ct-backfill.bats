#!/usr/bin/env bats
# scripts/ct-backfill: chunks of compressed certstream records per log,
# resumable, growing with the log; and into SQLite with its importer.
load common

teardown_more() {
	[ -f "$T/pids" ] && xargs -r kill <"$T/pids" 2>/dev/null
	true
}

@test "ct-backfill: chunks per log, resumable, partial tail redone when the log grows; into SQLite" {
	mk_cert_entries "$T/made.ndjson"
	ct-testlog -q --size 1000 --entries "$T/made.ndjson" -o "$T/tl.logs" >"$T/tl.port" 2>/dev/null &
	echo $! >>"$T/pids"
	for _ in $(seq 400); do [ -s "$T/tl.logs" ] && break; sleep 0.05; done
	head -1 "$T/tl.logs" >"$T/a.log"
	run "$CT_TOP/scripts/ct-backfill" --logs "$T/a.log" --out "$T/out" --chunk 300 --format lite
	assert_status 0
	(cd "$T/out/testlog" && ls *.ndjson.gz | sort -n) >"$T/files"
	[ "$(tr '\n' ' ' <"$T/files")" = "0-299.ndjson.gz 300-599.ndjson.gz 600-899.ndjson.gz 900-999.ndjson.gz " ] ||
		fail "$(cat "$T/files")"
	# done chunks are not fetched again
	touch -d '2001-01-01' "$T"/out/testlog/0-299.ndjson.gz
	curl -fsS "http://127.0.0.1:$(cat "$T/tl.port")/ctl/grow?n=250" >/dev/null
	run "$CT_TOP/scripts/ct-backfill" --logs "$T/a.log" --out "$T/out" --chunk 300 --format lite
	assert_status 0
	[ "$(stat -c %Y "$T"/out/testlog/0-299.ndjson.gz)" -lt 1000000000 ] || fail "chunk 0 fetched again"
	(cd "$T/out/testlog" && ls *.ndjson.gz | sort -n) >"$T/files"
	[ "$(tr '\n' ' ' <"$T/files")" = "0-299.ndjson.gz 300-599.ndjson.gz 600-899.ndjson.gz 900-1199.ndjson.gz 1200-1249.ndjson.gz " ] ||
		fail "$(cat "$T/files")"
	zcat "$T"/out/testlog/*.ndjson.gz | jq -r .data.cert_index | sort -n >"$T/idx"
	[ "$(uniq "$T/idx" | wc -l)" = 1250 ] && [ "$(wc -l <"$T/idx")" = 1250 ] || fail "$(wc -l <"$T/idx") records"
	# the man page's SQLite recipe
	command -v sqlite3 >/dev/null || missing "no sqlite3"
	zcat "$T"/out/*/*.ndjson.gz | jq -r '[.data.source.name, .data.cert_index,
		.data.leaf_cert.subject.CN, (.data.leaf_cert.all_domains | join(" "))] | @csv' |
		sqlite3 "$T/ct.db" '.mode csv' 'CREATE TABLE IF NOT EXISTS certs(log, idx, cn, names);' \
			'.import /dev/stdin certs'
	[ "$(sqlite3 "$T/ct.db" 'SELECT count(DISTINCT idx) FROM certs')" = 1250 ] || fail "sqlite"
}
