# Sourced by the ct-fetch benches: entry templates in $d/entries.ndjson
# made here with OpenSSL (RSA-2048 leaf and CA, a certificate and a
# precertificate, about 3.3 KB of base64 per entry, like real ones).
# Needs $top and $out.
d=$out/fetch-certs
if [ ! -s "$d/entries.ndjson" ]; then
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$d/ca.pem" -days 30 \
		-subj "/C=US/O=Bench Trust/CN=Bench CA R1" -addext "basicConstraints=critical,CA:TRUE" 2>/dev/null
	for kind in x509 precert; do
		{
			echo "basicConstraints=critical,CA:FALSE"
			echo "subjectAltName=DNS:$kind.bench.test,DNS:www.$kind.bench.test,DNS:api.$kind.bench.test"
			echo "certificatePolicies=2.23.140.1.2.1"
			echo "authorityInfoAccess=OCSP;URI:http://ocsp.bench.test/,caIssuers;URI:http://ca.bench.test/r1.der"
			[ "$kind" = precert ] && echo "1.3.6.1.4.1.11129.2.4.3=critical,ASN1:NULL"
		} >"$d/$kind.ext"
		openssl req -new -newkey rsa:2048 -nodes -keyout "$d/$kind.key" \
			-subj "/CN=$kind.bench.test" -out "$d/$kind.csr" 2>/dev/null
		openssl x509 -req -in "$d/$kind.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
			-set_serial 0x1234567890 -days 90 -extfile "$d/$kind.ext" -out "$d/$kind.pem" 2>/dev/null
		python3 "$top/tests/lib/mkentries.py" "$d/$kind.pem" "$d/ca.pem"
	done >"$d/entries.ndjson"
fi
