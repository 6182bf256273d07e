# Sourced by the tests and benches that run certstream-server-go
# (../shared/debs): its configuration for one local log.
# csgo_yml PORT KEY URL DESCRIPTION [INDEX_FILE] > csgo.yml
#   KEY: additional_logs (RFC 6962) or additional_tiled_logs (static);
#   INDEX_FILE: turn its recovery on, with this ct_index file.
# Run it with GODEBUG=httpmuxgo121=0 (Debian builds it in GOPATH mode).
csgo_yml() {
	local port=$1 key=$2 url=$3 desc=$4 index=${5:-}
	cat <<YML
webserver:
  listen_addr: "127.0.0.1"
  listen_port: $port
  real_ip: false
  full_url: "/full-stream"
  lite_url: "/"
  domains_only_url: "/domains-only"
  compression_enabled: false
prometheus:
  enabled: false
general:
  disable_default_logs: true
  $key:
    - url: $url
      operator: "ctstream tests"
      description: "$desc"
  drop_old_logs: false
YML
	if [ -n "$index" ]; then
		printf '  recovery:\n    enabled: true\n    ct_index_file: "%s"\n' "$index"
	else
		printf '  recovery:\n    enabled: false\n'
	fi
}
