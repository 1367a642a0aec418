#!/usr/bin/env python3
"""Regenerates the seed corpora in tests/fuzz/corpus/ from tests/data/ (docs/fuzzing.md).

Seeds are named seed-*; reproducers of fixed crashes are named crash-* / regress-* and are
kept when this script runs again. Usage: tests/fuzz/make_corpus.py
"""
import json
import pathlib
import shutil

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE.parent / "data"
CORPUS = HERE / "corpus"


def reset(target):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    for f in d.glob("seed-*"):
        f.unlink()
    return d


def write(d, name, data):
    (d / ("seed-" + name)).write_bytes(data if isinstance(data, bytes) else data.encode())


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def records_of(path):
    doc = json.loads(path.read_text())
    return doc["records"] if isinstance(doc, dict) and "records" in doc else (
        doc if isinstance(doc, list) else [doc])


all_records = records_of(DATA / "records_all_types.json")
by_type = {}
for r in all_records:
    by_type.setdefault(r["type"], r)

# ---- /v1/records, JSON -------------------------------------------------------------------
d = reset("decode_records_json")
for f in sorted(DATA.glob("records_*.json")):
    shutil.copy(f, d / ("seed-" + f.name))
for i, r in enumerate(all_records):
    write(d, f"one-{i:02d}-{r['type']}.json", compact(r))
write(d, "empty-records.json", '{"records":[]}')
write(d, "empty-array.json", "[]")
write(d, "not-a-record.json", '[1,"x",null,{"type":"nope"}]')
write(d, "escapes.json", r'{"type":"message","id":"m\u00e9\ud83d\ude00","session_id":"s\"\\",'
      r'"message_type":"user","content":"a\u0000b\n","metadata":{"k":[1.5e300,-0,true,null]}}')
write(d, "numbers.json", '{"type":"event","session_id":"s","event_type":"cais",'
      '"system_instance_id":"x","input_tokens":9223372036854775807,"cost_usd":1e-320,'
      '"latency_ms":-1,"time_record":{"event_time":1.7e9}}')

# ---- /v1/records, NDJSON -----------------------------------------------------------------
d = reset("decode_records_ndjson")
for f in sorted(DATA.glob("*.ndjson")):
    shutil.copy(f, d / ("seed-" + f.name))
write(d, "all-types.ndjson", "\n".join(compact(r) for r in all_records) + "\n")
write(d, "crlf.ndjson", "\r\n".join(compact(r) for r in all_records[:3]) + "\r\n")
write(d, "blank-and-bad.ndjson", '\n  \n{"type":"session","session_id":"s"}\n{bad\n[1]\n{} {}\n')

# ---- /v1/traces --------------------------------------------------------------------------
d = reset("decode_traces")
for f in sorted(DATA.glob("session_trace*.json")):
    shutil.copy(f, d / ("seed-" + f.name))
write(d, "minimal.json", '{"session_id":"s","session_time_steps":[],"event_history":[],'
      '"message_history":[]}')
write(d, "traces-empty.json", '{"traces":[]}')
write(d, "traces-two.json", '{"traces":[{"session_id":"a"},{"session_id":"b","metadata":{}}]}')

# ---- HTTP requests (both HTTP targets) ---------------------------------------------------
d = reset("http_request")


def request(method, target, body=None, content_type="application/json", headers=(),
            version="1.1"):
    head = [f"{method} {target} HTTP/{version}", "Host: collector"]
    if body is not None:
        if content_type:
            head.append(f"Content-Type: {content_type}")
        head.append(f"Content-Length: {len(body.encode())}")
    head.extend(headers)
    return "\r\n".join(head) + "\r\n\r\n" + (body or "")


def chunked(target, body, content_type="application/json", size=7):
    out = (f"POST {target} HTTP/1.1\r\nHost: collector\r\nContent-Type: {content_type}\r\n"
           "Transfer-Encoding: chunked\r\n\r\n")
    b = body.encode()
    for i in range(0, len(b), size):
        out += f"{len(b[i:i + size]):x}\r\n" + b[i:i + size].decode("latin-1") + "\r\n"
    return out + "0\r\n\r\n"


def keyed(prefix, types=("session", "timestep", "message")):
    recs = []
    for i, t in enumerate(types):
        r = dict(by_type[t])
        r["id"] = f"{prefix}-{i}"
        recs.append(r)
    return compact({"records": recs})


small = compact({"records": [by_type["session"], by_type["timestep"], by_type["message"]]})
trace = (DATA / "session_trace_compact.json").read_text()
write(d, "records.http", request("POST", "/v1/records", small))
write(d, "records-queued.http", request("POST", "/v1/records?ack=queued", small))
write(d, "records-bad-ack.http", request("POST", "/v1/records?x=1&ack=later", small))
write(d, "records-ndjson.http",
      request("POST", "/v1/records", "\n".join(compact(r) for r in all_records[:4]),
              "application/x-ndjson; charset=utf-8"))
write(d, "records-invalid.http", request("POST", "/v1/records", '[{"type":"session"},{}]'))
write(d, "records-not-json.http", request("POST", "/v1/records", "{nope"))
write(d, "records-text.http", request("POST", "/v1/records", small, "text/plain"))
write(d, "records-gzip.http", request("POST", "/v1/records", small,
                                      headers=["Content-Encoding: gzip"]))
for prefix in ("dup", "refuse", "fail", "overload", "unavail"):
    write(d, f"records-{prefix}.http", request("POST", "/v1/records", keyed(prefix)))
write(d, "traces.http", request("POST", "/v1/traces", trace))
write(d, "traces-ndjson.http", request("POST", "/v1/traces", trace, "application/x-ndjson"))
write(d, "chunked.http", chunked("/v1/records", small))
write(d, "expect-continue.http", request("POST", "/v1/records", small,
                                         headers=["Expect: 100-continue"]))
write(d, "http10.http", request("POST", "/v1/records", small, version="1.0",
                                headers=["Connection: keep-alive"]))
write(d, "gets.http", request("GET", "/healthz") + request("GET", "/readyz") +
      request("GET", "/metrics") + request("GET", "/nope/\x7f") + request("GET", "/v1/records") +
      request("DELETE", "/healthz"))
write(d, "pipelined.http", request("POST", "/v1/records", keyed("p1")) +
      request("POST", "/v1/records?ack=queued", keyed("dup")) +
      request("POST", "/v1/traces", '{"session_id":"x"}') +
      request("GET", "/healthz", headers=["Connection: close"]) + request("GET", "/healthz"))
write(d, "too-large.http", "POST /v1/records HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n{}")
write(d, "huge-header.http", "GET /healthz HTTP/1.1\r\nX-Pad: " + "a" * 3000 + "\r\n\r\n")
write(d, "bad-request.http", "GARBAGE\r\n\r\n")
write(d, "partial.http", "POST /v1/records HTTP/1.1\r\nContent-Length: 50\r\n\r\n{\"records\"")
# Hostile framing (docs/reliability.md): a body that is itself a request behind a
# Transfer-Encoding that is not chunked, chunk extensions, leading zeros, trailers, and an
# absolute-form target.
inner = request("POST", "/v1/records", keyed("smuggled"))
for name, te in (("smuggle-gzip", "gzip"), ("smuggle-identity", "chunked, identity"),
                 ("smuggle-gzip-chunked", "gzip, chunked")):
    write(d, f"{name}.http", "POST /v1/records HTTP/1.1\r\nHost: collector\r\n"
          f"Transfer-Encoding: {te}\r\n\r\n" + inner)
write(d, "chunk-ext-trailer.http",
      chunked("/v1/records", small).replace("\r\n0\r\n\r\n", "\r\n0;last=1\r\nX-T: v\r\n\r\n")
      .replace("7\r\n", "0007;name=\"v\"\r\n", 1))
write(d, "chunk-ext-long.http", "POST /v1/records HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "2;" + "a" * 5000 + "\r\n[]\r\n0\r\n\r\n")
write(d, "absolute-form.http", request("POST", "http://collector:4318/v1/records?ack=queued", small) +
      request("GET", "HTTP://collector/healthz"))
print("corpus regenerated in", CORPUS)
