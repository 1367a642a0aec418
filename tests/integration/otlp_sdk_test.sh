#!/usr/bin/env bash
# OTLP ingest with the real OpenTelemetry JS SDK: runs examples/otel_client.mjs (BasicTracerProvider
# + the OTLP/HTTP exporters, packages pinned in tests/otlp/package.json) against a real collector
# on a free loopback port, for every combination of protocol {json, proto} x gzip {off, on} x
# processor {batch, simple}, each run with its own session id, then reads the SQLite file: the
# session's four LLM events (GenAI x2, OpenInference, OpenLLMetry: model, provider, tokens, latency
# = the span's duration, span and trace ids as the client printed them, the OpenInference cost in
# cents), their messages (each once: the history the second call re-sends is not stored again),
# the tool's runtime event, the agent's timestep, the reward's environment event, and the HTTP
# span absent (counted as dropped in GET /metrics). The Vercel AI SDK (tests/otlp/
# vercel_ai_client.mjs: generateText with a tool, its own telemetry) in both protocols: its calls,
# tool call, messages, step and session. Then: the same OTLP JSON body posted twice
# (and once more gzipped) is stored once; a malformed protobuf body is a 400 google.rpc.Status in
# protobuf and stores nothing; a span with an all-zero traceId is a partial success with
# rejectedSpans "1"; a gzip bomb is a 413 and the collector's peak RSS stays small; Content-Encoding
# br is a 415; and the example exits non-zero when its export fails.
# Usage: otlp_sdk_test.sh SOURCE_DIR (TC_COLLECTOR_BIN: the built binary; TC_OTEL_DEPS: the
# directory where tests/otlp/package*.json were installed with `npm ci`, default SOURCE_DIR/.deps/otel).
#
# Node resolves the ES module imports of the example from the script's own directory (NODE_PATH
# does not apply to `import`), so the example is copied into a temp dir next to a symlink to
# $TC_OTEL_DEPS/node_modules, as a user would run it next to their own node_modules.
set -uo pipefail
src="$1"
source "$src/tests/integration/shell/collector_lib.sh"
deps="${TC_OTEL_DEPS:-$src/.deps/otel}"
py=/usr/bin/python3
work="$(mktemp -d)"
cleanup() {
  tc_stop_collector
  rm -rf "$work"
}
trap cleanup EXIT
db="$work/traces.db"

# ---- helpers ----
# Prints the comparison (one line each for got and want), then counts it.
expect_eq() {  # DESCRIPTION GOT WANT
  local what="$1" got="$2" want="$3"
  echo "check: $what"
  echo "    got:  ${got//$'\n'/ ; }"
  echo "    want: ${want//$'\n'/ ; }"
  tc_check "$what" test "$got" = "$want"
}
# Compares members of a JSON document: WANT maps paths ("a/b", "0/c" for arrays) to values.
json_expect() {  # DESCRIPTION JSON WANT
  local what="$1" report rc
  report="$("$py" - "$2" "$3" <<'PY'
import json, sys
try:
    doc = json.loads(sys.argv[1])
except ValueError as e:
    print(f"not JSON ({e}): {sys.argv[1]!r}")
    sys.exit(1)
bad = 0
for path, want in json.loads(sys.argv[2]).items():
    v = doc
    try:
        for part in path.split("/"):
            v = v[int(part)] if isinstance(v, list) else v[part]
    except (KeyError, IndexError, ValueError, TypeError):
        v = "<absent>"
    same = v == want and type(v) is type(want)
    bad += not same
    print(f"{'ok  ' if same else 'DIFF'} {path}: got {json.dumps(v)}" +
          ("" if same else f", want {json.dumps(want)}"))
sys.exit(1 if bad else 0)
PY
  )"
  rc=$?
  echo "check: $what"
  sed 's/^/    /' <<<"$report"
  tc_check "$what" test "$rc" -eq 0
}
q() { sqlite3 -batch -noheader "$db" "$1"; }
metric() {  # NAME -> its value in GET /metrics (empty if absent)
  local text
  text="$(curl -sS "$url/metrics")"
  sed -n "s/^$1 //p" <<<"$text"
}
post() {  # CONTENT-TYPE BODY-FILE OUT-PREFIX [CURL ARGS...] -> status; headers/body in PREFIX.h/.b
  local type="$1" body="$2" out="$3"
  shift 3
  curl -sS -o "$out.b" -D "$out.h" -w '%{http_code}' -H "Content-Type: $type" \
    --data-binary "@$body" "$@" "$url/v1/traces"
}
header() {  # FILE NAME -> the header's value
  tr -d '\r' <"$1" | sed -n "s/^$2: *//Ip" | head -n1
}
row_counts() {
  q "SELECT (SELECT COUNT(*) FROM session_traces) || ' sessions, ' ||
            (SELECT COUNT(*) FROM session_timesteps) || ' timesteps, ' ||
            (SELECT COUNT(*) FROM events) || ' events, ' ||
            (SELECT COUNT(*) FROM messages) || ' messages'"
}

# ---- the client: node, the pinned packages, the example next to them ----
node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
tc_check "node >= 20 (the exporters need ^18.19 || >=20.6); found $(node --version 2>/dev/null)" \
  test "$node_major" -ge 20
if [[ ! -d "$deps/node_modules/@opentelemetry/sdk-trace-base" ]]; then
  tc_check "the OpenTelemetry packages are installed in $deps (mkdir -p $deps && cp $src/tests/otlp/package*.json $deps/ && cd $deps && npm ci --no-audit --no-fund)" false
  tc_summary
  exit 1
fi
deps="$(cd "$deps" && pwd)"
client="$work/client"
mkdir -p "$client"
ln -s "$deps/node_modules" "$client/node_modules"
cp "$src/examples/otel_client.mjs" "$src/tests/otlp/vercel_ai_client.mjs" "$client/"
versions="$("$py" - "$src/tests/otlp/package.json" "$deps/node_modules" <<'PY'
import json, sys
pinned = json.load(open(sys.argv[1]))["dependencies"]
for name, version in sorted(pinned.items()):
    try:
        got = json.load(open(f"{sys.argv[2]}/{name}/package.json"))["version"]
    except OSError:
        got = "absent"
    print(name, got, version)
PY
)"
expect_eq "the installed OpenTelemetry packages are the pinned ones" \
  "$(awk '{printf "%s@%s ", $1, $2}' <<<"$versions")" "$(awk '{printf "%s@%s ", $1, $3}' <<<"$versions")"

: >"$work/collector.log"  # (read before the collector may have created it)
if ! tc_start_collector "$work/collector.log" --db "$db"; then
  tc_check "collector starts" false
  tc_summary
  exit 1
fi
url="http://127.0.0.1:$TC_PORT"

# ---- the example, in every protocol x gzip x processor ----
run_case() {  # PROTOCOL GZIP(0|1) PROCESSOR
  local protocol="$1" gzip="$2" processor="$3"
  local name="$protocol-$([[ $gzip == 1 ]] && echo gzip || echo plain)-$processor"
  local session="sdk-$name"
  echo "=== $name (session $session)"
  local dropped_before out rc
  dropped_before="$(metric tracecollector_otlp_spans_dropped_total)"
  local args=(--protocol "$protocol" --processor "$processor" --session "$session")
  [[ $gzip == 1 ]] && args+=(--gzip)
  out="$(cd "$client" && TRACECOLLECTOR_URL="$url" nice node otel_client.mjs "${args[@]}" \
    2>"$work/$name.err")"
  rc=$?
  echo "client printed: $out"
  [[ -s "$work/$name.err" ]] && sed 's/^/client stderr: /' "$work/$name.err"
  tc_check "[$name] the example exits 0 (exit $rc)" test "$rc" -eq 0
  json_expect "[$name] the example sent the 8 spans, all accepted" "$out" \
    "{\"ok\": true, \"session_id\": \"$session\", \"protocol\": \"$protocol\",
      \"processor\": \"$processor\", \"gzip\": $([[ $gzip == 1 ]] && echo true || echo false),
      \"exported_spans\": 8}"
  # The ids and durations the client printed, as shell variables.
  local trace agent chat1 tool http chat2 oi ol reward d_chat1 d_chat2 d_oi d_ol
  eval "$("$py" - "$out" <<'PY'
import json, shlex, sys
try:
    d = json.loads(sys.argv[1])
except ValueError:
    d = {"trace_id": "none", "span_ids": {}, "duration_ms": {}}
ids, ms = d.get("span_ids", {}), d.get("duration_ms", {})
print(f"trace={shlex.quote(str(d.get('trace_id')))}")
for var, key in [("agent", "agent"), ("chat1", "chat1"), ("tool", "tool"), ("http", "http"),
                 ("chat2", "chat2"), ("oi", "openinference"), ("ol", "openllmetry"),
                 ("reward", "reward")]:
    print(f"{var}={shlex.quote(str(ids.get(key, 'missing-' + key)))}")
for var, key in [("d_chat1", "chat1"), ("d_chat2", "chat2"), ("d_oi", "openinference"),
                 ("d_ol", "openllmetry")]:
    print(f"{var}={shlex.quote(str(ms.get(key, -1)))}")
PY
)"
  local s="session_id = '$session'"

  # The session and its counters: 1 timestep; 7 events (4 cais, the tool's runtime event, the
  # reward span's runtime event (its synth.* keys are a convention) and its environment event);
  # 9 messages.
  expect_eq "[$name] session row: num_timesteps|num_events|num_messages" \
    "$(q "SELECT num_timesteps, num_events, num_messages FROM session_traces WHERE $s")" "1|7|9"
  expect_eq "[$name] events by type" \
    "$(q "SELECT event_type, COUNT(*) FROM events WHERE $s GROUP BY 1 ORDER BY 1")" \
    $'cais|4\nenvironment|1\nruntime|2'

  # The LLM events: one per LLM span, whatever its convention.
  expect_eq "[$name] cais events: span_id|model|provider|in|out|total tokens|trace_id|latency_ms" \
    "$(q "SELECT span_id, model_name, provider, input_tokens, output_tokens, total_tokens,
               trace_id, latency_ms FROM events WHERE $s AND event_type = 'cais'" | LC_ALL=C sort)" \
    "$(LC_ALL=C sort <<EOF
$chat1|gpt-4o-mini-2024-07-18|openai|42|12|54|$trace|$d_chat1
$chat2|gpt-4o-mini-2024-07-18|openai|85|14|99|$trace|$d_chat2
$oi|claude-3-5-haiku-20241022|anthropic|30|10|40|$trace|$d_oi
$ol|gpt-4o-mini|openai|25|7|32|$trace|$d_ol
EOF
)"
  expect_eq "[$name] every cais event has latency_ms > 0" \
    "$(q "SELECT COUNT(*) FROM events WHERE $s AND event_type = 'cais' AND latency_ms > 0")" 4
  # llm.cost.total 0.00052 dollars -> 0.052 cents; no cost attribute on the other spans: NULL.
  expect_eq "[$name] the OpenInference event's cost_usd column (cents)" \
    "$(q "SELECT printf('%.9f', cost_usd) FROM events WHERE $s AND span_id = '$oi'")" "0.052000000"
  expect_eq "[$name] events with a cost (only the OpenInference one)" \
    "$(q "SELECT COUNT(*) FROM events WHERE $s AND cost_usd IS NOT NULL")" 1
  json_expect "[$name] first chat event: call_records" \
    "$(q "SELECT call_records FROM events WHERE $s AND span_id = '$chat1'")" \
    "{\"0/call_id\": \"chatcmpl-weather-1\", \"0/api_type\": \"chat_completions\",
      \"0/provider\": \"openai\", \"0/model_name\": \"gpt-4o-mini-2024-07-18\",
      \"0/request_params/temperature\": 0.2, \"0/usage/input_tokens\": 42,
      \"0/usage/output_tokens\": 12, \"0/usage/total_tokens\": 54,
      \"0/finish_reason\": \"tool_calls\", \"0/outcome\": \"success\", \"0/latency_ms\": $d_chat1}"
  json_expect "[$name] first chat event: metadata" \
    "$(q "SELECT metadata FROM events WHERE $s AND span_id = '$chat1'")" \
    "{\"step_id\": \"$trace\", \"source\": \"otlp\", \"otel/name\": \"chat gpt-4o-mini\",
      \"otel/kind\": 3,
      \"otel/parent_span_id\": \"$agent\", \"otel/scope/name\": \"tracecollector-example\",
      \"otel/service\": \"weather-agent\"}"

  # The messages: the second chat call re-sends the system instructions, the question and the
  # tool call; only the tool result after them is new. Each message exactly once.
  expect_eq "[$name] messages (type|content), sorted" \
    "$(q "SELECT message_type, content FROM messages WHERE $s" | LC_ALL=C sort)" \
    "$(LC_ALL=C sort <<'EOF'
system|You are a weather assistant. Answer briefly.
user|What is the weather in Paris?
tool_use|{"id":"call_1","name":"get_weather","arguments":"{\"city\":\"Paris\"}"}
tool_result|{"temp_c":18,"sky":"cloudy"}
assistant|It is 18 °C and cloudy in Paris.
user|Summarize the forecast in five words.
assistant|Mild, cloudy, dry, calm, pleasant.
user|Translate "cloudy" to French.
assistant|nuageux
EOF
)"
  expect_eq "[$name] the question sent by both chat calls is stored once" \
    "$(q "SELECT COUNT(*) FROM messages WHERE $s AND content = 'What is the weather in Paris?'")" 1
  local origins
  origins="$(sqlite3 -batch -json "$db" "SELECT message_type, metadata FROM messages WHERE $s" |
    "$py" -c 'import json, sys
rows = json.loads(sys.stdin.read() or "[]")
for r in sorted(rows, key=lambda r: (json.loads(r["metadata"])["span_id"], r["message_type"])):
    m = json.loads(r["metadata"])
    print(m["span_id"], r["message_type"], m["direction"], m["step_id"] == sys.argv[1])' "$trace")"
  expect_eq "[$name] each message's span, type, direction, step (span_id type direction step_ok)" \
    "$origins" "$(LC_ALL=C sort -k1,1 -k2,2 <<EOF
$chat1 system input True
$chat1 user input True
$chat1 tool_use output True
$chat2 tool_result input True
$chat2 assistant output True
$oi user input True
$oi assistant output True
$ol user input True
$ol assistant output True
EOF
)"

  # The tool: a runtime event with metadata.tool; the reward span's own runtime event.
  expect_eq "[$name] runtime events (span ids)" \
    "$(q "SELECT span_id FROM events WHERE $s AND event_type = 'runtime'" | LC_ALL=C sort)" \
    "$(printf '%s\n' "$tool" "$reward" | LC_ALL=C sort)"
  json_expect "[$name] the tool's runtime event: metadata" \
    "$(q "SELECT metadata FROM events WHERE $s AND event_type = 'runtime' AND span_id = '$tool'")" \
    '{"tool/name": "get_weather", "tool/call_id": "call_1",
      "tool/arguments": "{\"city\":\"Paris\"}", "tool/result": "{\"temp_c\":18,\"sky\":\"cloudy\"}",
      "source": "otlp", "actions": []}'

  # The agent: the turn's timestep (step_id = the trace id), every row of the session in it.
  expect_eq "[$name] timesteps: step_id|completed_at set" \
    "$(q "SELECT step_id, completed_at IS NOT NULL AND completed_at <> '' FROM session_timesteps
          WHERE $s")" "$trace|1"
  json_expect "[$name] the timestep's step_metadata" \
    "$(q "SELECT step_metadata FROM session_timesteps WHERE $s")" \
    "{\"agent\": \"weather-agent\", \"span_id\": \"$agent\", \"source\": \"otlp\",
      \"name\": \"invoke_agent weather-agent\"}"
  expect_eq "[$name] events|messages in that timestep" \
    "$(q "SELECT (SELECT COUNT(*) FROM events e JOIN session_timesteps t ON e.timestep_id = t.id
                  WHERE e.$s AND t.step_id = '$trace') || '|' ||
                 (SELECT COUNT(*) FROM messages m JOIN session_timesteps t ON m.timestep_id = t.id
                  WHERE m.$s AND t.step_id = '$trace')")" "7|9"

  # The reward: an environment event.
  expect_eq "[$name] environment event: reward|terminated|span_id" \
    "$(q "SELECT reward, terminated, span_id FROM events WHERE $s AND event_type = 'environment'")" \
    "0.75|1|$reward"

  # The HTTP client span: no row anywhere, no session of its own, counted as dropped.
  expect_eq "[$name] rows of the HTTP span (events, messages with its span id)" \
    "$(q "SELECT (SELECT COUNT(*) FROM events WHERE span_id = '$http') || '|' ||
                 (SELECT COUNT(*) FROM messages WHERE metadata LIKE '%$http%')")" "0|0"
  expect_eq "[$name] no session otel-<trace id>" \
    "$(q "SELECT COUNT(*) FROM session_traces WHERE session_id = 'otel-$trace'")" 0
  local dropped_after
  dropped_after="$(metric tracecollector_otlp_spans_dropped_total)"
  expect_eq "[$name] tracecollector_otlp_spans_dropped_total grew by 1 ($dropped_before -> $dropped_after)" \
    "$((${dropped_after:-0} - ${dropped_before:-0}))" 1
}

for protocol in json proto; do
  for gzip in 0 1; do
    for processor in batch simple; do
      run_case "$protocol" "$gzip" "$processor"
    done
  done
done

# ---- the Vercel AI SDK: generateText with a tool, its own telemetry, both protocols ----
# The session comes from experimental_telemetry.metadata.sessionId, on the LLM and generateText
# spans; the tool span names none and follows its trace into that session.
for protocol in proto json; do
  session="vercel-$protocol"
  out="$(cd "$client" && node vercel_ai_client.mjs --url "$url" --session "$session" \
         --protocol "$protocol" 2>&1)"
  tc_check "vercel_ai_client.mjs ($protocol) exported its spans: $out" test $? -eq 0
  vtrace="$("$py" -c 'import json,sys; print(json.loads(sys.argv[1].splitlines()[-1])["traceId"])' \
            "$out" 2>/dev/null)"
  expect_eq "Vercel AI SDK ($protocol): the two model calls and the tool call, one trace" \
    "$(q "SELECT event_type, model_name, provider, input_tokens, output_tokens, total_tokens,
                 system_instance_id, trace_id = '$vtrace',
                 COALESCE(json_extract(metadata, '\$.tool.name') || ':' ||
                          json_extract(metadata, '\$.tool.arguments') || ':' ||
                          json_extract(metadata, '\$.tool.result'), '-')
          FROM events WHERE session_id = '$session' ORDER BY event_time, id")" \
    "cais|gpt-4o-mini|openai.chat|30|10|40|weather-agent|1|-
runtime||||||weather-agent|1|weather:{\"city\":\"Paris\"}:{\"city\":\"Paris\",\"sky\":\"sunny\"}
cais|gpt-4o-mini|openai.chat|50|12|62|weather-agent|1|-"
  expect_eq "Vercel AI SDK ($protocol): the conversation, each message once" \
    "$(q "SELECT message_type || ':' || content FROM messages WHERE session_id = '$session'
          ORDER BY timestamp, id")" \
    "system:Be brief.
user:Weather in Paris?
tool_use:{\"id\":\"call-1\",\"name\":\"weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}
tool_result:{\"city\":\"Paris\",\"sky\":\"sunny\"}
assistant:It is sunny in Paris."
  expect_eq "Vercel AI SDK ($protocol): one step (generateText), the session's totals" \
    "$(q "SELECT t.step_id = '$vtrace', json_extract(t.step_metadata, '\$.agent'), t.num_events,
                 s.num_events, s.num_messages, s.tc_llm_calls, s.tc_input_tokens,
                 s.tc_output_tokens
          FROM session_timesteps t JOIN session_traces s USING (session_id)
          WHERE session_id = '$session'")" \
    "1|weather-agent|3|3|5|2|80|22"
  expect_eq "Vercel AI SDK ($protocol): no provisional session left for its trace" \
    "$(q "SELECT COUNT(*) FROM session_traces WHERE session_id = 'otel-$vtrace'")" "0"
done

# ---- the same spans again (an exporter's retry): stored once ----
echo "=== duplicates"
cat >"$work/dup.json" <<'EOF'
{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"dup-svc"}}]},
 "scopeSpans":[{"scope":{"name":"dup-scope","version":"1"},"spans":[
  {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"chat gpt-4o",
   "kind":3,"startTimeUnixNano":"1764900000000000000","endTimeUnixNano":"1764900001250000000",
   "attributes":[
    {"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
    {"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},
    {"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}},
    {"key":"gen_ai.usage.input_tokens","value":{"intValue":"120"}},
    {"key":"gen_ai.usage.output_tokens","value":{"intValue":"30"}},
    {"key":"gen_ai.conversation.id","value":{"stringValue":"otlp-dup"}},
    {"key":"gen_ai.input.messages","value":{"stringValue":"[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"ping\"}]}]"}},
    {"key":"gen_ai.output.messages","value":{"stringValue":"[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"pong\"}]}]"}}]},
  {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b175","parentSpanId":"eee19b7ec3c1b174",
   "name":"execute_tool lookup","kind":1,"startTimeUnixNano":"1764900000100000000",
   "endTimeUnixNano":"1764900000200000000",
   "attributes":[
    {"key":"gen_ai.operation.name","value":{"stringValue":"execute_tool"}},
    {"key":"gen_ai.tool.name","value":{"stringValue":"lookup"}},
    {"key":"gen_ai.conversation.id","value":{"stringValue":"otlp-dup"}}]}]}]}]}
EOF
dup_rows() {  # the session's rows, in the order they were stored
  q "SELECT (SELECT COUNT(*) FROM session_traces WHERE session_id = 'otlp-dup') || ' session, ' ||
            (SELECT COUNT(*) FROM session_timesteps WHERE session_id = 'otlp-dup') || ' timestep, ' ||
            (SELECT group_concat(e, ',') FROM (SELECT event_type || ':' || ifnull(latency_ms, '-') AS e
              FROM events WHERE session_id = 'otlp-dup' ORDER BY id)) || ' events, ' ||
            (SELECT group_concat(m, ',') FROM (SELECT message_type || ':' || content AS m
              FROM messages WHERE session_id = 'otlp-dup' ORDER BY id)) || ' messages'"
}
dup_want="1 session, 1 timestep, cais:1250,runtime:100 events, user:ping,assistant:pong messages"
code="$(post application/json "$work/dup.json" "$work/dup1")"
expect_eq "first POST of the OTLP JSON body: status and answer" "$code $(cat "$work/dup1.b")" "200 {}"
expect_eq "rows after the first POST" "$(dup_rows)" "$dup_want"
code="$(post application/json "$work/dup.json" "$work/dup2")"
expect_eq "the same body again: status and answer" "$code $(cat "$work/dup2.b")" "200 {}"
expect_eq "rows after the second POST: still once" "$(dup_rows)" "$dup_want"
gzip -c "$work/dup.json" >"$work/dup.json.gz"
code="$(post application/json "$work/dup.json.gz" "$work/dup3" -H 'Content-Encoding: gzip')"
expect_eq "the same body gzipped: status and answer" "$code $(cat "$work/dup3.b")" "200 {}"
expect_eq "rows after the gzipped POST: still once" "$(dup_rows)" "$dup_want"

# ---- malformed protobuf: 400, a google.rpc.Status in protobuf, nothing stored ----
echo "=== refusals"
before="$(row_counts)"
invalid_before="$(metric tracecollector_otlp_requests_invalid_total)"
# Field 1 (resource_spans), length-delimited, with a length far past the end of the body.
printf '\x0a\xff\xff\xff\xff\x0f\x01\x02' >"$work/bad.pb"
code="$(post application/x-protobuf "$work/bad.pb" "$work/bad")"
expect_eq "malformed protobuf: status" "$code" 400
expect_eq "malformed protobuf: Content-Type of the answer" \
  "$(header "$work/bad.h" Content-Type)" "application/x-protobuf"
status_fields="$("$py" - "$work/bad.b" <<'PY'
import sys
# google.rpc.Status: 1 code (varint), 2 message (string), 3 details (repeated Any).
b = open(sys.argv[1], "rb").read()
i, code, message = 0, None, None
def varint():
    global i
    v = s = 0
    while True:
        c = b[i]; i += 1
        v |= (c & 0x7F) << s; s += 7
        if c < 0x80:
            return v
try:
    while i < len(b):
        tag = varint()
        if tag == 0x08:
            code = varint()
        elif tag & 7 == 2:
            n = varint()
            if tag >> 3 == 2:
                message = b[i:i + n].decode()
            i += n
        else:
            raise ValueError(f"unexpected tag {tag}")
    print(f"code={code} message_set={bool(message)} message={message!r}")
except Exception as e:
    print(f"not a google.rpc.Status ({e}): {b[:80]!r}")
PY
)"
expect_eq "malformed protobuf: the answer is a google.rpc.Status with code 3 (INVALID_ARGUMENT)" \
  "$(sed 's/ message=.*//' <<<"$status_fields")" "code=3 message_set=True"
echo "    (status: $status_fields)"
expect_eq "malformed protobuf: nothing stored" "$(row_counts)" "$before"
invalid_after="$(metric tracecollector_otlp_requests_invalid_total)"
expect_eq "tracecollector_otlp_requests_invalid_total grew by 1 ($invalid_before -> $invalid_after)" \
  "$((${invalid_after:-0} - ${invalid_before:-0}))" 1

# ---- a span with an all-zero traceId: a partial success, the span rejected ----
cat >"$work/zero.json" <<'EOF'
{"resourceSpans":[{"resource":{"attributes":[]},"scopeSpans":[{"scope":{"name":"t"},"spans":[
 {"traceId":"00000000000000000000000000000000","spanId":"0102030405060708","name":"chat",
  "kind":3,"startTimeUnixNano":"1764900000000000000","endTimeUnixNano":"1764900001000000000",
  "attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
                {"key":"gen_ai.conversation.id","value":{"stringValue":"otlp-zero-trace"}}]}]}]}]}
EOF
before="$(row_counts)"
code="$(post application/json "$work/zero.json" "$work/zero")"
expect_eq "all-zero traceId: status" "$code" 200
json_expect "all-zero traceId: partialSuccess" "$(cat "$work/zero.b")" \
  '{"partialSuccess/rejectedSpans": "1"}'
expect_eq "all-zero traceId: nothing stored" "$(row_counts)" "$before"

# ---- a gzip bomb: 413, and the collector never holds the inflated body ----
head -c 100000000 /dev/zero | gzip -c >"$work/bomb.gz"
before="$(row_counts)"
code="$(post application/x-protobuf "$work/bomb.gz" "$work/bomb" -H 'Content-Encoding: gzip')"
expect_eq "gzip bomb ($(stat -c %s "$work/bomb.gz") bytes -> 100 MB of zeros): status" "$code" 413
echo "    (answer: $(head -c 300 "$work/bomb.b"))"
hwm_kb="$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$TC_PID/status")"
echo "check: the collector's peak RSS after the bomb: VmHWM ${hwm_kb:-?} kB (want < 204800 kB)"
tc_check "the collector's peak RSS after the gzip bomb is below 200 MB (VmHWM ${hwm_kb:-?} kB)" \
  test "${hwm_kb:-999999999}" -lt 204800
expect_eq "gzip bomb: nothing stored" "$(row_counts)" "$before"

# ---- Content-Encoding br: 415 ----
code="$(post application/json "$work/dup.json" "$work/br" -H 'Content-Encoding: br')"
expect_eq "Content-Encoding br: status" "$code" 415
echo "    (answer: $(head -c 300 "$work/br.b"))"

# ---- the example reports a failed export ----
out="$(cd "$client" && TRACECOLLECTOR_URL="$url/not-otlp" nice node otel_client.mjs \
  --processor simple --session otlp-fail 2>"$work/fail.err")"
rc=$?
echo "client printed: $out"
tc_check "the example exits non-zero when the collector refuses its export (exit $rc)" \
  test "$rc" -ne 0
json_expect "the example's summary says the export failed" "$out" \
  '{"ok": false, "exported_spans": 0}'
expect_eq "no OTLP span ever landed in an otel-<trace id> session" \
  "$(q "SELECT COUNT(*) FROM session_traces WHERE session_id LIKE 'otel-%'")" 0

tc_stop_collector
tc_check "collector exits 0 on SIGTERM (exit $TC_EXIT)" test "$TC_EXIT" = 0
tc_summary
