#!/usr/bin/env bash
# Installs what the collector needs, builds it, and runs it on its defaults
# (http://127.0.0.1:4318, backend auto: sqld if a sqld binary is on PATH, else an embedded
# SQLite file ./tracecollector.db). Extra arguments go to the collector (see --help).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DTC_BUILD_TESTS=OFF -DTC_BUILD_BENCH=OFF >/dev/null
cmake --build build -j"$(nproc)" --target tracecollector
exec build/src/tracecollector "$@"
