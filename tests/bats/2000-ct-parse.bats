#!/usr/bin/env bats
# ct-parse: entry records in, certstream messages out.
load common

MK="$CT_TOP/tests/lib/mkentries.py"

# A CA and leaves made here with OpenSSL; $1 name, $2 subject, $3 SANs
# (or ""), $4 "precert" for a CT-poisoned certificate, $5 key type, $6
# the serial (default: 8 random bytes).
setup_more() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$T/ca.key" -out "$T/ca.pem" -days 30 \
		-subj "/C=US/O=Test Trust/CN=Test CA R1" \
		-addext "basicConstraints=critical,CA:TRUE" 2>/dev/null
}

mkleaf() {
	local name=$1 subj=$2 sans=$3 kind=${4:-x509} kt=${5:-ec}
	local serial=${6:-0x$(openssl rand -hex 8)}
	local ext="$T/$name.ext"
	{
		echo "basicConstraints=critical,CA:FALSE"
		echo "keyUsage=critical,digitalSignature,keyEncipherment"
		echo "extendedKeyUsage=serverAuth,clientAuth"
		[ -n "$sans" ] && echo "subjectAltName=$sans"
		echo "authorityKeyIdentifier=keyid"
		echo "subjectKeyIdentifier=hash"
		echo "certificatePolicies=2.23.140.1.2.1"
		echo "authorityInfoAccess=OCSP;URI:http://ocsp.test/,caIssuers;URI:http://ca.test/r1.der"
		[ "$kind" = precert ] && echo "1.3.6.1.4.1.11129.2.4.3=critical,ASN1:NULL"
	} >"$ext"
	case $kt in
	ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/$name.key" 2>/dev/null ;;
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/$name.key" 2>/dev/null ;;
	ed25519) openssl genpkey -algorithm ED25519 -out "$T/$name.key" 2>/dev/null ;;
	esac
	openssl req -new -utf8 -key "$T/$name.key" -subj "$subj" -out "$T/$name.csr" 2>/dev/null
	openssl x509 -req -in "$T/$name.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" \
		-set_serial "$serial" -days 90 -extfile "$ext" \
		-out "$T/$name.pem" 2>/dev/null
	cat "$T/$name.pem" "$T/ca.pem" >"$T/$name.chain.pem"
}

# Compare the certstream fields of a message with what openssl says.
check_against_openssl() {
	local pem=$1 msg=$2
	local want got
	want=$(openssl x509 -in "$pem" -noout -fingerprint -sha256 | sed 's/.*=//')
	got=$(jq -r .data.leaf_cert.sha256 <<<"$msg")
	[ "$want" = "$got" ] || fail "sha256: want $want got $got"
	want=$(openssl x509 -in "$pem" -noout -fingerprint -sha1 | sed 's/.*=//')
	got=$(jq -r .data.leaf_cert.sha1 <<<"$msg")
	[ "$want" = "$got" ] || fail "sha1: want $want got $got"
	[ "$(jq -r .data.leaf_cert.fingerprint <<<"$msg")" = "$want" ] || fail "fingerprint"
	want=$(openssl x509 -in "$pem" -noout -serial | sed 's/.*=//')
	got=$(jq -r .data.leaf_cert.serial_number <<<"$msg")
	[ "${got#00}" = "${want#00}" ] || fail "serial: want $want got $got"
	want=$(date -d "$(openssl x509 -in "$pem" -noout -startdate | sed 's/.*=//')" +%s)
	[ "$(jq -r .data.leaf_cert.not_before <<<"$msg")" = "$want" ] || fail "not_before"
	want=$(date -d "$(openssl x509 -in "$pem" -noout -enddate | sed 's/.*=//')" +%s)
	[ "$(jq -r .data.leaf_cert.not_after <<<"$msg")" = "$want" ] || fail "not_after"
	want=$(openssl x509 -in "$pem" -noout -ext subjectAltName 2>/dev/null |
		tail -n +2 | tr ',' '\n' | sed -n 's/^ *DNS://p' | paste -sd, -)
	got=$(jq -r '[.data.leaf_cert.extensions.subjectAltName // "" | split(", ")[] | select(startswith("DNS:")) | ltrimstr("DNS:")] | join(",")' <<<"$msg")
	[ "$want" = "$got" ] || fail "SAN DNS: want $want got $got"
}

@test "ct-parse: --help, --version, bad option, man page options" {
	check_cli_contract ct-parse
	check_man_options ct-parse
}

@test "ct-parse: x509 entry of a certificate made here matches openssl" {
	mkleaf leaf "/C=DE/ST=Berlin/L=Berlin/O=Shop GmbH/OU=Web/CN=shop.example.org" \
		"DNS:shop.example.org,DNS:www.shop.example.org,IP:192.0.2.1,email:ops@example.org"
	python3 "$MK" --log http://127.0.0.1/log/ --name "Test 'Log'" --start 7 "$T/leaf.chain.pem" >"$T/in"
	run ct-parse "$T/in"
	assert_status 0
	assert_line_count 1
	check_against_openssl "$T/leaf.pem" "$output"
	jq -e '.message_type == "certificate_update" and .data.update_type == "X509LogEntry"
	  and .data.cert_index == 7
	  and .data.cert_link == "http://127.0.0.1/log/ct/v1/get-entries?start=7&end=7"
	  and .data.source == {"name":"Test '"'"'Log'"'"'","url":"http://127.0.0.1/log","timestamp":1767225655.456,"type":"rfc6962"}
	  and .data.submission_timestamp == 1767225655.456
	  and .data.leaf_cert.subject.CN == "shop.example.org"
	  and .data.leaf_cert.subject.aggregated == "/C=DE/CN=shop.example.org/L=Berlin/O=Shop GmbH/OU=Web/ST=Berlin"
	  and .data.leaf_cert.subject.emailAddress == null
	  and .data.leaf_cert.issuer.aggregated == "/C=US/CN=Test CA R1/O=Test Trust"
	  and .data.leaf_cert.all_domains == ["shop.example.org","www.shop.example.org"]
	  and .data.leaf_cert.is_ca == false
	  and .data.leaf_cert.signature_algorithm == "ecdsa, sha256"
	  and (.data.leaf_cert.extensions.subjectAltName | contains("IP Address:192.0.2.1"))
	  and (.data.leaf_cert.extensions.subjectAltName | contains("email:ops@example.org"))
	  and .data.leaf_cert.extensions.basicConstraints == "CA:FALSE"
	  and (.data.leaf_cert.extensions | has("ctlPoisonByte") | not)
	  and (.data.chain | length) == 1 and .data.chain[0].is_ca == true
	  and (.data.leaf_cert.seen == null) and (.data.seen > 1700000000)' <<<"$output" >/dev/null ||
		fail "fields differ: $output"
	# as_der is the certificate itself
	jq -r .data.leaf_cert.as_der <<<"$output" | base64 -d >"$T/der"
	openssl x509 -in "$T/leaf.pem" -outform DER | cmp - "$T/der"
	jq -r '.data.chain[0].as_der' <<<"$output" | base64 -d | cmp - <(openssl x509 -in "$T/ca.pem" -outform DER)
}

@test "ct-parse: precert entry: leaf_cert is the precertificate, with the poison" {
	mkleaf pre "/CN=pre.example.net" "DNS:pre.example.net,DNS:*.pre.example.net" precert rsa
	python3 "$MK" --start 3 "$T/pre.chain.pem" >"$T/in"
	run ct-parse "$T/in"
	assert_status 0
	check_against_openssl "$T/pre.pem" "$output"
	jq -e '.data.update_type == "PrecertLogEntry" and .data.leaf_cert.extensions.ctlPoisonByte == true
	  and .data.leaf_cert.all_domains == ["pre.example.net","*.pre.example.net"]
	  and .data.leaf_cert.signature_algorithm == "ecdsa, sha256"' <<<"$output" >/dev/null || fail "$output"
}

@test "ct-parse: a precertificate and its final certificate share tbs_sha256" {
	# Both issued by "openssl ca" from one CSR with the same serial and
	# dates: the precert with the poison, the final one with an SCT list.
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/l.key" 2>/dev/null
	openssl req -new -key "$T/l.key" -subj /CN=x.example -out "$T/l.csr" 2>/dev/null
	printf '[ca]\ndefault_ca=d\n[d]\ndatabase=%s/index\nnew_certs_dir=%s\nserial=%s/serial\ndefault_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n' \
		"$T" "$T" "$T" >"$T/ca.cnf"
	issue() { # out, extra extension line
		: >"$T/index"
		echo 1234ABCD >"$T/serial"
		printf 'subjectAltName=DNS:x.example,DNS:www.x.example\nbasicConstraints=CA:FALSE\n%s\n' "$2" >"$T/$1.ext"
		openssl ca -config "$T/ca.cnf" -batch -notext -cert "$T/ca.pem" -keyfile "$T/ca.key" \
			-in "$T/l.csr" -out "$T/$1.pem" -startdate 20260101000000Z \
			-enddate 20260401000000Z -extfile "$T/$1.ext" 2>/dev/null
		cat "$T/$1.pem" "$T/ca.pem" >"$T/$1.chain.pem"
	}
	issue pre "1.3.6.1.4.1.11129.2.4.3=critical,ASN1:NULL"
	issue fin "1.3.6.1.4.1.11129.2.4.2=DER:04:03:00:01:00"
	python3 "$MK" "$T/pre.chain.pem" >"$T/in"
	python3 "$MK" "$T/fin.chain.pem" >>"$T/in"
	run ct-parse -f lite "$T/in"
	assert_status 0
	assert_line_count 2
	[ "$(jq -r .data.update_type <<<"$output" | paste -sd,)" = "PrecertLogEntry,X509LogEntry" ] || fail "$output"
	[ "$(jq -r .data.leaf_cert.tbs_sha256 <<<"$output" | sort -u | wc -l)" = 1 ] ||
		fail "tbs_sha256 differs between precert and final cert: $output"
	[ "$(jq -r .data.leaf_cert.sha256 <<<"$output" | sort -u | wc -l)" = 2 ] || fail "$output"
	# And tbs_sha256 of a certificate without CT extensions is SHA-256 of its TBS.
	python3 "$MK" "$T/ca.pem" | ct-parse -f lite >"$T/ca.json"
	want=$(python3 -c 'import sys,base64,hashlib
d=open(sys.argv[1]).read().split("-----")[2]
der=base64.b64decode("".join(d.split()))
# TBSCertificate is the first element inside the outer SEQUENCE
def hdr(b,i):
    l=b[i+1]
    if l<0x80: return i+2,l
    n=l&0x7f; return i+2+n,int.from_bytes(b[i+2:i+2+n],"big")
s,_=hdr(der,0); t,l=hdr(der,s)
print(":".join("%02X"%x for x in hashlib.sha256(der[s:t+l]).digest()))' "$T/ca.pem")
	[ "$(jq -r .data.leaf_cert.tbs_sha256 "$T/ca.json")" = "$want" ] || fail "tbs_sha256 of a plain certificate"
}

@test "ct-parse: certstream-server-go's fields: email_address, chain[].all_domains, source.timestamp" {
	# an issuer with an e-mail address in its name and a dNSName
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/ca.key" \
		-out "$T/ca.pem" -days 30 -subj "/O=Test Trust/CN=Test CA R2/emailAddress=pki@ca.example" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "subjectAltName=DNS:ca.example" 2>/dev/null
	mkleaf m "/CN=m.example/emailAddress=hostmaster@m.example" "DNS:m.example,DNS:www.m.example" precert
	python3 "$MK" --ts 1767225655001 "$T/m.chain.pem" >"$T/in"
	for f in full lite; do
		run ct-parse -f "$f" "$T/in"
		assert_status 0
		jq -e '.data.leaf_cert.subject.email_address == "hostmaster@m.example"
		  and .data.leaf_cert.subject.emailAddress == "hostmaster@m.example"
		  and .data.leaf_cert.issuer.email_address == "pki@ca.example"
		  and .data.leaf_cert.issuer.emailAddress == "pki@ca.example"
		  and .data.source.timestamp == 1767225655.001 and .data.submission_timestamp == 1767225655.001' \
			<<<"$output" >/dev/null || fail "$f: $output"
	done
	# a CA's all_domains: its SAN dNSNames, never its CN
	run ct-parse "$T/in"
	jq -e '.data.chain[0].all_domains == ["ca.example"] and .data.chain[0].subject.email_address == "pki@ca.example"
	  and .data.leaf_cert.all_domains == ["m.example","www.m.example"]' <<<"$output" >/dev/null || fail "$output"
}

@test "ct-parse: lite and domains formats" {
	mkleaf a "/CN=a.example" "DNS:a.example,DNS:b.example"
	python3 "$MK" "$T/a.chain.pem" >"$T/in"
	run ct-parse --format lite "$T/in"
	assert_status 0
	jq -e '(.data | has("chain") | not) and (.data.leaf_cert | has("as_der") | not)
	  and .data.leaf_cert.all_domains == ["a.example","b.example"]' <<<"$output" >/dev/null || fail "$output"
	run ct-parse -f domains "$T/in"
	assert_status 0
	[ "$output" = '{"message_type":"dns_entries","data":["a.example","b.example"]}' ] || fail "$output"
	ct-parse "$T/in" >"$T/full"
	ct-parse -f lite "$T/in" >"$T/lite"
	full=$(jq -cS 'del(.data.seen, .data.chain, .data.leaf_cert.as_der)' "$T/full")
	lite=$(jq -cS 'del(.data.seen)' "$T/lite")
	[ -n "$full" ] && [ "$full" = "$lite" ] || fail "lite is not full minus as_der and chain"
}

@test "ct-parse: Ed25519, no CN, 120 SANs, IDN and wildcard" {
	sans=$(for i in $(seq 1 120); do printf 'DNS:h%d.example.com,' "$i"; done)
	mkleaf many "/O=No CN Org" "${sans}DNS:xn--bcher-kva.example,DNS:*.wild.example" x509 ed25519
	python3 "$MK" "$T/many.chain.pem" >"$T/in"
	run ct-parse "$T/in"
	assert_status 0
	check_against_openssl "$T/many.pem" "$output"
	jq -e '.data.leaf_cert.subject.CN == null and (.data.leaf_cert.all_domains | length) == 122
	  and .data.leaf_cert.all_domains[120] == "xn--bcher-kva.example"
	  and .data.leaf_cert.signature_algorithm == "ecdsa, sha256"' <<<"$output" >/dev/null || fail "$output"
}

@test "ct-parse: signature algorithms: Ed25519, RSA, RSA-PSS, ECDSA P-384" {
	selfsigned() { # name, newkey args..., then -- and extra req args
		local name=$1; shift
		openssl req -x509 -nodes -keyout "$T/$name.key" -out "$T/$name.pem" -days 2 \
			-subj "/CN=$name.example" "$@" 2>/dev/null
	}
	selfsigned ed -newkey ed25519
	selfsigned rsa -newkey rsa:2048 -sha384
	selfsigned pss -newkey rsa:2048 -sha256 -sigopt rsa_padding_mode:pss
	selfsigned p384 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -sha384
	for n in ed rsa pss p384; do python3 "$MK" "$T/$n.pem"; done >"$T/in"
	run ct-parse -f lite "$T/in"
	assert_status 0
	[ "$(jq -r .data.leaf_cert.signature_algorithm <<<"$output" | paste -sd/)" = \
	  "ed25519/sha384, rsa/sha256, rsa-pss/ecdsa, sha384" ] || fail "$output"
}

@test "ct-parse: UTF-8 and BMPString names are decoded to UTF-8" {
	mkleaf u "/CN=bücher.example/O=Ünïcødé" "DNS:xn--bcher-kva.example"
	python3 "$MK" "$T/u.chain.pem" >"$T/in"
	run ct-parse "$T/in"
	assert_status 0
	[ "$(jq -r .data.leaf_cert.subject.CN <<<"$output")" = "bücher.example" ] || fail "$output"
	# O as a BMPString: string_mask MASK:0x800 allows only that type.
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/c.key" \
		-out "$T/bmp.pem" -days 2 -utf8 -subj "/CN=b.example/O=Grüße" \
		-config <(printf '[req]\ndistinguished_name=dn\nstring_mask=MASK:0x800\n[dn]\n') 2>/dev/null
	openssl asn1parse -in "$T/bmp.pem" | grep -q BMPSTRING || fail "openssl made no BMPString"
	python3 "$MK" "$T/bmp.pem" >"$T/in"
	run ct-parse "$T/in"
	assert_status 0
	[ "$(jq -r .data.leaf_cert.subject.O <<<"$output")" = "Grüße" ] || fail "$output"
}

@test "ct-parse: a negative serial number is converted as encoded, with a warning" {
	# Real logs hold them (older CAs); the record must still go out, the
	# serial as its DER bytes (two's complement), as x509-parser shows it.
	mkleaf neg "/CN=neg.example" "DNS:neg.example" x509 ec -5
	mkleaf negp "/CN=negp.example" "DNS:negp.example" precert ec -129
	mkleaf pos "/CN=pos.example" "DNS:pos.example" x509 ec 128
	openssl x509 -in "$T/neg.pem" -noout -serial | grep -qx 'serial=-05' || fail "openssl made no negative serial"
	python3 "$MK" --log http://l/x --start 5 "$T/neg.chain.pem" >"$T/in"
	python3 "$MK" --log http://l/x --start 6 "$T/negp.chain.pem" >>"$T/in"
	python3 "$MK" --log http://l/x --start 7 "$T/pos.chain.pem" >>"$T/in"
	run bash -c "ct-parse -f lite '$T/in' 2>'$T/err'"
	assert_status 0
	[ "$(jq -r '"\(.data.cert_index) \(.data.leaf_cert.serial_number) \(.data.leaf_cert.all_domains[0])"' <<<"$output")" = \
	  "5 FB neg.example
6 FF7F negp.example
7 80 pos.example" ] || fail "$output"
	[ "$(cat "$T/err")" = "ct-parse: http://l/x index 5: warning: certificate has a negative serial number (converted as encoded)
ct-parse: http://l/x index 6: warning: precertificate has a negative serial number (converted as encoded)" ] ||
		fail "stderr: $(cat "$T/err")"
	# The full form too, and the domains form.
	run bash -c "ct-parse '$T/in' 2>/dev/null | jq -r .data.leaf_cert.serial_number | paste -sd,"
	assert_status 0
	[ "$output" = "FB,FF7F,80" ] || fail "$output"
	run bash -c "ct-parse -f domains '$T/in' 2>/dev/null"
	assert_status 0
	assert_line_count 3
}

@test "ct-parse: a name attribute given twice shows its last value, as the peers do" {
	mkleaf dup "/CN=a.example/CN=b.example/O=x/O=y/OU=u1/OU=u2" "DNS:a.example,DNS:b.example,DNS:c.example"
	python3 "$MK" --start 3 "$T/dup.chain.pem" >"$T/in"
	run bash -c "ct-parse -f lite '$T/in' 2>'$T/err'"
	assert_status 0
	[ ! -s "$T/err" ] || fail "stderr: $(cat "$T/err")"
	[ "$(jq -c .data.leaf_cert.subject <<<"$output")" = \
	  '{"C":null,"CN":"b.example","L":null,"O":"y","OU":"u2","ST":null,"emailAddress":null,"email_address":null,"aggregated":"/CN=b.example/O=y/OU=u2"}' ] ||
		fail "$output"
	# all_domains: that CN first, then the SANs without it.
	[ "$(jq -c .data.leaf_cert.all_domains <<<"$output")" = '["b.example","a.example","c.example"]' ] || fail "$output"
	run ct-parse -f domains "$T/in"
	assert_status 0
	[ "$output" = '{"message_type":"dns_entries","data":["b.example","a.example","c.example"]}' ] || fail "$output"
	# The same in the issuer name, and in a real certificate (five CNs).
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/i.key" \
		-out "$T/i.pem" -days 2 -subj "/O=First Trust/O=Second Trust/CN=CA 1/CN=CA 2" 2>/dev/null
	openssl x509 -req -in "$T/dup.csr" -CA "$T/i.pem" -CAkey "$T/i.key" -set_serial 9 -days 2 \
		-out "$T/d2.pem" 2>/dev/null
	python3 "$MK" "$T/d2.pem" "$T/i.pem" >"$T/in2"
	run ct-parse "$T/in2"
	assert_status 0
	[ "$(jq -r '.data.leaf_cert.issuer.aggregated, .data.chain[0].subject.aggregated' <<<"$output" | paste -sd'|')" = \
	  "/CN=CA 2/O=Second Trust|/CN=CA 2/O=Second Trust" ] || fail "$output"
	[ -f "$FIX/certs/python-ct-crypto/multiple_cn.pem" ] || return 0
	python3 "$MK" "$FIX/certs/python-ct-crypto/multiple_cn.pem" >"$T/in3"
	run ct-parse -f domains "$T/in3"
	assert_status 0
	[ "$output" = '{"message_type":"dns_entries","data":["www.rdio.com","api.rd.io","api.rdio.com","rd.io","rdio.com","www.rd.io"]}' ] ||
		fail "$output"
}

@test "ct-parse: raw get-entries response with --start, and a pretty-printed one" {
	mkleaf a "/CN=a.example" "DNS:a.example"
	mkleaf b "/CN=b.example" "DNS:b.example" precert
	python3 "$MK" --start 0 "$T/a.chain.pem" >"$T/r1"
	python3 "$MK" --start 0 "$T/b.chain.pem" >"$T/r2"
	jq -cs '{entries: map({leaf_input, extra_data})}' "$T/r1" "$T/r2" >"$T/raw"
	run ct-parse --log http://l.example/x --log-name X --start 41 -f lite "$T/raw"
	assert_status 0
	assert_line_count 2
	[ "$(jq -r .data.cert_index <<<"$output" | paste -sd,)" = "41,42" ] || fail "$output"
	jq . "$T/raw" >"$T/pretty"
	run ct-parse --log http://l.example/x --start 41 -f domains "$T/pretty"
	assert_status 0
	[ "$output" = '{"message_type":"dns_entries","data":["a.example"]}
{"message_type":"dns_entries","data":["b.example"]}' ] || fail "$output"
}

@test "ct-parse: unbalanced pretty-printed input: memory is bounded, each record reported once at its first line" {
	mkleaf a "/CN=a.example" "DNS:a.example"
	python3 "$MK" --log http://l/x --start 1 "$T/a.chain.pem" >"$T/good"
	# line 1 a record; line 2 a document that never closes, 200 MiB of
	# it; then a record at column 0 (which ends it); a small unbalanced
	# document (line 204805), a record, a document open at the end.
	cat >"$T/gen.py" <<'PY'
import sys
good = open(sys.argv[1]).read()
out = sys.stdout
out.write(good)
out.write('{\n  "entries": [\n')
chunk = '    "' + 'A' * 1018 + '",\n'
for i in range(200 * 1024):
    out.write(chunk)
out.write(good)
out.write('{\n  "entries": [\n    "x",\n')
out.write(good)
out.write('{\n  "a": [\n')
PY
	run bash -c "python3 '$T/gen.py' '$T/good' | /usr/bin/time -f %M -o '$T/rss' ct-parse -f domains 2>'$T/err'"
	assert_status 1
	[ "$output" = '{"message_type":"dns_entries","data":["a.example"]}
{"message_type":"dns_entries","data":["a.example"]}
{"message_type":"dns_entries","data":["a.example"]}' ] || fail "$output"
	[ "$(cat "$T/err")" = "ct-parse: stdin:2: JSON record longer than 64 MiB, skipped
ct-parse: stdin:204805: incomplete JSON record
ct-parse: stdin:204809: incomplete JSON record at end of input" ] || fail "stderr: $(cat "$T/err")"
	# Under ASan the shadow memory and quarantine make RSS meaningless.
	[ "$CT_VARIANT" = rel ] || return 0
	rss=$(tail -n 1 "$T/rss")
	echo "# max RSS on 200 MiB of unbalanced input: $rss KiB" >&3
	[ "$rss" -le 150000 ] || fail "max RSS $rss KiB"
}

@test "ct-parse: bad records are reported with log and index, the next goes on, exit 1" {
	mkleaf a "/CN=a.example" "DNS:a.example"
	python3 "$MK" --log http://l/x --start 5 "$T/a.chain.pem" >"$T/good"
	good=$(cat "$T/good")
	leaf=$(jq -r .leaf_input "$T/good" | base64 -d | xxd -p | tr -d '\n')
	b64() { xxd -r -p | base64 -w0; }
	{
		echo 'not json at all'
		echo "$good" | jq -c '.index = 6 | .leaf_input = "AAAA"'
		echo "$good" | jq -c --arg l "$(printf '%s00' "$leaf" | b64)" '.index = 7 | .leaf_input = $l'
		echo "$good" | jq -c --arg l "$(printf '%s' "${leaf:0:20}0009${leaf:24}" | b64)" '.index = 8 | .leaf_input = $l'
		echo "$good" | jq -c '.index = 9 | .leaf_input = "!!!!"'
		echo "$good" | jq -c '.index = 10 | del(.extra_data)'
		echo "$good" | jq -c 'del(.index)'
		echo "$good" | jq -c '.index = 11'
	} >"$T/in"
	run ct-parse "$T/in"
	assert_status 1
	[ "$(grep -c '^{"message_type":"certificate_update"' <<<"$output")" -eq 1 ] || fail "$output"
	run bash -c "ct-parse '$T/in' 2>&1 >/dev/null"
	assert_status 1
	assert_contains "ct-parse: $T/in:1: not a JSON object"
	assert_contains "ct-parse: http://l/x index 6: leaf_input: truncated"
	assert_contains "ct-parse: http://l/x index 7: leaf_input: trailing bytes"
	assert_contains "ct-parse: http://l/x index 8: leaf_input: unknown entry type"
	assert_contains "ct-parse: http://l/x index 9: leaf_input is not base64"
	assert_contains "ct-parse: http://l/x index 10: extra_data is missing"
	assert_contains "ct-parse: $T/in:7: no valid index"
	[ "$(grep -c '' <<<"$output")" -eq 7 ] || fail "one line per bad record: $output"
	run ct-parse --errors json "$T/in"
	assert_status 1
	[ "$(jq -r .message_type <<<"$output" | sort | uniq -c | tr -s ' ' | paste -sd,)" = " 1 certificate_update, 7 parse_error" ] || fail "$output"
	jq -s -e 'map(select(.data.index == 8)) | length == 1 and .[0].data.log == "http://l/x"' <<<"$output" >/dev/null || fail "$output"
}

@test "ct-parse: malformed DER never crashes and gives one line each" {
	mkleaf a "/CN=a.example" "DNS:a.example"
	python3 "$MK" "$T/a.chain.pem" >"$T/good"
	der=$(jq -r .leaf_input "$T/good" | base64 -d | xxd -p | tr -d '\n')
	: >"$T/in"
	# Cut the certificate at many points and fix up the TLS length so only
	# the DER is wrong (truncated, lengths past the end).
	len=$(( ${#der} / 2 ))
	for cut in 20 50 100 200 300; do
		python3 - "$der" "$cut" >>"$T/in" <<'PY'
import sys, base64, json
b = bytes.fromhex(sys.argv[1]); cut = int(sys.argv[2])
cert = b[15:15 + int.from_bytes(b[12:15], "big")]
c = cert[:len(cert) - cut]
leaf = b[:12] + len(c).to_bytes(3, "big") + c + b"\0\0"
print(json.dumps({"log": "http://l", "index": cut, "leaf_input": base64.b64encode(leaf).decode(), "extra_data": "AAAA"}))
PY
	done
	run bash -c "ct-parse '$T/in' 2>'$T/err'"
	assert_status 1
	[ -z "$output" ] || fail "garbage output: $output"
	[ "$(grep -c '' "$T/err")" -eq 5 ] && [ "$(grep -c 'index [0-9]*: certificate: ' "$T/err")" -eq 5 ] ||
		fail "$(cat "$T/err")"
}

@test "ct-parse: output errors: /dev/full fails loudly, | head -1 is quiet" {
	mkleaf a "/CN=a.example" "DNS:a.example"
	python3 "$MK" "$T/a.chain.pem" >"$T/one"
	for i in $(seq 1 3000); do cat "$T/one"; done >"$T/in"
	run bash -c "ct-parse '$T/in' >/dev/full"
	assert_status 1
	assert_contains "ct-parse: write error"
	[ "$(grep -c '' <<<"$output")" -eq 1 ] || fail "$output"
	# 3000 records, MiBs: ct-parse is still writing when head exits, so
	# SIGPIPE ends it (141), silently, after a whole first line.
	pipe_head1 ct-parse "$T/in"
	assert_status 141
	want=$(head -n 1 "$T/in" | ct-parse)
	seen='s/"seen":[0-9.]*,/"seen":S,/'
	[ "$(sed "$seen" <<<"$output")" = "$(sed "$seen" <<<"$want")" ] || fail "first line: $output"
	run ct-parse </dev/null
	assert_status 0
	[ -z "$output" ] || fail "$output"
}

@test "ct-parse: every real entry of the fixtures parses" {
	need_fixtures
	total=0
	for f in "$FIX"/rfc6962/*/get-entries*.json "$FIX"/rfc6962/ctgo_*.json; do
		n=$(jq '.entries | length' "$f")
		run ct-parse --log https://example.invalid/log "$f"
		assert_status 0
		[ "$(grep -c '' <<<"$output")" -eq "$n" ] || fail "$f: $n entries, got: $output"
		jq -e . <<<"$output" >/dev/null
		total=$((total + n))
	done
	[ "$total" -ge 40 ] || fail "only $total entries"
}

@test "ct-parse: agrees with certstream-server-rust's snapshot on the fields we share" {
	need_fixtures
	snap="$FIX/rfc6962/certstream_live_ct_parser_snapshot.json"
	jq -c '.[] | {log: .log_url, log_name, index: .cert_index, leaf_input, extra_data}' "$snap" >"$T/in"
	run ct-parse "$T/in"
	assert_status 0
	ct-parse "$T/in" | jq -c '.data | [.cert_index, .update_type, .leaf_cert.all_domains, .leaf_cert.serial_number,
	  .leaf_cert.sha256, .leaf_cert.sha1, .leaf_cert.not_before, .leaf_cert.not_after, .leaf_cert.is_ca,
	  .leaf_cert.subject.CN, .leaf_cert.issuer.CN, (.chain | length)]' >"$T/ours"
	jq -c '.[] | .expected_full | fromjson | .data | [.cert_index, .update_type, .leaf_cert.all_domains, .leaf_cert.serial_number,
	  .leaf_cert.sha256, .leaf_cert.sha1, .leaf_cert.not_before, .leaf_cert.not_after, .leaf_cert.is_ca,
	  .leaf_cert.subject.CN, .leaf_cert.issuer.CN, (.chain | length)]' "$snap" >"$T/theirs"
	diff "$T/theirs" "$T/ours"
}
