#!/usr/bin/env bats
# Drop-in for certstream-server-go's clients: the same log entries served
# by certstream-server-go (../shared/debs) and by ct-fetch | ct-parse |
# ct-serve, compared message by message on the full, lite and
# domains-only streams. Every path of the Go server's messages must be in
# ours with the same value, except the differences tests/lib/csgoparity.py
# allows (and explains).
load common
. "$CT_TOP/tests/lib/csgo.sh"

PY=/usr/bin/python3
WS="$CT_TOP/tests/lib/wsclient.py"
PARITY="$CT_TOP/tests/lib/csgoparity.py"
N=100 # the Go server fetches 100 entries at a time (or after 45 s)

setup_more() {
	$PY -c 'import websockets' 2>/dev/null || missing "python3-websockets not installed"
	deb=$(ls "$DEBS"/certstream-server-go_*.deb 2>/dev/null | head -1)
	[ -n "$deb" ] || missing "no certstream-server-go deb in $DEBS"
	dpkg -x "$deb" "$T/csgo"
}

teardown_more() {
	exec 7>&- 2>/dev/null || true
	local p pids
	pids=$(cat "$T"/pids "$T"/*.pid 2>/dev/null)
	for p in $pids; do kill "$p" 2>/dev/null; done
	# gone before $T is removed: a server still writing its files into
	# it makes the removal fail
	for p in $pids; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	done
	true
}

# The entries: a two-level chain (an RSA root with an e-mail address and
# a dNSName in its SAN, an EC intermediate), under it a certificate and
# a precertificate whose subjects have every attribute (e-mail address
# too) and whose SANs mix DNS, IP and e-mail names, and a CN-less one.
mk_entries() {
	local d="$T/mk"
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/root.key" -out "$d/root.pem" -days 30 \
		-subj "/C=US/O=Parity Root Org/CN=Parity Root X1/emailAddress=pki@root.example.test" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
		-addext "subjectAltName=DNS:root.example.test" 2>/dev/null
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/int.key" \
		-subj "/C=US/O=Parity Trust/OU=Issuing/CN=Parity CA R1" -out "$d/int.csr" 2>/dev/null
	printf '%s\n' "basicConstraints=critical,CA:TRUE,pathlen:0" "keyUsage=critical,digitalSignature,keyCertSign,cRLSign" \
		"extendedKeyUsage=serverAuth,clientAuth" "certificatePolicies=2.23.140.1.2.1" \
		"authorityInfoAccess=caIssuers;URI:http://ca.example.test/root.der" >"$d/int.ext"
	openssl x509 -req -in "$d/int.csr" -CA "$d/root.pem" -CAkey "$d/root.key" -set_serial 0x7a11 \
		-days 30 -extfile "$d/int.ext" -out "$d/int.pem" 2>/dev/null
	local name subj sans
	while IFS='|' read -r name subj sans; do
		{
			echo "basicConstraints=critical,CA:FALSE"
			echo "keyUsage=critical,digitalSignature,keyEncipherment"
			echo "extendedKeyUsage=serverAuth,clientAuth"
			echo "subjectAltName=$sans"
			echo "certificatePolicies=2.23.140.1.2.1,1.3.6.1.4.1.44947.1.1.1"
			echo "authorityInfoAccess=OCSP;URI:http://ocsp.example.test/,caIssuers;URI:http://ca.example.test/r1.der"
			[ "$name" = pre ] && echo "1.3.6.1.4.1.11129.2.4.3=critical,ASN1:NULL"
		} >"$d/$name.ext"
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/$name.key" \
			-subj "$subj" -out "$d/$name.csr" 2>/dev/null
		openssl x509 -req -in "$d/$name.csr" -CA "$d/int.pem" -CAkey "$d/int.key" \
			-set_serial "0x$(openssl rand -hex 8)" -days 90 -extfile "$d/$name.ext" \
			-out "$d/$name.pem" 2>/dev/null
		$PY "$CT_TOP/tests/lib/mkentries.py" "$d/$name.pem" "$d/int.pem" "$d/root.pem"
	done >"$T/entries.ndjson" <<-EOF
		leaf|/C=DE/ST=Berlin/L=Berlin/O=Shop GmbH/OU=Web/CN=shop.example.test/emailAddress=hostmaster@shop.example.test|DNS:shop.example.test,IP:192.0.2.7,DNS:www.shop.example.test,email:ops@shop.example.test
		pre|/C=FR/O=Pre SAS/CN=pre.example.test/emailAddress=pki@pre.example.test|DNS:pre.example.test,DNS:*.pre.example.test
		nocn|/O=No CN Org|DNS:nocn.example.test,DNS:api.nocn.example.test
	EOF
	[ "$(grep -c '' "$T/entries.ndjson")" -eq 3 ] || fail "made $(grep -c '' "$T/entries.ndjson") entries"
}

# clients PREFIX URL COUNT: the three streams of a server, COUNT messages
# each, recorded in $T/PREFIX.{full,lite,domains}; waits until all are
# connected
clients() {
	local p=$1 u=$2 n=$3 s path
	for s in full lite domains; do
		case $s in full) path=/full-stream ;; lite) path=/ ;; domains) path=/domains-only ;; esac
		$PY "$WS" "$u$path" "$n" 30 >"$T/$p.$s" 2>"$T/$p.$s.err" &
		echo $! >"$T/$p.$s.pid"
	done
	for _ in $(seq 100); do
		grep -qs connected "$T/$p.full.err" && grep -qs connected "$T/$p.lite.err" &&
			grep -qs connected "$T/$p.domains.err" && return 0
		sleep 0.1
	done
	fail "$p: clients did not connect: $(cat "$T/$p".*.err)"
}

wait_clients() {
	local p=$1 s
	for s in full lite domains; do
		wait "$(cat "$T/$p.$s.pid")" ||
			fail "$p $s: got $(grep -c . "$T/$p.$s") messages: $(cat "$T/$p.$s.err")"
	done
}

# both KIND: the entries in a test log, N of them, served by the Go
# server and by ct-fetch | ct-parse | ct-serve, the log read as KIND
# (rfc6962 or static); the streams in $T/go.* and $T/ours.*
both() {
	local kind=$1 rec tp gp sp key=additional_logs url gn=$N
	mk_entries
	local extra=()
	# and real entries of a Google log, when the fixtures are here
	[ -f "$FIX/rfc6962/argon2026h2/get-entries_start-1111014090_end-1111014109.json" ] &&
		extra=(--entries "$FIX/rfc6962/argon2026h2/get-entries_start-1111014090_end-1111014109.json")
	testlog tl --size 0 --entries "$T/entries.ndjson" "${extra[@]}"
	tp=$(tl_port tl)
	rec="$T/tl.log" url="http://127.0.0.1:$tp"
	if [ "$kind" = static ]; then
		# certstream-server-go 1.9.0 skips the entry at its start index
		# on a tiled log (it takes it as done): it sends N - 1
		rec="$T/tl.static" key=additional_tiled_logs url="$url/" gn=$((N - 1))
	fi
	gp=$(free_port)
	# the Go server, with the log under the name our log record has
	csgo_yml "$gp" "$key" "$url" "$(jq -r .name "$rec")" "$T/ct_index.json" >"$T/csgo.yml"
	(cd "$T" && GODEBUG=httpmuxgo121=0 exec "$T/csgo/usr/bin/certstream-server-go" -c "$T/csgo.yml") \
		>"$T/csgo.log" 2>&1 &
	echo $! >>"$T/pids"
	for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$gp") 2>/dev/null && break; sleep 0.1; done
	# recovery without an index file: from entry 0, once the log has grown
	clients go "ws://127.0.0.1:$gp" "$gn"
	curl -sf "http://127.0.0.1:$tp/ctl/grow?n=$N" >/dev/null
	wait_clients go

	# ours, on the same entries
	ct-fetch -q --start 0 --end $((N - 1)) --logs "$rec" 2>"$T/fetch.err" |
		ct-parse >"$T/parsed" 2>"$T/parse.err"
	[ ! -s "$T/parse.err" ] || fail "ct-parse: $(cat "$T/parse.err")"
	assert_line_count_file "$T/parsed" "$N"
	sp=$(free_port)
	mkfifo "$T/in"
	ct-serve --listen "127.0.0.1:$sp" <"$T/in" >/dev/null 2>"$T/serve.err" &
	echo $! >>"$T/pids"
	exec 7>"$T/in"
	for _ in $(seq 100); do grep -q listening "$T/serve.err" && break; sleep 0.05; done
	clients ours "ws://127.0.0.1:$sp" "$N"
	cat "$T/parsed" >&7
	wait_clients ours
}

# parity STREAM GOCOUNT: csgoparity.py on a stream of both servers
parity() {
	run $PY "$PARITY" "$T/go.$1" "$T/ours.$1" "$2" "$N"
	echo "# $1: $output" >&3
	assert_status 0
}

@test "an RFC 6962 log: every path of certstream-server-go's messages is in ours, same value (full, lite, domains-only)" {
	both rfc6962
	parity full "$N"
	parity lite "$N"
	parity domains "$N"
	# Not vacuous: the messages carry what the comparison is about.
	jq -se 'map(.data) | (map(.update_type) | unique) == ["PrecertLogEntry","X509LogEntry"]
	  and (map(.chain | length) | min) >= 2
	  and any(.[]; .leaf_cert.subject.email_address == "hostmaster@shop.example.test")
	  and any(.[]; .chain[1].all_domains == ["root.example.test"])' "$T/ours.full" >/dev/null ||
		fail "the entries lack what is compared"
	jq -se 'map(.data) | any(.[]; .chain[1].all_domains == ["root.example.test"])
	  and any(.[]; .leaf_cert.subject.CN == "")' "$T/go.full" >/dev/null ||
		fail "the Go server's messages lack what is compared"
}

@test "a static-ct-api log: the same, where the Go server has the entry (it sends no chain)" {
	both static
	parity full "$((N - 1))"
	parity lite "$((N - 1))"
	jq -se 'map(.data) | all(.[]; .source.type == "static" and .source.timestamp >= 1767225600)' \
		"$T/ours.full" >/dev/null || fail "not read as a static log"
}
