#!/usr/bin/env bash
# Runs the client examples (examples/curl.sh, post_records.py, post_records.mjs) against a real
# collector on a free loopback port with an embedded database in a temp dir, then reads the
# SQLite file: each example's session has its session, timestep, LLM event and message rows,
# exactly once even after running the example twice (ids make retries idempotent). Then each of
# the three retries through a proxy that answers 429 / 503 with Retry-After first: the example
# waits at least Retry-After, sends the identical body again, and the rows exist once. Last, the
# Idempotency-Key curl example of docs/api.md §1.5, twice: the same answer, rows once. Then, on a
# collector with an admin key and a read key, the GET example of docs/api.md §9 (with the read
# key), the list example of §10, the stream example of §11, the events, messages, experiments
# and stats examples of §12-§15 and the DELETE example of §8 (with the admin key): their
# documented answers.
# Usage: clients_test.sh SOURCE_DIR (TC_COLLECTOR_BIN: the built binary).
set -uo pipefail
src="$1"
source "$src/tests/integration/shell/collector_lib.sh"
work="$(mktemp -d)"
proxy_pid=""
cleanup() {
  [[ -n "$proxy_pid" ]] && kill "$proxy_pid" 2>/dev/null && wait "$proxy_pid" 2>/dev/null
  tc_stop_collector
  rm -rf "$work"
}
trap cleanup EXIT
db="$work/traces.db"

node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
tc_check "node >= 18 (built-in fetch); found $(node --version 2>/dev/null)" test "$node_major" -ge 18

if ! tc_start_collector "$work/collector.log" --db "$db"; then
  tc_check "collector starts" false
  tc_summary
  exit 1
fi
export TRACECOLLECTOR_URL="http://127.0.0.1:$TC_PORT"

q() { sqlite3 -batch -noheader "$db" "$1"; }
# The session's rows: counters, the LLM event's model/tokens/cost, the message.
rows_ok() {
  local s="$1" got
  got="$(q "SELECT num_timesteps, num_events, num_messages FROM session_traces
             WHERE session_id = '$s';
           SELECT COUNT(*) FROM session_timesteps WHERE session_id = '$s' AND step_id = 'step-1';
           SELECT model_name, total_tokens, event_type FROM events WHERE session_id = '$s';
           SELECT message_type, content FROM messages WHERE session_id = '$s';")"
  local want
  want=$'1|1|1\n1\ngpt-4o-mini|150|cais\nassistant|The answer is 42.'
  [[ "$got" == "$want" ]] || { echo "  rows of $s:"; echo "$got" | sed 's/^/    /'; return 1; }
}

run_example() {  # NAME SESSION -> runs it, output to $work/NAME.out
  case "$1" in
    curl) "$src/examples/curl.sh" "$2" ;;
    python) python3 "$src/examples/post_records.py" "$2" ;;
    node) node "$src/examples/post_records.mjs" "$2" ;;
  esac >"$work/$1.out" 2>&1
}

for example in curl python node; do
  session="$example-session"
  tc_check "$example example exits 0" run_example "$example" "$session"
  tc_check "$example example: rows stored" rows_ok "$session"
  tc_check "$example example again exits 0" run_example "$example" "$session"
  tc_check "$example example again: rows still once" rows_ok "$session"
  if [[ $tc_failed -gt 0 ]]; then
    sed 's/^/  output: /' "$work/$example.out"
  fi
done
dup_ok() { grep -q '"duplicates":4' "$work/$1.out" || grep -q '"duplicates": 4' "$work/$1.out"; }
for example in curl python node; do
  tc_check "$example example: the second run was answered duplicates 4" dup_ok "$example"
done

# ---- retries honour Retry-After and resend the same body ----
retry_case() {  # EXAMPLE STATUS
  local example="$1" status="$2" log="$work/proxy-$1-$2.log" out="$work/proxy-$1-$2.out"
  : >"$log"
  # Its own output file per case: the background job's redirection happens after the fork, so a
  # shared file could still hold the previous proxy's port when it is first read.
  : >"$out"
  python3 "$src/tests/integration/shell/retry_proxy.py" "$TRACECOLLECTOR_URL" "$log" 1 \
    "$status" 1 >"$out" 2>&1 &
  proxy_pid=$!
  local port="" i
  for ((i = 0; i < 600; i++)); do  # up to 30 s: python starts slowly on a loaded machine
    port="$(sed -n 's/^port=//p' "$out")"
    [[ -n "$port" ]] && break
    sleep 0.05
  done
  local rc=0
  TRACECOLLECTOR_URL="http://127.0.0.1:$port" run_example "$example" "retry-$example-$status" ||
    rc=1
  kill "$proxy_pid" 2>/dev/null
  wait "$proxy_pid" 2>/dev/null
  proxy_pid=""
  # curl.sh posts twice; the first two log lines are the refused attempt and its retry.
  python3 - "$log" <<'PY' || rc=1
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) >= 2, lines
first, second = lines[0], lines[1]
assert first["answered"] in (429, 503) and second["answered"] == 200, lines
assert first["sha"] == second["sha"], "the retry sent a different body"
assert second["t"] - first["t"] >= 0.95, f"retried after {second['t'] - first['t']:.2f} s"
PY
  rows_ok "retry-$example-$status" || rc=1
  [[ $rc -eq 0 ]] || sed 's/^/  output: /' "$work/$example.out"
  return $rc
}
for example in curl python node; do
  for status in 429 503; do
    tc_check "$example example retries a $status after Retry-After with the same body" \
      retry_case "$example" "$status"
  done
done

# ---- docs/api.md §1.5: the Idempotency-Key example, run twice: one copy, the same answer ----
idem_cmd="$(awk '/^### 1.5 /{f=1} f&&/^```sh/{g=1;next} g&&/^```/{exit} g' "$src/docs/api.md" |
  grep -v '^#' | sed "s#http://127.0.0.1:4318#$TRACECOLLECTOR_URL#")"
tc_check "docs/api.md has the Idempotency-Key curl example" grep -q "Idempotency-Key" <<<"$idem_cmd"
idem_first="$(bash -c "$idem_cmd" 2>&1)"
idem_again="$(bash -c "$idem_cmd" 2>&1)"
tc_check "Idempotency-Key example: stored 2 ($idem_first)" grep -q '"stored":2,"duplicates":0' \
  <<<"$idem_first"
tc_check "Idempotency-Key example again: the same answer ($idem_again)" \
  test "$idem_first" = "$idem_again"
tc_check "Idempotency-Key example: one event and one message" test \
  "$(q "SELECT COUNT(*) FROM events WHERE session_id = 's-idem';
        SELECT COUNT(*) FROM messages WHERE session_id = 's-idem';" | tr '\n' ' ')" = "1 1 "

# ---- README.md: the quick start's curl (its documented answer), then the GET that reads it back ----
readme_block() {  # N -> the Nth ```sh block of README.md after "## Quick start", for this port
  awk -v n="$1" '/^## Quick start/{f=1} f&&/^```sh/{k++; if (k==n) {g=1; next}} g&&/^```/{exit} g' \
    "$src/README.md" | sed "s#http://127.0.0.1:4318#$TRACECOLLECTOR_URL#"
}
quick_cmd="$(readme_block 1 | grep -v '^#')"
quick_want="$(readme_block 1 | sed -n 's/^# //p')"
quick_got="$(bash -c "$quick_cmd" 2>&1)"
tc_check "README quick start answers as documented ($quick_got)" test "$quick_got" = "$quick_want"
get_readme="$(readme_block 4 | sed 's/ *#.*$//')"
tc_check "README has the GET example" grep -q "/v1/sessions/session_quick" <<<"$get_readme"
read_back="$(bash -c "$get_readme" 2>&1)"
read_back_ok() {
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); t=d["trace"]
assert t["session_id"]=="session_quick", t["session_id"]
assert d["totals"]["events"]==1 and d["totals"]["messages"]==1, d["totals"]
assert t["session_time_steps"][0]["events"][0]["model_name"]=="gpt-4"' "$read_back"
}
tc_check "README GET example reads the quick start's session back" read_back_ok
# The quick start ends by opening the viewer: a browser asking for / is sent to /ui/.
viewer_cmd="$(readme_block 5 | grep -v '^#')"
viewer_want="$(readme_block 5 | sed -n 's/^# //p' | sed "s#http://127.0.0.1:4318#$TRACECOLLECTOR_URL#")"
viewer_got="$(bash -c "$viewer_cmd" 2>&1)"
tc_check "README viewer example answers as documented ($viewer_got)" test "$viewer_got" = "$viewer_want"
# docs/ui.md's example: the headers of the app page, each documented line (those without "...")
# among the answer's header lines.
ui_block="$(awk '/^## How it is served/{f=1} f&&/^```sh/{g=1;next} g&&/^```/{exit} g' "$src/docs/ui.md" |
  sed "s#http://127.0.0.1:4318#$TRACECOLLECTOR_URL#")"
ui_got="$(bash -c "$(grep -v '^#' <<<"$ui_block")" 2>&1 | tr -d '\r')"
ui_missing=""
while IFS= read -r line; do
  [[ "$line" == *...* ]] && continue
  grep -qxF -- "$line" <<<"$ui_got" || ui_missing+="[$line] "
done < <(sed -n 's/^# //p' <<<"$ui_block")
tc_check "docs/ui.md's header example is what the collector answers (missing: $ui_missing)" \
  test -z "$ui_missing" -a -n "$ui_block"

tc_stop_collector
tc_check "collector exits 0 on SIGTERM" test "$TC_EXIT" = 0

# ---- docs/api.md §9 and §8: GET with a read key, DELETE with an admin key ----
# (The client variables are set after the start: the collector refuses unknown TRACECOLLECTOR_*
# variables in its own environment.)
unset TRACECOLLECTOR_URL
if tc_start_collector "$work/collector-admin.log" --db "$db" --set "auth.admin_keys=doc-admin-key" \
  --set "auth.read_keys=doc-read-key"
then
  export TRACECOLLECTOR_URL="http://127.0.0.1:$TC_PORT"
  export TRACECOLLECTOR_ADMIN_KEY="doc-admin-key"
  export TRACECOLLECTOR_READ_KEY="doc-read-key"
  tc_check "DELETE example: session s-del stored first" test "$(curl -sS -o /dev/null \
    -w '%{http_code}' "$TRACECOLLECTOR_URL/v1/records" -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $TRACECOLLECTOR_ADMIN_KEY" -d '[
      {"type":"session","id":"s-del","session_id":"s-del"},
      {"type":"timestep","id":"s-del/t1","session_id":"s-del","step_id":"t1"},
      {"type":"event","id":"s-del/e1","session_id":"s-del","step_id":"t1","event_type":"runtime"},
      {"type":"message","id":"s-del/m1","session_id":"s-del","step_id":"t1",
       "message_type":"user","content":"hi"}]')" = 200
  # docs/api.md §9: the GET example, before the delete: the trace it saves has s-del's rows.
  get_cmd="$(awk '/^## 9\. /{f=1} f&&/^```sh/{g=1;next} g&&/^```/{exit} g' "$src/docs/api.md" |
    grep -v '^#' | sed "s#http://127.0.0.1:4318#$TRACECOLLECTOR_URL#")"
  tc_check "docs/api.md §9 has the GET example" grep -q "/v1/sessions/s-del" <<<"$get_cmd"
  (cd "$work" && bash -c "$get_cmd")
  tc_check "GET example: the saved trace is s-del's whole SessionTrace" python3 - \
    "$work/s-del.json" <<'PY'
import json, sys
answer = json.load(open(sys.argv[1]))
assert answer["totals"]["events"] == 1 and answer["totals"]["messages"] == 1, answer
t = answer["trace"]
assert t["session_id"] == "s-del", t
assert [s["step_id"] for s in t["session_time_steps"]] == ["t1"], t
assert len(t["event_history"]) == 1 and len(t["markov_blanket_message_history"]) == 1, t
assert t["markov_blanket_message_history"][0]["content"]["text"] == "hi", t
PY
  # docs/api.md §10: the list example: two pages by cost, no session twice, the costliest first.
  list_cmd="$(awk '/^## 10\. /{f=1} f&&/^```sh/{g=1;next} g&&/^```/{exit} g' "$src/docs/api.md" |
    grep -v '^#' | sed "s#http://127.0.0.1:4318#$TRACECOLLECTOR_URL#")"
  tc_check "docs/api.md §10 has the list example" grep -q "cursor=" <<<"$list_cmd"
  (cd "$work" && bash -c "$list_cmd")
  tc_check "list example: two pages, sorted by cost, each session once" python3 - \
    "$work/page1.json" "$work/page2.json" "$(q "SELECT COUNT(*) FROM session_traces;")" <<'PY'
import json, sys
pages = [json.load(open(p)) for p in sys.argv[1:3]]
total = int(sys.argv[3])
assert total >= 3, total
assert pages[0]["meta"] == {"limit": 2, "has_more": True, "next_cursor": pages[0]["meta"]["next_cursor"]}, pages[0]
rows = pages[0]["data"] + pages[1]["data"]
ids = [r["session_id"] for r in rows]
assert len(ids) == min(4, total) and len(set(ids)) == len(ids), ids
costs = [r["totals"]["cost_usd"] for r in rows]
assert costs == sorted(costs, reverse=True), costs
assert pages[1]["meta"]["has_more"] == (total > 4), pages[1]["meta"]
PY
  # docs/api.md §11: the stream example follows the LLM calls: one posted now arrives.
  stream_cmd="$(awk '/^## 11\. /{f=1} f&&/^```sh/{g=1;next} g&&/^```/{exit} g' "$src/docs/api.md" |
    grep -v '^#' | sed "s#http://127.0.0.1:4318#$TRACECOLLECTOR_URL#")"
  tc_check "docs/api.md §11 has the stream example" grep -q "/v1/stream" <<<"$stream_cmd"
  (cd "$work" && exec timeout 60 bash -c "$stream_cmd" >"$work/stream.out" 2>&1) &
  stream_pid=$!
  streaming() {
    local m
    m="$(curl -sS "$TRACECOLLECTOR_URL/metrics")" && grep -q '^tracecollector_stream_connections 1$' <<<"$m"
  }
  tc_check "stream example: the stream is open" tc_eventually streaming
  curl -sS -o /dev/null "$TRACECOLLECTOR_URL/v1/records" -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $TRACECOLLECTOR_ADMIN_KEY" -d '[
      {"type":"event","id":"s-stream/e1","session_id":"s-stream","event_type":"runtime"},
      {"type":"event","id":"s-stream/e2","session_id":"s-stream","event_type":"cais","model_name":"gpt-4"}]'
  stream_got() { grep -q '"id":"s-stream/e2","session_id":"s-stream","event_type":"cais"' "$work/stream.out"; }
  tc_check "stream example: the LLM call arrives as an SSE record" tc_eventually stream_got
  tc_check "stream example: the runtime event is filtered out" \
    test "$(grep -c 's-stream/e1' "$work/stream.out")" = 0
  kill "$stream_pid" 2>/dev/null || true
  wait "$stream_pid" 2>/dev/null || true
  # docs/api.md §12-§15: the events, messages, experiments and stats examples, on an experiment
  # with one session (an LLM call of $0.0045) besides the examples' sessions.
  tc_check "§14 example: experiment exp-doc and its session stored first" test "$(curl -sS \
    -o /dev/null -w '%{http_code}' "$TRACECOLLECTOR_URL/v1/records" \
    -H 'Content-Type: application/json' -H "Authorization: Bearer $TRACECOLLECTOR_ADMIN_KEY" -d '[
      {"type":"experiment","experiment_id":"exp-doc","name":"docs example"},
      {"type":"session","id":"s-exp","session_id":"s-exp","experiment_id":"exp-doc"},
      {"type":"event","id":"s-exp/e1","session_id":"s-exp","event_type":"cais",
       "model_name":"gpt-4o-mini","provider":"openai","input_tokens":100,"output_tokens":50,
       "total_tokens":150,"cost_usd":0.0045}]')" = 200
  section_cmd() {  # N -> the first sh block of docs/api.md section N, run against this collector
    awk -v n="$1" '$0 ~ "^## " n "\\. "{f=1} f&&/^```sh/{g=1;next} g&&/^```/{exit} g' \
      "$src/docs/api.md" | grep -v '^#' | sed "s#http://127.0.0.1:4318#$TRACECOLLECTOR_URL#"
  }
  for n in 12 13 14 15; do
    cmd="$(section_cmd "$n")"
    tc_check "docs/api.md §$n has its example" grep -q "$TRACECOLLECTOR_URL/v1/" <<<"$cmd"
    (cd "$work" && bash -c "$cmd")
  done
  tc_check "§12 example: curl-session's LLM call with its call records, then that event" \
    python3 - "$work/events.json" "$work/event.json" <<'PY'
import json, sys
page, one = (json.load(open(p)) for p in sys.argv[1:3])
rows = page["data"]
assert len(rows) == 1 and page["meta"]["has_more"] is False, page
e = rows[0]
assert e["session_id"] == "curl-session" and e["event_type"] == "cais", e
assert e["model_name"] == "gpt-4o-mini" and e["total_tokens"] == 150, e
assert e["step_id"] == "step-1" and e["cost_usd"] == 0.00036 and "call_records" in e, e
assert one == e, (one, e)
PY
  tc_check "§13 example: curl-session's assistant message, then that message" \
    python3 - "$work/messages.json" "$work/message.json" <<'PY'
import json, sys
page, one = (json.load(open(p)) for p in sys.argv[1:3])
assert [m["content"] for m in page["data"]] == ["The answer is 42."], page
assert one == page["data"][0], one
PY
  tc_check "§14 example: exp-doc with its session's totals and the link to its sessions" \
    python3 - "$work/experiments.json" "$work/experiment.json" <<'PY'
import json, sys
page, one = (json.load(open(p)) for p in sys.argv[1:3])
assert [x["experiment_id"] for x in page["data"]] == ["exp-doc"], page
assert one["name"] == "docs example" and one["systems"] == [], one
s = one["sessions"]
assert s["count"] == 1 and s["lm_calls"] == 1 and s["total_tokens"] == 150, s
assert abs(s["total_cost_usd"] - 0.0045) < 1e-12, s
assert s["list"] == "/v1/sessions?experiment_id=exp-doc", s
PY
  tc_check "§15 example: per model and per day, every LLM call and event of the test counted" \
    python3 - "$work/models.json" "$work/usage.json" \
    "$(q "SELECT COUNT(*) FROM events WHERE event_type = 'cais' AND model_name = 'gpt-4o-mini';")" \
    "$(q "SELECT COUNT(*) FROM events WHERE event_type = 'cais';")" \
    "$(q "SELECT COUNT(*) FROM events;")" <<'PY'
import json, sys
models, usage = (json.load(open(p)) for p in sys.argv[1:3])
mini, calls, events = (int(n) for n in sys.argv[3:6])
rows = {(r["model_name"], r["provider"]): r for r in models["data"]}
assert rows[("gpt-4o-mini", "openai")]["usage_count"] == mini >= 4, (rows, mini)
assert models["meta"]["to"] is None and models["meta"]["truncated"] is False, models["meta"]
assert usage["meta"]["group_by"] == "day", usage["meta"]
assert 1 <= len(usage["data"]) <= 2, usage  # the last 24 hours: today, maybe yesterday
assert sum(r["calls"] for r in usage["data"]) == calls, (usage, calls)
assert sum(r["events"] for r in usage["data"]) == events, (usage, events)
PY
  del_section="$(awk '/^## 8\. /{f=1} f&&/^```sh/{g=1;next} g&&/^```/{exit} g' "$src/docs/api.md")"
  del_cmd="$(grep -v '^#' <<<"$del_section" | sed "s#http://127.0.0.1:4318#$TRACECOLLECTOR_URL#")"
  del_want="$(sed -n 's/^# → 200 //p' <<<"$del_section")"
  del_want_again="$(sed -n 's/^# the same command again → 404 //p' <<<"$del_section")"
  tc_check "docs/api.md §8 has the DELETE example and its answers" \
    test -n "$del_want" -a -n "$del_want_again"
  del_first="$(bash -c "$del_cmd" 2>&1)"
  tc_check "DELETE example: the documented 200 ($del_first)" test "$del_first" = "$del_want"
  tc_check "DELETE example: no row of s-del is left" test "$(q "SELECT
      (SELECT COUNT(*) FROM session_traces WHERE session_id = 's-del') +
      (SELECT COUNT(*) FROM session_timesteps WHERE session_id = 's-del') +
      (SELECT COUNT(*) FROM events WHERE session_id = 's-del') +
      (SELECT COUNT(*) FROM messages WHERE session_id = 's-del');")" = 0
  tc_check "DELETE example: the other sessions stay" rows_ok "curl-session"
  del_again="$(bash -c "$del_cmd" 2>&1)"
  tc_check "DELETE example again: the documented 404 ($del_again)" \
    test "$del_again" = "$del_want_again"
  tc_stop_collector
else
  tc_check "collector starts with an admin key" false
fi
tc_summary
