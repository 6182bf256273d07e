#!/usr/bin/env bats
# Every command's man page EXAMPLES, run as written, in a sandbox where
# they can work offline: CT_LOG_LIST names a local Google-format list of
# growing test logs (one "Test Argon2026h2" over RFC 6962, one static),
# and the files the examples name are there (current_log_list.json,
# mine.ndjson, certs.ndjson, watch.txt, get-entries.json). The only
# rewrites: 0.0.0.0 -> 127.0.0.1 (tests use loopback only), ports 8080
# and 8081 -> free ones, /var/lib/ctstream and /tmp/ -> the sandbox.
# Long-running commands (--follow, ct-serve, ct-stream) run in the
# background and must still be running after a few seconds, and a
# server among them must deliver a certificate to a client; `curl -N`
# runs 4 s and must have read events; everything else must exit 0. Every
# file an example writes with > or >> must be non-empty.
load common

teardown_more() {
	[ -f "$T/bg" ] && while read -r p; do kill -- -"$p" 2>/dev/null; done <"$T/bg"
	[ -f "$T/pids" ] && xargs -r kill <"$T/pids" 2>/dev/null
	true
}

# many distinct certificates (ct-dedup drops repeats): entry templates
mk_many_entries() {
	local d="$T/many" n=$1
	mkdir -p "$d"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$d/ca.key" -out "$d/ca.pem" -days 30 \
		-subj "/O=Example Trust/CN=Example CA" -addext "basicConstraints=critical,CA:TRUE" 2>/dev/null
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$d/leaf.key" -subj "/CN=leaf.example.test" -out "$d/leaf.csr" 2>/dev/null
	for i in $(seq "$n"); do
		printf 'subjectAltName=DNS:host%s.example.test,DNS:www.host%s.example.test\n' "$i" "$i" >"$d/e"
		openssl x509 -req -in "$d/leaf.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -set_serial "$((1000 + i))" \
			-days 90 -extfile "$d/e" 2>/dev/null | cat - "$d/ca.pem" >"$d/c$i.pem"
	done
	python3 "$CT_TOP/tests/lib/mkentries.py" --each $(for i in $(seq "$n"); do echo "$d/c$i.pem"; done)
}

# shard_key FILE I: a P-256 key whose log ID falls in shard I of 2
shard_key() {
	local b
	while :; do
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
		b=$(openssl pkey -in "$1" -pubout -outform DER 2>/dev/null | sha256sum | cut -c7-8)
		[ $((16#$b % 2)) = "$2" ] && return 0
	done
}

setup_more() {
	S_DIR=$T/sandbox
	mkdir -p "$S_DIR" "$T/tmp" "$T/var/lib"
	mk_many_entries 120 >"$T/entries.ndjson"
	# keys whose log IDs put one log in each half of --shard 0/2 and 1/2
	shard_key "$T/argon.key" 0
	shard_key "$T/stat.key" 1
	testlog argon --size 1000 --grow 20 --entries "$T/entries.ndjson" --key "$T/argon.key"
	testlog stat --size 1000 --grow 20 --entries "$T/entries.ndjson" --key "$T/stat.key"
	testlog mine --size 1000 --entries "$T/entries.ndjson"
	testlog apple --size 50 --entries "$T/entries.ndjson"
	# a Google v3 list (RFC 6962 "logs", static "tiled_logs"), Apple's list
	jq -s '{version: "1", operators: [{name: "Example Operator", email: ["ct@example.test"],
		logs: [.[0] | {description: "Test Argon2026h2", log_id, key, url: (.url + "/"), mmd: 86400,
			state: {usable: {timestamp: "2026-01-01T00:00:00Z"}}}],
		tiled_logs: [.[1] | {description: "Test Static 2026", log_id, key,
			submission_url, monitoring_url: .url, mmd: 60,
			state: {usable: {timestamp: "2026-01-01T00:00:00Z"}}}]}]}' \
		"$T/argon.log" "$T/stat.static" >"$S_DIR/log_list.json"
	jq -s '{version: "5.1", operators: [{name: "Apple Test", email: ["ct@example.test"],
		logs: [.[0] | {description: "Test Apple", log_id, key, url: (.url + "/"), mmd: 86400,
			state: {usable: {timestamp: "2026-01-01T00:00:00Z"}}}]}]}' \
		"$T/apple.log" >"$S_DIR/current_log_list.json"
	jq -c '.name = "mine"' "$T/mine.log" >"$S_DIR/mine.ndjson"
	curl -s "$(jq -r .url "$T/argon.log")/ct/v1/get-entries?start=0&end=9" >"$S_DIR/get-entries.json"
	ct-fetch -q --start 0 --end 49 <"$T/mine.log" | ct-parse >"$S_DIR/certs.ndjson"
	printf '# names to watch\n.example.test\n' >"$S_DIR/watch.txt"
	export CT_LOG_LIST=$S_DIR/log_list.json
	[ "$(ct-loglist --shard 0/2 | jq -r .name)" = "Test Argon2026h2" ] || fail "shard 0/2: $(ct-loglist --shard 0/2)"
	PATH=$CT_TOP/scripts:$PATH
}

# examples PAGE: the commands of the EXAMPLES section of man/PAGE, one per
# line (continuation lines joined), with the sandbox rewrites
examples() {
	awk '/^\.Sh EXAMPLES/{p=1; next} /^\.Sh /{p=0} p && /^\.Bd -literal/{lit=1; next}
		p && /^\.Ed/{lit=0} p && lit' "$CT_TOP/man/$1" |
		sed 's/\\e/\\/g' |
		awk '{ if (acc != "") acc = acc " " $0; else acc = $0
			if (acc ~ /(\||\\)[ ]*$/) { sub(/\\[ ]*$/, "", acc); next }
			print acc; acc = "" }' |
		sed -e 's/0\.0\.0\.0/127.0.0.1/g' -e "s/:8080/:$P1/g" -e "s/:8081/:$P2/g" \
			-e "s# /tmp/# $T/tmp/#g" -e "s#/var/lib/ctstream#$T/var/lib/ctstream#g"
}

run_examples() {
	local page=$1 n=0 cmd out files f pid
	P1=$(free_port); P2=$(free_port)
	while [ "$P2" = "$P1" ]; do P2=$(free_port); done
	cd "$S_DIR"
	rm -rf S
	examples "$page" >"$T/cmds"
	[ -s "$T/cmds" ] || fail "$page has no EXAMPLES"
	exec 4<"$T/cmds"
	while IFS= read -r cmd <&4; do
		n=$((n + 1))
		out=$T/ex$n.out
		echo "# $page: $cmd" >&3
		files=$(grep -oE '>>? *[^ |]+' <<<"$cmd" | sed -E 's/^>>? *//')
		if [[ $cmd == curl\ -N* ]]; then
			# until the first event (the logs are polled every 10 s)
			{ timeout 30 bash -c "$cmd" 2>"$out.err" || true; } | grep -m1 '^data: {' >"$out" || true
			[ -s "$out" ] || fail "$page: '$cmd' read no events in 30 s: $(cat "$out.err")"
		elif [[ $cmd == *--follow* || $cmd == *ct-serve* || $cmd == *ct-stream* ]]; then
			setsid bash -c "$cmd" >"$out" 2>"$out.err" </dev/null &
			pid=$!
			echo "$pid" >>"$T/bg"
			sleep 3
			kill -0 "$pid" 2>/dev/null || fail "$page: '$cmd' ended: $(tail -n 5 "$out.err")"
			# a server must serve: a client connects and reads a
			# certificate (SSE on the --listen address, a line on --tcp)
			local addr tcp
			addr=$(grep -oE '(--listen |CT_LISTEN=)[0-9.]+:[0-9]+' <<<"$cmd" | grep -oE '[0-9.]+:[0-9]+$' | head -1)
			if [ -n "$addr" ]; then
				{ timeout 30 curl -sN "http://$addr/sse?stream=lite" 2>/dev/null || true; } |
					grep -m1 '^data: {"message_type":"certificate_update"' >"$out.sse" || true
				[ -s "$out.sse" ] || fail "$page: '$cmd': no certificate on http://$addr/sse in 30 s: $(tail -n 5 "$out.err")"
			fi
			tcp=$(grep -oE -- '--tcp [0-9.]+:[0-9]+' <<<"$cmd" | grep -oE '[0-9]+$' | head -1)
			if [ -n "$tcp" ]; then
				# the first certificate (heartbeats come between)
				timeout 30 python3 -c 'import socket, sys
f = socket.create_connection(("127.0.0.1", int(sys.argv[1]))).makefile()
for line in f:
    if "\"heartbeat\"" not in line:
        print(line, end=""); break' "$tcp" >"$out.tcp" || true
				jq -e '.message_type == "certificate_update"' "$out.tcp" >/dev/null ||
					fail "$page: '$cmd': no certificate on TCP port $tcp: $(head -c 300 "$out.tcp")"
			fi
			if [[ $cmd != *ct-serve* && $cmd != *ct-stream* ]]; then
				# its first records come after the next poll (10 s)
				for _ in $(seq 100); do
					[ -s "${files:-$out}" ] && break
					sleep 0.2
				done
				[ -s "${files:-$out}" ] || fail "$page: '$cmd' wrote nothing in 23 s: $(tail -n 5 "$out.err")"
			fi
		else
			timeout 60 bash -c "$cmd" >"$out" 2>"$out.err" </dev/null ||
				fail "$page: '$cmd' failed: $(tail -n 5 "$out.err")"
			[ -n "$files" ] || [ -s "$out" ] || fail "$page: '$cmd' printed nothing"
		fi
		for f in $files; do
			[ -s "$f" ] || fail "$page: '$cmd' left $f empty"
		done
	done
	exec 4<&-
	[ "$n" -gt 0 ]
	echo "# $page: $n examples ran" >&3
}

@test "EXAMPLES of ct-loglist(1) run" { run_examples ct-loglist.1; }
@test "EXAMPLES of ct-fetch(1) run" { run_examples ct-fetch.1; }
@test "EXAMPLES of ct-parse(1) run" { run_examples ct-parse.1; }
@test "EXAMPLES of ct-dedup(1) run" { run_examples ct-dedup.1; }
@test "EXAMPLES of ct-match(1) run" { run_examples ct-match.1; }
@test "EXAMPLES of ct-serve(1) run" { run_examples ct-serve.1; }
@test "EXAMPLES of ct-tail(1) run" { run_examples ct-tail.1; }
@test "EXAMPLES of ct-stream(1) run" { run_examples ct-stream.1; }
