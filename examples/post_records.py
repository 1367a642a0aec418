#!/usr/bin/env python3
"""Posts one agent session to tracecollector with nothing but Python's standard library.

    python3 examples/post_records.py [SESSION_ID]

Environment: TRACECOLLECTOR_URL (default http://127.0.0.1:4318), TRACECOLLECTOR_API_KEY (sent
as "Authorization: Bearer <key>" when set; needed only when the collector has auth.api_keys).
HTTPS with a private CA: SSL_CERT_FILE=ca.pem (docs/tls.md).

It sends a session, a timestep, an LLM call (a "cais" event with tokens and cost) and an
assistant message in one POST /v1/records. Every record carries an "id" derived from the
session id, so sending again - after a 429/503, a timeout, or by running the script twice with
the same SESSION_ID - never stores anything twice: the collector answers "duplicate".
Exit status: 0 when every record is stored or already was, 1 otherwise.
"""

import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid

BASE_URL = os.environ.get("TRACECOLLECTOR_URL", "http://127.0.0.1:4318").rstrip("/")
API_KEY = os.environ.get("TRACECOLLECTOR_API_KEY", "")
MAX_ATTEMPTS = 8
MAX_WAIT_S = 30.0


def retry_delay(attempt, retry_after):
    """Seconds to wait before the next attempt: the server's Retry-After when it sent one,
    else exponential backoff (0.2 s, 0.4 s, ...), never more than MAX_WAIT_S."""
    if retry_after is not None:
        try:
            return min(max(float(retry_after), 0.0), MAX_WAIT_S)
        except ValueError:
            pass  # an HTTP date; fall back to backoff
    return min(0.2 * (2 ** attempt), MAX_WAIT_S)


def parse_answer(raw):
    """The collector always answers JSON; anything else (e.g. a proxy's HTML page) gives {}."""
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def post(path, payload):
    """POSTs `payload` as JSON; retries 429, 503, 500 and connection errors. Returns
    (http_status, answer_dict). Safe to retry because every record has an id."""
    body = json.dumps(payload).encode("utf-8")
    headers = {"Content-Type": "application/json"}
    if API_KEY:
        headers["Authorization"] = "Bearer " + API_KEY
    for attempt in range(MAX_ATTEMPTS):
        request = urllib.request.Request(BASE_URL + path, data=body, headers=headers,
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, parse_answer(response.read())
        except urllib.error.HTTPError as error:
            answer = parse_answer(error.read())
            if error.code not in (429, 500, 503) or attempt + 1 == MAX_ATTEMPTS:
                return error.code, answer
            wait = retry_delay(attempt, error.headers.get("Retry-After"))
            reason = answer.get("error", {}).get("code", error.code)
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            if attempt + 1 == MAX_ATTEMPTS:
                raise
            wait = retry_delay(attempt, None)
            reason = error
        print(f"retrying in {wait:.1f} s ({reason})", file=sys.stderr)
        time.sleep(wait)
    raise AssertionError("unreachable")


def session_records(session_id):
    """One step of an agent: the session, a timestep, an LLM call and the model's answer."""
    return [
        {"type": "session", "id": f"{session_id}/session", "session_id": session_id,
         "metadata": {"client": "post_records.py"}},
        {"type": "timestep", "id": f"{session_id}/step-1", "session_id": session_id,
         "step_id": "step-1", "turn_number": 1},
        {"type": "event", "id": f"{session_id}/llm-1", "session_id": session_id,
         "step_id": "step-1", "event_type": "cais", "system_instance_id": "agent",
         "time_record": {"event_time": time.time()}, "model_name": "gpt-4o-mini",
         "provider": "openai", "input_tokens": 120, "output_tokens": 30, "total_tokens": 150,
         "cost_usd": 0.00036, "latency_ms": 850},
        {"type": "message", "id": f"{session_id}/msg-1", "session_id": session_id,
         "step_id": "step-1", "message_type": "assistant", "content": "The answer is 42."},
    ]


def main():
    session_id = sys.argv[1] if len(sys.argv) > 1 else "py-" + uuid.uuid4().hex[:12]
    status, answer = post("/v1/records", {"records": session_records(session_id)})
    print(json.dumps({"session_id": session_id, "http_status": status, "answer": answer}))
    ok = status == 200 and answer.get("accepted") == answer.get("total") == 4
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
