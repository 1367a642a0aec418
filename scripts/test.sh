#!/usr/bin/env bash
# Installs what the tests need, builds with warnings as errors, runs the whole suite (unit,
# integration against real SQLite files and a real tursodb server, benchmark smoke run), the same
# suites under ASan+UBSan and under TSan, and the fuzz smoke run. Exit status is the suite's.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
scripts/install-deps.sh --test
jobs="$(nproc)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTC_WERROR=ON -DTC_BUILD_TESTS=ON >/dev/null
cmake --build build -j"$jobs"
# Tests run in parallel; each is bounded (ctest TIMEOUT) and picks its own loopback ports.
ctest --test-dir build --output-on-failure -j"$((jobs * 2))" --timeout 300 "$@"
# The unit and integration suites again under AddressSanitizer + UndefinedBehaviorSanitizer, then
# under ThreadSanitizer (docs/testing.md): each in its own build directory, any report fails.
# TC_SANITIZERS="" skips them for a quick local run; CI runs both.
for sanitizer in ${TC_SANITIZERS-address thread}; do
  scripts/sanitize.sh "$sanitizer"
done
# The fuzzers (docs/fuzzing.md): a smoke run of every target over its seed corpus (which replays
# the regression inputs of past findings), build-fuzz/ included, within FUZZ_BUDGET seconds.
FUZZ_BUDGET="${FUZZ_BUDGET:-170}" scripts/fuzz-smoke.sh
