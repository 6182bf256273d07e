#!/bin/bash
# sunlight-up.sh DIR DEBS N: unpack Sunlight (a real static-ct-api log)
# from DEBS/sunlight_*.deb into DIR, start Skylight (read path) and
# Sunlight (write path) on 127.0.0.1, submit N certificates (a third of
# them precertificates) made here with OpenSSL, wait until they are all
# sequenced, and write DIR/log.json, a ct-fetch log record for it.
# PIDs go to DIR/pids. Tests only.
set -eu
dir=$1 debs=$(cd "$2" && pwd) n=$3
mkdir -p "$dir"
cd "$dir"
dpkg -x "$(ls "$debs"/sunlight_*.deb | head -1)" pkg
bin=$PWD/pkg/usr/bin
export GODEBUG=httpmuxgo121=0
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wp=$(port) rp=$(port)
# our own seed: keygen would make its seed file immutable (chattr +i)
head -c 32 /dev/urandom >seed.bin
"$bin/sunlight-keygen" -f seed.bin >keygen.out 2>&1
key=$(sed -n '/ECDSA public key/,/END PUBLIC KEY/p' keygen.out | grep -v -- '-----\|ECDSA' | tr -d '\n')
logid=$(sed -n 's/^Log ID: //p' keygen.out)
# a CA and its roots file
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
	-out ca.pem -days 30 -subj "/O=Sunlight Test/CN=Sunlight Test Root" \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" 2>/dev/null
python3 - <<'PY'
import sqlite3
c = sqlite3.connect("checkpoints.db")
c.execute("CREATE TABLE checkpoints (logID BLOB PRIMARY KEY, body BLOB NOT NULL) STRICT")
c.commit()
PY
mkdir -p tree
today=$(date -u +%F)
cat >sunlight.yaml <<Y
listen:
  - "127.0.0.1:$wp"
checkpoints: $PWD/checkpoints.db
logs:
  - name: sunlight.test/2026
    shortname: test2026
    inception: $today
    httpprefix: /2026
    submissionprefix: https://sunlight.test/2026
    monitoringprefix: https://127.0.0.1/2026
    roots: $PWD/ca.pem
    seed: $PWD/seed.bin
    publickey: $key
    cache: $PWD/cache.db
    poolsize: 2000
    localdirectory: $PWD/tree
    notafterstart: $(date -u -d '-30 days' +%FT00:00:00Z)
    notafterlimit: $(date -u -d '+400 days' +%FT00:00:00Z)
Y
cat >skylight.yaml <<Y
listen:
  - "127.0.0.1:$rp"
homeredirect: https://sunlight.test
operatorname: ctstream tests
logsjsonprefix: http://127.0.0.1:$rp/
logs:
  - shortname: test2026
    monitoringprefix: https://127.0.0.1/2026
    localdirectory: $PWD/tree
Y
"$bin/skylight" -c skylight.yaml >skylight.log 2>&1 &
echo $! >>pids
"$bin/sunlight" -c sunlight.yaml >sunlight.out 2>sunlight.log &
echo $! >>pids
for _ in $(seq 100); do
	curl -fs -H "Host: sunlight.test" "http://127.0.0.1:$wp/2026/ct/v1/get-roots" >/dev/null 2>&1 && break
	sleep 0.1
done
curl -fs -H "Host: sunlight.test" "http://127.0.0.1:$wp/2026/ct/v1/get-roots" >/dev/null ||
	{ echo "sunlight did not start:" >&2; tail -n 5 sunlight.log skylight.log >&2; exit 1; }
# N leaves: one key, many certificates (openssl x509 -req is quick)
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out leaf.key 2>/dev/null
openssl req -new -key leaf.key -subj "/CN=leaf.sunlight.test" -out leaf.csr 2>/dev/null
mkdir -p sub
cab=$(openssl x509 -in ca.pem -outform DER | base64 -w0)
for i in $(seq "$n"); do
	{
		echo "basicConstraints=critical,CA:FALSE"
		echo "extendedKeyUsage=serverAuth"
		echo "subjectAltName=DNS:host$i.sunlight.test,DNS:www.host$i.sunlight.test"
		[ $((i % 3)) = 0 ] && echo "1.3.6.1.4.1.11129.2.4.3=critical,ASN1:NULL"
	} >sub/$i.ext
	openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -set_serial "$i" -days 90 \
		-extfile sub/$i.ext -outform DER -out sub/$i.der 2>/dev/null
	ep=add-chain
	[ $((i % 3)) = 0 ] && ep=add-pre-chain
	printf '{"chain":["%s","%s"]}' "$(base64 -w0 sub/$i.der)" "$cab" >sub/$i.json
	echo "$ep $i"
done >sub/list
# submit in parallel: each add-chain waits for its second's sequencing
xargs -P 64 -L 1 sh -c 'curl -fsS -o /dev/null -X POST -H "Host: sunlight.test" -H "Content-Type: application/json" \
	--data-binary @sub/$1.json "http://127.0.0.1:'"$wp"'/2026/ct/v1/$0" || echo "submit $1 failed" >&2' <sub/list
for _ in $(seq 100); do
	size=$(curl -fs "http://127.0.0.1:$rp/2026/checkpoint" | sed -n 2p)
	[ "${size:-0}" -ge "$n" ] && break
	sleep 0.2
done
printf '{"name":"Sunlight test2026","operator":"ctstream tests","type":"static","url":"http://127.0.0.1:%s/2026","submission_url":"https://sunlight.test/2026","log_id":"%s","key":"%s"}\n' \
	"$rp" "$logid" "$key" >log.json
echo "sunlight: $size entries; write 127.0.0.1:$wp, read 127.0.0.1:$rp"
