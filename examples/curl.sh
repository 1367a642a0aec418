#!/usr/bin/env bash
# Posts one agent session to tracecollector with curl, then sends it again to show that a retry
# stores nothing twice.
#   examples/curl.sh [SESSION_ID]
# Environment: TRACECOLLECTOR_URL (default http://127.0.0.1:4318), TRACECOLLECTOR_API_KEY (sent as
# "Authorization: Bearer <key>" when set). HTTPS with a private CA: CURL_CA_BUNDLE=ca.pem
# (docs/tls.md). Every record has an "id" derived from SESSION_ID, so
# curl's --retry (which waits as the server's Retry-After says on 429/503) is always safe.
# Exit status: curl's (22 when the final answer is an HTTP error).
set -euo pipefail
url="${TRACECOLLECTOR_URL:-http://127.0.0.1:4318}"
session="${1:-sh-$(date +%s)-$$}"
auth=()
if [[ -n "${TRACECOLLECTOR_API_KEY:-}" ]]; then
  auth=(-H "Authorization: Bearer ${TRACECOLLECTOR_API_KEY}")
fi

body="$(cat <<JSON
{"records": [
  {"type": "session", "id": "${session}/session", "session_id": "${session}",
   "metadata": {"client": "curl.sh"}},
  {"type": "timestep", "id": "${session}/step-1", "session_id": "${session}",
   "step_id": "step-1", "turn_number": 1},
  {"type": "event", "id": "${session}/llm-1", "session_id": "${session}", "step_id": "step-1",
   "event_type": "cais", "system_instance_id": "agent",
   "time_record": {"event_time": $(date +%s)}, "model_name": "gpt-4o-mini",
   "provider": "openai", "input_tokens": 120, "output_tokens": 30, "total_tokens": 150,
   "cost_usd": 0.00036, "latency_ms": 850},
  {"type": "message", "id": "${session}/msg-1", "session_id": "${session}", "step_id": "step-1",
   "message_type": "assistant", "content": "The answer is 42."}
]}
JSON
)"

post() {
  curl -sS --fail-with-body --retry 6 --retry-max-time 120 --max-time 30 \
    -H 'Content-Type: application/json' "${auth[@]}" --data-binary @- "$url/v1/records" <<<"$body"
  echo
}
echo "session ${session}"
post   # {"status":"ok","ack":"durable","total":4,"accepted":4,"stored":4,"duplicates":0,...}
post   # the same records again: "stored":0,"duplicates":4
