#!/usr/bin/env bash
# The Debian package (cmake/package.cmake, docs/operations.md "Installing the package"), built
# with cpack from this build tree and installed on this machine with dpkg, as root:
#  - lintian: no error or warning (the info tags left are explained in docs/operations.md);
#  - dependencies computed by dpkg-shlibdeps (every library the binary links has its package);
#  - dpkg -i: the files, owners and modes; the tracecollector system user; the data directory;
#    the conffile; --version (the package's version) and --check-config from the installed
#    paths; systemd-analyze verify on the installed unit; the binary run as the tracecollector
#    user with the unit's arguments takes the README's quick start and stores it;
#  - an upgrade (dpkg -i again) keeps the database and an edited configuration;
#  - dpkg -r removes the program and keeps the configuration and the data; dpkg -P removes both.
# Usage: package_test.sh SOURCE_DIR BUILD_DIR. Changes the machine (installs, then purges, the
# package; the system user stays): CI runs it as root; otherwise it re-runs itself with sudo -n.
set -uo pipefail
src="$1"
build="$2"
source "$src/tests/integration/shell/collector_lib.sh"
if [[ $(id -u) -ne 0 ]]; then
  # As the README's test command allows: not root, but sudo without a password.
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    exec sudo -n -E bash "$0" "$@"
  fi
  echo "FAIL: package_test installs a package: run it as root or with sudo (CI runs as root)"
  exit 1
fi
for tool in cpack dpkg lintian systemd-analyze runuser curl; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool missing: run scripts/install-deps.sh --test"; exit 1; }
done
work="$(mktemp -d)"
chmod 0755 "$work"
TC_SERVICE_PID=""
cleanup() {
  [[ -n "$TC_SERVICE_PID" ]] && kill -KILL "$TC_SERVICE_PID" 2>/dev/null
  dpkg -P tracecollector >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
dpkg -P tracecollector >/dev/null 2>&1  # a package an interrupted run left

# ---- build ----
(cd "$build" && cpack -G DEB -B "$work/out") >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; echo "FAIL: cpack"; exit 1; }
deb="$(ls "$work"/out/tracecollector_*_amd64.deb 2>/dev/null | head -n1)"
[[ -f "$deb" ]] || { cat "$work/cpack.log"; echo "FAIL: no .deb"; exit 1; }
version="$(dpkg-deb -f "$deb" Version)"
tc_check "the package's version is the project's ($version)" \
  grep -q "project(tracecollector VERSION $version " "$src/CMakeLists.txt"
lintian_out="$(lintian "$deb" 2>&1 | grep -v 'running with root privileges')"
tc_check "lintian: no error or warning" test -z "$(grep -E '^[EW]:' <<<"$lintian_out")"
[[ -n "$lintian_out" ]] && echo "$lintian_out"
depends="$(dpkg-deb -f "$deb" Depends)"
for lib in libcurl4 libsqlite3-0 libfmt9 libsimdjson14 libssl3 zlib1g libre2-9 adduser; do
  tc_check "Depends names $lib" grep -q "\b$lib\b" <<<"$depends"
done

# ---- install ----
tc_check "dpkg -i" dpkg -i "$deb"
stat_is() {  # PATH "mode user group"
  [[ "$(stat -c '%a %U %G' "$1" 2>/dev/null)" == "$2" ]] || { stat -c '%n: %a %U %G' "$1"; return 1; }
}
tc_check "the binary" stat_is /usr/bin/tracecollector "755 root root"
tc_check "the configuration (group-readable by the service only)" \
  stat_is /etc/tracecollector/tracecollector.toml "640 root tracecollector"
tc_check "the unit" stat_is /usr/lib/systemd/system/tracecollector.service "644 root root"
tc_check "the data directory" stat_is /var/lib/tracecollector "750 tracecollector tracecollector"
tc_check "the man page" test -f /usr/share/man/man1/tracecollector.1.gz
tc_check "the docs" test -f /usr/share/doc/tracecollector/operations.md
tc_check "the system user (no login shell)" \
  test "$(getent passwd tracecollector | cut -d: -f7)" = /usr/sbin/nologin
tc_check "the conffile is registered" \
  grep -q "/etc/tracecollector/tracecollector.toml" /var/lib/dpkg/info/tracecollector.conffiles
tc_check "the unit is enabled" test -L /etc/systemd/system/multi-user.target.wants/tracecollector.service
tc_check "--version prints the package's version" \
  grep -q "$version" <<<"$(/usr/bin/tracecollector --version)"
unit=/usr/lib/systemd/system/tracecollector.service
exec_start="$(sed -n 's/^ExecStart=//p' "$unit")"
tc_check "the unit starts the installed binary" grep -q "^/usr/bin/tracecollector " <<<"$exec_start"
tc_check "systemd-analyze verify" systemd-analyze verify "$unit"
check_config() {
  runuser -u tracecollector -- /usr/bin/tracecollector --config \
    /etc/tracecollector/tracecollector.toml --db /var/lib/tracecollector/traces.db --check-config \
    >"$work/check-config.out" 2>&1 || { cat "$work/check-config.out"; return 1; }
}
tc_check "--check-config from the installed paths, as the service user" check_config

# ---- the service's command line, as its user: the README's quick start ----
service_runs=0
start_service() {
  # A log of its own per start: the previous run's "listening on" must not be read as this one's.
  service_runs=$((service_runs + 1))
  local log="$work/service-$service_runs.log"
  : >"$log"
  # ExecStart's words, with the unit's UMask, as its user.
  # shellcheck disable=SC2086
  (umask "$(sed -n 's/^UMask=//p' "$unit")" &&
    exec runuser -u tracecollector -- $exec_start --listen 127.0.0.1:0) >"$log" 2>&1 &
  TC_SERVICE_PID=$!
  TC_PORT=""
  tc_eventually grep -q "listening on 127.0.0.1:" "$log" || { cat "$log"; return 1; }
  TC_PORT="$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | head -n1)"
}
stop_service() {
  kill -TERM "$TC_SERVICE_PID" 2>/dev/null
  tc_eventually bash -c "! kill -0 $TC_SERVICE_PID" || kill -KILL "$TC_SERVICE_PID"
  wait "$TC_SERVICE_PID" 2>/dev/null
  TC_SERVICE_PID=""
}
quick_start="$(awk '/^## Quick start/{f=1} f&&/^```sh/{g=1;next} g&&/^```/{exit} g' "$src/README.md" |
  grep -v '^#')"
tc_check "README has the quick start" grep -q "/v1/records" <<<"$quick_start"
if start_service; then
  out="$(bash -c "${quick_start//127.0.0.1:4318/127.0.0.1:$TC_PORT}")"
  tc_check "the quick start is stored ($out)" grep -q '"stored":4' <<<"$out"
  stop_service
fi
tc_check "the database belongs to the service user" \
  stat_is /var/lib/tracecollector/traces.db "640 tracecollector tracecollector"

# ---- upgrade: the same package again keeps the data and an edited configuration ----
echo "# edited by the administrator" >>/etc/tracecollector/tracecollector.toml
tc_check "dpkg -i again (an upgrade)" dpkg -i "$deb"
tc_check "the edited configuration is kept" \
  grep -q "edited by the administrator" /etc/tracecollector/tracecollector.toml
tc_check "the database is kept" test -s /var/lib/tracecollector/traces.db
if start_service; then
  again="$(bash -c "${quick_start//127.0.0.1:4318/127.0.0.1:$TC_PORT}")"
  tc_check "after the upgrade the same records are duplicates ($again)" \
    grep -q '"duplicates":4' <<<"$again"
  stop_service
fi

# ---- remove, purge ----
tc_check "dpkg -r" dpkg -r tracecollector
tc_check "remove: the binary is gone" test ! -e /usr/bin/tracecollector
tc_check "remove: the unit is gone" test ! -e "$unit"
tc_check "remove: the configuration stays" test -f /etc/tracecollector/tracecollector.toml
tc_check "remove: the data stays" test -s /var/lib/tracecollector/traces.db
tc_check "dpkg -P" dpkg -P tracecollector
tc_check "purge: the configuration is gone" test ! -e /etc/tracecollector
tc_check "purge: the data is gone" test ! -e /var/lib/tracecollector
tc_check "purge: the unit is no longer enabled" \
  test ! -L /etc/systemd/system/multi-user.target.wants/tracecollector.service
tc_summary
