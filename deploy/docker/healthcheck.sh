#!/usr/bin/env bash
# Container health probe for the tracecollector image (Docker HEALTHCHECK, compose healthcheck).
# Sends one HTTP/1.0 "GET /healthz" to the port of TRACECOLLECTOR_HTTP_LISTEN (default 4318) on
# the loopback interface with bash's /dev/tcp, so the image needs no curl. Exit 0 when the status
# line says 200, else 1 with what was seen. The caller's timeout (HEALTHCHECK --timeout) bounds it.
# /healthz means "the HTTP server answers"; set TC_HEALTH_PATH=/readyz to also require the store.
set -uo pipefail
listen="${TRACECOLLECTOR_HTTP_LISTEN:-0.0.0.0:4318}"
port="${listen##*:}"
path="${TC_HEALTH_PATH:-/healthz}"
if ! { exec 3<>"/dev/tcp/127.0.0.1/${port}"; } 2>/dev/null; then
  echo "unhealthy: nothing listens on 127.0.0.1:${port}"
  exit 1
fi
printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$path" >&3
IFS= read -r status_line <&3 || status_line=""
exec 3<&-
if [[ "$status_line" == HTTP/1.?" 200 "* ]]; then
  exit 0
fi
echo "unhealthy: GET ${path} answered '${status_line%$'\r'}'"
exit 1
