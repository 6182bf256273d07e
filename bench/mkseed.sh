#!/bin/sh
# Make 40 entry records from certificates made here (used by the benches
# when ../shared/fixtures is absent): an RSA and an ECDSA issuer, leaves
# with 1-20 SANs, half of them precertificates.
set -eu
out=$1
top=$(cd "$(dirname "$0")/.." && pwd)
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$d/ca.pem" \
	-days 30 -subj "/C=US/O=Bench Trust/CN=Bench CA R1" \
	-addext basicConstraints=critical,CA:TRUE 2>/dev/null
: >"$out"
i=0
while [ $i -lt 40 ]; do
	sans=DNS:host$i.example.com
	j=0
	while [ $j -lt $((i % 20)) ]; do sans="$sans,DNS:alt$j.host$i.example.com"; j=$((j + 1)); done
	{
		echo "basicConstraints=critical,CA:FALSE"
		echo "keyUsage=critical,digitalSignature"
		echo "extendedKeyUsage=serverAuth"
		echo "subjectAltName=$sans"
		echo "authorityKeyIdentifier=keyid"
		echo "subjectKeyIdentifier=hash"
		echo "certificatePolicies=2.23.140.1.2.1"
		echo "authorityInfoAccess=caIssuers;URI:http://ca.example/r1.der"
		[ $((i % 2)) -eq 1 ] && echo "1.3.6.1.4.1.11129.2.4.3=critical,ASN1:NULL"
	} >"$d/ext"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/k" \
		-subj "/CN=host$i.example.com" -out "$d/csr" 2>/dev/null
	openssl x509 -req -in "$d/csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -set_serial $((1000 + i)) \
		-days 90 -extfile "$d/ext" -out "$d/leaf.pem" 2>/dev/null
	cat "$d/leaf.pem" "$d/ca.pem" >"$d/chain.pem"
	python3 "$top/tests/lib/mkentries.py" --log http://bench.invalid/log --name Bench \
		--start $i "$d/chain.pem" >>"$out"
	i=$((i + 1))
done
