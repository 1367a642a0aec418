#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/, clang with ASan + UBSan, in build-fuzz/) and runs
# each one for a short, bounded time over its seed corpus. Exit status 1 when any target finds
# a crash, leak, timeout or out-of-memory (the input is kept in build-fuzz/fuzz-artifacts/).
# Idempotent: reuses build-fuzz/. Long campaigns: docs/fuzzing.md.
#   scripts/fuzz-smoke.sh                   every target, FUZZ_SECONDS (default 15) each
#   scripts/fuzz-smoke.sh decode_traces     only the named targets
#   FUZZ_SECONDS=300 scripts/fuzz-smoke.sh  longer runs
#   FUZZ_SEED=0 scripts/fuzz-smoke.sh       a random seed instead of the fixed one (1)
#   FUZZ_SECONDS=3600 FUZZ_KEEP_CORPUS=1 scripts/fuzz-smoke.sh   a campaign: new inputs are kept
#                                           in build-fuzz/fuzz-corpus/<target>/ and reused
# Without FUZZ_SECONDS, runs are shortened (to 5 s at least) when the build took long, so the
# whole script stays within FUZZ_BUDGET seconds (170).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
build="${TC_FUZZ_BUILD_DIR:-$here/build-fuzz}"
seconds="${FUZZ_SECONDS:-15}"
budget="${FUZZ_BUDGET:-170}"  # whole script, build included, unless FUZZ_SECONDS is given
jobs="$(nproc)"
# A fixed seed: a smoke run follows the same path everywhere, so CI meets what a local run met
# (as far as its time allows). 0 = a new random seed each run, the default for campaigns.
seed="${FUZZ_SEED:-1}"
[[ -n "${FUZZ_KEEP_CORPUS:-}" && -z "${FUZZ_SEED:-}" ]] && seed=0
all_targets=(decode_records_json decode_records_ndjson decode_traces otlp_decode filter
             http_request http_session)
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${all_targets[@]}")

if ! command -v clang++ >/dev/null 2>&1 ||
   ! compgen -G "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null; then
  echo "fuzz-smoke: clang and libFuzzer are needed (scripts/install-deps.sh --test installs" \
       "clang and libclang-rt-14-dev)" >&2
  exit 1
fi

# Configure once (clang, every library instrumented by tests/fuzz/CMakeLists.txt); -O1 without
# NDEBUG so that TC_DCHECK, Beast's and simdjson's debug checks are on too.
if ! grep -q '^TC_BUILD_FUZZERS:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -DTC_BUILD_FUZZERS=ON -DTC_BUILD_BENCH=OFF \
    -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -gline-tables-only" >/dev/null
fi
cmake --build "$build" -j"$jobs" --target fuzzers
if [[ -z "${FUZZ_SECONDS:-}" ]]; then
  rounds=$(( (${#targets[@]} + jobs - 1) / jobs ))
  left=$(( (budget - SECONDS - 10) / rounds ))  # 10 s: start-up and corpus loading
  if (( left < seconds )); then
    seconds=$(( left > 5 ? left : 5 ))
    echo "fuzz-smoke: the build took ${SECONDS} s; ${seconds} s per target"
  fi
fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
logs="$build/fuzz-logs"
mkdir -p "$logs"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# Runs one target. The seed corpus in the source tree is only read; the new inputs go to a
# scratch directory (every smoke run starts from the same place) or, with FUZZ_KEEP_CORPUS,
# to build-fuzz/fuzz-corpus/<target>/.
run_target() {
  local t="$1" bin="$build/tests/fuzz/fuzz_$1" dict=json work="$scratch/$1"
  [[ "$t" == http_* ]] && dict=http
  [[ -n "${FUZZ_KEEP_CORPUS:-}" ]] && work="$build/fuzz-corpus/$t"
  local artifacts="$build/fuzz-artifacts/$t/"
  mkdir -p "$artifacts" "$work"
  # timeout(1) is a backstop for a hang libFuzzer itself cannot interrupt.
  timeout --kill-after=10 $((seconds + 90)) "$bin" -max_total_time="$seconds" -timeout=10 \
    -seed="$seed" \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts" \
    -dict="tests/fuzz/dict/$dict.dict" "$work" "tests/fuzz/corpus/$t" \
    >"$logs/$t.log" 2>&1
}

status=0
started=()
for t in "${targets[@]}"; do
  if [[ ! -x "$build/tests/fuzz/fuzz_$t" ]]; then
    echo "fuzz-smoke: no target fuzz_$t in $build/tests/fuzz" >&2
    status=1
    continue
  fi
  { rc=0; run_target "$t" || rc=$?; echo "$rc" >"$scratch/$t.rc"; } &
  started+=("$t")
  while [[ $(jobs -rp | wc -l) -ge $jobs ]]; do
    wait -n || true
  done
done
wait

for t in "${started[@]}"; do
  log="$logs/$t.log"
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")"
  if [[ "$(cat "$scratch/$t.rc" 2>/dev/null)" == 0 ]]; then
    printf 'fuzz-smoke: %-22s ok     %8s runs %6s exec/s\n' "$t" "${runs:-?}" "${rate:-?}"
  else
    status=1
    printf 'fuzz-smoke: %-22s FAILED (log: %s)\n' "$t" "$log"
    # The finding (failed property or sanitizer report), the project's stack frames, the input.
    awk '/^==[0-9]+== ?ERROR/ { err = 1; print; next }
         !err && !/^(INFO|#[0-9]|Dictionary|MS:|Done|stat::|\*\*\*|Loaded|Running|Executed)/ &&
           NF > 0 { print; next }
         err && /^    #[0-9]+ / && !/fuzzer::|__sanitizer|libc|pthread_kill|raise|abort|_start/
         /SUMMARY|Test unit written/' "$log" | head -40 || true
    echo "  reproduce: $build/tests/fuzz/fuzz_$t <that file>  (docs/fuzzing.md)"
  fi
done
exit "$status"
