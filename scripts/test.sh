#!/usr/bin/env bash
# Installs what the tests need, builds with warnings as errors, runs the whole suite (unit,
# integration against real SQLite files and a real tursodb server, benchmark smoke run). Exit status is the suite's.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
scripts/install-deps.sh --test
jobs="$(nproc)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTC_WERROR=ON -DTC_BUILD_TESTS=ON >/dev/null
cmake --build build -j"$jobs"
# Tests run in parallel; each is bounded (ctest TIMEOUT) and picks its own loopback ports.
ctest --test-dir build --output-on-failure -j"$((jobs * 2))" --timeout 300 "$@"
# The fuzzers (scripts/fuzz-smoke.sh, docs/fuzzing.md) are not part of this command yet: their
# seed corpus holds reproducers of open decoder findings (invalid JSON inside unknown fields is
# accepted), so the smoke run fails until those are fixed (issue 4).
