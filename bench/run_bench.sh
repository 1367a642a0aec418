#!/usr/bin/env bash
# Builds the collector and the load generator (Release) and prints the benchmark table of
# docs/performance.md: every workload x ack against a collector the load generator starts
# itself, then that workload's baselines (raw SQLite, plain Hrana client) at the load's own
# batch size and at --baseline-batch, a fixed-rate latency run, and a check that each database
# holds exactly what was acknowledged (exit 1 if not).
#
#   bench/run_bench.sh                          full run (5 s per workload, 64 connections)
#   bench/run_bench.sh --duration 10 --connections 32
#   bench/run_bench.sh --smoke                  everything tiny (the ctest bench_smoke entry)
#
# Own options:
#   --build-dir DIR   build directory (default $TC_BENCH_BUILD_DIR or <repo>/build-release)
#   --no-build        do not configure/build; use the binaries already there
#   --loadgen PATH    the tc_loadgen binary (default: <build-dir>/bench/loadgen/tc_loadgen)
# Every other option goes to tc_loadgen (--help lists them: --duration, --connections,
# --client-threads, --backends, --workloads, --acks, --baseline-batch, --latency-fraction,
# --collector-arg, --keep ...).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${TC_BENCH_BUILD_DIR:-$repo/build-release}
build=1
loadgen=""
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) build_dir=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --loadgen) loadgen=$2; shift 2 ;;
    -h|--help)
      sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done

if [[ $build == 1 ]]; then
  cmake -S "$repo" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build_dir" -j"$(nproc)" --target tc_loadgen tracecollector >/dev/null
fi
loadgen=${loadgen:-$build_dir/bench/loadgen/tc_loadgen}
if [[ ! -x $loadgen ]]; then
  echo "run_bench.sh: no load generator at $loadgen (build it, or drop --no-build)" >&2
  exit 2
fi
exec "$loadgen" ${args[@]+"${args[@]}"}
