#!/usr/bin/env bash
# Checks the container files without a Docker engine:
#  - Dockerfile: dockerfile-utils lint; the build stage installs exactly scripts/install-deps.sh's
#    build packages; the runtime stage installs a package for every shared library the built
#    binary links (objdump -p NEEDED → dpkg -S) that debian:12-slim does not have; the image's
#    ENV + config file pass --check-config and resolve to 0.0.0.0:4318 and the volume; README's
#    docker run command uses the same port and volume; the health probe it installs answers 0
#    against a real collector and 1 once it is gone.
#  - deploy/docker-compose.yml: the Compose Specification's schema and this project's rules
#    (check_compose.cjs); the collector's environment there passes --check-config.
# Usage: deploy_test.sh SOURCE_DIR (TC_COLLECTOR_BIN: the built binary; TC_LINT_DIR: the npm
# linters, default SOURCE_DIR/.deps/lint from scripts/install-deps.sh --test).
set -uo pipefail
src="$1"
lint="${TC_LINT_DIR:-$src/.deps/lint}"
source "$src/tests/integration/shell/collector_lib.sh"
work="$(mktemp -d)"
trap 'tc_stop_collector; rm -rf "$work"' EXIT
dockerfile="$src/Dockerfile"

# ---- linters present (installed by scripts/install-deps.sh --test; never skipped) ----
if [[ ! -x "$lint/node_modules/.bin/dockerfile-utils" ]]; then
  echo "FAIL: $lint/node_modules/.bin/dockerfile-utils missing: run scripts/install-deps.sh --test"
  exit 1
fi
tc_check "dockerfile-utils lint Dockerfile" "$lint/node_modules/.bin/dockerfile-utils" lint "$dockerfile"
tc_check "compose file checks" node "$src/tests/integration/deploy/check_compose.cjs" "$lint" \
  "$src/deploy/docker-compose.yml" "$dockerfile"

# ---- package lists ----
# The words of the first "apt-get install" of stage N (1 = build, 2 = runtime), sorted.
stage_packages() {
  awk -v want="$1" '
    /^FROM / { stage++ }
    stage == want && /apt-get install/ { grab = 1 }
    grab { line = $0; sub(/&&.*/, "", line); print line; if ($0 !~ /\\$/ || $0 ~ /&&/ && seen) exit;
           if ($0 ~ /apt-get install/) seen = 1 }
  ' "$dockerfile" | tr ' \\' '\n\n' | grep -E '^[a-z0-9][a-z0-9.+-]+$' |
    grep -vxE 'apt-get|install|rm' | sort -u
}
deps_packages="$(sed -n '/^packages=(/,/)/p' "$src/scripts/install-deps.sh" |
  sed 's/packages=(//; s/)//' | tr ' ' '\n' | grep -v '^$' | sort -u)"
build_packages="$(stage_packages 1)"
runtime_packages="$(stage_packages 2)"
same_build_packages() {
  if [[ "$build_packages" != "$deps_packages" ]]; then
    diff <(echo "$deps_packages") <(echo "$build_packages") | sed 's/^/  install-deps vs Dockerfile: /'
    return 1
  fi
}
tc_check "Dockerfile build stage installs scripts/install-deps.sh's build packages" same_build_packages

# Libraries every debian:12-slim has (Priority: required, apt depends on them).
slim_base="libc6 libstdc++6 libgcc-s1"
runtime_covers_needed() {
  local ok=0 lib pkg
  for lib in $(objdump -p "$TC_COLLECTOR_BIN" | awk '/NEEDED/ { print $2 }'); do
    pkg="$(dpkg -S "*/$lib" 2>/dev/null | grep -v i386 | head -n1 | cut -d: -f1)"
    if [[ -z "$pkg" ]]; then
      echo "  $lib: no Debian package owns it"
      ok=1
    elif ! grep -qx "$pkg" <<<"$runtime_packages" && [[ " $slim_base " != *" $pkg "* ]]; then
      echo "  $lib (package $pkg) is linked but the runtime stage does not install it"
      ok=1
    fi
  done
  return $ok
}
tc_check "runtime stage installs every linked library's package" runtime_covers_needed
no_dev_in_runtime() { ! grep -q -- '-dev$' <<<"$runtime_packages"; }
tc_check "runtime stage installs no -dev package" no_dev_in_runtime

# ---- the image's defaults, as the binary resolves them ----
image_env=()
while read -r kv; do image_env+=("$kv"); done < <(
  sed -n '/^ENV /,/[^\\]$/p' "$dockerfile" | sed 's/^ENV //; s/\\$//' | tr -s ' ' '\n' | grep '=')
config_in_image="$(cd "$work" && env -i PATH=/usr/bin:/bin "${image_env[@]}" "$TC_COLLECTOR_BIN" \
  --config "$src/config/tracecollector.toml" --check-config 2>&1)"
# --check-config also checks that the database and spool paths are writable: on this host the
# image's volume (/var/lib/tracecollector) does not exist, so errors naming it are expected; any
# other error is a real problem of the image's configuration.
only_volume_errors() {
  [[ -z "$(grep 'configuration error' <<<"$1" | grep -v ' /var/lib/tracecollector')" ]]
}
image_config_ok() {
  only_volume_errors "$config_in_image" &&
    grep -q '^listen = "0.0.0.0:4318"$' <<<"$config_in_image" &&
    grep -q '^path = "/var/lib/tracecollector/tracecollector.db"$' <<<"$config_in_image" &&
    grep -q '^dir = "/var/lib/tracecollector/spool"$' <<<"$config_in_image" &&
    grep -q 'backend resolves to: embedded' <<<"$config_in_image" ||
    { echo "$config_in_image" | sed 's/^/  check-config: /' | tail -20; return 1; }
}
tc_check "image ENV + config file: 0.0.0.0:4318, database and spool in the volume" image_config_ok
grep_dockerfile() { grep -qE "$1" "$dockerfile"; }
tc_check "EXPOSE 4318" grep_dockerfile '^EXPOSE 4318$'
tc_check "VOLUME /var/lib/tracecollector" grep_dockerfile '^VOLUME \["/var/lib/tracecollector"\]$'
tc_check "STOPSIGNAL SIGTERM" grep_dockerfile '^STOPSIGNAL SIGTERM$'
tc_check "runs as a non-root user" grep_dockerfile '^USER tracecollector$'
tc_check "HEALTHCHECK runs the installed probe" grep_dockerfile \
  'CMD \["/usr/local/bin/tracecollector-healthcheck"\]'
tc_check "the probe is copied into the image" grep_dockerfile \
  '^COPY deploy/docker/healthcheck.sh /usr/local/bin/tracecollector-healthcheck$'
readme_run_agrees() {
  grep -qE 'docker run .*-p 4318:4318 .*-v [a-z-]+:/var/lib/tracecollector' "$src/README.md"
}
tc_check "README's docker run publishes 4318 and mounts /var/lib/tracecollector" readme_run_agrees

# ---- the compose collector's environment resolves to the external sqld ----
compose_env=(TRACECOLLECTOR_BACKEND=sqld TRACECOLLECTOR_SQLD_MODE=external
             TRACECOLLECTOR_SQLD_URL=http://sqld:8080)
for kv in "${compose_env[@]}"; do
  tc_check "compose sets $kv" grep -q "${kv%%=*}: ${kv#*=}\$" "$src/deploy/docker-compose.yml"
done
config_in_compose="$(cd "$work" && env -i PATH=/usr/bin:/bin "${image_env[@]}" "${compose_env[@]}" \
  "$TC_COLLECTOR_BIN" --config "$src/config/tracecollector.toml" --check-config 2>&1)"
compose_config_ok() {
  only_volume_errors "$config_in_compose" && grep -q 'backend resolves to: sqld (an external sqld URL is configured (http://sqld:8080))' \
    <<<"$config_in_compose" || { echo "$config_in_compose" | tail -5; return 1; }
}
tc_check "compose environment passes --check-config and resolves to the external sqld" \
  compose_config_ok

# ---- the health probe against a real collector ----
probe="$src/deploy/docker/healthcheck.sh"
if tc_start_collector "$work/collector.log" --db "$work/t.db"; then
  probe_ok() { TRACECOLLECTOR_HTTP_LISTEN="0.0.0.0:$TC_PORT" "$probe"; }
  tc_check "health probe: 0 against a running collector" probe_ok
  ready_ok() { TC_HEALTH_PATH=/readyz TRACECOLLECTOR_HTTP_LISTEN="0.0.0.0:$TC_PORT" "$probe"; }
  tc_check "health probe with TC_HEALTH_PATH=/readyz: 0" ready_ok
  missing_path() { ! TC_HEALTH_PATH=/nope TRACECOLLECTOR_HTTP_LISTEN="0.0.0.0:$TC_PORT" "$probe"; }
  tc_check "health probe: 1 when the path answers 404" missing_path
  port="$TC_PORT"
  tc_stop_collector
  probe_down() { ! TRACECOLLECTOR_HTTP_LISTEN="0.0.0.0:$port" "$probe"; }
  tc_check "health probe: 1 once the collector is gone" probe_down
else
  tc_check "collector starts for the probe test" false
fi

tc_summary
