#!/usr/bin/env python3
"""How much disk the embedded database takes per event (docs/operations.md, "Disk").

Starts the real collector on a fresh SQLite database in a temporary directory, posts N LLM
events (the `1 rec/req` event of bench/loadgen: a cais event with one call record, ~1.2 KB of
JSON) with ack=durable, 100 per request and 100 per session, stops it with SIGTERM (SQLite
checkpoints the WAL into the database when the collector closes it), checkpoints whatever WAL is
left, and prints the database size, the bytes per event and the size of a million events.

  bench/disk_per_event.py --collector build/src/tracecollector --events 100000

Standard library only. Exits 1 when an answer is not a 200 with every record stored, or when
the database does not hold exactly the events sent.
"""
import argparse
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

CALL_RECORD = {
    "call_id": "c0", "api_type": "chat_completions", "provider": "openai",
    "model_name": "gpt-4o-mini", "schema_version": "1.0",
    "started_at": "2025-03-04T10:15:01.120000+00:00",
    "completed_at": "2025-03-04T10:15:01.940000+00:00", "latency_ms": 820,
    "request_params": {"temperature": 0.2, "max_tokens": 256},
    "input_messages": [{"role": "user", "parts": [
        {"type": "text", "text": "Observation: tree at left; wood 0. What next?"}]}],
    "output_messages": [{"role": "assistant", "parts": [
        {"type": "text", "text": "{\"action\": \"do\"}"}]}],
    "usage": {"input_tokens": 412, "output_tokens": 38, "total_tokens": 450},
    "finish_reason": "stop", "outcome": "success",
}


def event(n, session):
    return {
        "type": "event", "id": f"ev-{n}", "session_id": session, "event_type": "cais",
        "system_instance_id": "agent-llm",
        "time_record": {"event_time": 1741083301.35 + n, "message_time": None},
        "model_name": "gpt-4o-mini", "provider": "openai", "input_tokens": 412,
        "output_tokens": 38, "total_tokens": 450, "cost_usd": 8.46e-05, "latency_ms": 820,
        "span_id": f"span-{n}", "trace_id": f"trace-{session}", "call_records": [CALL_RECORD],
        "metadata": {"attempt": 1},
    }


def files_size(db):
    return sum(os.path.getsize(p) for p in (db, db + "-wal") if os.path.exists(p))


def start(collector, workdir, db):
    log = open(os.path.join(workdir, "collector.log"), "w+")
    proc = subprocess.Popen(
        [collector, "--backend", "embedded", "--db", db, "--listen", "127.0.0.1:0",
         "--set", "spool.dir=" + os.path.join(workdir, "spool")],
        stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        log.seek(0)
        m = re.search(r"listening on (\S+:\d+)", log.read())
        if m:
            return proc, "http://" + m.group(1)
        if proc.poll() is not None:
            break
        time.sleep(0.05)  # polling the log for a condition, bounded by the deadline
    log.seek(0)
    sys.exit("the collector did not start:\n" + log.read())


def post(base, records):
    body = json.dumps({"records": records}, separators=(",", ":")).encode()
    req = urllib.request.Request(base + "/v1/records", data=body,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        answer = json.load(resp)
        if resp.status != 200 or answer.get("stored") != len(records):
            sys.exit(f"unexpected answer {resp.status}: {answer}")
    return len(body)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--collector", default="build/src/tracecollector")
    ap.add_argument("--events", type=int, default=100000)
    ap.add_argument("--per-request", type=int, default=100)
    ap.add_argument("--workdir", help="keep the database here (default: a temporary directory)")
    args = ap.parse_args()

    workdir = args.workdir or tempfile.mkdtemp(prefix="tc-disk-")
    os.makedirs(workdir, exist_ok=True)
    db = os.path.join(workdir, "traces.db")
    proc, base = start(args.collector, workdir, db)
    try:
        with urllib.request.urlopen(base + "/readyz", timeout=10) as resp:
            assert resp.status == 200
        # The empty database (schema only), as SQLite sees it (WAL included).
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
            empty = con.execute("PRAGMA page_count").fetchone()[0] * \
                con.execute("PRAGMA page_size").fetchone()[0]
        sent_bytes = 0
        peak_files = 0
        begin = time.monotonic()
        for first in range(0, args.events, args.per_request):
            count = min(args.per_request, args.events - first)
            session = f"disk-session-{first // args.per_request}"
            sent_bytes += post(base, [event(first + i, session) for i in range(count)])
            peak_files = max(peak_files, files_size(db))
        seconds = time.monotonic() - begin
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=120)
    if code != 0:
        sys.exit(f"the collector exited {code}; see {workdir}/collector.log")
    after_stop = files_size(db)
    with sqlite3.connect(db) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        stored = con.execute("SELECT count(*) FROM events").fetchone()[0]
        sessions = con.execute("SELECT count(*) FROM session_traces").fetchone()[0]
    final = files_size(db)
    if stored != args.events:
        sys.exit(f"the database holds {stored} events, {args.events} were sent")

    per_event = (final - empty) / args.events
    json_per_event = sent_bytes / args.events
    print(f"events                     {args.events} in {sessions} sessions, "
          f"{args.per_request} per request, ack=durable ({args.events / seconds:.0f} events/s)")
    print(f"JSON per event             {json_per_event:.0f} bytes (request bodies / events)")
    print(f"empty database             {empty} bytes (schema)")
    print(f"largest db + WAL meanwhile {peak_files} bytes")
    print(f"after SIGTERM              {after_stop} bytes (db + WAL)")
    print(f"after checkpoint           {final} bytes (db; WAL {files_size(db) - os.path.getsize(db)})")
    print(f"per event                  {per_event:.0f} bytes "
          f"({per_event / json_per_event:.2f} x the JSON)")
    print(f"1,000,000 events           {(empty + per_event * 1e6) / 1e9:.2f} GB "
          f"({(empty + per_event * 1e6) / 2**30:.2f} GiB)")
    if not args.workdir:
        shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
