#!/usr/bin/env bats
# The README's commands on a fresh machine: the -dev packages appear only
# once the deps step has run, within the same make invocation. A copy of
# the tree is built with a pkg-config that finds nothing until a stand-in
# deps command has run (scripts/deps itself would call apt-get).
load common

teardown_more() {
	[ -n "${mk:-}" ] && kill -TERM -- "-$mk" 2>/dev/null
	[ -f "$T/pids" ] && xargs -r kill <"$T/pids" 2>/dev/null
	true
}

# A copy of the checkout (tracked and new files, no build) in $T/tree,
# and the stand-ins for a fresh machine.
fresh_tree() {
	mkdir "$T/tree"
	(cd "$CT_TOP" && git ls-files -co --exclude-standard -z | grep -zv '^build/' |
		xargs -0 tar -cf -) | tar -xf - -C "$T/tree"
	cat >"$T/pkg-config" <<EOS
#!/bin/sh
[ -e "$T/installed" ] || exit 1
exec pkg-config "\$@"
EOS
	printf '#!/bin/sh\necho "deps: installing $*"\ntouch "%s/installed"\n' "$T" >"$T/deps"
	chmod +x "$T/pkg-config" "$T/deps"
}

@test "make: without the libraries a clear error, not a wall of link errors" {
	fresh_tree
	run make -C "$T/tree" PKG_CONFIG="$T/pkg-config" all
	assert_status 2
	assert_contains "does not find libcurl openssl zlib libcjson libidn2: run 'make deps'"
	assert_not_contains "undefined reference"
}

@test "make deps all unit, and with -j2: the packages found after the deps step, in one invocation" {
	fresh_tree
	run make -C "$T/tree" -j2 PKG_CONFIG="$T/pkg-config" DEPS_CMD="$T/deps" deps all unit
	assert_status 0
	assert_contains "deps: installing --tests"
	for c in ct-loglist ct-fetch ct-parse ct-dedup ct-match ct-serve; do
		[ -x "$T/tree/build/rel/bin/$c" ] || fail "no $c"
	done
	"$T/tree/build/rel/unit/test_leaf" >/dev/null || fail "test_leaf"
}

@test "make run: one invocation installs, builds and serves the stream" {
	fresh_tree
	mk_cert_entries "$T/made.ndjson"
	testlog t --size 100 --grow 20 --entries "$T/made.ndjson"
	port=$(free_port)
	CT_LOGS="$T/t.log" CT_LISTEN="127.0.0.1:$port" CT_STATE_DIR="$T/st" \
		setsid make -C "$T/tree" PKG_CONFIG="$T/pkg-config" DEPS_CMD="$T/deps" run \
		>"$T/run.out" 2>&1 &
	mk=$!
	# a certificate comes out of the whole pipeline
	for _ in $(seq 300); do
		curl -s --max-time 5 -N "http://127.0.0.1:$port/sse?stream=lite" 2>/dev/null |
			grep -m1 '^data: ' >"$T/first" && break
		kill -0 "$mk" 2>/dev/null || break
		sleep 0.5
	done
	grep -q '"message_type":"certificate_update"' "$T/first" ||
		fail "no certificate from make run: $(tail -20 "$T/run.out")"
	grep -q 'deps: installing' "$T/run.out" || fail "deps did not run: $(head "$T/run.out")"
	! grep -q 'undefined reference\|Error [0-9]' "$T/run.out" || fail "$(cat "$T/run.out")"
}
