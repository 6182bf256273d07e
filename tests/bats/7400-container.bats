#!/usr/bin/env bats
# The Dockerfile's runtime without Docker (no image registry here): the
# tree `make install` makes, run as an unprivileged user (nobody, as the
# image's USER) with the image's environment (CT_STATE_DIR, CT_LISTEN),
# a state directory of its own (the volume), its HEALTHCHECK command, and
# STOPSIGNAL SIGTERM ending it with status 0. The log list is local.
load common

teardown_more() {
	[ -n "${SUP:-}" ] && kill "$SUP" 2>/dev/null
	[ -f "$T/pids" ] && xargs -r kill <"$T/pids" 2>/dev/null
	true
}

@test "container runtime: installed tree, non-root, state volume, healthcheck, SIGTERM" {
	command -v setpriv >/dev/null || missing "no setpriv (util-linux)"
	[ "$(id -u)" = 0 ] || missing "needs root to become nobody"
	grep -q '^USER ctstream' "$CT_TOP/Dockerfile" || fail "the Dockerfile changed: update this test"
	hc=$(sed -n 's/^HEALTHCHECK .* CMD //p' "$CT_TOP/Dockerfile")
	[ -n "$hc" ] || fail "no HEALTHCHECK"
	chmod 755 "$T"
	make -s -C "$CT_TOP" install PREFIX="$T/opt" >/dev/null
	mk_cert_entries "$T/made.ndjson"
	testlog one --size 200 --grow 20 --entries "$T/made.ndjson"
	google_list "$T/list.json" one
	chmod 644 "$T/list.json"
	mkdir "$T/volume"
	chown 65534:65534 "$T/volume"
	port=$(free_port)
	# the image: PATH, CT_STATE_DIR and CT_LISTEN (loopback here), USER
	env -i PATH="$T/opt/bin:/usr/bin:/bin" HOME=/nonexistent CT_STATE_DIR="$T/volume" \
		CT_LISTEN="127.0.0.1:$port" CT_LOG_LIST="$T/list.json" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$T/opt/bin/ct-stream" \
		>"$T/sup.out" 2>"$T/sup.err" &
	SUP=$!
	ok=
	for _ in $(seq 100); do
		hc_cmd=${hc//8080/$port}
		if bash -c "$hc_cmd" >/dev/null 2>&1; then ok=1; break; fi
		sleep 0.1
	done
	[ -n "$ok" ] || fail "HEALTHCHECK never passed: $(cat "$T/sup.err")"
	# the pipeline is up for a client, all as nobody, state in the volume
	curl -sN "http://127.0.0.1:$port/sse?stream=domains" >"$T/sse" 2>/dev/null &
	echo $! >>"$T/pids"
	for _ in $(seq 150); do grep -q '^data: ' "$T/sse" && break; sleep 0.1; done
	grep -q '^data: {"message_type":"dns_entries"' "$T/sse" || fail "no stream: $(cat "$T/sup.err")"
	for p in $(cat "$T"/volume/run/*.pid); do
		[ "$(stat -c %u "/proc/$p")" = 65534 ] || fail "pid $p runs as $(stat -c %u "/proc/$p")"
	done
	[ -z "$(find "$T/volume" ! -user 65534)" ] || fail "files not owned by the user: $(find "$T/volume" ! -user 65534)"
	# STOPSIGNAL SIGTERM: an ordered stop, status 0
	kill -TERM "$SUP"
	rc=0
	wait "$SUP" || rc=$?
	SUP=
	[ "$rc" = 0 ] || fail "exit $rc after SIGTERM: $(tail -n 5 "$T/sup.err")"
	ls "$T"/volume/*/ >/dev/null || fail "no state in the volume"
}
