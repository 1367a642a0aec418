#!/usr/bin/env python3
"""A fault-injecting proxy for the client examples' retry test (a real collector cannot be made
to answer 429 on demand). The first FAILURES requests are answered with STATUS and
"Retry-After: RETRY_AFTER"; later ones are forwarded to the real collector at UPSTREAM and its
answer relayed. Each request is logged to LOG as one JSON line: {"t": seconds, "sha": body hash,
"answered": status}. Prints "port=<port>" once listening on 127.0.0.1 (free port).

    retry_proxy.py UPSTREAM LOG FAILURES STATUS RETRY_AFTER
"""
import hashlib
import http.server
import json
import sys
import time
import urllib.error
import urllib.request

upstream, log_path, failures, status, retry_after = sys.argv[1:6]
remaining = [int(failures)]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if remaining[0] > 0:
            remaining[0] -= 1
            code, answer, extra = int(status), json.dumps(
                {"error": {"code": "overloaded", "message": "injected"}}).encode(), {
                    "Retry-After": retry_after}
        else:
            request = urllib.request.Request(upstream + self.path, data=body, method="POST",
                                             headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    code, answer = response.status, response.read()
            except urllib.error.HTTPError as error:
                code, answer = error.code, error.read()
            extra = {}
        with open(log_path, "a") as log:
            log.write(json.dumps({"t": time.monotonic(), "sha": hashlib.sha256(body).hexdigest(),
                                  "answered": code}) + "\n")
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        for key, value in extra.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"port={server.server_address[1]}", flush=True)
server.serve_forever()
