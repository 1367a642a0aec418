#!/usr/bin/env bash
# The HTTPS listener ([tls], docs/tls.md) of the real binary with certificates this test makes
# with the openssl CLI: a test CA signs the server's certificate (SAN IP:127.0.0.1,
# DNS:localhost) and a client certificate; a second CA signs a second server certificate (for the
# SIGHUP reload) and a third one a client certificate the server must refuse.
#   - curl --cacert <test CA> posts records over HTTPS; they are stored (SQLite file read back);
#     curl with the wrong CA fails; the cleartext listener keeps working next to it.
#   - cleartext HTTP sent to the HTTPS port is answered 400 https_required (no hang);
#   - a client that connects and never starts the handshake is closed after
#     tls.handshake_timeout_ms; failures are counted in tls_handshake_failures_total;
#   - the examples (curl.sh, post_records.py, post_records.mjs) post over HTTPS with the CA given
#     the standard way (CURL_CA_BUNDLE, SSL_CERT_FILE, NODE_EXTRA_CA_CERTS);
#   - SIGHUP with new certificate files: new connections see the new certificate; with a broken
#     file: the previous certificate stays, tls_reloads_total{result="failed"} counts it;
#   - tls.client_ca_file: no client certificate or one from another CA is refused, the right
#     one is served;
#   - --check-config loads the files: a key that does not match the certificate is exit 2.
# Also the docs/tls.md example config (its ```toml block) is the one started for mutual TLS.
# Usage: tls_test.sh SOURCE_DIR (TC_COLLECTOR_BIN: the built binary).
set -uo pipefail
src="$1"
source "$src/tests/integration/shell/collector_lib.sh"
work="$(mktemp -d)"
cleanup() {
  tc_stop_collector
  rm -rf "$work"
}
trap cleanup EXIT
db="$work/traces.db"
pki="$work/pki"
mkdir -p "$pki"

# ---- certificates ----
make_ca() {  # NAME
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=tracecollector test $1" -keyout "$pki/$1.key" -out "$pki/$1.pem" 2>/dev/null
}
make_cert() {  # NAME CA EXTENSIONS
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" \
    -keyout "$pki/$1.key" -out "$pki/$1.csr" 2>/dev/null &&
    openssl x509 -req -in "$pki/$1.csr" -CA "$pki/$2.pem" -CAkey "$pki/$2.key" \
      -CAcreateserial -days 2 -extfile <(printf '%s\n' "$3") -out "$pki/$1.pem" 2>/dev/null
}
server_ext='subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth'
client_ext='extendedKeyUsage=clientAuth'
make_ca ca1 && make_ca ca2 && make_ca ca3 &&
  make_cert server1 ca1 "$server_ext" && make_cert server2 ca2 "$server_ext" &&
  make_cert client1 ca1 "$client_ext" && make_cert client3 ca3 "$client_ext"
tc_check "openssl made the test certificates" test -s "$pki/client3.pem"
# The files the collector is configured with; the reload test overwrites them.
cp "$pki/server1.pem" "$work/cert.pem"
cp "$pki/server1.key" "$work/key.pem"

# Waits (up to 10 s) for the HTTPS line of the log; sets TLS_PORT.
tls_port() {
  https_line() { grep -q 'listening for HTTPS on 127\.0\.0\.1:' "$1"; }
  tc_eventually https_line "$1" || return 1
  TLS_PORT="$(sed -n 's/.*listening for HTTPS on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$1" | head -n1)"
}
q() { sqlite3 -batch -noheader "$db" "$1"; }
metric() {  # SAMPLE -> its value from /metrics (cleartext listener)
  curl -s "http://127.0.0.1:$TC_PORT/metrics" | awk -v s="$1" '$1 == s { print $2 }'
}
metric_at_least() { [[ "$(metric "$1")" -ge "$2" ]] 2>/dev/null; }
body='{"records":[{"type":"session","id":"tls-1","session_id":"tls-session"}]}'
post() {  # URL CURL-ARGS... -> curl's status, the answer to $work/answer
  curl -sS --fail-with-body -o "$work/answer" -H 'content-type: application/json' -d "$body" \
    "$@" 2>"$work/curl.err"
}
subject_is() {  # CN CURL-ARGS... : the certificate a new connection sees has subject CN
  local cn="$1" out
  shift
  # Captured first: with pipefail, `curl | grep -q` fails whenever grep exits before curl has
  # written the rest of its trace (SIGPIPE), which a loaded machine makes likely.
  out="$(curl -sS -v -o /dev/null "$@" "https://127.0.0.1:$TLS_PORT/healthz" 2>&1)"
  grep -q "subject: CN=$cn" <<<"$out"
}

# ---- server authentication ----
if ! tc_start_collector "$work/collector.log" --db "$db" --set "tls.listen=127.0.0.1:0" \
    --set "tls.cert_file=$work/cert.pem" --set "tls.key_file=$work/key.pem" \
    --set "tls.handshake_timeout_ms=500" || ! tls_port "$work/collector.log"; then
  tc_check "collector starts with an HTTPS listener" false
  cat "$work/collector.log"
  tc_summary
  exit 1
fi
https="https://127.0.0.1:$TLS_PORT"

tc_check "curl --cacert <test CA> posts over HTTPS: 200" \
  post "$https/v1/records" --cacert "$pki/ca1.pem"
tc_check "the record posted over HTTPS is stored" \
  test "$(q "SELECT COUNT(*) FROM session_traces WHERE session_id = 'tls-session'")" = 1
tc_check "https://localhost matches the certificate's DNS name too" \
  curl -sS --fail --cacert "$pki/ca1.pem" --resolve "localhost:$TLS_PORT:127.0.0.1" \
  -o /dev/null "https://localhost:$TLS_PORT/healthz"
tc_check "curl with another CA refuses the server (exit 60)" \
  bash -c 'curl -sS -o /dev/null --cacert "$1" "$2/healthz" 2>/dev/null; test $? = 60' _ \
  "$pki/ca2.pem" "$https"
tc_check "TLS 1.1 is refused" \
  bash -c '! curl -sS -o /dev/null --cacert "$1" --tls-max 1.1 "$2/healthz" 2>/dev/null' _ \
  "$pki/ca1.pem" "$https"
tc_check "the cleartext listener still answers" \
  curl -sS --fail -o /dev/null "http://127.0.0.1:$TC_PORT/healthz"

# Cleartext HTTP to the HTTPS port: a clear 400, then the connection is closed (no hang).
cleartext_refused() {
  local out
  out="$(curl -sS -m 10 "http://127.0.0.1:$TLS_PORT/v1/records" -d "$body" -w ' %{http_code}')"
  [[ "$out" == *'"code":"https_required"'*' 400' ]] || { echo "  got: $out"; return 1; }
}
tc_check "cleartext HTTP to the HTTPS port is answered 400 https_required" cleartext_refused

# A client that opens TCP and never says anything is closed after handshake_timeout_ms (500).
silent_client_closed() {
  python3 - "$TLS_PORT" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(20)
start = time.monotonic()
data = s.recv(1)  # b"" once the server closes
took = time.monotonic() - start
assert data == b"", data
assert 0.4 <= took < 10, f"closed after {took:.2f} s"
PY
}
tc_check "a client that never handshakes is closed after tls.handshake_timeout_ms" \
  silent_client_closed
tc_check "tls_handshake_failures_total counts the timeout" \
  tc_eventually metric_at_least 'tracecollector_tls_handshake_failures_total{reason="timeout"}' 1
tc_check "tls_handshake_failures_total counts the cleartext request" \
  metric_at_least 'tracecollector_tls_handshake_failures_total{reason="cleartext"}' 1
tc_check "tls_handshake_failures_total counts the client that refused our certificate" \
  tc_eventually metric_at_least 'tracecollector_tls_handshake_failures_total{reason="error"}' 1

# ---- the examples over HTTPS, the CA given the standard way ----
example_over_https() {  # NAME
  local rc=0
  case "$1" in
    curl) CURL_CA_BUNDLE="$pki/ca1.pem" "$src/examples/curl.sh" "https-$1" ;;
    python) SSL_CERT_FILE="$pki/ca1.pem" python3 "$src/examples/post_records.py" "https-$1" ;;
    node) NODE_EXTRA_CA_CERTS="$pki/ca1.pem" node "$src/examples/post_records.mjs" "https-$1" ;;
  esac >"$work/$1.out" 2>&1 || rc=1
  [[ "$(q "SELECT COUNT(*) FROM messages WHERE session_id = 'https-$1'")" == 1 ]] || rc=1
  [[ $rc == 0 ]] || sed 's/^/  output: /' "$work/$1.out"
  return $rc
}
for example in curl python node; do
  TRACECOLLECTOR_URL="$https" tc_check "$example example posts over HTTPS with the test CA" \
    example_over_https "$example"
done

# ---- SIGHUP reloads the certificate ----
cp "$pki/server2.pem" "$work/cert.pem"
cp "$pki/server2.key" "$work/key.pem"
kill -HUP "$TC_PID"
new_certificate_served() {
  tc_eventually subject_is server2 --cacert "$pki/ca2.pem" && return 0
  # What the log and a new connection say, for the failure's report.
  grep -E 'SIGHUP|TLS' "$work/collector.log" | tail -n 5 | sed 's/^/  log: /'
  curl -sS -v -o /dev/null --cacert "$pki/ca2.pem" "https://127.0.0.1:$TLS_PORT/healthz" 2>&1 |
    grep -E 'subject:|issuer:|SSL certificate|error' | sed 's/^/  curl: /'
  return 1
}
tc_check "after SIGHUP a new connection gets the new certificate (second CA)" new_certificate_served
tc_check "after SIGHUP the old CA no longer verifies the server" \
  bash -c '! curl -sS -o /dev/null --cacert "$1" "$2/healthz" 2>/dev/null' _ "$pki/ca1.pem" "$https"
tc_check "tls_reloads_total{result=\"ok\"} counts it" \
  metric_at_least 'tracecollector_tls_reloads_total{result="ok"}' 1
echo "not a certificate" >"$work/cert.pem"
kill -HUP "$TC_PID"
tc_check "a broken certificate file on SIGHUP is counted as failed" \
  tc_eventually metric_at_least 'tracecollector_tls_reloads_total{result="failed"}' 1
tc_check "the broken reload is logged with the file it could not use" \
  grep -q 'TLS files not reloaded.*tls.cert_file' "$work/collector.log"
tc_check "after the broken reload the previous certificate is still served" \
  post "$https/v1/records" --cacert "$pki/ca2.pem"
tc_stop_collector
tc_check "collector exits 0 on SIGTERM" test "$TC_EXIT" = 0

# ---- client certificates (mutual TLS), with docs/tls.md's example configuration ----
cp "$pki/server1.pem" "$work/cert.pem"
cp "$pki/server1.key" "$work/key.pem"
# The doc's example, its paths pointed at this test's files.
sed -n '/^```toml$/,/^```$/p' "$src/docs/tls.md" | sed '1d;$d' |
  sed -e "s|/etc/tracecollector/tls/server.pem|$work/cert.pem|" \
    -e "s|/etc/tracecollector/tls/server.key|$work/key.pem|" \
    -e "s|/etc/tracecollector/tls/clients-ca.pem|$pki/ca1.pem|" \
    -e "s|0.0.0.0:4319|127.0.0.1:0|" >"$work/mtls.toml"
tc_check "docs/tls.md has the example config (tls.client_ca_file set)" \
  grep -q "client_ca_file = \"$pki/ca1.pem\"" "$work/mtls.toml"
if ! tc_start_collector "$work/collector2.log" --config "$work/mtls.toml" --db "$db" ||
    ! tls_port "$work/collector2.log"; then
  tc_check "collector starts with docs/tls.md's configuration" false
  cat "$work/collector2.log"
  tc_summary
  exit 1
fi
https="https://127.0.0.1:$TLS_PORT"
tc_check "mutual TLS: no client certificate is refused" \
  bash -c '! curl -sS -o /dev/null --cacert "$1" "$2/healthz" 2>/dev/null' _ "$pki/ca1.pem" "$https"
tc_check "mutual TLS: a client certificate from another CA is refused" \
  bash -c '! curl -sS -o /dev/null --cacert "$1" --cert "$2" --key "$3" "$4/healthz" 2>/dev/null' \
  _ "$pki/ca1.pem" "$pki/client3.pem" "$pki/client3.key" "$https"
tc_check "mutual TLS: the right client certificate posts: 200" \
  post "$https/v1/records" --cacert "$pki/ca1.pem" --cert "$pki/client1.pem" \
  --key "$pki/client1.key"
tc_check "mutual TLS: the refusals are counted" \
  tc_eventually metric_at_least 'tracecollector_tls_handshake_failures_total{reason="error"}' 2
tc_stop_collector
tc_check "collector exits 0 on SIGTERM (mutual TLS)" test "$TC_EXIT" = 0

# ---- --check-config loads the files ----
check_config() {  # EXPECTED-STATUS PATTERN CERT KEY
  local out rc
  out="$("$TC_COLLECTOR_BIN" --check-config --set tls.listen=127.0.0.1:0 \
    --set "tls.cert_file=$3" --set "tls.key_file=$4" 2>&1)"
  rc=$?
  [[ $rc == "$1" && "$out" == *$2* ]] || { echo "  exit $rc: $out" | head -5; return 1; }
}
tc_check "--check-config accepts a matching certificate and key" \
  check_config 0 "[tls]" "$pki/server1.pem" "$pki/server1.key"
tc_check "--check-config: a key of another certificate is exit 2, naming tls.key_file" \
  check_config 2 "tls.key_file \"$pki/server2.key\": does not match" "$pki/server1.pem" \
  "$pki/server2.key"
tc_check "--check-config: a missing certificate file is exit 2, naming tls.cert_file" \
  check_config 2 "tls.cert_file \"$work/none.pem\": cannot read" "$work/none.pem" \
  "$pki/server1.key"
no_cert_file() {
  local out
  out="$("$TC_COLLECTOR_BIN" --check-config --set tls.listen=127.0.0.1:0 2>&1)"
  [[ $? == 2 && "$out" == *"tls.cert_file: required when tls.listen is set"* ]] ||
    { echo "  got: $out"; return 1; }
}
tc_check "--check-config: tls.listen without tls.cert_file is exit 2" no_cert_file
tc_summary
