#!/usr/bin/env bats
# ct-serve's /metrics under Prometheus's own tools: promtool check metrics
# on a live ct-serve (with and without --fetch-stats), promtool check and
# test rules on the shipped rules (scripts/prometheus/), and a real
# Prometheus server scraping ct-serve fed by ct-fetch from the test log.
load common

PROMDIR="$CT_TOP/scripts/prometheus"

setup_more() {
	command -v promtool >/dev/null || missing "promtool not installed (Debian package prometheus)"
}

teardown_more() {
	exec 7>&- 2>/dev/null || true
	local p
	for p in $(cat "$T/pids" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
	for p in $(cat "$T/pids" 2>/dev/null); do wait "$p" 2>/dev/null || true; done
}

metrics() { curl -fsS "http://127.0.0.1:$PORT/metrics"; }

# lint FILE: promtool check metrics passes on it, saying nothing
lint() {
	run promtool check metrics <"$1"
	[ "$status" -eq 0 ] && [ -z "$output" ] || fail "promtool check metrics ($status): $output"
}

# value NAME{LABELS} FILE: the value of that exact series
value() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }

@test "prometheus: /metrics passes promtool check metrics, with the process metrics" {
	start_serve
	python3 "$CT_TOP/tests/lib/mkcertrecords.py" 3 >&7
	for _ in $(seq 50); do metrics | grep -q '^ctserve_messages_in_total 3$' && break; sleep 0.05; done
	metrics >"$T/m"
	lint "$T/m"
	[ "$(value ctserve_messages_in_total "$T/m")" = 3 ] || fail "$(grep messages_in "$T/m")"
	# every family has its HELP and TYPE, counters end in _total
	n=$(grep -c '^# TYPE ' "$T/m")
	[ "$n" -ge 20 ] && [ "$(grep -c '^# HELP ' "$T/m")" -eq "$n" ] || fail "$n families: $(grep '^#' "$T/m")"
	grep '^# TYPE .* counter$' "$T/m" | grep -v '_total counter$' && fail "a counter without _total"
	# the process: ct-serve's own figures from /proc
	pid=$(head -1 "$T/pids")
	rss=$(value process_resident_memory_bytes "$T/m")
	want=$(awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$pid/status")
	[ "$rss" -gt $((want / 2)) ] && [ "$rss" -lt $((want * 2)) ] || fail "rss $rss, /proc says $want"
	[ "$(value process_virtual_memory_bytes "$T/m")" -gt "$rss" ] || fail "$(grep ^process_ "$T/m")"
	start=$(value process_start_time_seconds "$T/m")
	now=$(date +%s)
	awk -v s="$start" -v n="$now" 'BEGIN { exit !(s > n - 60 && s <= n + 1) }' || fail "start $start, now $now"
	fds=$(value process_open_fds "$T/m")
	[ "$fds" -ge 4 ] && [ "$fds" -lt 64 ] || fail "open fds $fds"
	[ "$(value process_max_fds "$T/m")" = "$(prlimit -p "$pid" --nofile -o SOFT --noheadings | tr -d ' ')" ] ||
		fail "max fds $(value process_max_fds "$T/m")"
	grep -q '^process_cpu_seconds_total [0-9.]*$' "$T/m" || fail "no cpu seconds"
	# no --fetch-stats: none of its metrics
	grep -q 'fetch' "$T/m" && fail "fetch stats metrics without --fetch-stats"
	true
}

@test "prometheus: --fetch-stats: ct-fetch's per-log figures, escaped labels, stale and bad files" {
	testlog t --size 300
	cat "$T/t.log" "$T/t.static" >"$T/logs"
	ct-fetch --logs "$T/logs" --start 0 --end 299 --stats "$T/s.json" >/dev/null 2>"$T/fetch.err" ||
		fail "ct-fetch: $(cat "$T/fetch.err")"
	start_serve --fetch-stats "$T/s.json"
	metrics >"$T/m"
	lint "$T/m"
	url=$(jq -r .url "$T/t.log")
	k="{log=\"t\",url=\"$url\"}"
	[ "$(value "ctfetch_log_tree_size$k" "$T/m")" = 300 ] || fail "$(grep tree_size "$T/m")"
	[ "$(value "ctfetch_log_next_index$k" "$T/m")" = 300 ] || fail "$(grep next_index "$T/m")"
	[ "$(value "ctfetch_log_lag_entries$k" "$T/m")" = 0 ] || fail "$(grep lag "$T/m")"
	[ "$(value "ctfetch_log_entries_total$k" "$T/m")" = 300 ] || fail "$(grep entries_total "$T/m")"
	[ "$(value "ctfetch_log_verified_tree_size$k" "$T/m")" = 300 ] || fail "$(grep verified "$T/m")"
	[ "$(value "ctfetch_log_bad_signatures_total$k" "$T/m")" = 0 ] || fail "$(grep bad_sig "$T/m")"
	[ "$(value "ctfetch_log_requests_total$k" "$T/m")" -ge 2 ] || fail "$(grep requests "$T/m")"
	[ "$(value "ctfetch_log_health{log=\"t\",url=\"$url\",health=\"healthy\"}" "$T/m")" = 1 ] &&
		[ "$(value "ctfetch_log_health{log=\"t\",url=\"$url\",health=\"unhealthy\"}" "$T/m")" = 0 ] ||
		fail "$(grep health "$T/m")"
	[ "$(value "ctfetch_log_state{log=\"t\",url=\"$url\",state=\"done\"}" "$T/m")" = 1 ] || fail "$(grep state "$T/m")"
	[ "$(value "ctfetch_log_tree_size{log=\"t-static\",url=\"$url\"}" "$T/m")" = 300 ] || fail "static: $(grep tree_size "$T/m")"
	[ "$(value ctserve_fetch_stats_logs "$T/m")" = 2 ] && [ "$(value ctserve_fetch_stats_up "$T/m")" = 1 ] ||
		fail "$(grep fetch_stats "$T/m")"
	age=$(value ctserve_fetch_stats_age_seconds "$T/m")
	awk -v a="$age" 'BEGIN { exit !(a >= 0 && a < 30) }' || fail "age $age"

	# stale: the age is the file's
	touch -d '-300 seconds' "$T/s.json"
	metrics >"$T/m"
	age=$(value ctserve_fetch_stats_age_seconds "$T/m")
	awk -v a="$age" 'BEGIN { exit !(a >= 300 && a < 330) }' || fail "age $age"

	# names and URLs are outside input: escaped, whatever they hold
	jq '.[0].name = "a \"b\"\\c\nd" | .[1].url = "x\u0001y"' "$T/s.json" >"$T/odd.json"
	mv "$T/odd.json" "$T/s.json"
	metrics >"$T/m"
	lint "$T/m"
	grep -qF "ctfetch_log_tree_size{log=\"a \\\"b\\\"\\\\c\\nd\",url=\"$url\"} 300" "$T/m" ||
		fail "$(grep tree_size "$T/m")"
	grep -qF "ctfetch_log_tree_size{log=\"t-static\",url=\"x"$'\xef\xbf\xbd'"y\"} 300" "$T/m" ||
		fail "$(grep tree_size "$T/m")"

	# a bad file: up 0, counted, one line on stderr however many scrapes
	echo '{"not":"an array"}' >"$T/s.json"
	metrics >"$T/m"
	metrics >/dev/null
	lint "$T/m"
	[ "$(value ctserve_fetch_stats_up "$T/m")" = 0 ] || fail "$(grep fetch_stats "$T/m")"
	grep -q '^ctfetch_' "$T/m" && fail "per-log metrics from a bad file"
	[ "$(grep -c 'not a JSON array' "$T/serve.err")" = 1 ] || fail "$(cat "$T/serve.err")"
	grep -q "^ct-serve: $T/s.json: not a JSON array$" "$T/serve.err" || fail "$(cat "$T/serve.err")"
	rm "$T/s.json"
	metrics >"$T/m"
	[ "$(value ctserve_fetch_stats_up "$T/m")" = 0 ] && [ "$(value ctserve_fetch_stats_errors_total "$T/m")" = 3 ] ||
		fail "$(grep fetch_stats "$T/m")"
	grep -q age_seconds "$T/m" && fail "an age without a file"
	grep -q "s.json: No such file or directory" "$T/serve.err" || fail "$(cat "$T/serve.err")"

	# bounded: at most 1000 logs exported, the rest counted
	jq -n '[range(1005) | {name: "l\(.)", url: "https://l\(.)/", tree_size: .}]' >"$T/s.json"
	metrics >"$T/m"
	lint "$T/m"
	[ "$(value ctserve_fetch_stats_logs "$T/m")" = 1000 ] && [ "$(value ctserve_fetch_stats_logs_omitted "$T/m")" = 5 ] ||
		fail "$(grep fetch_stats "$T/m")"
	[ "$(grep -c '^ctfetch_log_tree_size{' "$T/m")" = 1000 ] || fail "$(grep -c '^ctfetch_log_tree_size{' "$T/m") series"
}

@test "prometheus: the shipped rules and config pass promtool check and their unit tests" {
	run promtool check rules "$PROMDIR/ctstream-alerts.yml"
	assert_status 0
	assert_contains "SUCCESS: 6 rules found"
	run promtool check config "$PROMDIR/prometheus.yml"
	assert_status 0
	cd "$PROMDIR"
	run promtool test rules rules_test.yml
	assert_status 0
	assert_contains "SUCCESS"
	# each alert has tests that it fires and that it does not
	for a in $(awk '/- alert:/ { print $3 }' ctstream-alerts.yml); do
		grep -A1 "alertname: $a\$" rules_test.yml | grep -q 'exp_alerts: \[\]' || fail "$a: no test that it stays quiet"
		grep -A1 "alertname: $a\$" rules_test.yml | grep -q 'exp_alerts:$' || fail "$a: no test that it fires"
	done
	# and the tests can fail: the same tests against rules that never fire
	mkdir "$T/r"
	sed 's/^\(        expr: \).*/\1vector(0) > 1/; /^          [a-z(]/d' ctstream-alerts.yml >"$T/r/ctstream-alerts.yml"
	cp rules_test.yml "$T/r/"
	cd "$T/r"
	run promtool test rules rules_test.yml
	assert_status 1
}

# promq QUERY: the result vector of an instant query to Prometheus
promq() {
	curl -fsS "http://127.0.0.1:$PP/api/v1/query" --data-urlencode "query=$1" | jq -c .data.result
}

@test "prometheus: a real Prometheus scraping ct-serve sees the tree size, a lag falling to 0, a bad signature firing" {
	command -v prometheus >/dev/null || missing "prometheus not installed"
	testlog g --size 1000
	testlog b --size 300 --fault get-sth:badsig --fault checkpoint:badsig
	cat "$T/g.log" "$T/b.log" >"$T/logs"
	start_serve --fetch-stats "$T/s.json"
	PP=$(free_port)
	cat >"$T/prom.yml" <<-YML
	global:
	  scrape_interval: 1s
	  evaluation_interval: 1s
	rule_files: ["$PROMDIR/ctstream-alerts.yml"]
	scrape_configs:
	  - job_name: ct-serve
	    static_configs: [{targets: ["127.0.0.1:$PORT"]}]
	YML
	prometheus --config.file "$T/prom.yml" --storage.tsdb.path "$T/tsdb" \
		--web.listen-address "127.0.0.1:$PP" >"$T/prom.log" 2>&1 &
	echo $! >>"$T/pids"
	for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PP/-/ready" >/dev/null && break; sleep 0.1; done
	curl -fsS "http://127.0.0.1:$PP/-/ready" >/dev/null || fail "prometheus not ready: $(tail -5 "$T/prom.log")"
	# no stats yet: the file is missing, and the scrape says so
	for _ in $(seq 50); do [ "$(promq 'ctserve_fetch_stats_up' | jq -r '.[0].value[1]')" = 0 ] && break; sleep 0.2; done
	[ "$(promq 'ctserve_fetch_stats_up' | jq -r '.[0].value[1]')" = 0 ] || fail "$(promq ctserve_fetch_stats_up)"
	[ "$(promq 'up{job="ct-serve"}' | jq -r '.[0].value[1]')" = 1 ] || fail "not scraped: $(promq up)"
	t0=$(date +%s)
	# 1000 entries, 10 a request, 10 requests a second: about 10 seconds
	ct-fetch --follow --from-start --logs "$T/logs" --batch 10 --rate 10 --window 1 \
		--stats "$T/s.json" >/dev/null 2>"$T/fetch.err" &
	echo $! >>"$T/pids"
	g='log="g"'
	for _ in $(seq 60); do
		[ "$(promq "ctfetch_log_lag_entries{$g} == 0 and ctfetch_log_tree_size{$g} == 1000" | jq length)" = 1 ] && break
		sleep 1
	done
	[ "$(promq "ctfetch_log_tree_size{$g}" | jq -r '.[0].value[1]')" = 1000 ] || fail "tree size: $(promq ctfetch_log_tree_size)"
	[ "$(promq "ctfetch_log_lag_entries{$g}" | jq -r '.[0].value[1]')" = 0 ] || fail "lag: $(promq ctfetch_log_lag_entries)"
	[ "$(promq "ctfetch_log_lag_seconds{$g}" | jq -r '.[0].value[1]')" = 0 ] || fail "lag: $(promq ctfetch_log_lag_seconds)"
	[ "$(promq "ctfetch_log_next_index{$g}" | jq -r '.[0].value[1]')" = 1000 ] || fail "next: $(promq ctfetch_log_next_index)"
	# the lag was there first, and fell to 0: over the run, in order (the
	# range ends 2 s after the 0 was seen: date +%s drops the fraction,
	# and a range that ends before the 0 was scraped would not hold it)
	sleep 2
	t1=$(date +%s)
	curl -fsS "http://127.0.0.1:$PP/api/v1/query_range" --data-urlencode "query=ctfetch_log_lag_entries{$g}" \
		--data-urlencode "start=$t0" --data-urlencode "end=$t1" --data-urlencode step=1 |
		jq -c '[.data.result[0].values[][1] | tonumber]' >"$T/lag"
	jq -e 'map(select(. > 0)) | length > 0' "$T/lag" >/dev/null || fail "never behind: $(cat "$T/lag")"
	jq -e '(to_entries | map(select(.value > 0)) | last.key) as $k | .[$k + 1:] | length > 0 and all(. == 0)' \
		"$T/lag" >/dev/null || fail "did not fall to 0: $(cat "$T/lag")"
	jq -e '[.[] | select(. > 0)] | max > 0 and max <= 1000' "$T/lag" >/dev/null || fail "$(cat "$T/lag")"
	# the log with the bad signature: the verification alert fires, for it
	# alone
	for _ in $(seq 30); do
		[ "$(promq 'ALERTS{alertname="CTLogVerificationFailed",alertstate="firing"}' | jq length)" -ge 1 ] && break
		sleep 1
	done
	promq 'ALERTS{alertstate="firing"}' >"$T/alerts"
	jq -e 'map(select(.metric.alertname == "CTLogVerificationFailed")) | length == 1 and .[0].metric.log == "b" and .[0].metric.severity == "critical"' \
		"$T/alerts" >/dev/null || fail "alerts: $(cat "$T/alerts")"
	[ "$(promq 'ctfetch_log_bad_signatures_total{log="b"}' | jq -r '.[0].value[1]')" -ge 1 ] || fail "$(promq ctfetch_log_bad_signatures_total)"
	grep -q "b: BAD SIGNATURE" "$T/fetch.err" || fail "$(cat "$T/fetch.err")"
}
