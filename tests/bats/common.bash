# Shared set-up for the bats suites: `load common` at the top of a file.
# Each test gets a fresh $T (temp dir, removed afterwards); the freshly built
# binaries are on PATH (scripts/run-tests sets it; we set it here too so a
# file can be run alone with `bats tests/bats/X.bats`).
CT_TOP=${CT_TOP:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
CT_VARIANT=${CT_VARIANT:-rel}
case ":$PATH:" in
*":$CT_TOP/build/$CT_VARIANT/bin:"*) ;;
*) PATH="$CT_TOP/build/$CT_VARIANT/bin:$CT_TOP/build/$CT_VARIANT/tools:$PATH" ;;
esac
export PATH CT_TOP CT_VARIANT
FIX=${CT_FIXTURES:-$CT_TOP/../shared/fixtures}
DEBS=${CT_DEBS:-$CT_TOP/../shared/debs}
# Under ASan, leaks are errors too (detect_leaks is on by default).
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

setup() {
	T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/ct.XXXXXX")
	if declare -F setup_more >/dev/null; then setup_more; fi
}

teardown() {
	if declare -F teardown_more >/dev/null; then teardown_more; fi
	[ -n "${T:-}" ] && rm -rf "$T"
}

# A dependency of a test is missing: skip it, except under CI (CI=true),
# where whatever the test needs is installed, so a missing one is a
# failure, not a silent skip.
missing() {
	if [ "${CI:-}" = true ]; then
		fail "missing under CI=true: $*"
		return 1
	fi
	skip "$*"
}

# Skip when ../shared/fixtures (real CT data) is not beside the checkout.
need_fixtures() {
	[ -d "$FIX" ] || missing "no fixtures at $FIX (../shared/fixtures absent)"
}

# Assertions (bats-assert is not needed; these print what they saw).
fail() { echo "$*" >&2; return 1; }
assert_status() {
	[ "$status" -eq "$1" ] || fail "expected status $1, got $status; output: $output"
}
assert_line_count() {
	local n; n=$(printf '%s' "$output" | grep -c '')
	[ "$n" -eq "$1" ] || fail "expected $1 lines, got $n: $output"
}
assert_line_count_file() {
	local n; n=$(grep -c '' "$1")
	[ "$n" -eq "$2" ] || fail "expected $2 lines in $1, got $n"
}
assert_contains() {
	case $output in *"$1"*) ;; *) fail "expected output to contain '$1'; got: $output" ;; esac
}
assert_not_contains() {
	case $output in *"$1"*) fail "expected output not to contain '$1'; got: $output" ;; esac
}

# pipe_head1 CMD...: CMD | head -n 1, as a user types it. Sets $status to
# CMD's own exit status, not head's (141: killed by SIGPIPE, as a filter
# with much more output should be; 139: a crash), and $output to the
# line head printed; fails if CMD wrote anything on stderr. Callers check
# both, so a command that prints nothing or crashes cannot pass.
pipe_head1() {
	{
		local rc=0
		"$@" 2>"$T/head1.err" || rc=$?
		echo "$rc" >"$T/head1.rc"
	} | head -n 1 >"$T/head1.out"
	status=$(cat "$T/head1.rc")
	output=$(cat "$T/head1.out")
	[ ! -s "$T/head1.err" ] || fail "stderr: $(cat "$T/head1.err")"
}

# A free TCP port on 127.0.0.1 (the kernel picks it; tiny race accepted).
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Standard command-line checks shared by every command's suite.
# check_help CMD: --help exits 0 and lists --help; bad option exits 2.
check_cli_contract() {
	local cmd=$1
	run "$cmd" --help
	assert_status 0
	assert_contains "usage: $cmd"
	run "$cmd" --version
	assert_status 0
	assert_contains "$cmd 0."
	run "$cmd" --no-such-option
	assert_status 2
	assert_contains "$cmd: try '$cmd --help'"
}

# The man page documents exactly the long options that --help lists.
check_man_options() {
	local cmd=$1 man="$CT_TOP/man/$1.1"
	[ -f "$man" ] || fail "no man page $man"
	local from_help from_man
	from_help=$("$cmd" --help | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
	from_man=$(grep -E '^\.It Fl' "$man" | grep -oE 'Fl (-[a-z][a-z0-9-]*|[a-zA-Z] Ns , Fl -[a-z][a-z0-9-]*|[a-zA-Z] , Fl -[a-z][a-z0-9-]*)' \
		| grep -oE -- '-[a-z][a-z0-9-]+' | sed 's/^/-/' | sort -u)
	[ "$from_help" = "$from_man" ] || fail "options differ: help=[$from_help] man=[$from_man]"
	# and the defaults: --help prints them from the option table
	local d
	d=$("$cmd" --help | python3 "$CT_TOP/tests/lib/mandefaults.py" "$man") ||
		fail "defaults differ between --help and $man: $d"
}

# mk_cert_entries OUT: entry records for a certificate and a
# precertificate made here with OpenSSL (an EC CA, two EC leaves).
mk_cert_entries() {
	local out=$1 d="$T/mkcerts"
	mkdir -p "$d"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$d/ca.key" -out "$d/ca.pem" -days 30 \
		-subj "/O=Test Trust/CN=Test CA R1" -addext "basicConstraints=critical,CA:TRUE" 2>/dev/null
	local kind
	for kind in x509 precert; do
		{
			echo "basicConstraints=critical,CA:FALSE"
			echo "subjectAltName=DNS:$kind.example.test,DNS:www.$kind.example.test"
			[ "$kind" = precert ] && echo "1.3.6.1.4.1.11129.2.4.3=critical,ASN1:NULL"
		} >"$d/$kind.ext"
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout "$d/$kind.key" -subj "/CN=$kind.example.test" -out "$d/$kind.csr" 2>/dev/null
		openssl x509 -req -in "$d/$kind.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
			-set_serial "0x$(openssl rand -hex 8)" -days 90 -extfile "$d/$kind.ext" \
			-out "$d/$kind.pem" 2>/dev/null
		python3 "$CT_TOP/tests/lib/mkentries.py" "$d/$kind.pem" "$d/ca.pem"
	done >"$out"
}

# testlog NAME ARGS...: start a test log; $T/NAME.log holds its RFC 6962
# log record, $T/NAME.static its static-ct-api one, $T/NAME.port the port.
testlog() {
	local name=$1; shift
	# a log of the same name before: its files must not pass for this one's
	rm -f "$T/$name.logs" "$T/$name.port"
	ct-testlog -q --name "$name" -o "$T/$name.logs" "$@" >"$T/$name.port" 2>"$T/$name.err" &
	echo $! >>"$T/pids"
	for _ in $(seq 200); do [ -s "$T/$name.port" ] && [ -s "$T/$name.logs" ] && break; sleep 0.05; done
	head -1 "$T/$name.logs" >"$T/$name.log"
	tail -1 "$T/$name.logs" >"$T/$name.static"
}
tl_port() { head -1 "$T/$1.port"; }

# google_list LIST NAME...: a Google v3 log list of the RFC 6962 records
# $T/NAME.log (logs started with testlog), each usable, into LIST.
google_list() {
	local list=$1 n; shift
	for n in "$@"; do cat "$T/$n.log"; done |
		jq -s '{operators: [{name: "test", email: ["t@example.test"], logs: [.[] | {description: .name,
			log_id, key, url: (.url + "/"), mmd: 60, state: {usable: {timestamp: "2026-01-01T00:00:00Z"}}}]}]}' >"$list"
}

# start_serve ARGS...: ct-serve on a free port, fed through fd 7 (a
# fifo); sets $PORT and $SERVE (its pid, also added to $T/pids).
start_serve() {
	PORT=$(free_port)
	mkfifo "$T/in"
	ct-serve --listen "127.0.0.1:$PORT" "$@" <"$T/in" >"$T/serve.out" 2>"$T/serve.err" &
	SERVE=$!
	echo "$SERVE" >>"$T/pids"
	exec 7>"$T/in"
	for _ in $(seq 100); do grep -q "listening on 127.0.0.1:$PORT" "$T/serve.err" && return 0; sleep 0.05; done
	fail "ct-serve did not start: $(cat "$T/serve.err")"
}

# sse_recorder PORT FILE: every lite message of the ct-serve on PORT
# appended to FILE, reconnecting, until $T/stop exists (a client that
# outlives the restarts of the pipeline it watches).
sse_recorder() {
	(
		while [ ! -e "$T/stop" ]; do
			curl -sN --max-time 600 "http://127.0.0.1:$1/sse?stream=lite" 2>/dev/null |
				sed -u -n 's/^data: //p' >>"$2"
			sleep 0.1
		done
	) &
	echo $! >>"$T/pids"
}

# check_range FILE A B [dups-ok]: every index from A to B exactly once
# (at least once with dups-ok), in order per run, each entry its own
# (the test log stamps entry i with time 1767225600000 + i).
check_range() {
	python3 - "$@" <<'PY'
import base64, json, struct, sys
f, a, b = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
dups_ok = len(sys.argv) > 4
idx = []
for line in open(f):
    r = json.loads(line)
    leaf = base64.b64decode(r["leaf_input"])
    ts = struct.unpack(">Q", leaf[2:10])[0]
    assert ts == 1767225600000 + r["index"], "index %d holds entry %d" % (r["index"], ts - 1767225600000)
    idx.append(r["index"])
if dups_ok:
    missing = set(range(a, b + 1)) - set(idx)
    assert not missing, "missing %d indexes, e.g. %s" % (len(missing), sorted(missing)[:5])
    print(len(idx) - len(set(idx)))
else:
    assert idx == list(range(a, b + 1)), "got %d records, first %s last %s" % (len(idx), idx[:3], idx[-3:])
PY
}
