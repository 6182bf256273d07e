#!/usr/bin/env bats
# ct-loglist: log lists in, log records out.
load common
bats_require_minimum_version 1.5.0

# A v3 list written here: two RSA-6962 logs and one static log of two
# operators, with keys made by OpenSSL; signed with a key of our own.
setup_more() {
	python3 - "$T" <<'PY'
import base64, hashlib, json, subprocess, sys
t = sys.argv[1]
def key(name):
    subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-out", "%s/%s.key" % (t, name)],
                   check=True, capture_output=True)
    der = subprocess.run(["openssl", "pkey", "-in", "%s/%s.key" % (t, name),
                          "-pubout", "-outform", "DER"], check=True,
                         capture_output=True).stdout
    return base64.b64encode(der).decode(), base64.b64encode(hashlib.sha256(der).digest()).decode()
def log(name, url, state, tiled=False):
    k, i = key(name)
    d = {"description": name, "log_id": i, "key": k, "mmd": 86400,
         "state": {state: {"timestamp": "2026-01-01T00:00:00Z"}}}
    if tiled:
        d["submission_url"] = url + "/submit/"
        d["monitoring_url"] = url + "/"
    else:
        d["url"] = url + "/"
    return d
lst = {"version": "1.0", "log_list_timestamp": "2026-11-01T00:00:00Z", "operators": [
    {"name": "Alpha CT", "email": [], "logs": [log("Alpha 2026", "http://127.0.0.1/a26", "usable"),
                                         log("Alpha 2020", "http://127.0.0.1/a20", "retired")],
     "tiled_logs": [log("Alpha Tiled", "http://127.0.0.1/at", "qualified", True)]},
    {"name": "Beta Logs", "email": [], "logs": [log("Beta 2027", "http://127.0.0.1/b27", "readonly")],
     "tiled_logs": []}]}
open(t + "/list.json", "w").write(json.dumps(lst, indent=2))
PY
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/sign.key" 2>/dev/null
	openssl pkey -in "$T/sign.key" -pubout -out "$T/sign.pem"
	openssl dgst -sha256 -sign "$T/sign.key" -out "$T/list.sig" "$T/list.json"
}

teardown_more() {
	[ -f "$T/pids" ] && xargs -r kill <"$T/pids" 2>/dev/null
	true
}

@test "ct-loglist: --help, --version, bad option, man page options" {
	check_cli_contract ct-loglist
	check_man_options ct-loglist
	run ct-loglist --shard 2/2 "$T/list.json"
	assert_status 2
	run ct-loglist --type nope "$T/list.json"
	assert_status 2
}

@test "ct-loglist: a list written here: records, states, types, URLs" {
	run ct-loglist --key "$T/sign.pem" "$T/list.json"
	assert_status 0
	assert_line_count 3
	jq -s -e 'map(select(.name == "Alpha Tiled"))[0] | .type == "static" and .url == "http://127.0.0.1/at"
	  and .submission_url == "http://127.0.0.1/at/submit" and .state == "qualified" and .operator == "Alpha CT"' \
		<<<"$output" >/dev/null || fail "$output"
	jq -s -e 'map(select(.name == "Alpha 2026"))[0] | .type == "rfc6962" and .url == "http://127.0.0.1/a26"
	  and .mmd == 86400 and (has("submission_url") | not)' <<<"$output" >/dev/null || fail "$output"
	# log_id is SHA-256 of the key
	jq -r '.key' <<<"$output" | head -1 | base64 -d | openssl dgst -sha256 -binary | base64 >"$T/id"
	[ "$(cat "$T/id")" = "$(jq -r .log_id <<<"$output" | head -1)" ] || fail "log_id"
	run ct-loglist --key "$T/sign.pem" --state all "$T/list.json"
	assert_line_count 4
	run ct-loglist --key "$T/sign.pem" --state retired,readonly -f tsv "$T/list.json"
	[ "$(cut -f1 <<<"$output" | paste -sd,)" = "Alpha 2020,Beta 2027" ] || fail "$output"
	run ct-loglist --key "$T/sign.pem" --operator 'beta*' "$T/list.json"
	assert_line_count 1
	run ct-loglist --key "$T/sign.pem" --name '*2026*' --type rfc6962 "$T/list.json"
	assert_line_count 1
}

@test "ct-loglist: signatures: a tampered list is refused, --no-verify warns" {
	run ct-loglist --key "$T/sign.pem" "$T/list.json"
	assert_status 0
	sed -i 's/Alpha 2026/Alpha 2O26/' "$T/list.json"
	run ct-loglist --key "$T/sign.pem" "$T/list.json"
	assert_status 1
	assert_contains "signature does not verify"
	run ct-loglist --key "$T/sign.pem" --no-verify "$T/list.json"
	assert_status 0
	assert_contains "signature does NOT verify"
	# Google's built-in key does not sign our list either
	run ct-loglist "$T/list.json"
	assert_status 1
	rm "$T/list.sig"
	run ct-loglist "$T/list.json"
	assert_status 0
	assert_contains "ct-loglist: $T/list.json: warning: no signature ($T/list.sig); the list is used unverified"
	# a signature that is there but cannot be read is not a missing one
	mkdir "$T/list.sig"
	run ct-loglist "$T/list.json"
	assert_status 1
	assert_contains "cannot read the signature $T/list.sig: Is a directory; the whole list is refused"
	run ct-loglist --no-verify "$T/list.json"
	assert_status 0
	assert_contains "used unverified (--no-verify)"
	rmdir "$T/list.sig"
	run ct-loglist --require-signature "$T/list.json"
	assert_status 1
	assert_contains "no signature"
}

@test "ct-loglist: bad lists and bad logs say where" {
	echo '{"operators": 3}' >"$T/bad.json"
	run ct-loglist "$T/bad.json"
	assert_status 1
	assert_contains "no \"operators\" array"
	echo 'not json' >"$T/bad.json"
	run ct-loglist "$T/bad.json"
	assert_status 1
	assert_contains "not a JSON log list; the whole list is refused"
	jq '.operators[0].logs[0].log_id = "AAAA"' "$T/list.json" >"$T/bad.json"
	run ct-loglist "$T/bad.json"
	assert_status 1
	assert_contains "Alpha CT"
	run ct-loglist "$T/nope.json"
	assert_status 1
}

# One bad log is reported in one line naming the list, the operator, the
# log and its log_id; every other log is still printed, and the exit
# status is 1. Before, nothing was printed ("no output: fix the lists").
@test "ct-loglist: one bad log is skipped, the others are printed, exit 1" {
	jq '.operators[1].logs[0].key = "not*base64"' "$T/list.json" >"$T/bad.json"
	id=$(jq -r '.operators[1].logs[0].log_id' "$T/list.json")
	openssl dgst -sha256 -sign "$T/sign.key" -out "$T/bad.sig" "$T/bad.json"
	run --separate-stderr ct-loglist --key "$T/sign.pem" --state all "$T/bad.json"
	assert_status 1
	assert_line_count 3
	jq -s -e 'map(.name) | sort == ["Alpha 2020", "Alpha 2026", "Alpha Tiled"]' <<<"$output" >/dev/null ||
		fail "$output"
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "stderr: $stderr"
	[ "$stderr" = "ct-loglist: $T/bad.json: operator \"Beta Logs\": log \"Beta 2027\" (log_id \"$id\"): key is not base64; log skipped" ] ||
		fail "stderr: $stderr"
	# a custom file: the bad lines are reported, the good lines kept
	ct-loglist --state all --key "$T/sign.pem" "$T/list.json" >"$T/all"
	{ sed -n 1p "$T/all"; echo 'junk'; sed -n 2p "$T/all" | jq -c '.key = "AAAA"'; sed -n 3p "$T/all"; } >"$T/custom"
	name=$(sed -n 2p "$T/all" | jq -r .name)
	id=$(sed -n 2p "$T/all" | jq -r .log_id)
	echo '{"operators": []}' >"$T/empty.json"
	openssl dgst -sha256 -sign "$T/sign.key" -out "$T/empty.sig" "$T/empty.json"
	run --separate-stderr ct-loglist --state all --key "$T/sign.pem" --custom "$T/custom" "$T/empty.json"
	assert_status 1
	assert_line_count 2
	[ "${#stderr_lines[@]}" -eq 2 ] || fail "stderr: $stderr"
	[ "${stderr_lines[0]}" = "ct-loglist: $T/custom:2: not a JSON object; line skipped" ] || fail "$stderr"
	[[ ${stderr_lines[1]} == "ct-loglist: $T/custom:3: operator \""*"\": log \"$name\" (log_id \"$id\"): log_id is not the SHA-256 of the key; log skipped" ]] ||
		fail "$stderr"
}

# A list that is not JSON, or whose signature does not verify, is
# refused as a whole, and says so; the other lists are still printed.
@test "ct-loglist: a refused list does not stop the others" {
	echo 'not json' >"$T/junk.json"
	openssl dgst -sha256 -sign "$T/sign.key" -out "$T/junk.sig" "$T/junk.json"
	jq '.operators[0].name = "Other"' "$T/list.json" >"$T/tampered.json"
	cp "$T/list.sig" "$T/tampered.sig"
	run --separate-stderr ct-loglist --key "$T/sign.pem" "$T/junk.json" "$T/tampered.json" "$T/list.json"
	assert_status 1
	assert_line_count 3
	[ "${#stderr_lines[@]}" -eq 2 ] || fail "stderr: $stderr"
	[ "${stderr_lines[0]}" = "ct-loglist: $T/junk.json: not a JSON log list; the whole list is refused" ] || fail "$stderr"
	[[ ${stderr_lines[1]} == "ct-loglist: $T/tampered.json: signature does not verify"*"the whole list is refused"* ]] ||
		fail "$stderr"
	jq -s -e 'all(.operator != "Other")' <<<"$output" >/dev/null || fail "$output"
}

# A key of 8,000 base64 characters or a long log_id once overflowed a
# 4,096-byte stack buffer (decoded before its length was checked).
@test "ct-loglist: a long key or log_id is a bad log, not a crash" {
	jq --arg k "$(head -c 6000 /dev/zero | base64 -w0)" '.operators[0].logs[0].key = $k' \
		"$T/list.json" >"$T/longkey.json"
	run ct-loglist --state all "$T/longkey.json"
	assert_status 1
	assert_contains "key longer than 2048 bytes"
	[ "$(grep -c '^{' <<<"$output")" -eq 3 ] || fail "the good logs: $output"
	jq --arg i "$(head -c 6000 /dev/zero | base64 -w0)" '.operators[1].logs[0].log_id = $i' \
		"$T/list.json" >"$T/longid.json"
	run ct-loglist "$T/longid.json"
	assert_status 1
	assert_contains "log_id is not 32 bytes of base64"
	printf '%s\n' "$(jq -c '.operators[1].logs[0] | .name = .description' "$T/longid.json")" >"$T/longid.ndjson"
	run ct-loglist --custom "$T/longid.ndjson" "$T/list.json"
	assert_status 1
	assert_contains "$T/longid.ndjson:1:"
	assert_contains "log_id is not 32 bytes of base64"
}

@test "ct-loglist: custom logs merge, duplicates by log_id once, shards split" {
	ct-loglist --key "$T/sign.pem" --state all "$T/list.json" >"$T/all"
	head -1 "$T/all" | jq -c '.name = "Mine" | .url = "http://127.0.0.1/mine"' >"$T/dup"
	python3 - "$T/own" <<'PY'
import base64, hashlib, json, os, sys
der = os.urandom(91)
print(json.dumps({"name": "Own", "operator": "Me", "type": "static", "url": "http://127.0.0.1/own/",
                  "submission_url": "http://127.0.0.1/own", "log_id": base64.b64encode(hashlib.sha256(der).digest()).decode(),
                  "key": base64.b64encode(der).decode(), "state": "usable"}), file=open(sys.argv[1], "w"))
PY
	run ct-loglist --key "$T/sign.pem" --state all --custom "$T/dup" --custom "$T/own" "$T/list.json"
	assert_status 0
	assert_line_count 5
	assert_not_contains '"Mine"'
	jq -s -e 'map(select(.name == "Own"))[0] | .type == "static" and .url == "http://127.0.0.1/own"' <<<"$output" >/dev/null || fail "$output"
	# shards: disjoint, and together all of them
	for i in 0 1 2; do ct-loglist --key "$T/sign.pem" --state all --shard "$i/3" "$T/list.json"; done | sort >"$T/shards"
	sort "$T/all" | cmp - "$T/shards"
	echo 'junk' >"$T/badcustom"
	run ct-loglist --key "$T/sign.pem" --custom "$T/badcustom" "$T/list.json"
	assert_status 1
	assert_contains "$T/badcustom:1:"
}

@test "ct-loglist: from a URL on 127.0.0.1, with the signature beside it" {
	port=$(free_port)
	(cd "$T" && exec python3 -m http.server "$port" --bind 127.0.0.1) >/dev/null 2>&1 &
	srv=$!
	for _ in $(seq 50); do curl -s "http://127.0.0.1:$port/list.json" >/dev/null && break; sleep 0.1; done
	run ct-loglist --key "$T/sign.pem" "http://127.0.0.1:$port/list.json"
	assert_status 0
	assert_line_count 3
	# not Google's URL: without its signature (404), used with a warning
	rm "$T/list.sig"
	run --separate-stderr ct-loglist --key "$T/sign.pem" "http://127.0.0.1:$port/list.json"
	kill "$srv"
	assert_status 0
	assert_line_count 3
	[ "$stderr" = "ct-loglist: http://127.0.0.1:$port/list.json: warning: no signature (http://127.0.0.1:$port/list.sig); the list is used unverified" ] ||
		fail "$stderr"
}

@test "ct-loglist: a list server that answers 503 or drops the connection is tried again" {
	port=$(free_port)
	# the first two answers fail (503 with Retry-After, a reset), then it serves
	python3 - "$T" "$port" <<'PY' >/dev/null 2>&1 &
import http.server, os, sys
d, port = sys.argv[1], int(sys.argv[2])
n = [0]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        n[0] += 1
        if n[0] == 1:
            self.send_response(503); self.send_header("Retry-After", "1"); self.end_headers(); return
        if n[0] == 2:
            self.connection.close(); return
        try:
            b = open(os.path.join(d, self.path.lstrip("/")), "rb").read()
        except OSError:
            self.send_response(404); self.end_headers(); return
        self.send_response(200); self.send_header("Content-Length", str(len(b))); self.end_headers()
        self.wfile.write(b)
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
PY
	srv=$!
	for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
	run --separate-stderr ct-loglist --key "$T/sign.pem" "http://127.0.0.1:$port/list.json"
	kill "$srv"
	assert_status 0
	assert_line_count 3
	[[ $stderr == *"list.json: HTTP 503; trying again in 1.0 s"* ]] || fail "$stderr"
	[[ $stderr == *"trying again in"*"trying again in"* ]] || fail "one retry only: $stderr"
}

# Google's lists are always signed: from Google's URLs a list without its
# signature (404) is refused unless --no-verify; it used to be used with
# no word. Offline, Google's URL is fetched through tests/lib/urlproxy.py
# on 127.0.0.1 (http_proxy), which answers for any host from files, so
# ct-loglist sees and judges the real URL; nothing leaves 127.0.0.1.
@test "ct-loglist: Google's URL without its signature is refused" {
	local g=http://www.gstatic.com/ct/log_list/v3/log_list.json
	local d=$T/px/www.gstatic.com/ct/log_list/v3
	mkdir -p "$d" "$T/px/example.test/ct/log_list/v3"
	cp "$T/list.json" "$d/log_list.json"
	cp "$T/list.json" "$T/px/example.test/ct/log_list/v3/log_list.json"
	port=$(free_port)
	python3 "$CT_TOP/tests/lib/urlproxy.py" "$T/px" "$port" 2>/dev/null &
	echo $! >>"$T/pids"
	unset no_proxy NO_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY
	export http_proxy=http://127.0.0.1:$port
	for _ in $(seq 50); do curl -fs -o /dev/null "$g" && break; sleep 0.1; done
	run --separate-stderr ct-loglist --key "$T/sign.pem" "$g"
	assert_status 1
	[ -z "$output" ] || fail "printed: $output"
	[ "$stderr" = "ct-loglist: $g: no signature (${g%.json}.sig), and Google signs all its lists; the whole list is refused (--no-verify to use it anyway)" ] ||
		fail "$stderr"
	grep -qx "${g%.json}.sig" "$T/px/requests" || fail "the proxy was not asked: $(cat "$T/px/requests")"
	# the same place spelt otherwise is Google's all the same
	run ct-loglist --key "$T/sign.pem" "http://WWW.GStatic.com./ct/x/../log_list/v3/log_list.json"
	assert_status 1
	assert_contains "Google signs all its lists"
	# the user says otherwise
	run --separate-stderr ct-loglist --key "$T/sign.pem" --no-verify "$g"
	assert_status 0
	assert_line_count 3
	[ "$stderr" = "ct-loglist: $g: warning: no signature (${g%.json}.sig); used unverified (--no-verify)" ] ||
		fail "$stderr"
	# Google's path on another host, or Google's host as a user name,
	# is not Google's: a warning only
	for u in http://example.test/ct/log_list/v3/log_list.json \
		http://www.gstatic.com@example.test/ct/log_list/v3/log_list.json; do
		run --separate-stderr ct-loglist --key "$T/sign.pem" "$u"
		assert_status 0
		assert_line_count 3
		[[ $stderr == *"warning: no signature"*"the list is used unverified" ]] || fail "$u: $stderr"
	done
	# signed, it verifies in silence
	cp "$T/list.sig" "$d/log_list.sig"
	run --separate-stderr ct-loglist --key "$T/sign.pem" "$g"
	assert_status 0
	assert_line_count 3
	[ -z "$stderr" ] || fail "$stderr"
}

@test "ct-loglist: every list of the fixtures, Google signatures verified" {
	need_fixtures
	for f in "$FIX"/loglist/*.json; do
		run --separate-stderr ct-loglist --state all "$f"
		[ "$status" -eq 0 ] || fail "$f: $output $stderr"
		[ "${#lines[@]}" -gt 0 ] || fail "$f: no logs"
		# signed lists verify in silence; the others are used with a word
		if [ -f "${f%.json}.sig" ]; then
			[ -z "$stderr" ] || fail "$f: $stderr"
		else
			[ "$stderr" = "ct-loglist: $f: warning: no signature (${f%.json}.sig); the list is used unverified" ] ||
				fail "$f: $stderr"
		fi
		jq -e 'has("name") and has("url") and has("log_id") and has("key") and (.type == "rfc6962" or .type == "static")' \
			<<<"$output" >/dev/null || fail "$f"
	done
	g=$FIX/loglist/google_log_list_v3_85.92_2026-05-29.json
	run ct-loglist --require-signature "$g"
	assert_status 0
	# as many logs of each type as the list has in the default states
	want=$(jq -r '.operators[] | (.logs[] | select(.state | keys[0] | IN("usable","qualified","readonly")) | "rfc6962"),
	  (.tiled_logs[]? | select(.state | keys[0] | IN("usable","qualified","readonly")) | "static")' "$g" | sort | uniq -c)
	[ "$(jq -r .type <<<"$output" | sort | uniq -c)" = "$want" ] || fail "$(jq -r .type <<<"$output" | sort | uniq -c) vs $want"
	# the Google list and Apple's together: each log once
	run --separate-stderr ct-loglist --state all "$g" "$FIX/loglist/apple_current_log_list_v511.json"
	assert_status 0
	[ "$(jq -r .log_id <<<"$output" | sort | uniq -d | wc -l)" -eq 0 ] || fail "duplicates"
	cp "$g" "$T/g.json"
	cp "${g%.json}.sig" "$T/g.sig"
	sed -i '0,/Argon/s/Argon/Argan/' "$T/g.json"
	run ct-loglist "$T/g.json"
	assert_status 1
	assert_contains "signature does not verify with Google's key"
}

@test "ct-loglist: /dev/full fails loudly" {
	run bash -c "ct-loglist --key '$T/sign.pem' '$T/list.json' >/dev/full"
	assert_status 1
	assert_contains "ct-loglist: write error"
}
