#!/usr/bin/env bash
# Installs what building, running and testing tracecollector needs on Debian 12.
# Idempotent: packages already present are skipped; re-running is cheap.
#   scripts/install-deps.sh          build + run dependencies
#   scripts/install-deps.sh --test   also the test dependencies (tursodb from npm, clang for fuzzers)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"

packages=(g++ cmake make pkg-config libboost-dev libboost-system-dev libsimdjson-dev libfmt-dev
          libcurl4-openssl-dev libsqlite3-dev libtomlplusplus-dev libconcurrentqueue-dev
          ca-certificates)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(libgtest-dev libgmock-dev googletest sqlite3 nodejs npm clang libclang-rt-14-dev procps)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs from another source (nodesource) ships npm itself; do not ask apt for Debian's npm then.
if command -v npm >/dev/null 2>&1; then
  tmp=(); for p in "${missing[@]}"; do [[ "$p" == npm || "$p" == nodejs ]] || tmp+=("$p"); done
  missing=("${tmp[@]+"${tmp[@]}"}")
fi
if [[ ${#missing[@]} -gt 0 ]]; then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [[ "${1:-}" == "--test" ]]; then
  # tursodb: the Hrana-over-HTTP server the sqld-backend tests run against (turso@0.6.0 on npm).
  dest="$here/.deps/turso"
  if [[ ! -x "$dest/node_modules/.bin/tursodb" && ! -x "$(ls "$dest"/node_modules/@tursodatabase/cli-*/tursodb 2>/dev/null | head -1)" ]]; then
    mkdir -p "$dest"
    (cd "$dest" && npm install --no-audit --no-fund --silent turso@0.6.0 >/dev/null)
  fi
fi
