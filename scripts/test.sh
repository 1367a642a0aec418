#!/usr/bin/env bash
# Installs what the tests need, builds with warnings as errors, runs the whole suite (unit,
# integration against real SQLite files and a real tursodb server, benchmark smoke run, fuzz smoke
# run). Exit status is the suite's.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
scripts/install-deps.sh --test
jobs="$(nproc)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTC_WERROR=ON -DTC_BUILD_TESTS=ON >/dev/null
cmake --build build -j"$jobs"
# Tests run in parallel; each is bounded (ctest TIMEOUT) and picks its own loopback ports.
ctest --test-dir build --output-on-failure -j"$((jobs * 2))" --timeout 300 "$@"
# The fuzzers (docs/fuzzing.md): a smoke run of every target over its seed corpus (which replays
# the regression inputs of past findings), build-fuzz/ included, within FUZZ_BUDGET seconds.
FUZZ_BUDGET="${FUZZ_BUDGET:-170}" scripts/fuzz-smoke.sh
